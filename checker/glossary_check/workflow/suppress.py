"""Suppression comments: an editor's way to say "this one is on purpose" inside the article.

Three directives, written in an HTML comment in Markdown and HTML, anywhere on
a line in plain text; anything after the directive is a free-form reason:

- ``glossary-check: ignore[rule,...]`` (or bare ``ignore`` for every rule)
  Markdown: the next block (paragraph, heading, list, table, quote); a comment
  inside a block's text applies to that block (a table cell's: to its row).
  HTML: the next element (or, when text follows, that text up to the next
  block-level tag); a comment inside an element's text applies to that element.
  Plain text: the line it ends, or, alone on its line, the next non-blank line.
- ``glossary-check: disable[rule,...]`` / ``glossary-check: enable[rule,...]``
  a region from the directive to the matching ``enable`` (or the end of the file).

A finding is suppressed when its first character lies in a directive's scope.
The filter is a pure function of (document, findings): it parses nothing, but
uses what the document's reader recorded in its one parse, so a directive
scopes by the same blocks the reader split the prose into. In Markdown and
HTML a directive is a comment the reader met (not one in code, in a `script`
or in an attribute); its scope comes from the reader's blocks (Markdown) or
elements (HTML), "text" is the prose the reader put in the view, and the
block-level tags are the reader's. In plain text the reader's blocks are the
lines. Directives that suppressed nothing are returned too, so
`--report-unused-ignores` can report them as findings of the rule
``unused-ignore``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from glossary_check.core.findings import Finding, Severity
from glossary_check.documents import Blocks, Comment, Document
from glossary_check.rules.unused_ignore import RULE as UNUSED

if TYPE_CHECKING:
    from glossary_check.rules.pipeline import Settings

MARKER = "glossary-check:"
KINDS = ("ignore", "disable", "enable")

# A directive: keyword, optional [rules], then free text up to the end of the comment or line.
_DIRECTIVE = re.compile(
    r"glossary-check:[^\S\r\n]*(?P<kind>[A-Za-z][\w-]*)(?:\[(?P<rules>[^\]\r\n]*)\])?"
)
# What may stand before a plain-text directive that is alone on its line (comment leaders).
_LEADER = re.compile(r"[\s#/;%*\-<!>\[\](){}]*")

Scope = tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Directive:
    """One suppression comment, where it is and what it covers (file offsets)."""

    kind: str
    rules: frozenset[str] | None  # None: every rule
    offset: int
    length: int
    text: str
    scope: tuple[int, int] | None = None  # `ignore` only: the span it covers
    problem: str | None = None  # why the directive is not understood, if it is not

    def names(self, rule: str) -> bool:
        return self.rules is None or rule in self.rules

    def covers(self, offset: int) -> bool:
        return self.scope is not None and self.scope[0] <= offset < self.scope[1]


@dataclass(frozen=True, slots=True)
class Unused:
    """A directive that suppressed nothing (rules None) or some of its rules suppressed nothing."""

    directive: Directive
    rules: tuple[str, ...] | None = None
    reason: str | None = None

    def message(self) -> str:
        shown = " ".join(self.directive.text.split())
        if self.reason:
            return f"'{shown}': {self.reason}."
        if self.rules:
            names = ", ".join(self.rules)
            return f"'{shown}' suppresses nothing for {names}; remove {names} from it."
        return f"'{shown}' suppresses nothing; remove it."


@dataclass(frozen=True, slots=True)
class Outcome:
    kept: list[Finding]
    suppressed: list[Finding]
    unused: list[Unused] = field(default_factory=list)


# --- finding directives ---------------------------------------------------------------------


def _parse(match: re.Match[str], known: Collection[str] | None) -> Directive:
    kind = match.group("kind").lower()
    raw_rules = match.group("rules")
    rules = None
    if raw_rules is not None:
        rules = frozenset(r.strip() for r in raw_rules.split(",") if r.strip())
    problem = None
    if kind not in KINDS:
        problem = f"unknown directive {kind!r} (use ignore, disable or enable)"
    elif rules is not None and not rules:
        problem = "empty rule list (write the directive without brackets for every rule)"
    elif rules is not None and known is not None and (bad := sorted(rules - set(known))):
        problem = f"unknown rule{'s' if len(bad) > 1 else ''} {', '.join(bad)}"
    return Directive(kind, rules, match.start(), match.end() - match.start(), match.group(),
                     problem=problem)


def _with_scope(d: Directive, scope: Scope) -> Directive:
    return Directive(d.kind, d.rules, d.offset, d.length, d.text, scope, d.problem)


def _in_comments(
    doc: Document, known: Collection[str] | None, scope: Callable[[Comment], Scope]
) -> list[Directive]:
    """Directives opening the comments the reader met; `scope` places an `ignore`."""
    out = []
    text = doc.text
    for comment in doc.comments:
        found = _DIRECTIVE.search(text, comment.body_start, comment.body_end)
        if found is None or text[comment.body_start : found.start()].strip():
            continue
        directive = _parse(found, known)
        out.append(_with_scope(directive, scope(comment)) if directive.kind == "ignore"
                   else directive)
    return out


def _without_comments(doc: Document, start: int, end: int) -> str:
    """File text [start, end) with the comments the reader met in it taken out."""
    pieces, at = [], start
    for comment in doc.comments.within(start, end):
        pieces.append(doc.text[at : comment.start])
        at = comment.end
    pieces.append(doc.text[at:end])
    return "".join(pieces)


def _prose(doc: Document, start: int, end: int) -> str:
    """The view's text for file text [start, end): what the reader saw there as prose."""
    if doc.starts is None:
        return doc.text[start:end]
    first = bisect_left(doc.starts, start)
    return doc.view[first : bisect_left(doc.starts, end, first)]


# Plain text: a directive anywhere on a line; the reader's blocks are the lines.


def _plain(doc: Document, known: Collection[str] | None) -> list[Directive]:
    out = []
    for found in _DIRECTIVE.finditer(doc.text):
        directive = _parse(found, known)
        if directive.kind == "ignore":
            directive = _with_scope(directive, _line_scope(doc, directive.offset))
        out.append(directive)
    return out


def _line_scope(doc: Document, offset: int) -> Scope:
    """The line a directive ends, or, alone on its line, the next non-blank line."""
    lines, text = doc.blocks, doc.text
    line = lines.innermost(offset)
    if line < 0:
        return None
    if _LEADER.fullmatch(text, lines.starts[line], offset) is None:
        return lines.starts[line], lines.ends[line]
    for k in range(line + 1, len(lines)):
        if text[lines.starts[k] : lines.ends[k]].strip():
            return lines.starts[k], lines.ends[k]
    return None


# Markdown: the reader's blocks are whole lines, nested as markdown-it nests them.


def _block_scope(doc: Document, comment: Comment, after: dict[int, Scope]) -> Scope:
    """The block holding a comment in its text, or the block after a comment block.

    `after` keeps what `_next_sibling` found, for a run of directives one after another.
    """
    blocks = doc.blocks
    holder = blocks.innermost(comment.start)
    if holder < 0:
        return None
    block = blocks[holder]
    if block.kind != "html_block":
        return block.start, block.end
    if _without_comments(doc, comment.end, block.end).strip():
        return comment.end, block.end  # HTML follows the comment in its block
    return _next_sibling(doc, holder, after)


def _next_sibling(doc: Document, index: int, after: dict[int, Scope]) -> Scope:
    """The block after blocks[index] in the same parent, past comment-only HTML blocks."""
    blocks = doc.blocks
    parent = blocks.parents[index]
    limit = blocks.ends[parent] if parent >= 0 else len(doc.text)
    passed, found = [index], None
    for k in range(index + 1, len(blocks)):
        if blocks.starts[k] >= limit:
            break
        if blocks.parents[k] != parent:
            continue  # inside an earlier sibling
        if k in after:
            found = after[k]
            break
        start, end = blocks.starts[k], blocks.ends[k]
        if blocks[k].kind == "html_block" and not _without_comments(doc, start, end).strip():
            passed.append(k)  # a comment of its own, perhaps another directive: look past it
            continue
        found = start, end
        break
    for k in passed:
        after[k] = found
    return found


# HTML: the reader's blocks are the elements; `breaks` marks its block-level ones.


class _Tags:
    """Where the block-level elements' tags stand, sorted: whichever end is wanted."""

    def __init__(self, blocks: Blocks) -> None:
        ends: list[int] = []  # after each block-level tag: prose starts afresh
        starts: list[int] = []  # at each block-level tag: a block of prose ends
        for k, breaks in enumerate(blocks.flags):
            if breaks:
                element = blocks[k]
                ends += (element.inner_start, element.end)
                starts += (element.start, element.inner_end)
        self.ends, self.starts = sorted(ends), sorted(starts)

    def last_end(self, offset: int) -> int:
        """Where the last block-level tag before `offset` ends (0 if none)."""
        k = bisect_right(self.ends, offset) - 1
        return self.ends[k] if k >= 0 else 0

    def next_start(self, offset: int, default: int) -> int:
        k = bisect_left(self.starts, offset)
        return self.starts[k] if k < len(self.starts) else default


def _element_scope(doc: Document, tags: _Tags, comment: Comment) -> Scope:
    """The element whose text holds the comment, the text after it, or the next element."""
    elements = doc.blocks
    holder = elements.innermost(comment.start)
    if holder >= 0 and _prose(doc, tags.last_end(comment.start), comment.start).strip():
        return elements.starts[holder], elements.ends[holder]
    following = bisect_left(elements.starts, comment.end)
    next_start = elements.starts[following] if following < len(elements) else len(doc.text)
    closing = elements[holder].inner_end if holder >= 0 else len(doc.text)
    if _prose(doc, comment.end, min(next_start, closing)).strip():
        return comment.end, tags.next_start(comment.end, len(doc.text))
    if following >= len(elements) or closing <= next_start:
        return None  # nothing follows, or the element holding the comment ends first
    return elements.starts[following], elements.ends[following]


def directives(document: Document, known: Collection[str] | None = None) -> list[Directive]:
    """Every directive of a document in file order; `known` rule ids, to flag misspelt ones."""
    if MARKER not in document.text:
        return []
    if document.format == "markdown":
        after: dict[int, Scope] = {}
        found = _in_comments(document, known, lambda c: _block_scope(document, c, after))
    elif document.format == "html":
        tags = _Tags(document.blocks)
        found = _in_comments(document, known, lambda c: _element_scope(document, tags, c))
    else:
        found = _plain(document, known)
    return sorted(found, key=lambda d: d.offset)


# --- applying them ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Regions:
    """Which rules a `disable` holds off at the current point of a sweep through the file."""

    every: Directive | None = None  # a bare disable in force
    back_on: set[str] = field(default_factory=set)  # rules enabled again under it
    by_rule: dict[str, Directive] = field(default_factory=dict)

    def step(self, d: Directive) -> None:
        if d.kind == "disable" and d.rules is None:
            self.every, self.back_on = d, set()
        elif d.kind == "disable" and d.rules is not None:
            for rule in d.rules:
                self.by_rule[rule] = d
            self.back_on -= d.rules
        elif d.kind == "enable" and d.rules is None:
            self.every, self.back_on, self.by_rule = None, set(), {}
        elif d.kind == "enable" and d.rules is not None:
            for rule in d.rules:
                self.by_rule.pop(rule, None)
            if self.every is not None:
                self.back_on |= d.rules

    def holder(self, rule: str) -> Directive | None:
        if rule in self.by_rule:
            return self.by_rule[rule]
        if self.every is not None and rule not in self.back_on:
            return self.every
        return None


def apply(
    document: Document, findings: Sequence[Finding], *, known: Collection[str] | None = None,
    active: Collection[str] | None = None,
) -> Outcome:
    """Split findings into kept and suppressed; list directives (or rules) that did nothing.

    `active` is the rules that ran: naming a rule that did not run is not reported as unused.
    """
    found = directives(document, known)
    if not found:
        return Outcome(list(findings), [])
    usable = [d for d in found if d.problem is None]
    used: dict[int, set[str]] = {id(d): set() for d in usable}
    hidden = _sweep(findings, usable, used)
    kept = [f for i, f in enumerate(findings) if i not in hidden]
    suppressed = [f for i, f in enumerate(findings) if i in hidden]
    unused = [Unused(d, reason=d.problem) for d in found if d.problem is not None]
    unused += [u for d in usable if (u := _idle(d, used[id(d)], active)) is not None]
    unused.sort(key=lambda u: u.directive.offset)
    return Outcome(kept, suppressed, unused)


class _Ignores:
    """The `ignore` directives whose scope holds the current point of a sweep through the file."""

    def __init__(self, usable: list[Directive]) -> None:
        self.waiting: list[tuple[int, int, Directive]] = []  # scope start, end; by start
        for d in usable:
            if d.kind == "ignore" and d.scope is not None:
                self.waiting.append((*d.scope, d))
        self.waiting.sort(key=lambda it: it[0])
        self.next = 0
        self.open: list[tuple[int, Directive]] = []  # scope end, directive

    def at(self, offset: int) -> list[Directive]:
        """Those covering `offset`; offsets must come in order."""
        while self.next < len(self.waiting) and self.waiting[self.next][0] <= offset:
            _, end, d = self.waiting[self.next]
            self.open.append((end, d))
            self.next += 1
        self.open = [(end, d) for end, d in self.open if end > offset]
        return [d for _, d in self.open]


def _sweep(
    findings: Sequence[Finding], usable: list[Directive], used: dict[int, set[str]]
) -> set[int]:
    """Indexes of the findings some directive covers, noting in `used` what each suppressed."""
    switches = [d for d in usable if d.kind != "ignore"]
    ignores = _Ignores(usable)
    regions, next_switch = _Regions(), 0
    hidden: set[int] = set()
    for i in sorted(range(len(findings)), key=lambda i: findings[i].offset):
        finding = findings[i]
        while next_switch < len(switches) and switches[next_switch].offset <= finding.offset:
            regions.step(switches[next_switch])
            next_switch += 1
        hits = [d for d in ignores.at(finding.offset) if d.names(finding.rule)]
        holder = regions.holder(finding.rule)
        if holder is not None:
            hits.append(holder)
        if hits:
            hidden.add(i)
            for d in hits:
                used[id(d)].add(finding.rule)
    return hidden


def _idle(d: Directive, used: set[str], active: Collection[str] | None) -> Unused | None:
    """What a well-formed directive left undone, if anything."""
    if d.kind == "enable":
        return None
    if d.kind == "ignore" and d.scope is None:
        return Unused(d, reason="nothing follows it to suppress")
    if d.rules is None:
        return None if used else Unused(d)
    idle = sorted(r for r in d.rules - used if active is None or r in active)
    if not idle:
        return None
    return Unused(d) if len(idle) == len(d.rules) else Unused(d, tuple(idle))


def unused_findings(outcome: Outcome, severity: Severity = UNUSED.severity) -> list[Finding]:
    """Directives that did nothing, as findings of the rule `unused-ignore` (ruff's RUF100)."""
    return [
        Finding(rule=UNUSED.id, severity=severity, offset=u.directive.offset,
                length=u.directive.length, text=u.directive.text, message=u.message())
        for u in outcome.unused
    ]


def filter_findings(
    document: Document, findings: list[Finding], settings: Settings
) -> list[Finding]:
    """The pipeline's suppression stage: kept findings, plus `unused-ignore` ones if asked for."""
    if MARKER not in document.text:
        return findings
    from glossary_check.rules import registry

    active = [rule.id for rule in settings.rules()]
    outcome = apply(document, findings, known=registry(), active=active)
    if not settings.report_unused_ignores or not outcome.unused or UNUSED.id not in active:
        return outcome.kept
    merged = outcome.kept + unused_findings(outcome, settings.severity(UNUSED))
    return sorted(merged, key=lambda f: (f.offset, f.length, f.rule))

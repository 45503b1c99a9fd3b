"""Suppression comments: an editor's way to say "this one is on purpose" inside the article.

Three directives, written in an HTML comment in Markdown and HTML, anywhere on
a line in plain text; anything after the directive is a free-form reason:

- ``glossary-check: ignore[rule,...]`` (or bare ``ignore`` for every rule)
  Markdown: the next block (paragraph, heading, list, table, quote); a comment
  inside a paragraph's text applies to that paragraph.
  HTML: the next element (or, when text follows, that text up to the next
  block-level tag); a comment inside an element's text applies to that element.
  Plain text: the line it ends, or, alone on its line, the next non-blank line.
- ``glossary-check: disable[rule,...]`` / ``glossary-check: enable[rule,...]``
  a region from the directive to the matching ``enable`` (or the end of the file).

A finding is suppressed when its first character lies in a directive's scope.
The filter is a pure function of (text, format, findings); directives that
suppressed nothing are returned too, so `--report-unused-ignores` can report
them as findings of the rule ``unused-ignore``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from glossary_check.core.findings import Finding, Severity
from glossary_check.rules.unused_ignore import RULE as UNUSED

if TYPE_CHECKING:
    from markdown_it.token import Token

    from glossary_check.documents import Document
    from glossary_check.rules.pipeline import Settings

MARKER = "glossary-check:"
KINDS = ("ignore", "disable", "enable")

# A directive: keyword, optional [rules], then free text up to the end of the comment or line.
_DIRECTIVE = re.compile(
    r"glossary-check:[^\S\r\n]*(?P<kind>[A-Za-z][\w-]*)(?:\[(?P<rules>[^\]\r\n]*)\])?"
)
_COMMENT = re.compile(r"<!--(?P<body>.*?)-->", re.DOTALL)
_LINE_END = re.compile(r"\r\n|\r|\n")
# What may stand before a plain-text directive that is alone on its line (comment leaders).
_LEADER = re.compile(r"[\s#/;%*\-<!>\[\](){}]*")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_IMPLIED_CLOSE = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})


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


def _parse(match: re.Match[str], base: int, known: Collection[str] | None) -> Directive:
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
    return Directive(kind, rules, base + match.start(), match.end() - match.start(),
                     match.group(), problem=problem)


def _in_comments(text: str, known: Collection[str] | None) -> list[tuple[Directive, int, int]]:
    """Directives inside HTML comments, with the comment's span."""
    out = []
    for comment in _COMMENT.finditer(text):
        body_start = comment.start("body")
        found = _DIRECTIVE.search(comment.group("body"))
        if found is not None and not comment.group("body")[: found.start()].strip():
            out.append((_parse(found, body_start, known), comment.start(), comment.end()))
    return out


class _Lines:
    """Line starts by LF, CRLF or CR, as the reports count them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def line_of(self, offset: int) -> int:
        """0-based line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def start(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def content(self, line: int) -> str:
        return self.text[self.start(line) : self.start(line + 1)]


def _plain(text: str, known: Collection[str] | None) -> list[Directive]:
    lines = _Lines(text)
    out = []
    for found in _DIRECTIVE.finditer(text):
        directive = _parse(found, 0, known)
        if directive.kind == "ignore":
            line = lines.line_of(directive.offset)
            before = text[lines.start(line) : directive.offset]
            if _LEADER.fullmatch(before) is None:
                target = line
            else:
                target = line + 1
                while target < len(lines.starts) and not lines.content(target).strip():
                    target += 1
            scope = None
            if target < len(lines.starts):
                scope = (lines.start(target), lines.start(target + 1))
            directive = _with_scope(directive, scope)
        out.append(directive)
    return out


def _with_scope(d: Directive, scope: tuple[int, int] | None) -> Directive:
    return Directive(d.kind, d.rules, d.offset, d.length, d.text, scope, d.problem)


def _markdown(text: str, known: Collection[str] | None) -> list[Directive]:
    """Comments the Markdown parser sees as HTML; an `ignore` covers the next sibling block."""
    from markdown_it import MarkdownIt

    candidates = _in_comments(text, known)
    if not candidates:
        return []
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines = _Lines(text)
    blocks = [(i, t) for i, t in enumerate(tokens) if t.map is not None and t.type != "inline"]
    out = []
    for directive, c_start, c_end in candidates:
        line = lines.line_of(c_start)
        holders = [(i, t) for i, t in blocks if t.map is not None and t.map[0] <= line < t.map[1]]
        if not holders:
            continue
        index, holder = max(holders, key=lambda it: (it[1].level, it[0]))
        scope: tuple[int, int] | None = None
        if holder.type == "html_block":
            assert holder.map is not None
            block_end = lines.start(holder.map[1])
            if _strip_comments(text[c_end:block_end]).strip():
                scope = (c_end, block_end)
            else:
                scope = _next_sibling(tokens, index, text, lines)
        else:
            inline = tokens[index + 1] if index + 1 < len(tokens) else None
            children = inline.children if inline is not None and inline.type == "inline" else None
            if not any(c.type == "html_inline" and MARKER in c.content for c in children or ()):
                continue  # in code, not a comment
            assert holder.map is not None
            scope = (lines.start(holder.map[0]), lines.start(holder.map[1]))
        out.append(_with_scope(directive, scope) if directive.kind == "ignore" else directive)
    return out


def _strip_comments(text: str) -> str:
    return _COMMENT.sub("", text)


def _next_sibling(
    tokens: Sequence[Token], index: int, text: str, lines: _Lines
) -> tuple[int, int] | None:
    """Lines of the block after tokens[index] at its level, past comment-only HTML blocks."""
    level = tokens[index].level
    for token in tokens[index + 1 :]:
        if token.level < level or (token.nesting < 0 and token.level <= level):
            return None
        if token.level > level or token.map is None:
            continue
        start, end = token.map[0], token.map[1]
        if token.type == "html_block" and not _strip_comments(
            text[lines.start(start) : lines.start(end)]
        ).strip():
            continue  # a comment of its own, perhaps another directive: look past it
        return lines.start(start), lines.start(end)
    return None


@dataclass(slots=True)
class _Event:
    kind: str  # start, end, void, comment
    name: str
    start: int
    end: int


class _Scanner(HTMLParser):
    """Tags and comments with their file offsets; nothing more of HTML is needed here."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.events: list[_Event] = []

    def _here(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._here()
        raw = self.get_starttag_text() or ""
        kind = "void" if tag in _VOID else "start"
        self.events.append(_Event(kind, tag, start, start + len(raw)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._here()
        raw = self.get_starttag_text() or ""
        self.events.append(_Event("void", tag, start, start + len(raw)))

    def handle_endtag(self, tag: str) -> None:
        start = self._here()
        close = self.text.find(">", start)
        self.events.append(_Event("end", tag, start, close + 1 if close >= 0 else len(self.text)))

    def handle_comment(self, data: str) -> None:
        start = self._here()
        self.events.append(_Event("comment", "", start, start + len(data) + 7))


def _html_events(text: str) -> list[_Event]:
    scanner = _Scanner(text)
    scanner.feed(text)
    scanner.close()
    return scanner.events


def _html(text: str, known: Collection[str] | None) -> list[Directive]:
    candidates = _in_comments(text, known)
    if not candidates:
        return []
    events = _html_events(text)
    by_start = {e.start: i for i, e in enumerate(events)}
    out = []
    for directive, c_start, _ in candidates:
        index = by_start.get(c_start)
        if index is None or events[index].kind != "comment":
            continue  # inside <script>, <style> or an attribute: not a comment
        if directive.kind == "ignore":
            directive = _with_scope(directive, _html_scope(text, events, index))
        out.append(directive)
    return out


def _html_scope(text: str, events: list[_Event], index: int) -> tuple[int, int] | None:
    comment = events[index]
    stack: list[_Event] = []
    for event in events[:index]:
        if event.kind == "start":
            if event.name in _IMPLIED_CLOSE and stack and stack[-1].name == event.name:
                stack.pop()
            stack.append(event)
        elif event.kind == "end":
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].name == event.name:
                    del stack[depth:]
                    break
    # Inside running text: the comment belongs to the element holding it.
    boundary = max((e.end for e in events[:index] if e.name in _BLOCK_TAGS), default=0)
    if _visible(text, events, boundary, comment.start).strip() and stack:
        holder = stack[-1]
        return holder.start, _element_end(text, events, events.index(holder))
    following = [e for e in events[index + 1 :] if e.kind != "comment"]
    rest = text[comment.end : following[0].start if following else len(text)]
    if rest.strip() or not following:
        stop = next((e.start for e in following if e.name in _BLOCK_TAGS), len(text))
        return (comment.end, stop) if rest.strip() else None
    first = following[0]
    if first.kind == "end":
        return None
    return first.start, _element_end(text, events, events.index(first))


def _visible(text: str, events: list[_Event], start: int, end: int) -> str:
    """Text between two offsets with tags and comments taken out."""
    pieces, at = [], start
    for event in events:
        if event.end <= start or event.start >= end:
            continue
        pieces.append(text[at : max(at, event.start)])
        at = max(at, event.end)
    pieces.append(text[at:end])
    return "".join(pieces)


def _element_end(text: str, events: list[_Event], index: int) -> int:
    element = events[index]
    if element.kind == "void":
        return element.end
    inner: list[str] = []
    for event in events[index + 1 :]:
        if event.kind == "start":
            if not inner and event.name == element.name and element.name in _IMPLIED_CLOSE:
                return event.start
            inner.append(event.name)
        elif event.kind == "end":
            if event.name in inner:
                del inner[len(inner) - 1 - inner[::-1].index(event.name):]
            elif event.name == element.name:
                return event.end
            else:
                return event.start  # the parent closes: so does this element
    return len(text)


def directives(text: str, fmt: str, known: Collection[str] | None = None) -> list[Directive]:
    """Every directive of a document in file order; `known` rule ids, to flag misspelt ones."""
    if MARKER not in text:
        return []
    if fmt == "markdown":
        found = _markdown(text, known)
    elif fmt == "html":
        found = _html(text, known)
    else:
        found = _plain(text, known)
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
    text: str, fmt: str, findings: Sequence[Finding], *, known: Collection[str] | None = None,
    active: Collection[str] | None = None,
) -> Outcome:
    """Split findings into kept and suppressed; list directives (or rules) that did nothing.

    `active` is the rules that ran: naming a rule that did not run is not reported as unused.
    """
    found = directives(text, fmt, known)
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


def _sweep(
    findings: Sequence[Finding], usable: list[Directive], used: dict[int, set[str]]
) -> set[int]:
    """Indexes of the findings some directive covers, noting in `used` what each suppressed."""
    switches = [d for d in usable if d.kind != "ignore"]
    ignores = [d for d in usable if d.kind == "ignore" and d.scope is not None]
    regions, next_switch = _Regions(), 0
    hidden: set[int] = set()
    for i in sorted(range(len(findings)), key=lambda i: findings[i].offset):
        finding = findings[i]
        while next_switch < len(switches) and switches[next_switch].offset <= finding.offset:
            regions.step(switches[next_switch])
            next_switch += 1
        hits = [d for d in ignores if d.covers(finding.offset) and d.names(finding.rule)]
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
    outcome = apply(document.text, document.format, findings, known=registry(), active=active)
    if not settings.report_unused_ignores or not outcome.unused or UNUSED.id not in active:
        return outcome.kept
    merged = outcome.kept + unused_findings(outcome, settings.severity(UNUSED))
    return sorted(merged, key=lambda f: (f.offset, f.length, f.rule))

"""Rules: one module a rule, each exposing `RULE`, and the context they read.

A rule sees the candidates the engine found (tokens, glossary matches,
source forms) and yields `Hit`s in view offsets; the pipeline maps them to
file offsets, applies severities and drops what a rule of higher
precedence already claimed (one span, one finding).
"""

from __future__ import annotations

import bisect
import enum
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from glossary_check.core.errors import hint
from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.glossary import Entry, Glossary
from glossary_check.engine.matching import (
    WORD,
    Kind,
    Match,
    SourceHit,
    Target,
    Token,
    given_name_fits,
    normalise_gaps,
)

if TYPE_CHECKING:
    from glossary_check.documents import Document
    from glossary_check.engine.compiled import Compiled
    from glossary_check.rules.align import Pairing
    from glossary_check.rules.typography import Typography


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule found, in view offsets; the pipeline turns it into a Finding."""

    start: int
    end: int
    message: str
    entry: Entry | None = None
    suggestion: str | None = None
    language: str | None = None
    translation: str | None = None
    applicability: Applicability = Applicability.NONE
    #: False for a finding about a whole stretch (a paragraph), which neither claims its
    #: span nor yields to findings inside it
    exclusive: bool = True


class Claims:
    """Spans already reported, kept sorted, so later rules can avoid or cut around them."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def overlaps(self, start: int, end: int) -> bool:
        """Claims never overlap each other, so their ends are sorted too."""
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def inside(self, start: int, end: int) -> list[tuple[int, int]]:
        """Claimed spans overlapping [start, end), in order."""
        lo = bisect.bisect_right(self._ends, start)
        hi = bisect.bisect_left(self._starts, end)
        return list(zip(self._starts[lo:hi], self._ends[lo:hi], strict=True))


#: A letter of the Cyrillic blocks (U+0400-U+052F).
_CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")


@dataclass
class Context:
    """One document against one compiled glossary; expensive parts computed on first use."""

    document: Document
    compiled: Compiled
    tokens: list[Token]
    matches: list[Match]
    claims: Claims = field(default_factory=Claims)
    #: the source article lined up with this one, when checking a translation against it
    pairing: Pairing | None = None
    #: the desk's typographic house style; None: each article's own majority
    typography: Typography | None = None

    @property
    def glossary(self) -> Glossary:
        return self.compiled.glossary

    @property
    def view(self) -> str:
        return self.document.view

    def entry(self, index: int) -> Entry:
        return self.compiled.glossary.entries[index]

    @cached_property
    def token_starts(self) -> list[int]:
        """Each token's start offset, in order: a token found by bisection."""
        return [t.start for t in self.tokens]

    @cached_property
    def capitalised(self) -> list[Token]:
        """The tokens that do not start with a lower-case letter, in order: among them every
        one that starts with a capital (`\\p{Lu}`), so rules looking for names look here."""
        return [t for t in self.tokens if not t.text[0].islower()]

    @cached_property
    def has_cyrillic(self) -> bool:
        return _CYRILLIC_LETTER.search(self.document.view) is not None

    @cached_property
    def foreign_spans(self) -> list[tuple[int, int]]:
        """Runs of words in another script than the article's: `untranslated` reports them,
        and a quotation mark beside one belongs to that language, not to the article."""
        from glossary_check.engine import languages

        return languages.spans(self.view, self.tokens, self.glossary.language)

    @cached_property
    def verdicts(self) -> list[tuple[Match, Verdict, Target]]:
        """Every glossary match with what it means, classified once for all the rules."""
        glossary = self.compiled.glossary
        return [(m, *classify(m, glossary)) for m in self.matches]

    @cached_property
    def source_hits(self) -> list[SourceHit]:
        """Source forms, exact (from the trie) and inflected (morphology, loaded only if needed)."""
        hits = []
        for m, verdict, _ in self.verdicts:
            if verdict is not Verdict.SOURCE:
                continue
            entries: set[int] = set()  # a form two entries share names both; one language each
            for t in m.targets:
                if t.kind is not Kind.SOURCE or t.entry in entries:
                    continue
                if capitalised_as(t.form, m.text):
                    entries.add(t.entry)
                    hits.append(SourceHit(m.start, m.end, t.entry, t.language or "", t.form))
        if self.has_cyrillic and self.compiled.glossary.has_sources:
            hits = self.compiled.inflected_sources(self.view, self.tokens, hits)
            matcher = self.compiled.matcher
            if any(h.entry in matcher.surnames for h in hits):
                forms_at: dict[int, list[str]] = {}
                for h in hits:
                    forms_at.setdefault(h.start, []).append(h.form)
                hits = [h for h in hits if given_name_fits(
                    matcher, h.entry, self.view, self.tokens, h.end, forms_at
                )]
        return hits


def capitalised_as(form: str, text: str) -> bool:
    """Whether every word the form capitalises is capitalised in the text: a proper noun's
    source (Света, Мирное) never finds the common word (света, мирное)."""
    return all(
        not f.group()[:1].isupper() or t.group()[:1].isupper()
        for f, t in zip(WORD.finditer(form), WORD.finditer(text), strict=False)
    )


class Verdict(enum.Enum):
    CORRECT = "correct"
    EXCEPT = "except"
    VARIANT = "variant"
    CASE = "case"
    SOURCE = "source"


def classify(match: Match, glossary: Glossary) -> tuple[Verdict, Target]:
    """What a glossary match means; when one text is several things, the most specific wins."""
    written: str | None = None  # the text with its gaps normalised, when a comparison needs it
    best: tuple[int, Verdict, Target] | None = None
    for target in match.targets:
        if target.kind in (Kind.TERM, Kind.ALIAS):
            exact = match.text == target.form
            if not exact:
                if written is None:
                    written = normalise_gaps(match.text)
                exact = written == normalise_gaps(target.form)
            # the entry is looked at last: a cached glossary decodes entries on demand
            exact = exact or glossary.entries[target.entry].case == "any"
            verdict, rank = (Verdict.CORRECT, 0) if exact else (Verdict.CASE, 3)
        elif target.kind is Kind.EXCEPT:
            verdict, rank = Verdict.EXCEPT, 1
        elif target.kind is Kind.VARIANT:
            verdict, rank = Verdict.VARIANT, 2
        else:
            verdict, rank = Verdict.SOURCE, 4
        if best is None or rank < best[0]:
            best = (rank, verdict, target)
    assert best is not None
    return best[1], best[2]


def with_note(message: str, entry: Entry | None) -> str:
    if entry is not None and entry.note:
        return f"{message} ({entry.note.rstrip('.')})."
    return f"{message}."


@dataclass(frozen=True, slots=True)
class Example:
    """A text a rule flags (or leaves alone), checked against `data/rule-examples.yaml`.

    `source` is the original, for the rules that compare a translation with it;
    `name` gives the document its format (`.md`, `.html`, `.txt`).
    """

    text: str
    source: str | None = None
    name: str = "example.txt"


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation, ruff's way: one source for `explain`, SARIF help and the README."""

    what: str
    why: str
    flagged: tuple[Example, ...]
    clean: tuple[Example, ...]
    fix: str

    def text(self) -> str:
        """Plain text for `explain` and SARIF's help."""
        def examples(items: tuple[Example, ...]) -> str:
            return "".join(
                (f"    original: {e.source}\n" if e.source else "")
                + "".join(f"    {line}\n" for line in e.text.splitlines())
                for e in items
            )

        return (f"What it does\n{_para(self.what)}\n\nWhy\n{_para(self.why)}\n\n"
                f"Flagged\n{examples(self.flagged)}\nNot flagged\n{examples(self.clean)}\n"
                f"Fix\n{_para(self.fix)}\n")

    def markdown(self) -> str:
        """Markdown for SARIF's `help.markdown` (code-scanning services render it)."""
        def examples(items: tuple[Example, ...]) -> str:
            return "".join(
                "```text\n" + (f"original: {e.source}\n" if e.source else "")
                + e.text.rstrip("\n") + "\n```\n"
                for e in items
            )

        return (f"## What it does\n\n{_flat(self.what)}\n\n## Why\n\n{_flat(self.why)}\n\n"
                f"## Flagged\n\n{examples(self.flagged)}\n## Not flagged\n\n"
                f"{examples(self.clean)}\n## Fix\n\n{_flat(self.fix)}\n")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _para(text: str) -> str:
    return textwrap.fill(_flat(text), width=76, initial_indent="    ", subsequent_indent="    ")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    doc: RuleDoc
    #: None for a rule reported outside the pipeline (`unused-ignore`, by the suppression pass)
    check: Callable[[Context], Iterable[Hit]] | None
    fix: Applicability = Applicability.NONE

    @property
    def explain(self) -> str:
        return self.doc.text()


def registry() -> dict[str, Rule]:
    """Every rule by id, in precedence order: earlier rules claim spans first."""
    from glossary_check.rules import (
        case,
        inconsistent,
        mistranslation,
        mixed_script,
        number,
        omission,
        source_form,
        typography,
        untranslated,
        unused_ignore,
        variant,
    )

    modules = (mixed_script, mistranslation, variant, case, source_form, inconsistent, untranslated,
               omission, number, typography, unused_ignore)
    return {m.RULE.id: m.RULE for m in modules}


def markdown_table() -> str:
    """The README's table of rules, written from the registry (a test keeps them equal)."""
    rows = ["| rule | severity | what | fix |", "| --- | --- | --- | --- |"]
    rows += [f"| `{r.id}` | {r.severity.label} | {r.summary} | {r.fix.value} |"
             for r in registry().values()]
    return "\n".join(rows) + "\n"


def unknown_rule(name: str, where: str = "") -> str | None:
    """What is wrong with a rule name a user gave (`where`: "in select"), or None if known.

    The one check of a rule name, wherever it is given (flags, configuration, `explain`),
    so every place guesses a misspelt name the same way (`varient`: did you mean 'variant'?).
    """
    known = registry()
    if name in known:
        return None
    return f"unknown rule {name!r}{' ' + where if where else ''} ({hint(name, known)})"

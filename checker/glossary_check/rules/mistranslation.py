"""`mistranslation`: a term named in the source that the translation renders wrongly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.glossary import Entry
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, Verdict, with_note

DOC = RuleDoc(
    what="""Runs with `--source ORIGINAL TRANSLATION`. The two articles' paragraphs are
    lined up (with machine translation's help where their counts differ); where a
    source paragraph names a glossary entry (any inflected form), the matching
    translated paragraph must not render it another way: a variant, a wrong case, or
    what the machine translation makes of the source form where the desk decided
    otherwise. A term that is simply missing is `omission`, not this rule.""",
    why="""Translators who post-edit machine output carry its renderings (Kiev, Zelenskiy)
    into copy; comparing with the original finds them where the English alone cannot.""",
    flagged=(Example("Talks were held in Kiev.", source="Переговоры прошли в Киеве."),),
    clean=(Example("Talks were held in Kyiv.", source="Переговоры прошли в Киеве."),),
    fix="Unsafe: the suggestion is the entry's term; no fix is written by `--fix` alone.",
)


@dataclass(frozen=True, slots=True)
class Missing:
    """An entry the source paragraph names and the translated one lacks by term and alias."""

    entry_index: int
    entry: Entry
    #: the source form as the source paragraph writes it
    written: str
    #: the translated paragraph
    start: int
    end: int
    #: where the paragraph renders the entry wrongly, if it does
    wrong: tuple[int, int] | None


def missing(ctx: Context) -> Iterator[Missing]:
    """Every entry a source paragraph names whose term its translated paragraph lacks."""
    pairing = ctx.pairing
    if pairing is None:
        return
    for (src_start, src_end), (tgt_start, tgt_end) in pairing.links:
        named: dict[int, str] = {}
        for hit in pairing.hits:
            if src_start <= hit.start < src_end:
                named.setdefault(hit.entry, pairing.source.view[hit.start : hit.end])
        verdicts = [((v, t), m) for m, v, t in ctx.verdicts if tgt_start <= m.start < tgt_end]
        for entry_index, written in named.items():
            if any(v is Verdict.CORRECT and t.entry == entry_index for (v, t), _ in verdicts):
                continue
            wrong = next(
                (
                    m
                    for (v, t), m in verdicts
                    if t.entry == entry_index and v in (Verdict.VARIANT, Verdict.CASE)
                ),
                None,
            )
            span: tuple[int, int] | None = (wrong.start, wrong.end) if wrong else None
            rendering = pairing.renderings.get(written)
            if span is None and rendering:
                # Searched in the view itself: case-folding the view first (ß -> ss) would
                # shift every offset after such a letter.
                whole = rf"(?<![\p{{L}}\p{{N}}]){regex.escape(rendering)}(?![\p{{L}}\p{{N}}])"
                found = regex.compile(whole, regex.IGNORECASE).search(ctx.view, tgt_start, tgt_end)
                if found is not None:
                    span = found.span()
            yield Missing(entry_index, ctx.entry(entry_index), written, tgt_start, tgt_end, span)


def check(ctx: Context) -> Iterator[Hit]:
    for gap in missing(ctx):
        if gap.wrong is None:
            continue
        entry = gap.entry
        start, end = gap.wrong
        text = ctx.view[start:end]
        message = (
            f"'{gap.written}' in the source is rendered '{text}' here; "
            f"the desk writes '{entry.term}'"
        )
        yield Hit(
            start,
            end,
            with_note(message, entry),
            entry=entry,
            suggestion=entry.term,
            language=ctx.glossary.language,
            applicability=Applicability.UNSAFE,
        )


RULE = Rule(
    "mistranslation",
    Severity.ERROR,
    "a source term the translation renders otherwise than the desk",
    DOC,
    check,
    Applicability.UNSAFE,
)

"""`mistranslation`: a term named in the source whose accepted rendering the translation lacks."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from glossary_check.findings import Applicability, Severity
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


def _first_line(view: str, start: int, end: int) -> tuple[int, int]:
    stop = view.find("\n", start, end)
    return start, (end if stop < 0 else stop)


def check(ctx: Context) -> Iterator[Hit]:
    pairing = ctx.pairing
    if pairing is None:
        return
    glossary = ctx.glossary
    for (src_start, src_end), (tgt_start, tgt_end) in pairing.links:
        named: dict[int, str] = {}
        for hit in pairing.hits:
            if src_start <= hit.start < src_end:
                named.setdefault(hit.entry, pairing.source.view[hit.start : hit.end])
        verdicts = [((v, t), m) for m, v, t in ctx.verdicts if tgt_start <= m.start < tgt_end]
        for entry_index, written in named.items():
            entry = ctx.entry(entry_index)
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
            if span is not None:
                text = ctx.view[span[0] : span[1]]
                message = (
                    f"'{written}' in the source is rendered '{text}' here; "
                    f"the desk writes '{entry.term}'"
                )
                yield Hit(
                    span[0],
                    span[1],
                    with_note(message, entry),
                    entry=entry,
                    suggestion=entry.term,
                    language=glossary.language,
                    applicability=Applicability.UNSAFE,
                )
            else:
                start, end = _first_line(ctx.view, tgt_start, tgt_end)
                message = (
                    f"the source names '{written}' ({entry.term}) but this paragraph "
                    f"has no '{entry.term}'"
                )
                yield Hit(
                    start,
                    end,
                    with_note(message, entry),
                    entry=entry,
                    language=glossary.language,
                    exclusive=False,
                )


RULE = Rule(
    "mistranslation",
    Severity.ERROR,
    "a source term whose accepted rendering the translation lacks",
    DOC,
    check,
    Applicability.UNSAFE,
)

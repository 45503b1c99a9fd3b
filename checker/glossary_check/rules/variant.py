"""`variant`: a wrong rendering the glossary lists, or one its `pattern` finds."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from glossary_check.findings import Applicability, Severity
from glossary_check.matching import pattern_matches
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, Verdict, with_note

DOC = RuleDoc(
    what="""Flags a rendering the glossary lists under an entry's `variants` (Kiev for
    Kyiv), and anything an entry's `pattern` finds. Variants of a proper noun match
    capitalised text only, and a variant inside one of the entry's `except` phrases
    (Chicken Kiev) is not flagged.""",
    why="""The desk has decided how the name is written; a variant is the commonest slip
    of a translator or a wire copy, and a reader notices it.""",
    flagged=(Example("Talks resumed in Kiev on Monday."),),
    clean=(Example("Talks resumed in Kyiv on Monday."), Example("He ordered the chicken Kiev.")),
    fix="""Safe: writes the entry's `term`, or the right-hand side of a `wrong: right`
    variant, exactly as the glossary spells it; markup between the words is kept.""",
)


def check(ctx: Context) -> Iterator[Hit]:
    glossary = ctx.glossary
    settled: list[tuple[int, int]] = []
    for match, verdict, target in ctx.verdicts:
        if verdict is not Verdict.VARIANT:
            if verdict in (Verdict.CORRECT, Verdict.EXCEPT):
                settled.append((match.start, match.end))
            continue
        entry = ctx.entry(target.entry)
        yield Hit(
            match.start, match.end,
            with_note(f"'{match.text}' is a variant of '{entry.term}'", entry),
            entry=entry, suggestion=target.fix, language=glossary.language,
            applicability=Applicability.SAFE,
        )
    # Matches come in text order and never overlap, so the settled spans are sorted.
    starts = [s for s, _ in settled]
    for index, start, end in pattern_matches(ctx.compiled.matcher, ctx.view):
        at = bisect.bisect_right(starts, start) - 1
        if at >= 0 and end <= settled[at][1]:
            continue
        entry = ctx.entry(index)
        text = ctx.view[start:end]
        yield Hit(
            start, end,
            with_note(f"'{text}' is a variant of '{entry.term}' (by its pattern)", entry),
            entry=entry, suggestion=entry.term, language=glossary.language,
            applicability=Applicability.SAFE,
        )


RULE = Rule("variant", Severity.ERROR, "a wrong rendering the glossary lists", DOC, check,
            Applicability.SAFE)

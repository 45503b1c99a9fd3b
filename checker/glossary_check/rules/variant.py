"""`variant`: a wrong rendering the glossary lists, or one its `pattern` finds."""

from __future__ import annotations

import bisect
import functools
import re
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
    variant, exactly as the glossary spells it; markup between the words is kept. A
    variant inside its own fix as written (`Lvov: Lvov City` on "Lvov City") is left
    alone, so that fixing twice changes nothing.""",
)


def check(ctx: Context) -> Iterator[Hit]:
    glossary = ctx.glossary
    settled: list[tuple[int, int]] = []
    for match, verdict, target in ctx.verdicts:
        if verdict is Verdict.VARIANT and _in_own_fix(ctx.view, match.start, match.end,
                                                      target.fix):
            verdict = Verdict.CORRECT
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


@functools.lru_cache(maxsize=256)
def _phrase(fix: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in fix.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def _in_own_fix(view: str, start: int, end: int, fix: str | None) -> bool:
    """A variant inside its own fix as written (`Lvov: Lvov City` on 'Lvov City') is part of
    the right rendering: flagging it would have `--fix` append to its own fix forever."""
    if fix is None or len(fix) <= end - start:
        return False
    if " ".join(view[start:end].split()).casefold() not in fix.casefold():
        return False
    reach = 2 * len(fix)  # view offsets: lines and gaps may stretch the phrase a little
    return any(m.start() <= start and end <= m.end()
               for m in _phrase(fix).finditer(view, max(0, start - reach), end + reach))


RULE = Rule("variant", Severity.ERROR, "a wrong rendering the glossary lists", DOC, check,
            Applicability.SAFE)

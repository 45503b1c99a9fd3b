"""`variant`: a wrong rendering the glossary lists, or one its `pattern` finds."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.english import ordinary_word
from glossary_check.engine.glossary import Entry
from glossary_check.engine.matching import (
    WORD,
    Match,
    Target,
    at_sentence_start,
    pattern_matches,
    possessive,
)
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, Verdict, with_note

DOC = RuleDoc(
    what="""Flags a rendering the glossary lists under an entry's `variants` (Kiev for
    Kyiv), and anything an entry's `pattern` finds. A variant inside one of the entry's
    `except` phrases (Chicken Kiev) is not flagged. The variants of a proper noun match
    capitalised text only (`Luck`, of Lutsk, finds Luck, never luck), and a capital at a
    sentence start is no evidence where the variant is also an ordinary English word
    (wordfreq): there it is flagged only when the article names the entry elsewhere. A
    place's variant that is also a first name (Vladimir) is not flagged before a
    surname. A `given-name` entry's variants are flagged only inside the full name of a
    `person` entry (Aleksandr Syrskyi), never alone or before another surname
    (Vladimir Nabokov).""",
    why="""The desk has decided how the name is written; a variant is the commonest slip
    of a translator or a wire copy, and a reader notices it.""",
    flagged=(Example("Talks resumed in Kiev on Monday."),),
    clean=(Example("Talks resumed in Kyiv on Monday."), Example("He ordered the chicken Kiev.")),
    fix="""Safe: writes the entry's `term`, or the right-hand side of a `wrong: right`
    variant, exactly as the glossary spells it; markup between the words is kept. A
    variant inside its own fix as written (`Lvov: Lvov City` on "Lvov City") is left
    alone, so that fixing twice changes nothing.""",
)


_PEOPLE = frozenset({"person", "given-name"})


def _one_word(match: Match) -> bool:
    return WORD.fullmatch(possessive(match.text)) is not None


def _sentence_start_word(ctx: Context, match: Match, target: Target,
                         mentioned: Callable[[int, Match], bool]) -> bool:
    """A variant that is also an ordinary English word, capitalised only because a sentence
    starts there (Luck, of Lutsk), in an article that names the entry nowhere else."""
    return (
        _one_word(match)
        and at_sentence_start(ctx.view, match.start)
        and not mentioned(target.entry, match)
        and ordinary_word(possessive(match.text))
    )


@functools.cache
def _first_name(form: str, language: str) -> bool:
    from glossary_check.engine.morphology import analyzer

    morph = analyzer(language)
    return morph is not None and any("Name" in str(p.tag) for p in morph.parse(form.lower()))


def _someones_first_name(ctx: Context, match: Match, entry: Entry) -> bool:
    """A place's variant that is also a first name, standing before a surname: Vladimir
    Kavardarkov is a man, not the city Volodymyr (Владимир is both in Russian)."""
    if entry.kind in _PEOPLE or not _one_word(match):
        return False
    after = regex.match(r"[ \u00a0]+(\p{Lu})", ctx.view[match.end : match.end + 4])
    if after is None:
        return False
    return any(
        WORD.fullmatch(form) is not None and _first_name(form, language)
        for language, forms in entry.sources.items()
        for form in forms
    )


def check(ctx: Context) -> Iterator[Hit]:
    glossary = ctx.glossary
    settled: list[tuple[int, int]] = []
    named: dict[int, list[Match]] = {}
    for match, _, _ in ctx.verdicts:
        for t in match.targets:
            named.setdefault(t.entry, []).append(match)

    def mentioned(entry: int, match: Match) -> bool:
        """Named elsewhere: another match of the entry, or this word mid-sentence."""
        return any(
            m is not match and (m.text != match.text or not at_sentence_start(ctx.view, m.start))
            for m in named.get(entry, ())
        ) or any(h.entry == entry for h in ctx.source_hits)

    for match, verdict, target in ctx.verdicts:
        if verdict is Verdict.VARIANT and _in_own_fix(ctx.view, match.start, match.end,
                                                      target.fix):
            verdict = Verdict.CORRECT
        if verdict is not Verdict.VARIANT:
            if verdict in (Verdict.CORRECT, Verdict.EXCEPT):
                settled.append((match.start, match.end))
            continue
        entry = ctx.entry(target.entry)
        if _sentence_start_word(ctx, match, target, mentioned) or _someones_first_name(
            ctx, match, entry
        ):
            continue
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

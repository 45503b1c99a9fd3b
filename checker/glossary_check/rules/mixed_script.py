"""`mixed-script`: a word whose letters come from two scripts (Kyiv with a Cyrillic К)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc

DOC = RuleDoc(
    what="""Flags a word that mixes letters of two scripts, such as a Latin word with a
    Cyrillic look-alike (Kyiv typed with a Cyrillic у). A mixed word gets this finding
    only, never a glossary one as well.""",
    why="""Such words look right on screen and defeat every search, spell checker and
    glossary match: they come from keyboards switched mid-word and from pasted text.""",
    flagged=(Example("Talks resumed in K\u0443iv on Monday."),),
    clean=(Example("Talks resumed in Kyiv on Monday."),),
    fix="""Safe where every odd letter has a look-alike in the word's main script, from
    Unicode's confusables data (UTS #39); otherwise no fix.""",
)

_SCRIPTS = ("Latin", "Cyrillic", "Greek", "Armenian", "Georgian")
_SCRIPT_OF = regex.compile("|".join(f"(?P<{s}>\\p{{Script={s}}})" for s in _SCRIPTS))
_DEFAULT_SCRIPT = {"en": "Latin", "fr": "Latin", "de": "Latin", "ru": "Cyrillic", "uk": "Cyrillic"}


def scripts_of(word: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for m in _SCRIPT_OF.finditer(word):
        if m.lastgroup:
            counts[m.lastgroup] += 1
    return counts


@lru_cache(maxsize=65536)
def _mixed(word: str) -> bool:
    """Whether a word has letters of two scripts; kept per process, as articles repeat
    their words."""
    return len(scripts_of(word)) >= 2


@cache
def lookalike(ch: str, script: str) -> str | None:
    """The single character of `script` that Unicode lists as confusable with `ch`."""
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[script.upper()])
    for item in found or ():
        for glyph in item["homoglyphs"]:
            c = glyph["c"]
            if len(c) == 1 and glyph["n"].startswith(script.upper() + " "):
                return str(c)
    return None


def dominant(counts: Counter[str], fallback: str) -> str:
    best = max(counts.values())
    tied = [s for s, n in counts.items() if n == best]
    return fallback if fallback in tied else sorted(tied)[0]


def check(ctx: Context) -> Iterator[Hit]:
    fallback = _DEFAULT_SCRIPT.get(ctx.glossary.language, "Latin")
    for token in ctx.tokens:
        if token.text.isascii() or not _mixed(token.text):
            continue
        counts = scripts_of(token.text)
        main = dominant(counts, fallback)
        chars: list[str | None] = []
        odd: list[str] = []
        for ch in token.text:
            script = next(iter(scripts_of(ch)), main)
            if script == main:
                chars.append(ch)
                continue
            odd.append(f"{ch} (U+{ord(ch):04X} {script})")
            chars.append(lookalike(ch, main))
        suggestion = None if None in chars else "".join(c for c in chars if c is not None)
        yield Hit(
            token.start, token.end,
            f"'{token.text}' mixes {main} with {', '.join(odd)}"
            + (f"; did you mean '{suggestion}'?" if suggestion else "."),
            suggestion=suggestion, language=ctx.glossary.language,
            applicability=Applicability.SAFE if suggestion else Applicability.NONE,
        )


RULE = Rule("mixed-script", Severity.ERROR, "a word mixing letters of two scripts", DOC, check,
            Applicability.SAFE)

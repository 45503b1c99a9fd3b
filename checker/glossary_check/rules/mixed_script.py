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
    """The single character of `script` that Unicode lists as confusable with `ch`: what
    confusable_homoglyphs' `is_confusable(ch, greedy=True, preferred_aliases=[script])`
    lists, read from its data without importing it (its downloader brings urllib, http and
    email: a fiftieth of a second) and without decoding all 9,600 characters of it."""
    try:
        homoglyphs = _homoglyphs(ch, script.upper())
    except (OSError, ValueError, KeyError, TypeError, IndexError):  # not the data this knows
        homoglyphs = _homoglyphs_by_the_package(ch, script)
    for glyph in homoglyphs:
        c = glyph["c"]
        if len(c) == 1 and glyph["n"].startswith(script.upper() + " "):
            return str(c)
    return None


def _homoglyphs_by_the_package(ch: str, script: str) -> list[dict[str, str]]:
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[script.upper()])
    return [glyph for item in found or () for glyph in item["homoglyphs"]]


def _data(name: str) -> str:
    """One of confusable_homoglyphs' data files, read where it reads it (OSError if absent)."""
    import os
    from importlib.util import find_spec

    spec = find_spec("confusable_homoglyphs")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("confusable_homoglyphs is not installed")
    folder = os.environ.get("CONFUSABLE_DATA", os.path.abspath(spec.submodule_search_locations[0]))
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return f.read()


@cache
def _ranges() -> tuple[list[list[int]], list[str]]:
    import json

    data = json.loads(_data("categories.json"))
    return data["code_points_ranges"], data["iso_15924_aliases"]


def _alias(ch: str) -> str:
    """The package's `categories.alias`: the script block alias of a character."""
    ranges, aliases = _ranges()
    lo, hi, c = 0, len(ranges) - 1, ord(ch)
    while hi >= lo:
        mid = (lo + hi) // 2
        if c < ranges[mid][0]:
            hi = mid - 1
        elif c > ranges[mid][1]:
            lo = mid + 1
        else:
            return str(aliases[ranges[mid][2]])
    return "Unknown"


@cache
def _confusables() -> str:
    return _data("confusables.json")


@cache
def _all() -> dict[str, list[dict[str, str]]]:
    import json

    data = json.loads(_confusables())
    if not isinstance(data, dict):
        raise TypeError("confusables.json is not an object")
    return data


def _listed(ch: str) -> list[dict[str, str]] | None:
    """The package's `confusables_data.get(ch)`: the one entry decoded, found by its key as
    `json.dump` writes it (a key is the only string followed by ': ['); the whole file where
    it is not found that way."""
    import json

    text = _confusables()
    at = text.rfind(json.dumps(ch) + ": [")  # the last, as a dict keeps it
    if at < 0:
        found = _all().get(ch)
    else:
        found, _ = json.JSONDecoder().raw_decode(text, text.index("[", at))
    if found is not None and not isinstance(found, list):
        raise TypeError(f"confusables of {ch!r}: {found!r}")
    return found


def _homoglyphs(ch: str, alias: str) -> list[dict[str, str]]:
    """`is_confusable`'s homoglyphs of one character, greedy, with one preferred alias."""
    if _alias(ch) == alias:
        return []
    found = _listed(ch)
    if not found:
        return []
    if any(_alias(glyph) == alias for d in found for glyph in d["c"]):
        return found
    return []


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

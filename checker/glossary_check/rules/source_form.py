"""`source-form`: an entry's source-language form, inflected or not, left in the article."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.matching import WORD, SourceHit
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, with_note

DOC = RuleDoc(
    what="""Flags a name left in the language the article was translated from: any form
    listed under an entry's `sources`, and every inflected form of it (в Киеве,
    «Новой газеты Европа», Зеленського). Multi-word names match when their words agree;
    derived words (Киевская Русь) and common words that look like a name (света, южное)
    are not forms of it. A preposition governing the name belongs to the finding.""",
    why="""A Cyrillic name in an English article is an unfinished translation: the reader
    cannot read it and the desk's rendering is known.""",
    flagged=(Example("Tom Masters, for «Новой газеты Европа»."),),
    clean=(Example("Tom Masters, for Novaya Gazeta Europe."),),
    fix="""Unsafe (`--unsafe-fixes`): the suggestion is the entry's term, with the
    preposition in English (в Киеве → in Kyiv); the sentence may need rephrasing.""",
)

LANGUAGE_NAMES = {
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "sr": "Serbian",
    "mk": "Macedonian",
    "pl": "Polish",
    "de": "German",
    "fr": "French",
}


#: Prepositions before a place, by language: the case of the place -> the English.
#: A pair missing here (у Киева, "at Kyiv's"; с Россией, "with Russia") keeps the
#: preposition out of the finding, and so does a name whose case leaves two readings.
PLACE_PREPOSITIONS: dict[str, dict[str, dict[str, str]]] = {
    "ru": {
        "в": {"loct": "in", "accs": "to"}, "во": {"loct": "in", "accs": "to"},
        "на": {"loct": "in", "accs": "to"},
        "из": {"gent": "from"}, "изо": {"gent": "from"}, "с": {"gent": "from"},
        "со": {"gent": "from"}, "от": {"gent": "from"},
        "до": {"gent": "to"}, "к": {"datv": "to"}, "ко": {"datv": "to"},
        "под": {"ablt": "near"}, "около": {"gent": "near"}, "возле": {"gent": "near"},
        "близ": {"gent": "near"}, "через": {"accs": "via"},
    },
    "uk": {
        "в": {"loct": "in", "accs": "to"}, "у": {"loct": "in", "accs": "to"},
        "на": {"loct": "in", "accs": "to"},
        "з": {"gent": "from"}, "із": {"gent": "from"}, "зі": {"gent": "from"},
        "від": {"gent": "from"}, "до": {"gent": "to"},
        "під": {"ablt": "near"}, "біля": {"gent": "near"}, "поблизу": {"gent": "near"},
        "через": {"accs": "via"},
    },
}
_SPACE = regex.compile(r"[ \u00a0]+")
#: Head nouns of place names English writes with "the" (the White House, the Black Sea): a
#: preposition is not put before such a term, since "in White House" would be wrong.
_WITH_ARTICLE = frozenset({
    "house", "office", "palace", "square", "sea", "ocean", "gulf", "bay", "strait", "river",
    "lake", "canal", "islands", "mountains", "states", "kingdom", "republic", "emirates",
    "federation", "union", "netherlands", "philippines", "peninsula", "cathedral", "bridge",
})


def _governed(ctx: Context, hit: SourceHit, kind: str | None, term: str
              ) -> tuple[int, str] | None:
    """Where the preposition governing a place starts, and its English, if there is one."""
    table = PLACE_PREPOSITIONS.get(hit.language)
    if kind != "place" or table is None or not hit.cases:
        return None
    if any(w.group().casefold() in _WITH_ARTICLE for w in WORD.finditer(term)):
        return None
    at = bisect.bisect_left(ctx.tokens, hit.start, key=lambda t: t.start) - 1
    if at < 0:
        return None
    before = ctx.tokens[at]
    senses = table.get(before.text.lower())
    if senses is None or not _SPACE.fullmatch(ctx.view, before.end, hit.start):
        return None
    english = {senses[c] for c in hit.cases if c in senses}
    if len(english) != 1 or ctx.claims.overlaps(before.start, before.end):
        return None
    (word,) = english
    return before.start, word.capitalize() if before.text[:1].isupper() else word


def check(ctx: Context) -> Iterator[Hit]:
    for hit in ctx.source_hits:
        entry = ctx.entry(hit.entry)
        start, suggestion = hit.start, entry.term
        governed = _governed(ctx, hit, entry.kind, entry.term)
        if governed is not None:
            start, suggestion = governed[0], f"{governed[1]} {entry.term}"
        text, name = ctx.view[start : hit.end], ctx.view[hit.start : hit.end]
        language = LANGUAGE_NAMES.get(hit.language, hit.language)
        how = "" if name == hit.form else f" (a form of '{hit.form}')"
        if name != text and how:
            how = f" ('{name}' is a form of '{hit.form}')"
        yield Hit(
            start,
            hit.end,
            with_note(f"'{text}'{how} is {language} for '{suggestion}'; write '{suggestion}'",
                      entry),
            entry=entry,
            suggestion=suggestion,
            language=hit.language,
            applicability=Applicability.UNSAFE,
        )


RULE = Rule(
    "source-form",
    Severity.ERROR,
    "a source-language form of a glossary entry left in",
    DOC,
    check,
    Applicability.UNSAFE,
)

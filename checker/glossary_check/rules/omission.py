"""`omission`: a term named in the source that its translated paragraph does not name at all."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

from glossary_check.core.findings import Severity
from glossary_check.engine.glossary import Entry
from glossary_check.engine.matching import WORD, Token, word_key
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, with_note
from glossary_check.rules.mistranslation import missing

DOC = RuleDoc(
    what="""Runs with `--source ORIGINAL TRANSLATION`, beside `mistranslation`: an entry a
    source paragraph names (any inflected form) that the matching translated paragraph
    names neither by its term or an alias, nor by a wrong rendering, nor some other way:
    a pronoun (he, she, it, they, his, her, its, their ...), a title word fit for the
    entry's kind (president, minister, leader for a person; country, capital, city for a
    place; ministry, agency, party for an organisation; newspaper, channel for a
    publication), a word of one of its renderings (the surname alone, Donetsk for
    Donetsk Oblast), or a word derived from one (Russian for Russia, European for
    Europe).""",
    why="""Good translations drop a repeated name all the time ("he" where the original
    repeats "Эрдоган"), so a missing name is only a pointer for the editor: severity
    info, which fails no run unless `--fail-on info`.""",
    flagged=(Example("Talks were held on Monday.", source="Переговоры прошли в Киеве."),),
    clean=(Example("Talks were held in the capital.", source="Переговоры прошли в Киеве."),
           Example("Talks were held in Kyiv.", source="Переговоры прошли в Киеве.")),
    fix="None: whether the name belongs in the sentence is the editor's call.",
)

_PERSONAL = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself",
                       "they", "them", "their", "theirs", "themselves"})
_IMPERSONAL = frozenset({"it", "its", "itself", "they", "them", "their", "theirs",
                         "themselves", "there", "here"})
#: Words that refer to an entry of each kind without naming it.
TITLES: dict[str, frozenset[str]] = {
    "person": frozenset({
        "president", "minister", "premier", "chancellor", "leader", "spokesman",
        "spokeswoman", "spokesperson", "secretary", "ambassador", "envoy", "mayor", "governor",
        "head", "chief", "chairman", "chairwoman", "chair", "official", "general", "commander",
        "king", "queen", "prince", "princess", "pope", "senator", "lawmaker", "judge",
        "prosecutor", "director", "founder", "coach", "captain", "player", "singer", "actor",
        "actress", "writer", "author", "journalist", "politician", "candidate", "opponent",
        "rival", "husband", "wife", "mr", "mrs", "ms", "dr", "sir", "lady",
    }),
    "place": frozenset({
        "country", "nation", "state", "capital", "city", "town", "village", "region", "province",
        "oblast", "republic", "kingdom", "island", "peninsula", "territory", "area", "district",
        "port", "coast", "sea", "government", "authorities", "continent", "bloc",
    }),
    "organization": frozenset({
        "ministry", "department", "agency", "service", "company", "firm", "group", "party",
        "alliance", "bloc", "union", "organisation", "organization", "parliament", "assembly",
        "council", "committee", "court", "government", "administration", "office", "bank",
        "channel", "network", "broadcaster", "station", "club", "team", "house", "chamber",
    }),
    "publication": frozenset({
        "newspaper", "paper", "daily", "weekly", "magazine", "outlet", "publication", "website",
        "site", "channel", "broadcaster", "station", "agency", "journal", "tabloid",
    }),
}
_PRONOUNS = {"person": _PERSONAL, "given-name": _PERSONAL, "place": _IMPERSONAL,
             "organization": _IMPERSONAL, "publication": _IMPERSONAL, "term": _IMPERSONAL}
#: Words of a rendering too common to stand for the entry alone (the United of United States).
_GENERIC = frozenset({"new", "north", "south", "east", "west", "northern", "southern", "eastern",
                      "western", "central", "united", "great", "saint", "san", "santa", "the",
                      "of", "and", "for", "de", "la", "le", "el", "al", "von", "van", "der"}
                     ).union(*TITLES.values())
#: A derived word shares this much of the name's start: Russia/Russian, Greece/Greek.
DERIVED_PREFIX = 4


def _pronouns(kind: str | None) -> frozenset[str]:
    return _PRONOUNS.get(kind or "", _PERSONAL | _IMPERSONAL)


def _titles(kind: str | None) -> frozenset[str]:
    return TITLES.get("person" if kind == "given-name" else kind or "", frozenset())


def _stem(word: str) -> str:
    """A word's key without a possessive ('s, ')."""
    key = word_key(word)
    for suffix in ("'s", "'"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _name_words(entry: Entry) -> set[str]:
    """The words of an entry's renderings that can stand for it alone."""
    out: set[str] = set()
    for rendering in entry.accepted:
        for m in WORD.finditer(rendering):
            word = m.group()
            key = _stem(word)
            if word[:1].isupper() and key not in _GENERIC and (len(key) >= 4 or entry.kind in (
                    "person", "given-name")):
                out.add(key)
    return out


def _derived(word: str, name: str) -> bool:
    """Russian from Russia, European from Europe, Greek from Greece; not France/French."""
    if len(name) < DERIVED_PREFIX or len(word) < DERIVED_PREFIX:
        return False
    shared = 0
    for a, b in zip(word, name, strict=False):
        if a != b:
            break
        shared += 1
    return shared >= max(DERIVED_PREFIX, len(name) - 3)


def refers(entry: Entry, words: Sequence[str]) -> bool:
    """Whether a paragraph's words refer to the entry without its term or an alias."""
    pronouns, titles = _pronouns(entry.kind), _titles(entry.kind)
    names = _name_words(entry)
    for word in words:
        key = _stem(word)
        if key in pronouns or key in titles or key.rstrip("s") in titles:
            return True
        if word[:1].isupper() and any(key == n or _derived(key, n) for n in names):
            return True
    return False


def _words(tokens: Sequence[Token], start: int, end: int) -> list[str]:
    lo = bisect.bisect_left(tokens, start, key=lambda t: t.start)
    hi = bisect.bisect_left(tokens, end, key=lambda t: t.start)
    return [t.text for t in tokens[lo:hi]]


def check(ctx: Context) -> Iterator[Hit]:
    for gap in missing(ctx):
        if gap.wrong is not None or refers(gap.entry, _words(ctx.tokens, gap.start, gap.end)):
            continue
        stop = ctx.view.find("\n", gap.start, gap.end)
        end = gap.end if stop < 0 else stop
        entry = gap.entry
        message = (
            f"the source names '{gap.written}' ({entry.term}) but this paragraph does not "
            f"name it in any way; check that nothing was lost"
        )
        yield Hit(gap.start, end, with_note(message, entry), entry=entry,
                  language=ctx.glossary.language, exclusive=False)


RULE = Rule(
    "omission",
    Severity.INFO,
    "a source term its translated paragraph does not name in any way",
    DOC,
    check,
)

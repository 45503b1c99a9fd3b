"""`inconsistent`: near misses of glossary terms, and one unknown name spelled two ways."""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.compiled import NEAR_MIN, deletions
from glossary_check.engine.english import attested, established, frequency
from glossary_check.engine.matching import Memo, Token, at_sentence_start, possessive, word_key
from glossary_check.engine.remembered import remembered, text
from glossary_check.engine.transliteration import (
    desk_renders,
    name_keys,
    reading_ends,
    reads_as,
    same_name,
)
from glossary_check.rules import Claims, Context, Example, Hit, Rule, RuleDoc, Verdict, with_note

DOC = RuleDoc(
    what="""Flags a capitalised word one slip away from a glossary term (Zelenksy for
    Zelensky), and a name the glossary does not know that one article spells two ways
    (Sobyanin and Sobianin). Two spellings count as one name when they are romanisations
    of the same Cyrillic name; names that real data knows as distinct (Stephens and
    Stevens) are left alone.""",
    why="""A name spelled two ways in one article is always wrong once; a near miss of a
    listed name is a typo the variant list cannot foresee.""",
    flagged=(Example("On Monday, Zelenksy met the prime minister."),),
    clean=(Example("On Monday, Zelensky met the prime minister."),),
    fix="""Unsafe: the suggestion is the glossary's term, or the spelling the desk's
    transliteration gives, then the commoner one; a person should confirm it is one
    name.""",
)

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiouy")
#: Letters transliterations and ears confuse (Hanna/Ganna, Zelinskiy/Zelinsky, Volkov/Wolkow).
_SOUND_ALIKE = ("ckq", "sz", "vw", "iyj", "gh", "ie", "ao")
_LATIN_NAME = regex.compile(r"^\p{Lu}[\p{Latin}\p{M}'’ʼ]+$")
_CYRILLIC_NAME = regex.compile(r"^\p{Lu}[\p{Cyrillic}\p{M}'’ʼ]+$")


def damerau1(a: str, b: str) -> bool:
    """True when a and b are one insertion, deletion, substitution or transposition apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _adjacent_keys(a: str, b: str) -> bool:
    """Neighbours on a QWERTY keyboard, the same row or the staggered row below or above."""
    for r, row in enumerate(_ROWS):
        i = row.find(a)
        if i < 0:
            continue
        near = {row[max(i - 1, 0)], row[i + 1 : i + 2]}
        if r + 1 < len(_ROWS):
            near |= set(_ROWS[r + 1][max(i - 1, 0) : i + 1])
        if r > 0:
            near |= set(_ROWS[r - 1][i : i + 2])
        return b in near
    return False


def _base(ch: str) -> str:
    return unicodedata.normalize("NFD", ch)[0]


def plausible_slip(a: str, b: str) -> bool:
    """For a written word a and a name b one edit apart: is the edit a slip of the hand?

    Letters dropped or swapped are; a letter added is when it doubles a
    neighbour or sits beside one on the keyboard; a letter changed is when the
    two are neighbours on the keyboard, both vowels, alike in sound or the same
    letter with another accent. Otherwise the words are more likely two
    different names (Outer and Oster, Marcia and Mariia, Zorica and Zoria).
    """
    if len(a) < len(b):
        return True
    if len(a) > len(b):
        i = 0
        while i < len(b) and a[i] == b[i]:
            i += 1
        extra = _base(a[i])
        neighbours = {_base(c) for c in a[max(i - 1, 0) : i] + a[i + 1 : i + 2]}
        return any(extra == n or _adjacent_keys(extra, n) for n in neighbours)
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) != 1:
        return True
    x, y = _base(a[diff[0]]), _base(b[diff[0]])
    return (
        x == y
        or (x in _VOWELS and y in _VOWELS)
        or any(x in group and y in group for group in _SOUND_ALIKE)
        or _adjacent_keys(x, y)
    )


def ending_only(a: str, b: str) -> bool:
    """True when a and b differ only in their last letter: an ending, not a typo.

    Endings carry gender and derivation (Zakharov, Zakharova; Romania, Romaniv;
    Macro, Macron), so a difference there names another thing, not a misspelling.
    """
    if len(a) == len(b):
        return a[:-1] == b[:-1]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return long_.startswith(short)


def _free_names(ctx: Context) -> list[Token]:
    """Capitalised Latin words outside every glossary match, long enough to judge."""
    spans = [(m.start, m.end) for m in ctx.matches]
    out, j = [], 0
    for token in [t for t in ctx.capitalised if len(t.text) >= NEAR_MIN]:
        text = token.text
        while j < len(spans) and spans[j][1] <= token.start:
            j += 1
        if j < len(spans) and spans[j][0] < token.end:
            continue
        if _LATIN_NAME.match(text) and not text.isupper():
            out.append(token)
    return out


#: A free word's near misses (None: a glossary word), by compiled glossary.
_LOOKED_UP = Memo()


def _near_misses(ctx: Context, word: str) -> tuple[tuple[str, int], ...] | None:
    """The glossary words `word` is one slip away from; None when it is a glossary word."""
    looked_up = _LOOKED_UP.of(ctx.compiled)
    if word not in looked_up:
        key = word_key(word)
        looked_up[word] = None if key in ctx.compiled.known else _slips(ctx, word, key)
    found: tuple[tuple[str, int], ...] | None = looked_up[word]
    return found


def _slips(ctx: Context, word: str, key: str) -> tuple[tuple[str, int], ...]:
    candidates = {c for k in (key, *deletions(key)) for c in ctx.compiled.near.get(k, ())}
    return tuple(sorted(
        c for c in candidates
        if c[0][0] == word[0]
        and damerau1(key, (target := word_key(c[0])))
        and not ending_only(key, target)
        and plausible_slip(key, target)
    ))


#: A free word and the name as written (without a possessive ending).
_Free = tuple[Token, str]
#: A spelling, and the key of the first name after it (None: none follows).
Spelling = tuple[str, str | None]


def check(ctx: Context) -> Iterator[Hit]:
    free = [
        (token, possessive(token.text), at_sentence_start(ctx.view, token.start))
        for token in _free_names(ctx)
    ]
    # A spelling that also stands mid-sentence is a name wherever it stands.
    named = {word for _, word, initial in free if not initial}
    unknown = yield from _misspellings(ctx, free, named)
    unknown = yield from _romanised(ctx, unknown)
    yield from _two_spellings(ctx, unknown, named, _anchors(ctx, named))


def _misspellings(
    ctx: Context, free: list[tuple[Token, str, bool]], named: set[str]
) -> Generator[Hit, None, list[_Free]]:
    """A near miss of a glossary term, for each free word that is one; returns the others."""
    mentioned = {t.entry for m in ctx.matches for t in m.targets}
    unknown: list[_Free] = []
    for token, word, initial in free:
        near = _meant(_near_misses(ctx, word), word, initial, named, mentioned)
        if not near:
            unknown.append((token, word))
            continue
        target, index = near[0]
        entry = ctx.entry(index)
        yield Hit(
            token.start, token.start + len(word),
            with_note(f"'{word}' looks like a misspelling of '{target}'", entry),
            entry=entry, suggestion=target, language=ctx.glossary.language,
            applicability=Applicability.UNSAFE,
        )
    return unknown


def _meant(
    near: tuple[tuple[str, int], ...] | None, word: str, initial: bool, named: set[str],
    mentioned: set[int],
) -> Sequence[tuple[str, int]]:
    """The near misses `word` may be a misspelling of, here (None: a glossary word out of
    place, such as a lone given name)."""
    if not near or established(word):
        return []  # a spelling English writes in its own right names another (Baden, Biden)
    if initial and word not in named and attested(word):
        # an English word, capitalised by the sentence (Pairs, Finish): a name only
        # where the article names the entry too; a misspelt lede is not one (Zelenksy)
        if len(word) <= NEAR_MIN:
            return []
        return [c for c in near if c[1] in mentioned]
    return near


def _romanised(ctx: Context, unknown: list[_Free]) -> Generator[Hit, None, list[_Free]]:
    """A free word that reads as a Cyrillic name of the article which the desk's
    transliteration writes otherwise; returns the other words."""
    romanised = _romanised_names(ctx)
    if not romanised:
        return unknown
    rest = []
    sources: dict[str, tuple[str, str, str, frozenset[str]] | None] = {}  # by word
    # a name is read back only from words `name_keys` says may start and end as it does
    ends = [(reading_ends(r[2]), r) for r in romanised]
    for token, word in unknown:
        if word not in sources:
            keys = name_keys(word)
            sources[word] = next((r for key, r in ends
                                  if (key is None or key in keys) and reads_as(word, r[2])),
                                 None)
        source = sources[word]
        if source is None or word.casefold() in source[3]:
            rest.append((token, word))
            continue
        cyrillic, latin, _, _ = source
        yield Hit(
            token.start, token.start + len(word),
            f"'{word}' is written '{cyrillic}' in this article, which the desk's "
            f"transliteration renders '{latin}'.",
            suggestion=latin, language=ctx.glossary.language,
            applicability=Applicability.UNSAFE,
        )
    return rest


def _anchors(ctx: Context, named: set[str]) -> list[_Free]:
    """Accepted one-word glossary renderings in the article: never flagged themselves, they
    are the spelling to suggest when a free word is the same name (Dmytro for Dmitro)."""
    starts = ctx.token_starts
    out = []
    for match, verdict, _ in ctx.verdicts:
        if verdict is not Verdict.CORRECT:
            continue
        word = possessive(match.text)
        if len(word) < NEAR_MIN:
            continue
        if not _LATIN_NAME.match(word) or word.isupper() or " " in word:
            continue
        i = bisect.bisect_left(starts, match.start)
        if i < len(ctx.tokens) and ctx.tokens[i].start == match.start:
            out.append((ctx.tokens[i], word))
            if not at_sentence_start(ctx.view, match.start):
                named.add(word)
    return out


def _first_name_of(ctx: Context, token: Token) -> str | None:
    """The next word's key when a capitalised word follows in the same name: a first name
    is compared only with first names of the same surname (Olha Stefanishyna is not Olga
    Tokarczuk; Dmytro Kuleba is Dmitro Kuleba)."""
    i = bisect.bisect_right(ctx.token_starts, token.start)
    if i >= len(ctx.tokens):
        return None
    following = ctx.tokens[i]
    gap = ctx.view[token.end : following.start]
    if gap.strip(" \u00a0") or not following.text[:1].isupper():
        return None
    return word_key(possessive(following.text))


def _two_spellings(
    ctx: Context, unknown: list[_Free], named: set[str], anchors: list[_Free],
) -> Iterator[Hit]:
    """One name spelled two ways: the same Cyrillic name read back from both spellings,
    unless English writes both (Stevens, Stephens: two people). The suggestion is the
    spelling the desk's transliteration gives, then the glossary's, then the commoner."""
    units = [(token, (word, _first_name_of(ctx, token))) for token, word in unknown]
    anchored = [(token, (word, _first_name_of(ctx, token))) for token, word in anchors]
    glossary_units = {unit for _, unit in anchored}
    spellings: dict[Spelling, int] = Counter(unit for _, unit in units)
    first_seen: dict[Spelling, int] = {}
    for token, unit in units:
        first_seen.setdefault(unit, token.start)
    for token, unit in anchored:
        spellings[unit] += 1
        first_seen.setdefault(unit, token.start)
    group_of = spelling_groups(spellings)
    systems = ctx.glossary.transliteration
    chosen: dict[int, Spelling] = {}  # a group (by identity) -> its main spelling
    for token, unit in units:
        group = group_of[unit]
        if unit in glossary_units or len(group) < 2 or not any(w in named for w, _ in group):
            continue
        main = chosen.get(id(group))
        if main is None:
            scores = _desk_scores(group, systems)
            main = chosen[id(group)] = max(group, key=lambda u: (
                scores[u[0]], u in glossary_units, spellings[u], u[0] in named,
                -first_seen[u],
            ))
        word = unit[0]
        if main[0] == word:
            continue
        count = spellings[main]
        yield Hit(
            token.start, token.start + len(word),
            f"'{word}' is spelled '{main[0]}' elsewhere in this article "
            f"({count} time{'s' if count != 1 else ''}).",
            suggestion=main[0], language=ctx.glossary.language,
            applicability=Applicability.UNSAFE,
        )


def one_name(a: Spelling, b: Spelling) -> bool:
    """Whether two spellings (each a word and the key of the name word after it, None
    alone) are one name: the same Cyrillic name read back from both, unless English writes
    both (Stevens, Stephens: two people)."""
    if a[1] != b[1] or a[0] == b[0] or abs(len(a[0]) - len(b[0])) > 3:
        return False
    if a[0][:1].casefold() != b[0][:1].casefold() and not same_name(a[0][:2], b[0][:2]):
        return False
    return same_name(a[0], b[0]) and not (established(a[0]) and established(b[0]))


def spelling_groups(spellings: Iterable[Spelling]) -> dict[Spelling, list[Spelling]]:
    """Spellings of one name grouped (`one_name`, transitively): every spelling -> its
    group, in first-seen order; an article's, or a whole archive's (compared only with
    spellings before the same next word and at most three letters longer or shorter)."""
    distinct = list(dict.fromkeys(spellings))
    parent = {u: u for u in distinct}

    def root(u: Spelling) -> Spelling:
        while parent[u] != u:
            u = parent[u]
        return u

    # Spellings are compared shorter first (of equal length, first seen first), and only
    # where `name_keys` says they may be one name: most pairs are never looked at.
    by_next: dict[str | None, dict[tuple[str, str], list[Spelling]]] = {}
    for u in sorted(distinct, key=lambda u: len(u[0])):  # each bucket in that order
        buckets = by_next.setdefault(u[1], {})
        for key in name_keys(u[0]):
            if key in buckets:
                buckets[key].append(u)
            else:
                buckets[key] = [u]
    compared: set[tuple[Spelling, Spelling]] = set()
    for buckets in by_next.values():
        for bucket in buckets.values():
            if len(bucket) < 2:
                continue
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    if len(b[0]) - len(a[0]) > 3:
                        break
                    if (a, b) in compared:
                        continue
                    compared.add((a, b))
                    if one_name(a, b):
                        parent[root(a)] = root(b)
    members: dict[Spelling, list[Spelling]] = defaultdict(list)
    for u in distinct:
        members[root(u)].append(u)
    return {u: members[root(u)] for u in distinct}


@functools.lru_cache(maxsize=4096)
def _desk_renders(word: str, systems: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(desk_renders(word, dict(systems)))


def _score(found: tuple[tuple[str, str], ...]) -> float:
    return max((frequency(c, lang) for lang, c in found), default=-1.0)


def desk_score(word: str, systems: Mapping[str, str]) -> float:
    """How surely `word` is the desk's own romanisation of a name: the frequency, in its
    language, of the Cyrillic name the desk's system writes exactly so (-1: of none)."""
    return _score(_desk_renders(word, tuple(sorted(systems.items()))))


def _desk_scores(group: Iterable[Spelling], systems: Mapping[str, str]) -> dict[str, float]:
    """`desk_score` of each spelling's word, as far as choosing among them needs it: where
    at most one is the desk's romanisation of anything, it wins whatever its frequency, so
    the frequency lists (large, loaded on first use) are not read for it."""
    key = tuple(sorted(systems.items()))
    found = {u[0]: _desk_renders(u[0], key) for u in group}
    if sum(1 for f in found.values() if f) >= 2:
        return {word: _score(f) for word, f in found.items()}
    return {word: 0.0 if f else -1.0 for word, f in found.items()}


def _romanised_names(ctx: Context) -> list[tuple[str, str, str, frozenset[str]]]:
    """Cyrillic names no entry explains: (name, its romanisation, the name again as read
    back from Latin, every romanisation the desk's systems allow, case-folded).

    Inflected names are taken back to their dictionary form first (Собянина -> Собянин),
    so the romanised form is comparable with how an English text writes the name. A name
    whose letters fit Russian and Ukrainian alike may be romanised by either system.
    """
    if not ctx.has_cyrillic:
        return []
    explained = Claims()  # claims may not overlap, so overlapping hits are merged first
    for start, end in _disjoint((h.start, h.end) for h in ctx.source_hits):
        explained.add(start, end)
    systems = tuple(sorted(ctx.glossary.transliteration.items()))
    out: dict[str, tuple[str, str, str, frozenset[str]]] = {}
    for token in ctx.capitalised:
        text = token.text
        if len(text) < NEAR_MIN or not _CYRILLIC_NAME.match(text):
            continue
        if explained.overlaps(token.start, token.end):
            continue
        found = _romanised_name(token.text, systems)
        out.setdefault(found[0], found)
    return list(out.values())


@functools.lru_cache(maxsize=8192)
def _romanised_name(word: str, systems: tuple[tuple[str, str], ...]
                    ) -> tuple[str, str, str, frozenset[str]]:
    """One word's entry of `_romanised_names` (the same wherever the word stands)."""
    from glossary_check.engine.languages import identify, letter_candidates
    from glossary_check.engine.transliteration import transliterate

    by_language = dict(systems)
    best = identify(word, ("ru", "uk"))
    languages = [best] + [c for c in letter_candidates(word, ("ru", "uk")) if c != best]
    renderings = []
    for language in languages:
        name = _dictionary_form(word, language)
        renderings.append((name, transliterate(name, language, by_language.get(language))))
    allowed = frozenset(latin.casefold() for _, latin in renderings)
    name, latin = renderings[0]
    return name, latin, name, allowed


def _disjoint(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans merged, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@remembered("dictionary-form", __file__, text)
def _dictionary_form(word: str, language: str) -> str:
    """A surname's or place name's nominative, where the analyser recognises one."""
    from glossary_check.engine.morphology import analyzer

    morph = analyzer(language)
    if morph is None:
        return word
    for parse in morph.parse(word):
        tags = str(parse.tag)
        if any(t in tags for t in ("Surn", "Name", "Geox", "Patr")) and "plur" not in tags:
            normal = str(parse.normal_form)
            return normal[:1].upper() + normal[1:]
    return word


RULE = Rule("inconsistent", Severity.WARNING, "one name spelled two ways, or a near miss of a term",
            DOC, check, Applicability.UNSAFE)

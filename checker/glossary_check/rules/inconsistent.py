"""`inconsistent`: near misses of glossary terms, and one unknown name spelled two ways."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

import regex

from glossary_check.compiled import NEAR_MIN, deletions
from glossary_check.english import attested
from glossary_check.findings import Applicability, Severity
from glossary_check.matching import Token, at_sentence_start, word_key
from glossary_check.rules import Claims, Context, Hit, Rule, with_note

EXPLAIN = """\
Flags a capitalised word one edit (a letter added, dropped, changed or two
swapped) away from a word of a glossary term or alias (Zelenksy for
Zelensky), and a name the glossary does not know that one article spells
two ways (Sobyanin and Sobianin): every occurrence of the less frequent
spelling is flagged, with the more frequent one as the suggestion. To keep
ordinary words out, only capitalised words of five letters or more count,
near misses must start with the same letter and differ before the last
letter (Zakharov is not Zakharova, Romania is not Romaniv), and two
spellings must agree on a phonetic skeleton (y/i/j, w/v, g/h, doubled
letters, kh/h, ks/x). A changed letter counts as a slip only when it is a keyboard
neighbour, a vowel for a vowel, a sound-alike (c/k, s/z, v/w, i/y/j, g/h) or
an accent; an added one only when it doubles a neighbour or is a keyboard
neighbour of one (Zorica is not Zoria). A capital at the start of a sentence
says nothing about an English word being a name (Pairs, Finish): a word
English text uses (wordfreq) is there a near miss only with six letters or
more and the entry named elsewhere in the article, while a word English
never writes is a misspelling wherever it stands (a lede's Zelenksy). Two
spellings are compared only when one of them also stands mid-sentence (and
wins a tie). Entries of kind
`other` (given names) are not near-miss targets.

A name that stands in the article in Cyrillic (in any case form: Собянина)
and in a Latin spelling that neither the glossary nor the desk's
transliteration gives (the glossary's `transliteration` field; BGN/PCGN for
Russian and the national system for Ukrainian by default) is flagged with
the transliteration as the suggestion: Собянин and Sobianin -> Sobyanin."""

_SKELETON = (
    (regex.compile(r"kh"), "h"), (regex.compile(r"ks|cks|x"), "x"), (regex.compile(r"ph"), "f"),
    (regex.compile(r"g"), "h"),  # Г is g in Russian romanisations, h in Ukrainian ones
    (regex.compile(r"ck"), "k"), (regex.compile(r"[yjí]"), "i"), (regex.compile(r"w"), "v"),
    (regex.compile(r"ie|iy|ii"), "i"), (regex.compile(r"(.)\1+"), r"\1"),
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


def skeleton(word: str) -> str:
    nfd = unicodedata.normalize("NFD", word.casefold())
    key = "".join(ch for ch in nfd if ch.isalpha())  # accents and apostrophes (ь → ’) off
    for pattern, repl in _SKELETON:
        key = pattern.sub(repl, key)
    return key


def _free_names(ctx: Context) -> list[Token]:
    """Capitalised Latin words outside every glossary match, long enough to judge."""
    spans = [(m.start, m.end) for m in ctx.matches]
    out, j = [], 0
    for token in ctx.tokens:
        while j < len(spans) and spans[j][1] <= token.start:
            j += 1
        if j < len(spans) and spans[j][0] < token.end:
            continue
        text = token.text
        if len(text) >= NEAR_MIN and _LATIN_NAME.match(text) and not text.isupper():
            out.append(token)
    return out


def _possessive(text: str) -> str:
    return text[:-2] if text[-2:] in ("'s", "’s", "ʼs") else text


def _near_misses(ctx: Context, word: str, key: str) -> list[tuple[str, int]]:
    candidates = {c for k in (key, *deletions(key)) for c in ctx.compiled.near.get(k, ())}
    return sorted(
        c for c in candidates
        if c[0][0] == word[0]
        and damerau1(key, (target := word_key(c[0])))
        and not ending_only(key, target)
        and plausible_slip(key, target)
    )


def check(ctx: Context) -> Iterator[Hit]:
    compiled = ctx.compiled
    free = [
        (token, _possessive(token.text), at_sentence_start(ctx.view, token.start))
        for token in _free_names(ctx)
    ]
    # A spelling that also stands mid-sentence is a name wherever it stands.
    named = {word for _, word, initial in free if not initial}
    mentioned = {t.entry for m in ctx.matches for t in m.targets}
    unknown: list[tuple[Token, str]] = []
    looked_up: dict[str, list[tuple[str, int]] | None] = {}  # word -> near misses; None: known
    for token, word, initial in free:
        if word in looked_up:
            found = looked_up[word]
        else:
            key = word_key(word)
            known = key in compiled.known
            found = looked_up[word] = None if known else _near_misses(ctx, word, key)
        if found is None:
            continue
        near = found
        if near and initial and word not in named and attested(word):
            # an English word, capitalised by the sentence (Pairs, Finish): a name only
            # where the article names the entry too; a misspelt lede is not one (Zelenksy)
            if len(word) <= NEAR_MIN:
                near = []
            near = [c for c in near if c[1] in mentioned]
        if near:
            target, index = near[0]
            entry = ctx.entry(index)
            yield Hit(
                token.start, token.start + len(word),
                with_note(f"'{word}' looks like a misspelling of '{target}'", entry),
                entry=entry, suggestion=target, language=ctx.glossary.language,
                applicability=Applicability.UNSAFE,
            )
        else:
            unknown.append((token, word))
    skeletons = {word: skeleton(word) for _, word in unknown}
    romanised = _romanised_names(ctx)
    if romanised:
        rest = []
        for token, word in unknown:
            source = romanised.get(skeletons[word])
            if source is None or word.casefold() in source[2]:
                rest.append((token, word))
                continue
            cyrillic, latin, _ = source
            yield Hit(
                token.start, token.start + len(word),
                f"'{word}' is written '{cyrillic}' in this article, which the desk's "
                f"transliteration renders '{latin}'.",
                suggestion=latin, language=ctx.glossary.language,
                applicability=Applicability.UNSAFE,
            )
        unknown = rest
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, int] = {}
    for token, word in unknown:
        groups[skeletons[word]][word] += 1
        first_seen.setdefault(word, token.start)
    for token, word in unknown:
        spellings = groups[skeletons[word]]
        if len(spellings) < 2 or not any(w in named for w in spellings):
            continue
        main = max(spellings, key=lambda w: (spellings[w], w in named, -first_seen[w]))
        if word == main:
            continue
        yield Hit(
            token.start, token.start + len(word),
            f"'{word}' is spelled '{main}' elsewhere in this article "
            f"({spellings[main]} time{'s' if spellings[main] != 1 else ''}).",
            suggestion=main, language=ctx.glossary.language, applicability=Applicability.UNSAFE,
        )


def _romanised_names(ctx: Context) -> dict[str, tuple[str, str, frozenset[str]]]:
    """Cyrillic names no entry explains, by skeleton of their romanisation:
    (name, its romanisation, every romanisation the desk's systems allow, case-folded).

    Inflected names are taken back to their dictionary form first (Собянина -> Собянин),
    so the romanised form is comparable with how an English text writes the name. A name
    whose letters fit Russian and Ukrainian alike may be romanised by either system.
    """
    if not ctx.has_cyrillic:
        return {}
    from glossary_check.languages import identify, letter_candidates
    from glossary_check.transliteration import transliterate

    explained = Claims()  # claims may not overlap, so overlapping hits are merged first
    for start, end in _disjoint((h.start, h.end) for h in ctx.source_hits):
        explained.add(start, end)
    systems = ctx.glossary.transliteration
    out: dict[str, tuple[str, str, frozenset[str]]] = {}
    for token in ctx.tokens:
        if len(token.text) < NEAR_MIN or not _CYRILLIC_NAME.match(token.text):
            continue
        if explained.overlaps(token.start, token.end):
            continue
        best = identify(token.text, ("ru", "uk"))
        languages = [best] + [c for c in letter_candidates(token.text, ("ru", "uk")) if c != best]
        renderings = []
        for language in languages:
            name = _dictionary_form(token.text, language)
            renderings.append((name, transliterate(name, language, systems.get(language))))
        allowed = frozenset(latin.casefold() for _, latin in renderings)
        name, latin = renderings[0]
        for _, other in renderings:
            out.setdefault(skeleton(other), (name, latin, allowed))
    return out


def _disjoint(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans merged, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _dictionary_form(word: str, language: str) -> str:
    """A surname's or place name's nominative, where the analyser recognises one."""
    from glossary_check.morphology import analyzer

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
            EXPLAIN, check, Applicability.UNSAFE)

"""Compiling a glossary: the quick paths (ASCII splitting, keys shared between the trie
and the near-miss index, the trie walk's look-ups) give what the plain way gives."""

from __future__ import annotations

import itertools
import string
import unicodedata
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from glossary_check.engine import matching
from glossary_check.engine.compiled import (
    NEAR_MIN,
    NEAR_SKIP_KINDS,
    compile_all,
    deletions,
    near_index,
)
from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import (
    WORD,
    Kind,
    Matcher,
    Target,
    Token,
    TrieItems,
    compile_glossary,
    find_matches,
    gap_key,
    nest,
    phrase_key,
    split_words,
    tokenize,
    word_key,
)

# --- the plain way, as a reference ----------------------------------------------------


def plain_word_key(word: str) -> str:
    return unicodedata.normalize("NFC", word.casefold()).translate(
        str.maketrans({"’": "'", "ʼ": "'"})
    )


def plain_phrase_key(text: str) -> tuple[tuple[str, ...], str] | None:
    words = list(WORD.finditer(text))
    if not words:
        return None
    key = [plain_word_key(words[0].group())]
    for prev, cur in itertools.pairwise(words):
        gap = gap_key(text[prev.end() : cur.start()])
        if gap is None:
            return None
        key += [gap, plain_word_key(cur.group())]
    return tuple(key), text[words[-1].end() :].strip()


def plain_trie(glossary: Glossary) -> Matcher:
    """Every rendering added one at a time with `Matcher.add`."""
    matcher = Matcher()
    for index, entry in enumerate(glossary.entries):
        matcher.add(entry.term, Target(index, Kind.TERM, entry.term))
        for alias in entry.aliases:
            matcher.add(alias, Target(index, Kind.ALIAS, alias))
        for variant in entry.variants:
            matcher.add(variant.wrong, Target(index, Kind.VARIANT, variant.wrong, variant.right))
        for phrase in entry.excepts:
            matcher.add(phrase, Target(index, Kind.EXCEPT, phrase))
        for lang, forms in entry.sources.items():
            for form in forms:
                matcher.add(form, Target(index, Kind.SOURCE, form, entry.term, lang))
    return matcher


def plain_near(
    glossary: Glossary,
) -> tuple[dict[str, tuple[tuple[str, int], ...]], frozenset[str]]:
    near: dict[str, list[tuple[str, int]]] = {}
    known: set[str] = set()
    for index, entry in enumerate(glossary.entries):
        for rendering in entry.accepted:
            words = [m.group() for m in WORD.finditer(rendering)]
            known.update(plain_word_key(w) for w in words)
            if entry.kind in NEAR_SKIP_KINDS:
                continue
            if len(words) == 1 or entry.kind == "person":
                word = words[-1] if words else ""
                if len(word) < NEAR_MIN or not word[0].isupper() or word.isupper():
                    continue
                key = plain_word_key(word)
                for k in (key, *deletions(key)):
                    bucket = near.setdefault(k, [])
                    if (word, index) not in bucket:
                        bucket.append((word, index))
        for text in (*(v.wrong for v in entry.variants), *entry.excepts):
            known.update(plain_word_key(m.group()) for m in WORD.finditer(text))
    return {k: tuple(v) for k, v in near.items()}, frozenset(known)


def plain_split(text: str) -> list[str]:
    words = list(WORD.finditer(text))
    if not words:
        return [text]
    out = [text[: words[0].start()]]
    for prev, cur in itertools.pairwise(words):
        out += [prev.group(), text[prev.end() : cur.start()]]
    return [*out, words[-1].group(), text[words[-1].end() :]]


# --- splitting and keys ---------------------------------------------------------------

#: Letters, marks, digits, apostrophes and separators of every kind the keys treat apart.
HARD = (
    "aZz09'’ʼ-. ,\u00a0\t\n\r\u0301\u0308ßẞİıﬁΣσςЁёЇїҐґ'Знам'янкаÉe\u0301½²٣"
)
TEXTS = st.text(alphabet=st.sampled_from(HARD), max_size=24)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_split_and_keys_match_the_plain_way(text: str) -> None:
    assert split_words(text) == plain_split(text)
    assert phrase_key(text) == plain_phrase_key(text)
    for word in split_words(text)[1::2]:
        assert word_key(word) == plain_word_key(word)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_the_ascii_path_splits_as_the_unicode_pattern(text: str) -> None:
    assert matching._ASCII_WORD_SPLIT.split(text) == matching._WORD_SPLIT.split(text)
    assert phrase_key(text) == plain_phrase_key(text)


def test_every_ascii_character_and_pair_splits_alike() -> None:
    chars = [chr(c) for c in range(128)]
    for a, b in itertools.product(chars, repeat=2):
        for text in (a, a + b, f"x{a}{b}y", f"{a}'{b}"):
            assert matching._ASCII_WORD_SPLIT.split(text) == matching._WORD_SPLIT.split(text)
    assert all(word_key(c) == plain_word_key(c) for c in string.printable)


def test_keys_of_the_kinds_of_text_a_glossary_has() -> None:
    for text in ("U.S.", "Volodymyr  Zelensky", "KYIV'S", "O'Brien's.", "St. Petersburg",
                 "Coalition\n\nof", "Élysée Palace", "Знам'янка", "Mr.\u00a0Smith",
                 "Kyiv’s", "ITAR-TASS", "", "...", " lead", "tail ", "a\r\nb"):
        assert phrase_key(text) == plain_phrase_key(text), text
        assert split_words(text) == plain_split(text), text


# --- the compiled glossary ------------------------------------------------------------

GLOSSARIES = {
    "empty": "version: 1\nentries: []\n",
    "mixed": """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev, Kyev]
    except: [Chicken Kiev, Dynamo Kiev]
    sources: {ru: [Киев], uk: [Київ]}
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky, Volodymyr  Zelensky]
    variants:
      - Zelenskyy
      - Volodymyr Zelenskyy: Volodymyr Zelensky
    sources: {ru: [Владимир Зеленский, Зеленский], uk: [Володимир Зеленський]}
  - term: Oleksandr
    kind: given-name
    variants: [Aleksandr]
    sources: {ru: [Александр]}
  - term: Oleksandr Syrskyi
    kind: person
    variants: [Aleksandr Syrsky]
    sources: {ru: [Александр Сырский]}
  - term: Mariia
    kind: other
    variants: [Maria]
  - term: kompromat
    kind: term
    case: any
    variants: [compromat]
  - term: Élysée Palace
    kind: place
    variants: [Elysee Palace]
  - term: Знам'янка
    kind: place
    aliases: [Znamianka]
    variants: [Znamenka, Знаменка]
  - term: Kharkiv
    kind: place
    pattern: '(?i)\\bkhar[ck]ov\\b'
  - term: U.S.
    kind: place
    variants: [U.S.A.]
  - term: NATO
    kind: organization
  - term: Marrakesh
    kind: place
    variants: [Marrakech]
""",
}


def _compiled_parts(compiled_glossary: Matcher) -> tuple[object, ...]:
    return (compiled_glossary.root, compiled_glossary.tails)


def test_compile_all_gives_what_the_plain_way_gives(load: Callable[[str], Glossary]) -> None:
    for name, text in GLOSSARIES.items():
        glossary = load(text)
        compiled = compile_all(glossary)
        plain = plain_trie(glossary)
        assert _compiled_parts(compiled.matcher) == _compiled_parts(plain), name
        near, known = plain_near(glossary)
        # the same buckets in the same order, and every word of the renderings known
        assert list(compiled.near.items()) == list(near.items()), name
        assert compiled.known == known, name
        assert near_index(glossary) == (compiled.near, compiled.known), name
        patterns = [(i, e.pattern) for i, e in enumerate(glossary.entries) if e.pattern]
        assert list(compiled.matcher.patterns) == patterns, name
    mixed = compile_all(load(GLOSSARIES["mixed"]))
    assert "zelensky" in mixed.near and "знам'янка" in mixed.known
    assert not any(word == "Mariia" for bucket in mixed.near.values() for word, _ in bucket)
    empty = compile_all(load(GLOSSARIES["empty"]))
    assert (empty.matcher.root, dict(empty.near), empty.known) == ({}, {}, frozenset())


def test_a_trie_listed_gives_the_nodes_of_the_trie_made(
        load: Callable[[str], Glossary]) -> None:
    """The trie listed as items (`compile_glossary(items=...)`) and written from them: every
    node of the trie made, once, with its targets in the same order; `nest` makes that
    very trie from them."""
    from glossary_check.cache.compiled import listed_trie, walk_trie

    for name, text in GLOSSARIES.items():
        glossary = load(text)
        made = compile_glossary(glossary)
        items: TrieItems = []
        listed = compile_glossary(glossary, None, items)
        assert listed.root == {} and listed.tails == made.tails, name
        nest(listed, list(items))
        assert listed.root == made.root, name
        nodes = list(listed_trie(items))
        assert len(nodes) == len({address for address, _ in nodes}), name
        assert sorted(nodes) == sorted(walk_trie(made.root)), name


def test_matches_after_a_doubled_key_look_up(load: Callable[[str], Glossary]) -> None:
    """Words that differ only in case, or by a possessive, are looked up once and all found."""
    compiled = compile_all(load(GLOSSARIES["mixed"]))
    view = "KIEV and Kiev and kiev's Zelenskyy’s visit; KYIV and Kyiv's NATO's U.S.A. Киев"
    found = [(m.text, [t.kind for t in m.targets])
             for m in find_matches(compiled.matcher, view, tokenize(view))]
    assert found == [
        ("KIEV", [Kind.VARIANT]), ("Kiev", [Kind.VARIANT]), ("Zelenskyy", [Kind.VARIANT]),
        ("KYIV", [Kind.TERM]), ("Kyiv", [Kind.TERM]), ("NATO", [Kind.TERM]),
        ("U.S.A.", [Kind.VARIANT]), ("Киев", [Kind.SOURCE]),
    ]


def test_targets_and_tokens_stay_frozen_values() -> None:
    import dataclasses
    import pickle

    import pytest

    target = Target(3, Kind.VARIANT, "Kiev", "Kyiv")
    assert target == Target(3, Kind.VARIANT, "Kiev", "Kyiv", None)
    assert hash(target) == hash(Target(3, Kind.VARIANT, "Kiev", "Kyiv", None))
    assert (target.entry, target.kind, target.form, target.fix, target.language) == (
        3, Kind.VARIANT, "Kiev", "Kyiv", None)
    assert dataclasses.replace(target, language="ru").language == "ru"
    assert pickle.loads(pickle.dumps(target)) == target
    token = Token(0, 4, "Kyiv")
    assert (token.start, token.end, token.text) == (0, 4, "Kyiv")
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.start = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Token(0, 4)  # type: ignore[call-arg]


def test_near_index_keys_that_share_a_crc32_stay_apart() -> None:
    """The index keeps CRC-32s, not keys: 'plumless' and 'buckeroo' share one, and each
    finds only its own word (and a doubled letter's deletion names its word once)."""
    import pickle
    import zlib

    from glossary_check.engine.compiled import NearIndex

    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    pairs = [("Plumless", 0, "plumless"), ("Buckeroo", 1, "buckeroo"), ("Plumles", 2, "plumles")]
    index = NearIndex.build(pairs)
    assert index["plumless"] == (("Plumless", 0),)
    assert index["plumles"] == (("Plumless", 0), ("Plumles", 2))
    assert index["buckeroo"] == (("Buckeroo", 1),)
    assert index.get("bukeroo") == (("Buckeroo", 1),)
    assert index.get("plumess") == (("Plumless", 0),)
    assert index.get("plumle") == (("Plumles", 2),)
    assert index.get("nothing") is None and "nothing" not in index and index.get(3) is None
    plain: dict[str, tuple[tuple[str, int], ...]] = {}
    for word, entry, key in pairs:
        for k in dict.fromkeys((key, *deletions(key))):
            plain[k] = (*plain.get(k, ()), (word, entry))
    assert list(index.items()) == list(plain.items()) and len(index) == len(plain)
    assert pickle.loads(pickle.dumps(index)) == index

"""The hot paths give what their plain versions give: matching (over an in-memory and a
cached trie), classifying a match, and the script of a word."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from glossary_check.cache import compiled as cache
from glossary_check.engine import languages
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import Glossary, load_glossary
from glossary_check.engine.matching import (
    Match,
    Matcher,
    Target,
    Token,
    _admissible,
    _possessive_stem,
    _with_tail,
    find_matches,
    gap_key,
    normalise_gaps,
    tokenize,
    word_key,
)
from glossary_check.rules import Kind, Verdict, classify


def reference_matches(matcher: Matcher, view: str, tokens: list[Token]) -> list[Match]:
    """Leftmost-longest matching as first written: every token walked from, keys as needed."""
    root = matcher.root
    out: list[Match] = []
    i, n = 0, len(tokens)
    while i < n:
        best: tuple[int, int, list[Target]] | None = None
        node = root
        j = i
        while True:
            token = tokens[j]
            key = word_key(token.text)
            stem = _possessive_stem(key)
            if stem is not None:
                stem_node = node.get(stem)
                found = (
                    _admissible(matcher, view, tokens, i, j, stem_node.get("", []))
                    if isinstance(stem_node, dict) else []
                )
                if found:
                    best = (token.end - (len(key) - len(stem)), j, found)
            child = node.get(key)
            if not isinstance(child, dict):
                break
            found = _admissible(matcher, view, tokens, i, j, child.get("", []))
            if found:
                best = (token.end, j, found)
            if j + 1 >= n:
                break
            gap = gap_key(view[token.end : tokens[j + 1].start])
            after_gap = child.get(gap) if gap is not None else None
            if not isinstance(after_gap, dict):
                break
            node = after_gap
            j += 1
        if best is None:
            i += 1
            continue
        end, last, targets = best
        end = _with_tail(matcher, view, end, targets)
        out.append(Match(tokens[i].start, end, view[tokens[i].start : end], tuple(targets)))
        i = last + 1
    return out


def reference_classify(match: Match, glossary: Glossary) -> tuple[Verdict, Target]:
    written = normalise_gaps(match.text)
    best: tuple[int, Verdict, Target] | None = None
    for target in match.targets:
        entry = glossary.entries[target.entry]
        if target.kind in (Kind.TERM, Kind.ALIAS):
            exact = written == normalise_gaps(target.form) or entry.case == "any"
            verdict, rank = (Verdict.CORRECT, 0) if exact else (Verdict.CASE, 3)
        elif target.kind is Kind.EXCEPT:
            verdict, rank = Verdict.EXCEPT, 1
        elif target.kind is Kind.VARIANT:
            verdict, rank = Verdict.VARIANT, 2
        else:
            verdict, rank = Verdict.SOURCE, 4
        if best is None or rank < best[0]:
            best = (rank, verdict, target)
    assert best is not None
    return best[1], best[2]


_LETTER = regex.compile(r"\p{L}")


def reference_script(word: str) -> str | None:
    found = ""
    for ch in word:
        if not _LETTER.match(ch):
            continue
        name = next((n for n, rx in languages._SCRIPTS if rx.match(ch)), "Other")
        if found and name != found:
            return ""
        found = name
    return found or None


GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    variants: [Kiev, Kyev]
    except: [Chicken Kiev, Kiev Pechersk Lavra]
    sources: {ru: [Киев], uk: [Київ]}
  - term: Volodymyr Zelensky
    aliases: [Zelensky, President Zelensky]
    variants: [Zelenskyy, "Vladimir Zelensky", Volodymyr Zelenskyy]
  - term: Martin Luther King Jr.
    aliases: [Dr. King]
    variants: [Martin Luther King Junior]
  - term: O'Brien
    variants: [OBrien, O’Brian]
  - term: kompromat
    case: exact
  - term: Rock 'n' Roll
  - term: New York
    aliases: [New York City]
    variants: [NY City]
  - term: Novaya Gazeta Europe
    variants: [Novaya Gazeta Evropa, Novaya Gazeta]
"""

PIECES = [
    "Kyiv", "Kiev", "KIEV", "kyev", "Chicken Kiev", "chicken\nKiev", "Kiev Pechersk Lavra",
    "Киев", "Київ", "Volodymyr Zelensky", "Volodymyr\nZelensky", "Volodymyr\n\nZelensky",
    "Vladimir  Zelensky", "Zelensky's", "Zelensky’s", "Zelenskyy'", "President Zelensky",
    "Martin Luther King Jr.", "Martin Luther King Jr", "Martin Luther King Junior", "Dr. King",
    "O'Brien", "O’Brien's", "OBrien", "O’Brian", "kompromat", "Kompromat", "KOMPROMAT",
    "Rock 'n' Roll", "rock ’n’ roll", "New York", "New York City", "new york city's", "NY City",
    "Novaya Gazeta Europe", "Novaya Gazeta", "Novaya Gazeta Evropa", "Novaya", "York",
    "the", "said", "on", "Monday", ",", ".", " - ", "\n", "\r\n", "“", "”", "(", ")", "'",
]


def _text(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(n):
        parts.append(rng.choice(PIECES))
        parts.append(rng.choice([" ", " ", " ", "\n", ", ", ". ", "", "  ", "\u00a0"]))
    return "".join(parts)


@pytest.fixture(scope="module")
def compiled_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Compiled, Compiled]:
    """The glossary compiled in memory, and the same read lazily from the cache."""
    folder = tmp_path_factory.mktemp("fast")
    path = folder / "glossary.yaml"
    path.write_text(GLOSSARY, encoding="utf-8")
    eager = compile_all(load_glossary(path))
    cwd = Path.cwd()
    try:
        import os

        os.chdir(folder)
        cache.load(path, folder / "cache")
        lazy = cache.load(path, folder / "cache")
    finally:
        os.chdir(cwd)
    assert isinstance(lazy.matcher.root, cache.LazyNode)
    return eager, lazy


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 60))
def test_find_matches_equals_the_plain_walk(
    compiled_pair: tuple[Compiled, Compiled], seed: int, n: int
) -> None:
    eager, lazy = compiled_pair
    text = _text(random.Random(seed), n)
    tokens = tokenize(text)
    expected = reference_matches(eager.matcher, text, tokens)
    assert find_matches(eager.matcher, text, tokens) == expected
    assert find_matches(lazy.matcher, text, tokens) == expected
    for match in expected:
        assert classify(match, eager.glossary) == reference_classify(match, eager.glossary)
        assert classify(match, lazy.glossary) == reference_classify(match, eager.glossary)


def test_the_generated_texts_exercise_every_kind(compiled_pair: tuple[Compiled, Compiled]) -> None:
    eager, _ = compiled_pair
    text = _text(random.Random(1), 3000)
    matches = find_matches(eager.matcher, text, tokenize(text))
    verdicts = {classify(m, eager.glossary)[0] for m in matches}
    assert verdicts == set(Verdict)
    assert any("\n" in m.text for m in matches)
    assert any(text.startswith(("'s", "’s"), m.end) for m in matches)  # possessives
    assert any(m.text == "Martin Luther King Jr." for m in matches)  # a rendering's tail


@given(st.text(alphabet=st.sampled_from(
    [*"abcXYZ019'’-_ ", "é", "К", "и", "ї", "α", "ß", "\u0301", "中", "ا", "Ⅻ", "ǅ"]
), max_size=12))
def test_script_of_a_word_equals_the_plain_scan(word: str) -> None:
    assert languages._script(word) == reference_script(word)

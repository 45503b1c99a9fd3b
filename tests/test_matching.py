"""The matching engine: whole words, Unicode, phrases across line breaks, possessives,
except phrases, leftmost-longest, and where a sentence starts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import spans
from glossary_check.core.findings import Finding
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import (
    Kind,
    Memo,
    at_sentence_start,
    find_matches,
    gap_key,
    phrase_key,
    tokenize,
    word_key,
)

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev, Kyev]
    except: [Chicken Kiev, Dynamo Kiev, Kievan Rus]
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky]
    variants:
      - Zelenskyy
      - Zelenskiy
      - Volodymyr Zelenskyy: Volodymyr Zelensky
  - term: TASS
    kind: organization
    variants: [ITAR-TASS]
  - term: Coalition of the Willing
    kind: term
  - term: Élysée Palace
    kind: place
    variants: [Elysee Palace]
  - term: kompromat
    kind: term
  - term: Москва
    kind: place
    variants: [Масква]
"""

Check = Callable[[str], list[Finding]]


@pytest.fixture
def run(check: Callable[..., list[Finding]]) -> Check:
    return lambda text: check(GLOSSARY, text)


def found(findings: list[Finding]) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.text, f.suggestion) for f in findings]


# --- tokens and keys ------------------------------------------------------------------------

def test_tokens_keep_inner_apostrophes_and_split_at_hyphens() -> None:
    view = "O'Brien, Знам'янка and Kyiv’s ITAR-TASS 2025 Élysée"
    assert [t.text for t in tokenize(view)] == [
        "O'Brien", "Знам'янка", "and", "Kyiv’s", "ITAR", "TASS", "2025", "Élysée",
    ]
    for token in tokenize(view):
        assert view[token.start : token.end] == token.text


def test_keys_fold_case_normal_form_and_apostrophes() -> None:
    assert word_key("E\u0301LYSE\u0301E") == word_key("Élysée") == "élysée"
    assert word_key("Kyiv’s") == word_key("KYIV'S") == "kyiv's"
    assert gap_key(" ") == gap_key("\u00a0") == gap_key("\n") == gap_key("\r\n") == " "
    assert gap_key("\r") == " "
    assert gap_key("-") == "-"
    for paragraph_break in ("\n\n", "\r\n\r\n", "\n \t\n", "\r\r"):
        assert gap_key(paragraph_break) is None
    assert phrase_key("U.S.") == (("u", ".", "s"), ".")
    assert phrase_key("Volodymyr  Zelensky") == (("volodymyr", " ", "zelensky"), "")


def test_find_matches_reports_targets(load: Callable[[str], Glossary]) -> None:
    compiled = compile_all(load(GLOSSARY))
    view = "Volodymyr Zelensky went to Kiev."
    matches = find_matches(compiled.matcher, view, tokenize(view))
    assert [(m.text, [t.kind for t in m.targets]) for m in matches] == [
        ("Volodymyr Zelensky", [Kind.ALIAS]), ("Kiev", [Kind.VARIANT]),
    ]


# --- whole words, Unicode -------------------------------------------------------------------

def test_whole_words_only(run: Check) -> None:
    assert found(run("Kievan and Kieving and Kiev2 and reKiev, but Kiev.")) == [
        ("variant", "Kiev", "Kyiv"),
    ]
    assert [f.offset for f in run("Kievan and Kieving and Kiev2 and reKiev, but Kiev.")] == [45]


def test_cyrillic_words_are_whole_words_too(run: Check) -> None:
    findings = run("Масквы и Масква, не Москва.")
    assert found(findings) == [("variant", "Масква", "Москва")]
    assert findings[0].offset == 9


def test_combining_accents_match_their_composed_form(run: Check) -> None:
    decomposed = "E\u0301lyse\u0301e Palace"
    assert run(f"At the {decomposed} today.") == []
    findings = run("At the Elyse\u0301e Palace and the Elysee Palace.")
    # "Elysée" with a decomposed é is neither the term (E without accent) nor the variant
    # (which has no accent on the second e): it is a case-and-accent mismatch no rule claims.
    assert found(findings) == [("variant", "Elysee Palace", "Élysée Palace")]
    caps = run(f"the {decomposed.upper()}")
    assert found(caps) == [("case", "E\u0301LYSE\u0301E PALACE", "Élysée Palace")]
    assert caps[0].length == len("E\u0301LYSE\u0301E PALACE") == 15


# --- phrases and line breaks ----------------------------------------------------------------

@pytest.mark.parametrize("gap", ["\n", "\r\n", "\r", " \n  ", "\u00a0", "\u202f", "  "])
def test_phrases_match_across_one_line_break_and_any_spaces(run: Check, gap: str) -> None:
    text = f"a meeting of the Coalition of the{gap}Willing and Volodymyr{gap}Zelenskyy."
    findings = run(text)
    assert found(findings) == [
        ("variant", f"Volodymyr{gap}Zelenskyy", "Volodymyr Zelensky"),
    ]
    assert run(f"the coalition of the{gap}willing")[0].text == f"coalition of the{gap}willing"


@pytest.mark.parametrize("gap", ["\n\n", "\r\n\r\n", "\n   \n", "\r\r"])
def test_phrases_never_match_across_a_blank_line(run: Check, gap: str) -> None:
    findings = run(f"said Volodymyr{gap}Zelenskyy today")
    assert found(findings) == [("variant", "Zelenskyy", "Zelensky")]


def test_spaces_inside_a_phrase_must_be_spaces(run: Check) -> None:
    assert found(run("Volodymyr-Zelenskyy")) == [("variant", "Zelenskyy", "Zelensky")]


# --- possessives ----------------------------------------------------------------------------

@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
def test_possessives_match_their_word(run: Check, apostrophe: str) -> None:
    assert run(f"Kyiv{apostrophe}s mayor and Zelensky{apostrophe}s office") == []
    findings = run(f"Kiev{apostrophe}s mayor and Zelenskyy{apostrophe}s office")
    assert found(findings) == [
        ("variant", "Kiev", "Kyiv"), ("variant", "Zelenskyy", "Zelensky"),
    ]
    assert findings[0].length == 4


def test_a_possessive_phrase(run: Check) -> None:
    assert found(run("Volodymyr Zelenskyy's speech")) == [
        ("variant", "Volodymyr Zelenskyy", "Volodymyr Zelensky"),
    ]


def test_other_apostrophe_words_are_not_possessives(run: Check) -> None:
    assert run("the Kiev'sky hotel, the Kievs' and Kiev'd") == []


# --- except, leftmost-longest, hyphens ------------------------------------------------------

def test_except_phrases_keep_a_variant(run: Check) -> None:
    text = ("Chicken Kiev, CHICKEN KIEV, chicken\nkiev, Dynamo Kiev's coach and Kievan Rus, "
            "but Kiev.")
    findings = run(text)
    assert found(findings) == [("variant", "Kiev", "Kyiv")]
    assert findings[0].offset == text.rindex("Kiev")


def test_leftmost_longest(run: Check) -> None:
    assert found(run("Volodymyr Zelenskyy")) == [
        ("variant", "Volodymyr Zelenskyy", "Volodymyr Zelensky"),
    ]
    assert found(run("President Volodymyr Zelenskyy")) == [
        ("variant", "Volodymyr Zelenskyy", "Volodymyr Zelensky"),
    ]
    assert found(run("Volodymyr Zelenskiy")) == [("variant", "Zelenskiy", "Zelensky")]


def test_hyphenated_renderings(run: Check) -> None:
    assert found(run("Russia's ITAR-TASS agency")) == [("variant", "ITAR-TASS", "TASS")]
    assert found(run("the Itar-Tass wire")) == [("variant", "Itar-Tass", "TASS")]
    assert found(run("a Kiev-based firm, pro-Kiev forces")) == [
        ("variant", "Kiev", "Kyiv"), ("variant", "Kiev", "Kyiv"),
    ]
    assert run("TASS-reported and Kyiv-based") == []


def test_variants_match_in_any_case_and_the_fix_keeps_the_glossary_spelling(run: Check) -> None:
    written = ("KIEV", "Kiev", "KiEv")
    assert found(run(", ".join(written))) == [("variant", w, "Kyiv") for w in written]
    # a proper noun's variant needs its capital: kiev in lower case is no rendering of it
    assert found(run("kiev, kIEV")) == []


# --- sentence starts ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Kompromat was found.",
    "It was found. Kompromat again!",
    "Why? Kompromat.",
    "Wait… Kompromat.",
    "He said: “No.” Kompromat followed.",
    "“Kompromat,” she said.",
    "He left. (Kompromat was found.)",
    "He left. «Kompromat» was the word.",
    "a line\nKompromat on the next line",
    "a line\r\nKompromat on the next line",
    "# Kompromat in a heading",
    "intro\n## Kompromat in a heading",
    "- Kompromat as a list item",
    "intro\n  * “Kompromat” as a list item",
    "1. Kompromat as a numbered item",
])
def test_a_capital_is_fine_at_a_sentence_start(run: Check, text: str) -> None:
    assert run(text) == []


@pytest.mark.parametrize(("text", "written"), [
    ("the Kompromat was found", "Kompromat"),
    ("He said “Kompromat” twice", "Kompromat"),
    ("a file, Kompromat, was found", "Kompromat"),
    ("KOMPROMAT was found", "KOMPROMAT"),
    ("Mr. Smith's kompromat. KompRomat", "KompRomat"),
])
def test_a_capital_mid_sentence_is_a_case_finding(run: Check, text: str, written: str) -> None:
    assert found(run(text)) == [("case", written, "kompromat")]


def test_at_sentence_start_directly() -> None:
    assert at_sentence_start("x", 0)
    assert at_sentence_start("end. “x", 6)
    assert not at_sentence_start("and x", 4)
    assert not at_sentence_start("Mr x", 3)


def test_case_of_capitalised_terms(run: Check) -> None:
    assert found(run("Tass said, and tass said, and TASS said")) == [
        ("case", "Tass", "TASS"), ("case", "tass", "TASS"),
    ]
    assert found(run("Tass said.")) == [("case", "Tass", "TASS")]  # only a lower-case term


def test_spans_helper_matches_rules(run: Check) -> None:
    assert spans(run("Kiev and Tass")) == [("variant", "Kiev"), ("case", "Tass")]


# --- answers kept between documents ---------------------------------------------------------

def test_a_memo_keeps_one_owners_answers() -> None:
    memo = Memo(limit=3)
    first, second = object(), object()
    memo.of(first)["a"] = 1
    assert memo.of(first) == {"a": 1}
    assert memo.of(second) == {}, "another owner starts afresh"
    memo.of(second).update(b=2)
    assert memo.of(first) == {}, "the first owner's answers were dropped for the second's"
    answers = memo.of(first)
    answers.update(a=1, b=2, c=3)
    assert memo.of(first) == {}, "a full memo starts afresh"


def test_each_glossary_matches_with_its_own_words(load: Callable[[str], Glossary]) -> None:
    """Words are remembered from one document to the next, by trie: checking with two
    glossaries in turn, each finds its own renderings, never the other's."""
    kyiv = compile_all(load(GLOSSARY))
    lviv = compile_all(load("version: 1\nlanguage: en\nentries:\n"
                            "  - term: Lviv\n    kind: place\n    variants: [Lvov]\n"))
    view = "From Kiev to Lvov, and Kyiv’s mayor."
    tokens = tokenize(view)
    for _ in range(2):
        assert [m.text for m in find_matches(kyiv.matcher, view, tokens)] == ["Kiev", "Kyiv"]
        assert [m.text for m in find_matches(lviv.matcher, view, tokens)] == ["Lvov"]

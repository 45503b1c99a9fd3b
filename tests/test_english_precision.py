"""Precision on the English side: given names, capitalised variants, sentence starts, and
one name in two spellings against two names taken for one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import WriteGlossary, check_text, python_output, wordfreq_buckets
from glossary_check.core.findings import Finding
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.english import attested, established, ordinary_word
from glossary_check.engine.glossary import Glossary, GlossaryError
from glossary_check.engine.transliteration import reads_as, same_name
from glossary_check.rules.pipeline import Settings

GIVEN = """\
version: 1
entries:
  - term: Oleksandr
    kind: given-name
    variants: [Aleksandr, Alexander]
    sources: {uk: [Олександр], ru: [Александр]}
  - term: Olha
    kind: given-name
    variants: [Olga]
    sources: {uk: [Ольга], ru: [Ольга]}
  - term: Yana
    kind: given-name
    sources: {uk: [Яна]}
  - term: Oleksandr Syrskyi
    kind: person
    aliases: [Syrskyi]
    variants: [Syrsky]
    sources: {uk: [Сирський]}
  - term: Alexander Lukashenko
    kind: person
    aliases: [Lukashenko]
  - term: Lutsk
    kind: place
    variants: [Luck, Lutzk]
  - term: Kyiv
    kind: place
    variants: [Kiev]
    except: [Chicken Kiev]
  - term: Volodymyr
    kind: place
    variants: [Vladimir]
    sources: {ru: [Владимир]}
  - term: Turkey
    kind: place
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky]
"""


@pytest.fixture
def given(load: Callable[[str], Glossary]) -> Compiled:
    return compile_all(load(GIVEN))


def found(findings: list[Finding]) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.text, f.suggestion) for f in findings]


# --- given names ------------------------------------------------------------------------------

def test_a_given_name_variant_inside_the_full_name_of_its_person(given: Compiled) -> None:
    assert found(check_text(given, "Then Aleksandr Syrskyi spoke.")) == [
        ("variant", "Aleksandr", "Oleksandr"),
    ]
    # a middle initial, a possessive and the person's own variant keep it one name
    assert found(check_text(given, "Aleksandr S. Syrskyi's staff and Aleksandr Syrsky")) == [
        ("variant", "Aleksandr", "Oleksandr"), ("variant", "Aleksandr", "Oleksandr"),
        ("variant", "Syrsky", "Oleksandr Syrskyi"),
    ]


@pytest.mark.parametrize("text", [
    "Vladimir Nabokov and Olga Tokarczuk wrote.",       # another surname
    "His sister Olga came; Aleksandr did not.",          # alone
    "Aleksandr, Syrskyi said, left.",                    # punctuation between
    "Alexander Lukashenko met him.",                     # a person the desk writes otherwise
])
def test_a_given_name_variant_elsewhere_says_nothing(given: Compiled, text: str) -> None:
    assert [f for f in check_text(given, text) if f.entry in ("Oleksandr", "Olha")] == []


def test_a_given_name_source_form_needs_its_persons_surname(given: Compiled) -> None:
    everything = Settings()
    kept = check_text(given, "Олександр Сирський прибув.", everything)
    assert ("source-form", "Олександр") in [(f.rule, f.text) for f in kept]
    inflected = check_text(given, "Олександру Сирському дали орден.", everything)
    assert ("source-form", "Олександру") in [(f.rule, f.text) for f in inflected]
    # Яну is a form of Яна, but here it is the golfer Ян Полтер's dative
    dropped = check_text(given, "Яну Полтеру дали приз.", everything)
    assert [f for f in dropped if f.rule == "source-form"] == []


# --- capitalised variants and sentence starts ----------------------------------------------

def test_a_proper_nouns_variant_needs_a_capital(given: Compiled) -> None:
    text = "We had luck. Then LUCK, and on to Luck by train; lutzk is no name."
    assert found(check_text(given, text)) == [
        ("variant", "LUCK", "Lutsk"), ("variant", "Luck", "Lutsk"),
    ]


def test_an_except_phrase_with_a_lower_case_word(given: Compiled) -> None:
    assert check_text(given, "He ordered the chicken Kiev, not the Chicken Kiev.") == []
    assert found(check_text(given, "Talks in Kiev.")) == [("variant", "Kiev", "Kyiv")]


def test_a_common_word_at_a_sentence_start(given: Compiled) -> None:
    assert check_text(given, "Luck was on their side.") == []
    assert check_text(given, "“Luck,” she said. Luck again.") == []
    # named elsewhere in the article, the sentence start is the place too
    mentioned = check_text(given, "Luck is a city. We drove to Lutsk.")
    assert found(mentioned) == [("variant", "Luck", "Lutsk")]
    # a name that English shares with other languages is no common word
    assert found(check_text(given, "Kiev is large.")) == [("variant", "Kiev", "Kyiv")]


def test_a_place_variant_that_is_a_first_name_before_a_surname(given: Compiled) -> None:
    assert check_text(given, "In Skopje, Vladimir Petrevski set up chairs.") == []
    assert found(check_text(given, "They drove to Vladimir.")) == [
        ("variant", "Vladimir", "Volodymyr"),
    ]


def test_a_term_in_lower_case_that_is_an_english_word(given: Compiled) -> None:
    assert check_text(given, "They ate turkey in Turkey.") == []
    assert found(check_text(given, "They flew to kyiv.")) == [("case", "kyiv", "Kyiv")]


# --- the loader -------------------------------------------------------------------------------

def test_one_wrong_text_under_two_entries(write_glossary: WriteGlossary) -> None:
    from glossary_check.engine.glossary import load_glossary

    path = write_glossary("""\
        entries:
          - term: Lutsk
            variants: [Luck]
          - term: Luck Hill
            variants: [Luck]
        """)
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    message = str(caught.value)
    assert "'Luck' of 'Luck Hill' is already a variant of 'Lutsk'" in message
    assert message.count("glossary.yaml:") == 2


def test_an_including_file_overrides_the_variant_it_clashes_with(
    write_glossary: WriteGlossary,
) -> None:
    from glossary_check.engine.glossary import load_glossary

    write_glossary("entries:\n  - term: Lutsk\n    variants: [Luck]\n", name="list.yaml")
    path = write_glossary("""\
        include: [list.yaml]
        entries:
          - term: Lutzk
            variants: [Luck]
        """)
    assert [e.term for e in load_glossary(path).entries] == ["Lutzk"]


def test_given_name_is_a_kind(given: Compiled) -> None:
    assert [e.kind for e in given.glossary.entries[:3]] == ["given-name"] * 3


# --- near misses at a lede or headline -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Zelenksy said on Monday that Kyiv would not yield.\n",
    "# Zelenksy in Paris\n",
    "- Zelenksy in Paris\n",
])
def test_a_misspelt_name_opening_a_lede_or_headline(given: Compiled, text: str) -> None:
    assert found(check_text(given, text)) == [("inconsistent", "Zelenksy", "Zelensky")]


def test_an_english_word_at_a_sentence_start_is_no_near_miss(
    load: Callable[[str], Glossary],
) -> None:
    compiled = compile_all(load("entries:\n  - term: Moscow\n    kind: place\n"))
    assert check_text(compiled, "Mosses grew. Moscows of the mind.") == []
    assert texts_of(check_text(compiled, "Mosocw said so.")) == ["Mosocw"]


def test_an_added_letter_far_from_its_neighbours_is_another_name(
    load: Callable[[str], Glossary],
) -> None:
    compiled = compile_all(load("entries:\n  - term: Zoria\n    kind: place\n"))
    assert check_text(compiled, "the minister, his wife Zorica and their son") == []
    assert texts_of(check_text(compiled, "the village of Zorria was shelled")) == ["Zorria"]


def test_a_near_miss_that_english_writes_is_another_name(load: Callable[[str], Glossary]) -> None:
    compiled = compile_all(load("entries:\n  - term: Biden\n    kind: person\n"))
    assert check_text(compiled, "a rally in Baden, where Biden spoke") == []
    assert texts_of(check_text(compiled, "a rally where Bidne spoke")) == ["Bidne"]


def texts_of(findings: list[Finding]) -> list[str]:
    return [f.text for f in findings]


# --- one name in two spellings, two names taken for one -----------------------------------

PLAIN = "version: 1\nentries:\n  - term: Kyiv\n"


@pytest.fixture
def plain(load: Callable[[str], Glossary]) -> Compiled:
    return compile_all(load(PLAIN))


def test_the_desks_transliteration_is_the_suggestion(plain: Compiled) -> None:
    text = "Dmytro Kuleba spoke. Later Dmitro Kuleba left."
    assert found(check_text(plain, text)) == [("inconsistent", "Dmitro", "Dmytro")]


def test_the_glossarys_spelling_is_the_suggestion(load: Callable[[str], Glossary]) -> None:
    compiled = compile_all(load("""\
        entries:
          - term: Dmytro
            kind: given-name
            variants: [Dmitro]
          - term: Olha
            kind: given-name
            variants: [Olga]
        """))
    text = "Dmytro Kuleba spoke. Later Dmitro Kuleba left."
    assert found(check_text(compiled, text)) == [("inconsistent", "Dmitro", "Dmytro")]
    assert check_text(compiled, "Olha Stefanishyna met Olga Tokarczuk. Olga left.") == []


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("The critic Volkov spoke. Later the critic Wolkow left, and Volkov stayed.",
     "Wolkow", "Volkov"),
    ("A film on Khrushchev came out; critics of Khrouchtchev disagreed.",
     "Khrouchtchev", "Khrushchev"),
    ("The mayor Sobyanin spoke; critics of Sobianin disagreed with Sobyanin.",
     "Sobianin", "Sobyanin"),
])
def test_one_name_in_two_romanisations(
    plain: Compiled, text: str, wrong: str, right: str
) -> None:
    assert (wrong, right) in [(f.text, f.suggestion) for f in check_text(plain, text)]


@pytest.mark.parametrize("text", [
    # two people whose names English writes both ways
    "Mark Stephens met John Stevens. Later Stevens said Stephens was late.",
    "The judge Smith spoke to the clerk Smyth; then Smyth and Smith left.",
    # first names before different surnames
    "Olha Stefanishyna met Olga Tokarczuk, and later Olga spoke.",
    "Sergei Lavrov and Sergey Shoigu met; Sergei left.",
])
def test_two_names_are_not_one(plain: Compiled, text: str) -> None:
    assert [f for f in check_text(plain, text) if f.rule == "inconsistent"] == []


def test_same_name_by_reading_back() -> None:
    assert same_name("Sobyanin", "Sobianin") and same_name("Zelenskiy", "Zelenski")
    assert same_name("Volkov", "Wolkow") and same_name("Hanna", "Ganna")
    assert same_name("Zelensky", "Zelenskyy") and same_name("Khodorkovsky", "Hodorkovskiy")
    assert not same_name("Stevens", "Stephens") and not same_name("Zorica", "Zoria")
    assert not same_name("Baker", "Bakery") and not same_name("Zakharov", "Zakharova")
    assert reads_as("Sobianin", "Собянин") and reads_as("Borshchagivka", "Борщагівка")
    assert not reads_as("Peskov", "Собянин")


def test_english_usage() -> None:
    assert ordinary_word("Luck") and ordinary_word("hope")
    assert not ordinary_word("Kiev") and not ordinary_word("Vladimir")
    assert not ordinary_word("Peking") and not ordinary_word("Chernobyl")
    assert established("Stevens") and established("Smyth") and not established("Sobianin")
    assert attested("Pairs") and not attested("Zelenksy")


def test_frequencies_are_wordfreqs_to_the_last_digit() -> None:
    """english.py reads wordfreq's lists itself (by bisection, not wordfreq's dictionary of
    every word, and a plain word without wordfreq's tokenizer): every answer must be the
    one wordfreq gives."""
    import random

    from wordfreq import zipf_frequency

    from glossary_check.engine import english

    rng = random.Random(7)
    for language, wordlist in (("ru", "large"), ("uk", "large"), ("en", "large"),
                               ("en", "small"), ("de", "small"), ("pl", "small")):
        assert english._wordlist(language, wordlist) is not None
        sample = [w.decode() for _, bucket in rng.sample(wordfreq_buckets(language, wordlist), 60)
                  for w in rng.sample(bucket, min(len(bucket), 5))]
        sample += [w.capitalize() for w in sample[:100]] + [w.upper() for w in sample[:50]]
        sample += ["хешани", "Москва", "КИЇВ", "Ґалаґан", "Stevens", "it's", "don’t", "2024",
                   "1,000", "abc123", "", " ", "Нью-Йорк", "a b", "Ёлка", "'", "x9", "1999",
                   "Zelenksy", "İstanbul", "straße", "Straße", "café", "cafe\u0301", "ǅemal"]
        for word in sample:
            english._zipf.cache_clear()
            assert english._zipf(word, language, wordlist) == zipf_frequency(
                word, language, wordlist=wordlist), (word, language, wordlist)


def test_plain_words_need_no_wordfreq_import() -> None:
    """wordfreq's import (its language tags, its text fixer) costs a tenth of a second a
    process: a plain word is looked up without it."""

    code = ("import sys; from glossary_check.engine.english import established, frequency, "
            "ordinary_word; print(ordinary_word('Luck'), established('Stevens'), "
            "frequency('Київ', 'uk') > 4, 'wordfreq' in sys.modules)")
    assert python_output(code).split() == ["True", "True", "True", "False"]


def test_a_word_list_stored_otherwise_is_left_to_wordfreq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wordfreq whose files this reader does not know answers through wordfreq itself."""
    import gzip
    import importlib.util
    from types import SimpleNamespace

    from wordfreq import zipf_frequency

    from glossary_check.engine import english

    folder = tmp_path
    (folder / "data").mkdir()
    (folder / "data" / "large_ru.msgpack.gz").write_bytes(gzip.compress(b"not msgpack"))
    (folder / "data" / "small_en.msgpack.gz").write_bytes(b"not gzip")
    fake = SimpleNamespace(submodule_search_locations=[str(folder)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: fake)
    english._wordlist.cache_clear()
    english._zipf.cache_clear()
    try:
        assert english._wordlist("ru", "large") is None
        assert english._wordlist("en", "small") is None
        assert english._zipf("москва", "ru", "large") == zipf_frequency("москва", "ru")
    finally:
        english._wordlist.cache_clear()
        english._zipf.cache_clear()

"""Inflected source forms: every case finds its entry; derived words and look-alikes do not."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pymorphy3")

from conftest import python_output
from glossary_check.engine import morphology
from glossary_check.engine.glossary import Glossary, load_glossary
from glossary_check.engine.matching import tokenize
from glossary_check.engine.morphology import (
    SourceIndex,
    build_source_index,
    find_source_forms,
    merge_hits,
)
from glossary_check.rules import SourceHit

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    sources: {ru: [Киев], uk: [Київ]}
  - term: Volodymyr Zelensky
    kind: person
    sources:
      ru: [Владимир Зеленский, Зеленский]
      uk: [Володимир Зеленський, Зеленський]
  - term: Novaya Gazeta Europe
    kind: publication
    sources: {ru: [Новая газета Европа], uk: [Нова газета Європа]}
  - term: Coalition of the Willing
    kind: term
    sources: {ru: [коалиция желающих], uk: [коаліція охочих]}
  - term: Élysée Palace
    kind: place
    sources: {ru: [Елисейский дворец], uk: [Єлисейський палац]}
  - term: Tom Masters
    kind: person
    sources: {ru: [Том Мастерс], uk: [Том Мастерс]}
  - term: Emmanuel Macron
    kind: person
    sources: {ru: [Эммануэль Макрон, Макрон], uk: [Емманюель Макрон, Макрон]}
  - term: Maria Zakharova
    kind: person
    sources: {ru: [Мария Захарова, Захарова], uk: [Марія Захарова]}
  - term: Le Monde
    kind: publication
    sources: {ru: [Монд], uk: [Монд]}
  - term: TASS
    kind: organization
    sources: {ru: [ТАСС]}
  - term: Sumy
    kind: place
    sources: {ru: [Сумы], uk: [Суми]}
  - term: Moscow
    kind: place
    sources: {ru: [Москва], uk: [Москва]}
  - term: Kharkiv
    kind: place
    sources: {ru: [Харьков], uk: [Харків]}
  - term: Vitali Klitschko
    kind: person
    sources: {ru: [Виталий Кличко], uk: [Віталій Кличко]}
  - term: Verkhovna Rada
    kind: organization
    sources: {ru: [Верховная рада], uk: [Верховна Рада]}
  - term: Armed Forces of Ukraine
    kind: organization
    sources: {ru: [Вооружённые силы Украины]}
  - term: New York
    kind: place
    sources: {ru: [Нью-Йорк]}
"""


@pytest.fixture(scope="module")
def glossary(tmp_path_factory: pytest.TempPathFactory) -> Glossary:
    path = tmp_path_factory.mktemp("morphology") / "glossary.yaml"
    path.write_text(GLOSSARY, encoding="utf-8")
    return load_glossary(path)


@pytest.fixture(scope="module")
def index(glossary: Glossary) -> SourceIndex:
    return build_source_index(glossary)


def found(index: SourceIndex, glossary: Glossary, text: str) -> list[tuple[str, str, str]]:
    """(matched text, entry term, language) of every hit in `text`."""
    hits = find_source_forms(index, text, tokenize(text))
    return [(text[h.start : h.end], glossary.entries[h.entry].term, h.language) for h in hits]


# (text, the part of it that is the form, entry term, language)
INFLECTED = [
    # Kyiv, Russian: the six cases
    ("Киев", "Киев", "Kyiv", "ru"),
    ("из Киева", "Киева", "Kyiv", "ru"),
    ("к Киеву", "Киеву", "Kyiv", "ru"),
    ("еду в Киев", "Киев", "Kyiv", "ru"),
    ("над Киевом", "Киевом", "Kyiv", "ru"),
    ("в Киеве", "Киеве", "Kyiv", "ru"),
    ("В КИЕВЕ", "КИЕВЕ", "Kyiv", "ru"),
    ("в Ки́еве", "Ки́еве", "Kyiv", "ru"),
    # Kyiv, Ukrainian: the seven cases, the locative whose first parse is `кий`, the vocative
    ("Київ", "Київ", "Kyiv", "uk"),
    ("з Києва", "Києва", "Kyiv", "uk"),
    ("до Києва", "Києва", "Kyiv", "uk"),
    ("завдяки Києву", "Києву", "Kyiv", "uk"),
    ("над Києвом", "Києвом", "Kyiv", "uk"),
    ("у Києві", "Києві", "Kyiv", "uk"),
    ("Києве, прокинься", "Києве", "Kyiv", "uk"),
    # Zelensky, Russian: surname alone and with the first name, in agreement
    ("Зеленский", "Зеленский", "Volodymyr Zelensky", "ru"),
    ("у Зеленского", "Зеленского", "Volodymyr Zelensky", "ru"),
    ("к Зеленскому", "Зеленскому", "Volodymyr Zelensky", "ru"),
    ("с Зеленским", "Зеленским", "Volodymyr Zelensky", "ru"),
    ("о Зеленском", "Зеленском", "Volodymyr Zelensky", "ru"),
    ("Владимир Зеленский", "Владимир Зеленский", "Volodymyr Zelensky", "ru"),
    ("у Владимира Зеленского", "Владимира Зеленского", "Volodymyr Zelensky", "ru"),
    ("к Владимиру Зеленскому", "Владимиру Зеленскому", "Volodymyr Zelensky", "ru"),
    ("с Владимиром Зеленским", "Владимиром Зеленским", "Volodymyr Zelensky", "ru"),
    ("о Владимире Зеленском", "Владимире Зеленском", "Volodymyr Zelensky", "ru"),
    ("увидел Владимира\nЗеленского", "Владимира\nЗеленского", "Volodymyr Zelensky", "ru"),
    # Zelensky, Ukrainian
    ("Зеленський", "Зеленський", "Volodymyr Zelensky", "uk"),
    ("від Зеленського", "Зеленського", "Volodymyr Zelensky", "uk"),
    ("із Зеленським", "Зеленським", "Volodymyr Zelensky", "uk"),
    ("Володимир Зеленський", "Володимир Зеленський", "Volodymyr Zelensky", "uk"),
    ("від Володимира Зеленського", "Володимира Зеленського", "Volodymyr Zelensky", "uk"),
    ("Володимиру Зеленському", "Володимиру Зеленському", "Volodymyr Zelensky", "uk"),
    ("з Володимиром Зеленським", "Володимиром Зеленським", "Volodymyr Zelensky", "uk"),
    ("при Володимирі Зеленському", "Володимирі Зеленському", "Volodymyr Zelensky", "uk"),
    ("Володимире Зеленський, скажіть", "Володимире Зеленський", "Volodymyr Zelensky", "uk"),
    # a quoted title: adjective and noun decline, the apposition «Европа» does not
    ("«Новая газета Европа»", "Новая газета Европа", "Novaya Gazeta Europe", "ru"),
    ("для «Новой газеты Европа»", "Новой газеты Европа", "Novaya Gazeta Europe", "ru"),
    ("к «Новой газете Европа»", "Новой газете Европа", "Novaya Gazeta Europe", "ru"),
    ("читаю «Новую газету Европа»", "Новую газету Европа", "Novaya Gazeta Europe", "ru"),
    ("с «Новой газетой Европа»", "Новой газетой Европа", "Novaya Gazeta Europe", "ru"),
    ("в «Новой газете Европа»", "Новой газете Европа", "Novaya Gazeta Europe", "ru"),
    ("для Новой газеты «Европа»", "Новой газеты «Европа»", "Novaya Gazeta Europe", "ru"),
    ("«Нова газета Європа»", "Нова газета Європа", "Novaya Gazeta Europe", "uk"),
    ("для «Нової газети Європа»", "Нової газети Європа", "Novaya Gazeta Europe", "uk"),
    ("«Новій газеті Європа»", "Новій газеті Європа", "Novaya Gazeta Europe", "uk"),
    ("читаю «Нову газету Європа»", "Нову газету Європа", "Novaya Gazeta Europe", "uk"),
    ("з «Новою газетою Європа»", "Новою газетою Європа", "Novaya Gazeta Europe", "uk"),
    # a noun with a genitive complement: the head declines, singular and plural
    ("коалиция желающих", "коалиция желающих", "Coalition of the Willing", "ru"),
    ("Коалиция желающих", "Коалиция желающих", "Coalition of the Willing", "ru"),
    ("встреча коалиции желающих", "коалиции желающих", "Coalition of the Willing", "ru"),
    ("создать коалицию желающих", "коалицию желающих", "Coalition of the Willing", "ru"),
    ("с коалицией желающих", "коалицией желающих", "Coalition of the Willing", "ru"),
    ("нет коалиций желающих", "коалиций желающих", "Coalition of the Willing", "ru"),
    ("между коалициями желающих", "коалициями желающих", "Coalition of the Willing", "ru"),
    ("в коалициях желающих", "коалициях желающих", "Coalition of the Willing", "ru"),
    ("коаліція охочих", "коаліція охочих", "Coalition of the Willing", "uk"),
    ("зустріч коаліції охочих", "коаліції охочих", "Coalition of the Willing", "uk"),
    ("створити коаліцію охочих", "коаліцію охочих", "Coalition of the Willing", "uk"),
    ("разом із коаліцією охочих", "коаліцією охочих", "Coalition of the Willing", "uk"),
    ("у коаліції охочих", "коаліції охочих", "Coalition of the Willing", "uk"),
    ("Коаліціє охочих, слухай", "Коаліціє охочих", "Coalition of the Willing", "uk"),
    # adjective + noun in agreement, singular and plural
    ("Елисейский дворец", "Елисейский дворец", "Élysée Palace", "ru"),
    ("из Елисейского дворца", "Елисейского дворца", "Élysée Palace", "ru"),
    ("к Елисейскому дворцу", "Елисейскому дворцу", "Élysée Palace", "ru"),
    ("за Елисейским дворцом", "Елисейским дворцом", "Élysée Palace", "ru"),
    ("в Елисейском дворце", "Елисейском дворце", "Élysée Palace", "ru"),
    ("нет Елисейских дворцов", "Елисейских дворцов", "Élysée Palace", "ru"),
    ("Елисейские дворцы", "Елисейские дворцы", "Élysée Palace", "ru"),
    ("Єлисейський палац", "Єлисейський палац", "Élysée Palace", "uk"),
    ("з Єлисейського палацу", "Єлисейського палацу", "Élysée Palace", "uk"),
    ("в Єлисейському палаці", "Єлисейському палаці", "Élysée Palace", "uk"),
    ("перед Єлисейським палацом", "Єлисейським палацом", "Élysée Palace", "uk"),
    # a surname the dictionary does not know, through the guesser
    ("Том Мастерс, специально", "Том Мастерс", "Tom Masters", "ru"),
    ("статья Тома Мастерса", "Тома Мастерса", "Tom Masters", "ru"),
    ("письмо Тому Мастерсу", "Тому Мастерсу", "Tom Masters", "ru"),
    ("с Томом Мастерсом", "Томом Мастерсом", "Tom Masters", "ru"),
    ("о Томе Мастерсе", "Томе Мастерсе", "Tom Masters", "ru"),
    ("стаття від Тома Мастерса", "Тома Мастерса", "Tom Masters", "uk"),
    ("розмова із Томом Мастерсом", "Томом Мастерсом", "Tom Masters", "uk"),
    ("Томові Мастерсові", "Томові Мастерсові", "Tom Masters", "uk"),
    # a man's consonant-final first name the dictionary files as a woman's (Emmanuelle)
    ("Эммануэль Макрон", "Эммануэль Макрон", "Emmanuel Macron", "ru"),
    ("у Эммануэля Макрона", "Эммануэля Макрона", "Emmanuel Macron", "ru"),
    ("к Эммануэлю Макрону", "Эммануэлю Макрону", "Emmanuel Macron", "ru"),
    ("с Макроном", "Макроном", "Emmanuel Macron", "ru"),
    ("о Макроне", "Макроне", "Emmanuel Macron", "ru"),
    ("від Емманюеля Макрона", "Емманюеля Макрона", "Emmanuel Macron", "uk"),
    ("Макронові", "Макронові", "Emmanuel Macron", "uk"),
    # a woman's name: feminine forms only
    ("Мария Захарова", "Мария Захарова", "Maria Zakharova", "ru"),
    ("у Марии Захаровой", "Марии Захаровой", "Maria Zakharova", "ru"),
    ("спросили Марию Захарову", "Марию Захарову", "Maria Zakharova", "ru"),
    ("по словам Захаровой", "Захаровой", "Maria Zakharova", "ru"),
    ("від Марії Захарової", "Марії Захарової", "Maria Zakharova", "uk"),
    ("з Марією Захаровою", "Марією Захаровою", "Maria Zakharova", "uk"),
    # a first name that declines beside an indeclinable surname (ru), and both (uk)
    ("у Виталия Кличко", "Виталия Кличко", "Vitali Klitschko", "ru"),
    ("с Виталием Кличко", "Виталием Кличко", "Vitali Klitschko", "ru"),
    ("від Віталія Кличка", "Віталія Кличка", "Vitali Klitschko", "uk"),
    # a town that is plural only
    ("из Сум", "Сум", "Sumy", "ru"),
    ("к Сумам", "Сумам", "Sumy", "ru"),
    ("под Сумами", "Сумами", "Sumy", "ru"),
    ("в Сумах", "Сумах", "Sumy", "ru"),
    ("місто Суми", "Суми", "Sumy", "uk"),
    # feminine and masculine places
    ("из Москвы", "Москвы", "Moscow", "ru"),
    ("в Москве", "Москве", "Moscow", "ru"),
    ("у Москві", "Москві", "Moscow", "uk"),
    ("из Харькова", "Харькова", "Kharkiv", "ru"),
    ("в Харькове", "Харькове", "Kharkiv", "ru"),
    ("у Харкові", "Харкові", "Kharkiv", "uk"),
    # organisations: adjective + noun (+ a fixed genitive), ё written as е
    ("в Верховной раде", "Верховной раде", "Verkhovna Rada", "ru"),
    ("у Верховній Раді", "Верховній Раді", "Verkhovna Rada", "uk"),
    ("депутати Верховної Ради", "Верховної Ради", "Verkhovna Rada", "uk"),
    ("бойцы Вооружённых сил Украины", "Вооружённых сил Украины", "Armed Forces of Ukraine", "ru"),
    ("с Вооруженными силами Украины", "Вооруженными силами Украины", "Armed Forces of Ukraine",
     "ru"),
    # a hyphenated name whose first part stays
    ("в Нью-Йорке", "Нью-Йорке", "New York", "ru"),
    ("из Нью-Йорка", "Нью-Йорка", "New York", "ru"),
    # indeclinables match as written
    ("газета Монд", "Монд", "Le Monde", "ru"),
    ("агентство ТАСС", "ТАСС", "TASS", "ru"),
]

# Look-alikes: derived words, other lexemes of a shared stem, common nouns, words that
# agree with nothing, indeclinables declined. None is a form of any entry.
LOOK_ALIKES = [
    "Киевский вокзал",
    "киевский торт",
    "Киевская Русь",
    "о Киевской Руси",
    "киевлянин",
    "киевляне",
    "Киевщина",
    "київський торт",
    "Київська Русь",
    "Київщина",
    "кияни",
    "Зеленская",
    "Елена Зеленская",
    "Зеленська",
    "Зеленин",
    "Зелёный",
    "Владимира Зеленская",
    "Томом Мастерса",
    "Зеленские",
    "Новая газеты Европа",
    "Новой газета Европа",
    "Новой газеты Европы",
    "«Новой газеты»",
    "коалиция",
    "желающих",
    "коалиции желающие",
    "коаліція охочі",
    "Елисейского дворце",
    "Елисейские поля",
    "дворец",
    "Тома Мастерс",
    "мастерская",
    "Мастеру",
    "макрон над буквой",
    "Захаров",
    "Захаровым",
    "Захарове",
    "в Монде",
    "из Монда",
    "ТАССа",
    "сумы и рюкзаки",
    "Сумская область",
    "Сумщина",
    "Московский",
    "москвичи",
    "Харьковский",
    "Харківщина",
    "Нью-Йоркский",
    "Верховная",
    "силы Украины",
]


@pytest.mark.parametrize(("text", "form", "term", "language"), INFLECTED)
def test_inflected_form_found(
    index: SourceIndex, glossary: Glossary, text: str, form: str, term: str, language: str
) -> None:
    assert found(index, glossary, text) == [(form, term, language)]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_not_found(index: SourceIndex, glossary: Glossary, text: str) -> None:
    assert found(index, glossary, text) == []


def test_tables_are_large_enough() -> None:
    assert len(INFLECTED) >= 80
    assert len(LOOK_ALIKES) >= 30


def test_byline_of_the_example(index: SourceIndex, glossary: Glossary) -> None:
    text = "News · Политика\n\nТом Мастерс, специально для «Новой газеты Европа»\n"
    assert found(index, glossary, text) == [
        ("Том Мастерс", "Tom Masters", "ru"),
        ("Новой газеты Европа", "Novaya Gazeta Europe", "ru"),
    ]


def test_longest_form_wins_and_words_are_not_reused(index: SourceIndex, glossary: Glossary) -> None:
    text = "Владимира Зеленского и Зеленского"
    assert found(index, glossary, text) == [
        ("Владимира Зеленского", "Volodymyr Zelensky", "ru"),
        ("Зеленского", "Volodymyr Zelensky", "ru"),
    ]


def test_no_match_across_a_paragraph_or_punctuation(index: SourceIndex, glossary: Glossary) -> None:
    assert found(index, glossary, "Владимира\n\nЗеленского") == [
        ("Зеленского", "Volodymyr Zelensky", "ru")
    ]
    assert found(index, glossary, "Елисейском, дворце") == []


def test_capitalised_form_needs_a_capital(index: SourceIndex, glossary: Glossary) -> None:
    assert found(index, glossary, "в киеве") == []
    assert found(index, glossary, "КОАЛИЦИИ ЖЕЛАЮЩИХ") == [
        ("КОАЛИЦИИ ЖЕЛАЮЩИХ", "Coalition of the Willing", "ru")
    ]


def test_index_pickles(index: SourceIndex, glossary: Glossary) -> None:
    copy = pickle.loads(pickle.dumps(index))
    text = "в Киеве, у Києві и в «Новой газете Европа»"
    tokens = tokenize(text)
    assert find_source_forms(copy, text, tokens) == find_source_forms(index, text, tokens)
    assert copy.fingerprint == morphology.fingerprint()


class _Counting:
    """An analyser that counts the words it is asked about."""

    def __init__(self, real: Any, asked: list[str]) -> None:
        self.real = real
        self.asked = asked

    def parse(self, word: str) -> Any:
        self.asked.append(word)
        return self.real.parse(word)


def test_each_distinct_word_is_analysed_once(
    index: SourceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = morphology.analyzer
    monkeypatch.setattr(morphology, "analyzer", lambda lang: _Counting(real(lang), asked))
    cache: morphology.MorphCache = {}
    text = "в Киеве и в Киеве, снова в Киеве"
    hits = find_source_forms(index, text, tokenize(text), cache)
    again = find_source_forms(index, text, tokenize(text), cache)
    assert len(hits) == len(again) == 3
    assert asked.count("киеве") == 1  # once for Russian; Ukrainian rules it out by no letter
    assert len(asked) == len(set(asked))


def test_words_no_form_starts_like_are_not_analysed(
    index: SourceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = morphology.analyzer
    monkeypatch.setattr(morphology, "analyzer", lambda lang: _Counting(real(lang), asked))
    text = "Президент выступил перед журналистами"
    assert find_source_forms(index, text, tokenize(text), {}) == []
    assert asked == []


def test_merge_prefers_longer_then_exact() -> None:
    exact = [SourceHit(0, 4, 1, "ru", "Киев"), SourceHit(10, 16, 2, "ru", "Европа")]
    inflected = [SourceHit(0, 4, 1, "ru", "Киев"), SourceHit(5, 16, 3, "ru", "Новая газета Европа")]
    assert merge_hits(exact, inflected) == [
        SourceHit(0, 4, 1, "ru", "Киев"),
        SourceHit(5, 16, 3, "ru", "Новая газета Европа"),
    ]


def test_two_entries_sharing_a_form_both_hit(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        entries:
          - term: Kyiv
            sources: {ru: [Киев]}
          - term: Kyiv (city council)
            sources: {ru: [Киев]}
        """), encoding="utf-8")
    glossary = load_glossary(path)
    index = build_source_index(glossary)
    assert found(index, glossary, "в Киеве") == [
        ("Киеве", "Kyiv", "ru"), ("Киеве", "Kyiv (city council)", "ru")
    ]


def test_language_without_a_dictionary_matches_as_written(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("version: 1\nentries:\n  - term: Minsk\n    sources: {be: [Мінск]}\n",
                    encoding="utf-8")
    glossary = load_glossary(path)
    index = build_source_index(glossary)
    assert found(index, glossary, "у Мінск") == [("Мінск", "Minsk", "be")]
    assert found(index, glossary, "у Мінску") == []


def test_nothing_heavy_is_imported_with_the_modules() -> None:
    code = (
        "import sys, glossary_check.engine.morphology, glossary_check.engine.languages, "
        "glossary_check.engine.transliteration\n"
        "heavy = [m for m in ('pymorphy3', 'lingua', 'translitua', 'iuliia') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    assert python_output(code).strip() == ""


def test_words_that_do_not_agree_fall_back_to_the_shorter_form(
    index: SourceIndex, glossary: Glossary
) -> None:
    # Владимиру (dative) and Зеленского (genitive) are not one name; the surname alone is
    assert found(index, glossary, "к Владимиру Зеленского") == [
        ("Зеленского", "Volodymyr Zelensky", "ru")
    ]


def test_a_mans_name_is_not_matched_as_a_womans(index: SourceIndex, glossary: Glossary) -> None:
    # genitive Тома and nominative (or indeclinable feminine) Мастерс agree in neither language
    assert found(index, glossary, "стаття від Тома Мастерс") == []


def test_language_of_a_form_both_languages_share_comes_from_its_paragraph(
    index: SourceIndex, glossary: Glossary
) -> None:
    assert found(index, glossary, "Мер Москви сказав, що Москву ніхто") == [
        ("Москви", "Moscow", "uk"), ("Москву", "Moscow", "uk")
    ]
    assert found(index, glossary, "Мэр сказал, что Москву") == [("Москву", "Moscow", "ru")]


def test_the_analyser_reads_the_dictionary_pymorphy3_would_find(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dictionary's folder is found without pymorphy3's search of every installed
    package's entry points: the same folder, and its own search where its variable says."""
    import pymorphy3

    from glossary_check.engine import morphology

    for language in ("ru", "uk"):
        morph = morphology.analyzer(language)
        assert morph is not None
        assert morph.dictionary.path == pymorphy3.MorphAnalyzer(lang=language).dictionary.path
    monkeypatch.setenv(pymorphy3.MorphAnalyzer.DICT_PATH_ENV_VARIABLE, "/elsewhere")
    assert morphology._dictionary("ru", pymorphy3) is None
    monkeypatch.delenv(pymorphy3.MorphAnalyzer.DICT_PATH_ENV_VARIABLE)
    assert morphology._dictionary("xx", pymorphy3) is None


def test_the_index_key_reads_versions_as_importlib_metadata_does() -> None:
    from importlib import metadata

    from glossary_check.engine import morphology

    for name, package in (("pymorphy3", None), ("pymorphy3-dicts-ru", None),
                          ("pymorphy3-dicts-uk", None), ("no-such-package-x", None),
                          ("lingua-language-detector", "lingua")):
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "none"
        assert morphology.installed_version(name, package) == expected, name

"""Foreign spans cut into natural units, and the language each is in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from glossary_check.engine.languages import identify, letter_candidates, spans
from glossary_check.engine.matching import tokenize

needs_lingua = pytest.mark.skipif(importlib.util.find_spec("lingua") is None,
                                  reason="lingua-language-detector is not installed")
needs_pymorphy = pytest.mark.skipif(importlib.util.find_spec("pymorphy3") is None,
                                    reason="pymorphy3 is not installed")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coalition-of-the-willing.txt"


def cut(text: str, article_language: str = "en") -> list[str]:
    return [text[a:b] for a, b in spans(text, tokenize(text), article_language)]


# --- spans ------------------------------------------------------------------------------


def test_rubric_after_a_separator() -> None:
    assert cut("News · Политика") == ["Политика"]


def test_byline_is_one_span_trimmed_of_the_closing_quote() -> None:
    assert cut("Том Мастерс, специально для «Новой газеты Европа»") == [
        "Том Мастерс, специально для «Новой газеты Европа"
    ]


def test_the_bundled_example() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert cut(text) == ["Политика", "Том Мастерс, специально для «Новой газеты Европа"]


def test_a_quotation_inside_english_prose() -> None:
    assert cut("He said «Мы победим» and left.") == ["Мы победим"]


def test_sentences_are_separate_units() -> None:
    assert cut("«Мы победим. Точно!» Потом ушёл.") == ["Мы победим", "Точно", "Потом ушёл"]


def test_initials_and_abbreviations_do_not_end_a_sentence() -> None:
    assert cut("В. Зеленский приехал в г. Киев, т. е. домой.") == [
        "В. Зеленский приехал в г. Киев, т. е. домой"
    ]


def test_a_new_line_starts_a_unit_unless_a_sentence_wraps() -> None:
    assert cut("Заголовок\nПодзаголовок") == ["Заголовок", "Подзаголовок"]
    assert cut("Он сказал, что\nпереговоры идут") == ["Он сказал, что\nпереговоры идут"]
    assert cut("Первый абзац\n\nвторой абзац") == ["Первый абзац", "второй абзац"]


def test_rubric_separators_cut() -> None:
    assert cut("Новости · Политика | Экономика / Спорт") == [
        "Новости", "Политика", "Экономика", "Спорт"
    ]


def test_a_word_in_the_article_script_ends_a_span() -> None:
    assert cut("Он читал The Times вчера") == ["Он читал", "вчера"]


def test_a_word_mixing_scripts_is_no_part_of_a_span() -> None:
    # Кyiv: Cyrillic К, Latin yiv
    assert cut("слово Кyiv слово") == ["слово", "слово"]


def test_digits_stay_inside_but_not_at_the_edges() -> None:
    assert cut("On 4 сентября 2025 года, 12") == ["сентября 2025 года"]


def test_other_scripts_are_separate_spans() -> None:
    assert cut("Привет Γειά σου") == ["Привет", "Γειά σου"]


def test_article_in_russian_makes_latin_foreign() -> None:
    assert cut("Он читал The New York Times вчера", "ru") == ["The New York Times"]


def test_nothing_foreign() -> None:
    assert cut("Kyiv, 4 September 2025.") == []


# --- identify -------------------------------------------------------------------------


def test_letters_narrow_the_candidates() -> None:
    assert letter_candidates("Політика") == ("uk",)  # і and и: Ukrainian only
    assert letter_candidates("Прывітанне") == ("be",)  # ы and і
    assert letter_candidates("Срећа") == ("sr",)
    assert letter_candidates("Ѓорѓе") == ("mk",)
    assert letter_candidates("Съединение") == ("ru", "bg")  # ъ
    assert letter_candidates("Политика") == ("ru", "uk", "bg", "sr", "mk")
    assert letter_candidates("Вѣра") == ()


@needs_lingua
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Політика", "uk"),
        ("Україна", "uk"),
        ("Дзякуй, ўсё добра", "be"),
        ("Срећа", "sr"),
        ("Ѓорѓе", "mk"),
        ("Войната в Украйна продължава", "bg"),
        ("Зеленский заявил, что переговоры продолжатся", "ru"),
        ("Зеленський заявив, що переговори тривають", "uk"),
        ("Том Мастерс, специально для «Новой газеты Европа»", "ru"),
        ("Экономика", "ru"),
    ],
)
def test_identify(text: str, language: str) -> None:
    assert identify(text) == language


@needs_lingua
@needs_pymorphy
def test_unsure_model_defers_to_a_dictionary_that_knows_the_word() -> None:
    # one word reads the same in Russian, Bulgarian, Serbian and Macedonian
    assert identify("Политика") == "ru"
    assert identify("Москва") == "ru"


@needs_lingua
def test_candidates_restrict_the_answer() -> None:
    assert identify("Політика", ("ru", "uk")) == "uk"
    assert identify("Политика", ("bg", "sr")) in ("bg", "sr")
    assert identify("Срећа", ("ru", "uk")) in ("ru", "uk")
    assert identify("Политика", ("uk",)) == "uk"


def test_text_without_letters_gets_the_first_candidate() -> None:
    assert identify("2025 — 26", ("uk", "ru")) == "uk"


@needs_lingua
def test_bad_candidates() -> None:
    with pytest.raises(ValueError):
        identify("Привет", ())
    with pytest.raises(ValueError, match="xx"):
        identify("Привет", ("ru", "xx"))

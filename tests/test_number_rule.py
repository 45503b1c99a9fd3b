"""`number`: each rendering of a figure the rule accepts, and the discrepancies it reports."""

from __future__ import annotations

import pytest

from glossary_check.core.findings import Finding
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled
from glossary_check.rules.align import pair_documents
from glossary_check.rules.pipeline import Settings, check_document

ONLY = Settings(select=frozenset({"number"}))


def number(bundled: Compiled, source: str, text: str, language: str = "ru",
           name: str = "t.txt", source_name: str = "s.txt") -> list[Finding]:
    original = read_document(source_name, source.encode("utf-8"))
    translation = read_document(name, text.encode("utf-8"))
    pairing = pair_documents(original, translation, bundled, None, language)
    return [f for f in check_document(translation, bundled, ONLY, pairing)
            if f.rule == "number"]


CLEAN = [
    # digits and words, any case form
    ("ru", "Погибли три человека.", "Three people died."),
    ("ru", "Погибли 3 человека.", "Three people died."),
    ("ru", "Погибли двадцать пять человек.", "25 people died."),
    ("ru", "Погибли двадцать пять человек.", "Twenty-five people died."),
    ("ru", "Не хватало двадцати пяти голосов.", "It was 25 votes short."),
    ("ru", "Он встретился с пятью министрами.", "He met five ministers."),
    ("uk", "Загинули п’ятеро і ще двадцять три.", "Five died and 23 more."),
    ("ru", "Задержаны трое мужчин.", "Men were arrested."),
    ("uk", "Він зустрівся з п'ятьма міністрами.", "He met five ministers."),
    ("uk", "Бракувало двадцяти п’яти голосів.", "It was 25 votes short."),
    ("ru", "Сто двадцать три тысячи жителей.", "123,000 residents."),
    # decimal comma, thousands separators
    ("ru", "Рост составил 3,5 процента.", "Growth was 3.5 percent."),
    ("ru", "Пришли 1 500 человек.", "1,500 people came."),
    ("ru", "Пришли 1\u00a0500 человек.", "1,500 people came."),
    ("ru", "Пришли 1\u202f500 человек.", "1,500 people came."),
    ("ru", "Пришли 1\u2009500 человек.", "1500 people came."),
    # scale words and abbreviations
    ("ru", "Ущерб — 3 млн долларов.", "Damage was $3 million."),
    ("ru", "Ущерб — 3 млн. долларов.", "Damage was $3m."),
    ("ru", "Ущерб — 3 миллиона долларов.", "Damage was $3,000,000."),
    ("uk", "Збитки — 3 мільйони доларів.", "Damage was 3 million dollars."),
    ("ru", "Пришли 150 тыс. человек.", "150,000 people came."),
    ("uk", "Прийшли 150 тис. людей.", "150 thousand people came."),
    ("ru", "Бюджет — 2 млрд рублей.", "The budget is 2bn roubles."),
    ("ru", "Бюджет — 2,5 млрд рублей.", "The budget is 2.5 billion roubles."),
    ("ru", "Толпа в 25-тысячную толпу.", "A 25,000-strong crowd."),
    # percentages
    ("ru", "Цены выросли на 5%.", "Prices rose 5 percent."),
    ("ru", "Цены выросли на 5 процентов.", "Prices rose 5%."),
    ("uk", "Ціни зросли на п'ять відсотків.", "Prices rose 5%."),
    # dates, years, decades
    ("ru", "Встреча 3 сентября.", "The meeting on 3 September."),
    ("ru", "Встреча 3 сентября.", "The meeting on September 3."),
    ("ru", "Встреча 3 сентября.", "The meeting on Sept. 3."),
    ("ru", "В конце 2025 года.", "At the end of 2025."),
    ("ru", "Как в 1990-х.", "As in the 1990s."),
    ("ru", "Как в 90-х.", "As in the '90s."),
    ("uk", "Як у 1990-х роках.", "As in the 1990s."),
    # times of day
    ("ru", "Участки закрылись в 13:00.", "Polls closed at 1 p.m."),
    ("uk", "Мітинг о 19 годині.", "The rally is at 7 p.m."),
    # ranges
    ("ru", "Срок — 5–7 лет.", "The term is 5-7 years."),
    ("ru", "Срок — 5–7 лет.", "The term is five to seven years."),
    # Roman numerals
    ("ru", "В XX веке.", "In the 20th century."),
    ("uk", "У XXI столітті.", "In the twenty-first century."),
    ("ru", "В XX веке.", "In the XX century."),
    # approximate words change nothing
    ("ru", "Пришли около 300 человек.", "About 300 people came."),
    ("ru", "Пришли более тысячи человек.", "More than a thousand people came."),
    ("ru", "Почти 40 процентов.", "Nearly 40 percent."),
    # one as a pronoun or an article is not a count
    ("ru", "Один из министров ушёл.", "A minister left."),
    ("ru", "Одна женщина пострадала.", "A woman was hurt."),
    ("uk", "Вони знали один одного тиждень.", "They had known each other for a week."),
    # numbers inside names, either side
    ("ru", "Самолёт Ту-154 разбился.", "The airliner crashed."),
    ("ru", "Пандемия COVID-19 продолжается.", "The pandemic goes on."),
    ("ru", "Саммит G7 открылся.", "The Group of Seven summit opened."),
    # measures a translation converts
    ("ru", "Волны высотой 6 метров.", "Waves as high as 20 feet."),
    ("ru", "Жара до 27 градусов.", "Heat up to 80 degrees."),
    # a word that looks like a number but is not one here
    ("ru", "Он встретил семью.", "He met his family."),
    # no figure in the original: nothing to require
    ("ru", "Переговоры продолжились.", "Talks went on for 3 days."),
    # two after between: the relation gives the count
    ("ru", "Отношения между двумя союзниками по НАТО.", "Relations between the NATO allies."),
    ("uk", "Відносини між двома країнами покращилися.", "Relations of the countries improved."),
    ("uk", "Відносини між двома країнами.", "Relations between the countries."),
]


@pytest.mark.parametrize(("language", "source", "text"), CLEAN)
def test_a_figure_rendered_any_usual_way_is_found(
    bundled: Compiled, language: str, source: str, text: str
) -> None:
    assert number(bundled, source, text, language) == []


FLAGGED = [
    ("ru", "Погибли три человека.", "Four people died."),
    ("ru", "Рост составил 3,5 процента.", "Growth was 35 percent."),
    ("ru", "Ущерб — 3 млн долларов.", "Damage was $3 billion."),
    ("uk", "Збитки — 3 мільйони доларів.", "Damage was $30 million."),
    ("ru", "Встреча 3 сентября.", "The meeting on September 4."),
    ("ru", "Как в 1990-х.", "As in the 1980s."),
    ("ru", "В XX веке.", "In the 19th century."),
    ("ru", "Пришли около 300 человек.", "About 200 people came."),
    ("uk", "Не вистачало двадцяти п’яти голосів.", "It was 26 votes short."),
    ("ru", "Саммит G7 открылся 5 мая.", "The G7 summit opened in May."),
    # between spares two only: other figures, and two elsewhere, are still required
    ("ru", "Отношения между тремя союзниками.", "Relations between the allies."),
    ("ru", "Погибли два человека, отношения между ними плохие.", "People died."),
]


@pytest.mark.parametrize(("language", "source", "text"), FLAGGED)
def test_a_lost_or_changed_figure_is_reported(
    bundled: Compiled, language: str, source: str, text: str
) -> None:
    found = number(bundled, source, text, language)
    assert len(found) == 1
    assert found[0].suggestion is None


def test_the_one_stray_figure_is_pointed_at_as_the_likely_wrong_one(bundled: Compiled) -> None:
    text = "The storm killed 72 people."
    [f] = number(bundled, "Буря унесла жизни 27 человек.", text)
    assert (f.offset, f.text) == (text.index("72"), "72")
    assert "27" in f.message and f.suggestion is None


def test_a_number_inside_a_name_is_never_the_wrong_one(bundled: Compiled) -> None:
    text = "The G20 summit drew 72 leaders."
    [f] = number(bundled, "На саммит G20 приехали 27 лидеров.", text)
    assert f.text == "72"


def test_without_a_stray_figure_the_paragraphs_first_line_is_reported(bundled: Compiled) -> None:
    text = "Prices rose sharply\non Monday."
    [f] = number(bundled, "Цены выросли на 5%.", text)
    assert (f.offset, f.text) == (0, "Prices rose sharply")


def test_paragraphs_are_compared_pair_by_pair_with_crlf_line_ends(bundled: Compiled) -> None:
    source = "Погибли 3 человека.\r\n\r\nРанены 27 человек.\r\n"
    text = "Three people died.\r\n\r\n72 were hurt.\r\n"
    [f] = number(bundled, source, text)
    assert (f.offset, f.text) == (text.index("72"), "72")
    # 3 is in the first paragraph, not in the second: a figure does not travel
    swapped = "Three people died.\r\n\r\n3 were hurt.\r\n"
    [g] = number(bundled, source, swapped)
    assert g.text == "3" and g.offset == swapped.index("3 were")


def test_html_entities_and_no_break_spaces_in_both_files(bundled: Compiled) -> None:
    source = "<p>Пришли 1&nbsp;500 человек.</p>"
    clean = "<p>Some 1,500&nbsp;people came.</p>"
    assert number(bundled, source, clean, name="t.html", source_name="s.html") == []
    wrong = "<p>Some&nbsp;1,600&nbsp;people came.</p>"
    [f] = number(bundled, source, wrong, name="t.html", source_name="s.html")
    assert (f.offset, f.text) == (wrong.index("1,600"), "1,600")


def test_ukrainian_and_russian_number_words_in_oblique_cases(bundled: Compiled) -> None:
    assert number(bundled, "Не хватило трёхсот сорока голосов.", "340 votes short.") == []
    assert number(bundled, "Не вистачило трьохсот сорока голосів.", "340 votes short.",
                  "uk") == []
    assert len(number(bundled, "Не хватило трёхсот сорока голосов.", "350 votes short.")) == 1


def test_silent_without_an_original(bundled: Compiled) -> None:
    translation = read_document("t.txt", b"Prices rose 5 percent.")
    assert [f for f in check_document(translation, bundled, ONLY) if f.rule == "number"] == []


@pytest.mark.parametrize(("source", "text"), [
    ("Собрано 10 миллиардов долларов.", "$10 billion was raised."),
    ("Собрано 10 миллионов долларов.", "$10 million was raised."),
    ("Собрано 10 тысяч долларов.", "$10,000 was raised."),
])
def test_each_scale_word_keeps_its_own_scale(bundled: Compiled, source: str, text: str) -> None:
    assert number(bundled, source, text) == []
    wrong = text.replace("billion", "million") if "billion" in text else text.replace(
        "million", "billion").replace("10,000", "10 million")
    assert len(number(bundled, source, wrong)) == 1

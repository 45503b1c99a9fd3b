"""Romanisation by the desk's system: official examples, capitals kept, systems validated."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("translitua")
pytest.importorskip("iuliia")

from conftest import python_output
from glossary_check.engine.transliteration import (
    DEFAULTS,
    SYSTEMS,
    TransliterationError,
    check_system,
    name_keys,
    reading_ends,
    reads_as,
    same_name,
    transliterate,
    validate,
)

CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")

# Cabinet of Ministers of Ukraine resolution 55 of 27 January 2010: the examples of its table.
NATIONAL_2010 = {
    "Алушта": "Alushta", "Борщагівка": "Borshchahivka", "Вінниця": "Vinnytsia",
    "Гадяч": "Hadiach", "Згорани": "Zghorany", "Ґалаґан": "Galagan", "Дон": "Don",
    "Рівне": "Rivne", "Єнакієве": "Yenakiieve", "Житомир": "Zhytomyr",
    "Закарпаття": "Zakarpattia", "Медвин": "Medvyn", "Іршава": "Irshava",
    "Їжакевич": "Yizhakevych", "Кадиївка": "Kadyivka", "Йосипівка": "Yosypivka",
    "Стрий": "Stryi", "Олексій": "Oleksii", "Київ": "Kyiv", "Лебедин": "Lebedyn",
    "Миколаїв": "Mykolaiv", "Ніжин": "Nizhyn", "Одеса": "Odesa", "Полтава": "Poltava",
    "Ромни": "Romny", "Суми": "Sumy", "Тетерів": "Teteriv", "Ужгород": "Uzhhorod",
    "Фастів": "Fastiv", "Харків": "Kharkiv", "Біла Церква": "Bila Tserkva",
    "Чернівці": "Chernivtsi", "Шостка": "Shostka", "Гоща": "Hoshcha",
    "Щербухи": "Shcherbukhy", "Юрій": "Yurii", "Крюківка": "Kriukivka", "Яготин": "Yahotyn",
    "Ічня": "Ichnia", "Розгон": "Rozghon", "Знам'янка": "Znamianka",
}

# BGN/PCGN 1947 system for Russian: the examples of its published table (middle dot left out).
BGN_PCGN = {
    "Азов": "Azov", "Тамбов": "Tambov", "Барнаул": "Barnaul", "Кубань": "Kuban’",
    "Владимир": "Vladimir", "Ульяновск": "Ul’yanovsk", "Грозный": "Groznyy",
    "Волгодонск": "Volgodonsk", "Дзержинский": "Dzerzhinskiy", "Нелидово": "Nelidovo",
    "Елизово": "Yelizovo", "Чапаевск": "Chapayevsk", "Мейеровка": "Meyyerovka",
    "Юрьев": "Yur’yev", "Белкино": "Belkino", "Ёдва": "Yëdva", "Змииёвка": "Zmiiyëvka",
    "Айёган": "Ayyëgan", "Воробьёво": "Vorob’yëvo", "Кебанъёль": "Keban”yël’",
    "Озёрный": "Ozërnyy", "Жуков": "Zhukov", "Лужники": "Luzhniki", "Иваново": "Ivanovo",
    "Йошкар-Ола": "Yoshkar-Ola", "Бийск": "Biysk", "Кострома": "Kostroma", "Лобня": "Lobnya",
    "Мичуринск": "Michurinsk", "Нальчик": "Nal’chik", "Оренбург": "Orenburg",
    "Петрозаводск": "Petrozavodsk", "Ростов": "Rostov", "Тула": "Tula",
    "Удомля": "Udomlya", "Фурманов": "Furmanov", "Хабаровск": "Khabarovsk",
    "Цимлянск": "Tsimlyansk", "Чебоксары": "Cheboksary", "Шахунья": "Shakhun’ya",
    "Щёлково": "Shchëlkovo", "Подъячево": "Pod”yachevo", "Тында": "Tynda",
    "Элиста": "Elista", "Электрогорск": "Elektrogorsk", "Руэм": "Ruem", "Юрга": "Yurga",
    "Ярославль": "Yaroslavl’",
}


@pytest.mark.parametrize(("cyrillic", "latin"), NATIONAL_2010.items())
def test_ukrainian_national_system(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, "uk") == latin
    assert transliterate(cyrillic, "uk", "national-2010") == latin


@pytest.mark.parametrize(("cyrillic", "latin"), BGN_PCGN.items())
def test_russian_bgn_pcgn_table(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, "ru") == latin


def test_names_from_the_example() -> None:
    assert transliterate("Том Мастерс", "ru") == "Tom Masters"
    assert transliterate("Зеленский", "ru") == "Zelenskiy"
    assert transliterate("Киев", "ru") == "Kiyev"
    assert transliterate("Володимир Зеленський", "uk") == "Volodymyr Zelenskyi"


def test_capitals_are_kept_word_by_word() -> None:
    assert transliterate("ЩЕРБУХИ", "uk") == "SHCHERBUKHY"
    assert transliterate("ЮРІЙ Щербухи", "uk") == "YURII Shcherbukhy"
    assert transliterate("ЩЁЛКОВО", "ru") == "SHCHËLKOVO"
    assert transliterate("ЮЛИЯ Тимошенко", "ru") == "YULIYA Timoshenko"
    assert transliterate("МакКейн", "ru") == "MakKeyn"
    assert transliterate("ЩЁЛКОВО", "ru", "wikipedia") == "SHCHYOLKOVO"
    assert transliterate("Щёлково", "ru", "scientific") == "Ščëlkovo"


def test_typographic_apostrophes_are_dropped_like_the_plain_one() -> None:
    assert transliterate("Знам’янка", "uk") == "Znamianka"
    assert transliterate("Знамʼянка", "uk") == "Znamianka"


def test_the_middle_dot_is_left_out() -> None:
    # the published system allows t·s and sh·ch to tell тс from ц; names are printed without it
    assert transliterate("Вяртсиля", "ru") == "Vyartsilya"
    assert transliterate("Ташчишма", "ru") == "Tashchishma"


def test_text_around_names_passes_through() -> None:
    assert transliterate("Kyiv, 4 September — Киев!", "ru") == "Kyiv, 4 September — Kiyev!"


def test_other_russian_systems() -> None:
    assert transliterate("Зеленский", "ru", "wikipedia") == "Zelensky"
    assert transliterate("Юрьев", "ru", "icao-doc-9303") == "Iurev"
    assert transliterate("Щёлково", "ru", "gost-779") == "Ŝëlkovo"


def test_other_ukrainian_systems() -> None:
    assert transliterate("Щербухи", "uk", "iso-9") == "Ŝerbuhi"
    assert transliterate("Згорани", "uk", "bgn-pcgn") == "Zghorany"


@pytest.mark.parametrize(("cyrillic", "latin"), {
    "София": "Sofia", "Търговище": "Targovishte", "Горна Оряховица": "Gorna Oryahovitsa",
    "Кърджали": "Kardzhali", "Пещера": "Peshtera", "Шумен": "Shumen", "Хасково": "Haskovo",
    "Ямбол": "Yambol", "Юнаците": "Yunatsite",
}.items())
def test_bulgarian_streamlined_system(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, "bg") == latin


@pytest.mark.parametrize(("cyrillic", "latin"), {
    "Ђорђе": "Đorđe", "Љубљана": "Ljubljana", "ЉУБЉАНА": "LJUBLJANA", "Њујорк": "Njujork",
    "Џон": "Džon", "Ћуприја": "Ćuprija", "Шабац": "Šabac", "Чачак": "Čačak", "Жабаљ": "Žabalj",
}.items())
def test_serbian_latin_alphabet(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, "sr") == latin


RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
UKRAINIAN = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'"


@pytest.mark.parametrize(("language", "system"),
                         [(lang, system) for lang, names in SYSTEMS.items() for system in names])
def test_every_system_leaves_no_cyrillic(language: str, system: str) -> None:
    alphabet = {"ru": RUSSIAN, "uk": UKRAINIAN, "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
                "sr": "абвгдђежзијклљмнњопрстћуфхцчџш"}[language]
    text = f"{alphabet} {alphabet.upper()} {alphabet.capitalize()}"
    out = transliterate(text, language, system)
    assert not CYRILLIC.search(out), out


@given(st.lists(st.text(alphabet=RUSSIAN, min_size=1, max_size=12), min_size=1, max_size=4))
def test_bgn_pcgn_keeps_case_and_script(words: list[str]) -> None:
    text = " ".join(w.capitalize() for w in words)
    out = transliterate(text, "ru")
    assert not CYRILLIC.search(out)
    outs = out.split(" ")
    assert len(outs) == len(words)
    for word, latin in zip(words, outs, strict=True):
        letters = [c for c in latin if c.isalpha()]
        if word[0] not in "ъь":  # the signs romanise to primes, which have no case
            assert letters[0].isupper()
        assert all(c.islower() for c in letters[1:])
    # a word in capitals comes out in capitals; a lone capital is an initial (Е. → Ye.)
    long_words = " ".join(w for w in words if len(w) > 1)
    capitals = long_words.upper()
    assert transliterate(capitals, "ru") == transliterate(long_words, "ru").upper()
    assert transliterate("Е. Ю.", "ru") == "Ye. Yu."


def test_defaults() -> None:
    assert DEFAULTS["uk"] == "national-2010"
    assert DEFAULTS["ru"] == "bgn-pcgn"
    for language, system in DEFAULTS.items():
        assert SYSTEMS[language][0] == system


def test_a_language_without_a_system_comes_back_as_written() -> None:
    assert transliterate("Беларусь", "be") == "Беларусь"
    with pytest.raises(TransliterationError, match="'be'"):
        transliterate("Беларусь", "be", "bgn-pcgn")


def test_unknown_system_is_a_clear_error() -> None:
    check_system("uk", "national-2010")
    with pytest.raises(TransliterationError) as caught:
        check_system("uk", "kmu")
    message = str(caught.value)
    assert "'kmu'" in message and "national-2010" in message
    with pytest.raises(TransliterationError, match="no transliteration systems"):
        check_system("xx", "bgn-pcgn")
    with pytest.raises(TransliterationError):
        transliterate("Киев", "ru", "bgn")
    validate({"uk": "national-2010", "ru": "bgn-pcgn"})
    with pytest.raises(TransliterationError, match="'ru'"):
        validate({"uk": "national-2010", "ru": "national-2010"})
    assert issubclass(TransliterationError, ValueError)


def _in_processes(code: str, files: tuple[str, ...] = ()) -> set[str]:
    """What `code` prints under four string-hash seeds (each worker process has its own)."""
    import os

    seen = set()
    for seed in range(1, 5):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        seen.add(python_output(code, *files, env=env))
    return seen


def test_readings_stop_at_the_same_place_in_every_process() -> None:
    """`readings` stops at a limit: the letters a Latin chunk may stand for are walked in
    a fixed order, or two workers would read one name differently."""
    code = ("from glossary_check.engine.transliteration import desk_renders, readings; "
            "print([(readings(w), desk_renders(w, {})) "
            "for w in ('Pliechykenko', 'Shcherbytskyi', 'Khmelnytskyi')])")
    assert len(_in_processes(code)) == 1


def test_a_report_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Two spellings of a made-up name seen once each: which one is suggested must not
    depend on the process (`--jobs` spreads files over several)."""
    glossary = tmp_path / "g.yaml"
    glossary.write_text("version: 1\nlanguage: en\nentries:\n- term: Kyiv\n  variants: [Kiev]\n",
                        encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("On Monday, Pliechykenko met the envoy.\n\n"
                       "Later, Plechikenko said the talks went well.\n", encoding="utf-8")
    code = ("import sys; from glossary_check.commands.cli import main; "
            "sys.exit(main(['-g', sys.argv[1], '--no-translate', '--no-cache', '-f', 'json', "
            "'--fail-on', 'never', '--select', 'inconsistent', sys.argv[2]]))")
    seen = _in_processes(code, (str(glossary), str(article)))
    assert len(seen) == 1, seen
    assert '"rule": "inconsistent"' in seen.pop()


NAMES = ("Sobyanin", "Sobianin", "Zelensky", "Zelenskyy", "Zelenskiy", "Zelenski", "Volkov",
         "Wolkow", "Hanna", "Ganna", "Stevens", "Stephens", "Zorica", "Zoria", "Tchaikovsky",
         "Czajkowski", "Chaikovskyi", "Dmytro", "Dmitro", "Kuleba", "O'Neill", "Shcherbytskyi",
         "Khmelnytskyi", "Xenia", "Ksenia", "Kseniia", "Kheshany", "Kheshani", "Ilya", "Illia",
         "Yuliya", "Yulia", "Iuliia", "Jurij", "Yuri", "Pod'yachev", "Podyachev", "Łukasz", "É",
         "Ëlkin", "Yolkin", "Aa", "Q", "")


def test_spellings_that_are_one_name_share_a_key() -> None:
    """`name_keys` is what lets a list of names be compared only where keys meet: it must
    never keep apart two spellings `same_name` joins."""
    from glossary_check.engine.transliteration import name_keys

    joined = 0
    for a in NAMES:
        for b in NAMES:
            if same_name(a, b):
                joined += a != b
                assert name_keys(a) & name_keys(b), (a, b)
    assert joined > 20  # the list has pairs that are one name
    assert not name_keys("Sobyanin") & name_keys("Kuleba")


@given(st.text(alphabet="aeiouyjkhcsztdgvwnlrxqi'", min_size=1, max_size=7),
       st.text(alphabet="aeiouyjkhcsztdgvwnlrxqi'", min_size=1, max_size=7))
def test_name_keys_never_part_one_name(a: str, b: str) -> None:
    if same_name(a, b):
        assert name_keys(a) & name_keys(b)


@pytest.mark.parametrize("cyrillic", ["Собянин", "Борщагівка", "Зеленський", "Ганна", "Пєсков",
                                      "Ъ", "ь", "", "Ольга"])
@pytest.mark.parametrize("latin", ["Sobianin", "Sobyanin", "Borshchagivka", "Zelenskyy",
                                   "Zelenski", "Hanna", "Ganna", "Peskov", "Olha", "Olga", "", "Y"])
def test_a_name_read_back_holds_its_reading_ends_among_the_spellings_keys(
    latin: str, cyrillic: str
) -> None:
    """A check asks `reads_as` only of names whose ends the spelling's keys hold."""
    ends = reading_ends(cyrillic)
    if reads_as(latin, cyrillic):
        assert ends is None or ends in name_keys(latin)


def test_reading_ends_are_of_the_name_without_its_soft_signs() -> None:
    assert reading_ends("Ольга") == ("о", "а") and reading_ends("Пєсковь") == ("п", "в")
    assert reading_ends("ьъ") is None and reading_ends("") is None
    assert reads_as("Sobianin", "Собянин") and reading_ends("Собянин") in name_keys("Sobianin")

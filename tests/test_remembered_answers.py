"""Answers worked out with a model or a dictionary, kept in the cache (`engine.remembered`,
`cache.answers`): the same answers as asking the model and the dictionaries, asked no more
for words seen before, and as untrusted as any cache file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glossary_check.cache import answers
from glossary_check.engine import languages, remembered

TEXTS = [("Андрому", ("ru", "uk")), ("В мире", languages.CANDIDATES),
         ("Новости · Политика", languages.CANDIDATES), ("Игоря Терехова", ("ru", "uk")),
         ("Київ", ("ru", "uk")), ("Сербија", languages.CANDIDATES), ("123", ("ru", "uk"))]


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    remembered.keep_answers(lambda: answers.load(tmp_path, []))
    yield tmp_path
    remembered.keep_answers(None)


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the model or a dictionary is asked about from now on."""
    asked: list[str] = []
    model, dictionary = languages.confidences, languages._dictionary_knows

    def counted_model(text: str, candidates: tuple[str, ...] = languages.CANDIDATES
                      ) -> dict[str, float]:
        asked.append(text)
        return model(text, candidates)

    def counted_dictionary(text: str, language: str) -> bool:
        asked.append(text)
        return dictionary(text, language)

    monkeypatch.setattr(languages, "confidences", counted_model)
    monkeypatch.setattr(languages, "_dictionary_knows", counted_dictionary)
    return asked


def test_kept_answers_are_the_answers_and_spare_the_model(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {}
    remembered.keep_answers(None)
    for text, candidates in TEXTS:
        expected[text] = languages.identify(text, candidates)
    remembered.keep_answers(lambda: answers.load(kept, []))
    first = {text: languages.identify(text, candidates) for text, candidates in TEXTS}
    assert first == expected
    new = remembered.new_answers()
    assert languages.answer_key("Андрому", ("ru", "uk")) in new
    assert languages.answer_key("123", ("ru", "uk")) not in new, "letters decide: not kept"
    assert answers.save(kept, new, [])
    asked = _asked(monkeypatch)
    remembered.keep_answers(lambda: answers.load(kept, []))
    assert {text: languages.identify(text, candidates) for text, candidates in TEXTS} == expected
    assert asked == [], "every text seen before: neither the model nor a dictionary asked"
    assert remembered.new_answers() == {}


def test_an_answer_that_is_not_a_candidate_is_not_used(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = languages.answer_key("Андрому", ("ru", "uk"))
    remembered.keep_answers(lambda: {key: "sr"})
    asked = _asked(monkeypatch)
    assert languages.identify("Андрому", ("ru", "uk")) in ("ru", "uk")
    assert asked, "asked afresh"


def test_unknown_candidates_are_refused_whatever_is_kept(kept: Path) -> None:
    key = languages.answer_key("Андрому", ("ru", "xx"))
    remembered.keep_answers(lambda: {key: "ru"})
    with pytest.raises(ValueError, match="does not know 'xx'"):
        languages.identify("Андрому", ("ru", "xx"))


def test_runs_add_to_what_is_kept(tmp_path: Path) -> None:
    assert answers.save(tmp_path, {"ru,uk|a": "ru"}, [])
    assert answers.save(tmp_path, {"ru,uk|b": "uk"}, [])
    assert dict(answers.load(tmp_path, [])) == {"ru,uk|a": "ru", "ru,uk|b": "uk"}
    assert not answers.save(tmp_path, {}, []), "nothing new: nothing written"


def test_a_damaged_or_someone_elses_file_is_as_if_there_were_none(tmp_path: Path) -> None:
    assert answers.save(tmp_path, {"ru,uk|a": "ru"}, [])
    [file] = tmp_path.glob(f"{answers.KIND}-*.bin")
    data = file.read_bytes()
    file.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    assert dict(answers.load(tmp_path, [])) == {}
    file.write_bytes(data)
    os.chmod(file, 0o666)
    notices: list[str] = []
    assert dict(answers.load(tmp_path, notices)) == {}
    assert any("writable by other users" in n for n in notices)


def test_the_key_names_the_model_the_dictionaries_the_lists_and_the_code() -> None:
    key = remembered.fingerprint()
    assert all(name in key for name in (
        "lingua-language-detector=", "wordfreq=", "iuliia=", "translitua=", "pymorphy3=",
        "pymorphy3-dicts-ru=", "pymorphy3-dicts-uk="))


def test_a_remembered_function_answers_as_itself(tmp_path: Path) -> None:
    """A name's dictionary form, a common word, a name's words in the nominative: the same
    from the kept answers as worked out, and not worked out again."""
    from glossary_check.engine.morphology import dictionary_forms
    from glossary_check.rules.inconsistent import _dictionary_form
    from glossary_check.rules.untranslated import common_word

    calls = [(_dictionary_form, ("Собянина", "ru")), (_dictionary_form, ("Києві", "uk")),
             (common_word.__wrapped__, ("Политика", "ru")),
             (common_word.__wrapped__, ("Терехова", "ru")),
             (dictionary_forms, (["Игоря", "Терехова"], "ru")),
             (dictionary_forms, (["Кривому", "Розі"], "uk"))]
    expected = [f(*args) for f, args in calls]
    remembered.keep_answers(lambda: answers.load(tmp_path, []))
    assert [f(*args) for f, args in calls] == expected
    assert len(remembered.new_answers()) == len(calls)
    assert answers.save(tmp_path, remembered.new_answers(), [])
    remembered.keep_answers(lambda: answers.load(tmp_path, []))
    from glossary_check.engine import morphology

    morphology.analyzer.cache_clear()
    try:
        import unittest.mock

        with unittest.mock.patch.object(morphology, "analyzer", side_effect=AssertionError):
            assert [f(*args) for f, args in calls] == expected
    finally:
        morphology.analyzer.cache_clear()
        remembered.keep_answers(None)
    assert expected[0] == "Собянин" and expected[4] == ["Игорь", "Терехов"]


def test_the_transliteration_tables_and_readings_answer_as_themselves(tmp_path: Path) -> None:
    """The table of Latin chunks read back to Cyrillic comes back with its tuples and its
    order; a reading's answer is the same kept as worked out."""
    from glossary_check.engine import transliteration

    transliteration._reverse.cache_clear()
    transliteration.reads_as.cache_clear()
    table = transliteration._reverse()
    pairs = [("Sobyanin", "Собянин"), ("Zelenskyy", "Зеленський"), ("Smith", "Собянин")]
    expected = [transliteration.reads_as(a, b) for a, b in pairs]
    remembered.keep_answers(lambda: answers.load(tmp_path, []))
    try:
        transliteration._reverse.cache_clear()
        transliteration.reads_as.cache_clear()
        assert transliteration._reverse() == table
        assert [transliteration.reads_as(a, b) for a, b in pairs] == expected
        assert answers.save(tmp_path, remembered.new_answers(), [])
        remembered.keep_answers(lambda: answers.load(tmp_path, []))
        transliteration._reverse.cache_clear()
        transliteration.reads_as.cache_clear()
        kept = transliteration._reverse()
        assert kept == table and list(kept) == list(table)
        assert all(type(v) is tuple for v in kept.values())
        assert [transliteration.reads_as(a, b) for a, b in pairs] == expected
        assert remembered.new_answers() == {}, "every answer was kept"
    finally:
        remembered.keep_answers(None)
        transliteration._reverse.cache_clear()
        transliteration.reads_as.cache_clear()
    assert expected == [True, True, False]


def test_an_answer_that_does_not_decode_or_fit_is_worked_out_again(tmp_path: Path) -> None:
    from glossary_check.rules.inconsistent import _dictionary_form

    expected = _dictionary_form("Собянина", "ru")
    remembered.keep_answers(lambda: {})
    _dictionary_form("Собянина", "ru")
    [key] = remembered.new_answers()
    try:
        for forged in ("{not json", "1", "null", '["Собянин"]', "[" * 100_000):
            remembered.keep_answers(lambda forged=forged: {key: forged})
            assert _dictionary_form("Собянина", "ru") == expected, forged
    finally:
        remembered.keep_answers(None)


def test_kept_answers_of_another_shape_are_refused() -> None:
    assert remembered.number(1.5) == 1.5 and remembered.truth(False) is False
    assert remembered.table({"a": ["б", "в"]}) == {"a": ("б", "в")}
    for check, value in ((remembered.number, 1), (remembered.number, "1.5"),
                         (remembered.truth, 0), (remembered.text, None),
                         (remembered.texts, ["a", 1]), (remembered.texts, "ab"),
                         (remembered.table, {"a": "б"}), (remembered.table, [["a", "б"]])):
        with pytest.raises(ValueError):
            check(value)


def test_a_run_keeps_what_it_identified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line reads the kept answers and adds its own; `--no-cache` neither."""
    from glossary_check.commands import cli
    from glossary_check.rules import inconsistent, untranslated

    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    article = tmp_path / "a.txt"
    article.write_text("Mayor Sobyanin spoke.\n\nНовости · Политика\n\nВ мире\n",
                       encoding="utf-8")
    untranslated._language.cache_clear()  # what this process identified already
    inconsistent._romanised_name.cache_clear()
    cli.main(["-f", "json", "--fail-on", "never", str(article)])
    kept = dict(answers.load(tmp_path / "cache", []))
    assert languages.answer_key("В мире", languages.CANDIDATES) in kept
    assert all(v in languages.CANDIDATES for k, v in kept.items() if k.startswith("identify|"))
    assert any(k.startswith("common-word|") for k in kept)
    cli.main(["-f", "json", "--fail-on", "never", "--no-cache", str(article)])
    capsys.readouterr()
    assert remembered.answers_source() is None


RUBRICS = ["Политика", "Город", "Культура", "Спорт", "Наука", "Общество", "Мнения",
           "Главное", "Новости", "Расследования"]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_what_workers_identify_is_kept_by_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """A parallel run keeps the answers its worker processes worked out, whether they were
    forked (the parent has checked a file first) or spawned (it has checked none)."""
    import functools
    import multiprocessing

    from glossary_check.engine.compiled import compile_all
    from glossary_check.engine.glossary import load_glossary
    from glossary_check.rules import untranslated
    from glossary_check.rules.pipeline import Settings
    from glossary_check.workflow import runner

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context(start))
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("version: 1\nlanguage: en\nentries:\n  - term: Kyiv\n",
                        encoding="utf-8")
    paths = []
    for i, rubric in enumerate(RUBRICS):
        article = tmp_path / f"a{i}.txt"
        article.write_text(f"The mayor spoke.\n\n{rubric}\n", encoding="utf-8")
        paths.append(str(article))
    untranslated._language.cache_clear()  # what this process identified already
    remembered.keep_answers(functools.partial(answers.load, tmp_path / "kept", []))
    try:
        compiled = compile_all(load_glossary(glossary))
        results = runner._Parallel(paths, compiled, Settings(), None, None, None).run(2)
        assert len(results) == len(paths)
        identified = [k for k in remembered.new_answers() if k.startswith("identify|")]
    finally:
        remembered.keep_answers(None)
    assert all(any(k.endswith(f"|{rubric}") for k in identified) for rubric in RUBRICS)


def _save_in_process(args: tuple[str, dict[str, str], Any]) -> bool:
    """Keep answers, reading the kept file at the same moment as the other process and
    taking a while before writing: without turns, one would write over the other."""
    import time

    directory, new, barrier = args
    read = answers.load

    def slow(where: Path, notices: list[str]) -> Any:
        found = read(where, notices)
        time.sleep(0.5)
        return found

    answers.load = slow  # type: ignore[assignment]
    barrier.wait()
    return answers.save(Path(directory), new, [])


def test_processes_keeping_answers_at_once_take_turns(tmp_path: Path) -> None:
    import multiprocessing

    shares = [{"identify|ru,uk|Политика": "ru"}, {"identify|ru,uk|Спорт": "ru"}]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            assert pool.map(_save_in_process,
                            [(str(tmp_path), share, barrier) for share in shares]) == [True, True]
    assert dict(answers.load(tmp_path, [])) == {**shares[0], **shares[1]}


def test_an_answer_about_a_long_text_is_not_kept(kept: Path) -> None:
    """A long foreign passage is identified as ever, but not kept: hostile articles cannot
    grow the kept file that every later run reads."""
    short = "Новости · Политика"
    long = " ".join(["Новости и политика за неделю"] * 60)
    assert len(languages.answer_key(long, languages.CANDIDATES)) > remembered.KEY_MAX
    assert languages.identify(short) == languages.identify(long) == "ru"
    new = remembered.new_answers()
    assert not any(key.endswith(long) for key in new)
    assert any(key.endswith("Политика") for key in new)

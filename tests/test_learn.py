"""`glossary-check learn`: names linked to renderings, proposals loadable as a glossary,
the current glossary compared, spellings of one name in English alone, Dask equal to serial,
and precision on real text against the committed judgements."""

from __future__ import annotations

import importlib.util
import json
import sys
from argparse import Namespace
from pathlib import Path
from types import ModuleType

import pytest

from glossary_check.commands.cli import main
from glossary_check.commands.learn import directory_pairs, learn_items, manifest_pairs
from glossary_check.core.errors import UsageError
from glossary_check.engine.glossary import load_glossary
from glossary_check.workflow.learn import Thresholds, learn, read_english, read_pair
from glossary_check.workflow.learn.propose import derived, word_similarity
from glossary_check.workflow.learn.render import glossary_yaml, render

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


syn = _load("learn_synthetic")


def _pair(tmp_path: Path, name: str, ru: str, en: str) -> tuple[Path, Path]:
    (tmp_path / "ru").mkdir(exist_ok=True)
    (tmp_path / "en").mkdir(exist_ok=True)
    a, b = tmp_path / "ru" / name, tmp_path / "en" / name
    a.write_text(ru, "utf-8")
    b.write_text(en, "utf-8")
    return a, b


def _learn(paths: list[tuple[Path, Path]], **kw: object) -> object:
    pairs = [read_pair(str(a), str(b), a.read_bytes(), b.read_bytes(), "ru") for a, b in paths]
    english = [read_english(str(b), b.read_bytes()) for _, b in paths]
    return learn(pairs, english=english, **kw)  # type: ignore[arg-type]


def test_inflected_names_are_taken_back_to_their_dictionary_form(tmp_path: Path) -> None:
    paths = [
        _pair(tmp_path, "a.txt", "Встреча Собянина с министрами.\n\nПо словам Собянина, да.\n",
              "The meeting of Sobyanin with ministers.\n\nAccording to Sobyanin, yes.\n"),
        _pair(tmp_path, "b.txt", "Журналисты спросили Собянина о бюджете.\n",
              "Reporters asked Sobianin about the budget.\n"),
    ]
    learned = _learn(paths)
    (proposal,) = learned.proposals  # type: ignore[attr-defined]
    assert proposal.term == "Sobyanin" and proposal.variants == ("Sobianin",)
    assert dict(proposal.sources) == {"ru": ("Собянин",)} and proposal.kind == "person"
    assert "desk's transliteration" in proposal.reason
    evidence = proposal.names[0]
    assert [(r.text, r.count) for r in evidence.renderings] == [("Sobyanin", 2), ("Sobianin", 1)]
    assert evidence.examples[0].line == 1 and evidence.examples[0].column == 9


def test_every_parse_counts_the_one_the_translation_reads_as_wins() -> None:
    assert word_similarity("Київ", "uk", "Kyiv") == 1.0
    assert word_similarity("Кий", "uk", "Kyiv") < 1.0
    assert derived("Indonesian", "Индонезия", "ru") and not derived("Washington", "Вашингтон", "ru")


def test_the_commonest_rendering_when_the_desk_has_none(tmp_path: Path) -> None:
    text_ru = "Вчера Аберкромби выступил.\n"
    paths = [_pair(tmp_path, f"{i}.txt", text_ru, "Yesterday Abercrombie spoke.\n")
             for i in range(3)]
    (proposal,) = _learn(paths).proposals  # type: ignore[attr-defined]
    assert proposal.term == "Abercrombie" and "commonest rendering" in proposal.reason


def test_thresholds_drop_rare_names_and_rare_renderings(tmp_path: Path) -> None:
    paths = [_pair(tmp_path, f"{i}.txt", "Вчера Собянин выступил.\n",
                   f"Yesterday {'Sobianin' if i == 0 else 'Sobyanin'} spoke.\n")
             for i in range(10)]
    learned = _learn(paths, thresholds=Thresholds(min_count=2, min_share=0.2))
    assert learned.proposals[0].variants == ()  # type: ignore[attr-defined]
    assert _learn(paths[:1]).proposals == []  # type: ignore[attr-defined]


def test_the_generated_archive_and_the_proposals_load_as_a_glossary(tmp_path: Path) -> None:
    made = syn.generate(tmp_path / "arch", 120, seed=3)
    items = [(str(e), str(r)) for r, e in made]
    args = Namespace(language="ru", jobs=None, scheduler=None, batch_size=50, timeout=30,
                     no_translate=True, quiet=True, min_count=2, min_share=0.1)
    learned = learn_items(items, glossary=None, args=args)
    s = syn.score(learned.proposals)
    assert s.recall >= 0.9 and s.precision >= 0.95, (s.missed, s.extra)
    out = tmp_path / "proposals.yaml"
    out.write_text(glossary_yaml(learned), "utf-8")
    glossary = load_glossary(out)
    assert {e.term for e in glossary.entries} == {p.term for p in learned.proposals}
    # the order pairs are read in changes nothing
    shuffled = learn_items(items[::-1], glossary=None, args=args)
    assert glossary_yaml(shuffled) == glossary_yaml(learned)
    assert render(shuffled, "json") == render(learned, "json")


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_serial_result(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    made = syn.generate(tmp_path / "arch", 60, seed=5)
    items = [(str(e), str(r)) for r, e in made]
    base = dict(language="ru", scheduler=None, batch_size=10, timeout=60, no_translate=True,
                quiet=True, min_count=2, min_share=0.1)
    serial = learn_items(items, glossary=None, args=Namespace(jobs=None, **base))
    on_dask = learn_items(items, glossary=None, args=Namespace(jobs=2, **base))
    assert glossary_yaml(on_dask) == glossary_yaml(serial)
    assert render(on_dask, "json") == render(serial, "json")


def test_the_current_glossary_contradicted_lacking_and_unused(tmp_path: Path) -> None:
    paths = [_pair(tmp_path, f"{i}.txt", "Делегация прибыла в Киев утром.\n",
                   "The delegation arrived in Kiev in the morning.\n") for i in range(3)]
    paths.append(_pair(tmp_path, "z.txt", "Вчера Собянин выступил.\n\nВчера Собянин ушёл.\n",
                       "Yesterday Sobyanin spoke.\n\nYesterday Sobyanin left.\n"))
    gloss = tmp_path / "g.yaml"
    gloss.write_text("version: 1\nentries:\n"
                     "  - term: Kyiv\n    kind: place\n    sources: {ru: [Киев]}\n"
                     "  - term: Vilnius\n    sources: {ru: [Вильнюс]}\n", "utf-8")
    learned = _learn(paths, glossary=load_glossary(gloss))
    kinds = {(n.kind, n.term) for n in learned.glossary}  # type: ignore[attr-defined]
    assert {("contradicted", "Kyiv"), ("lacking", "Kyiv"), ("unused", "Vilnius")} <= kinds
    contradicted = next(n for n in learned.glossary if n.kind == "contradicted")  # type: ignore[attr-defined]
    assert "Kiev 3 times in 3 articles" in contradicted.message
    assert [p.term for p in learned.proposals] == ["Sobyanin"]  # type: ignore[attr-defined]


def test_spellings_of_one_name_in_english_alone(tmp_path: Path) -> None:
    for i, name in enumerate(["Sobyanin", "Sobyanin", "Sobianin", "Sobyanin"]):
        (tmp_path / f"{i}.txt").write_text(f"On Monday, mayor {name} spoke.\n", "utf-8")
    english = [read_english(str(p), p.read_bytes()) for p in sorted(tmp_path.iterdir())]
    (proposal,) = learn([], english=english).proposals
    assert proposal.origin == "english" and proposal.term == "Sobyanin"
    assert proposal.variants == ("Sobianin",)


def test_the_command_line_writes_both_and_reads_a_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        _pair(tmp_path, f"{i}.txt", "Жители Самары недовольны ценами.\n",
              "Residents of Samara are unhappy with prices.\n")
    out, report = tmp_path / "p.yaml", tmp_path / "r.html"
    assert main(["learn", str(tmp_path / "ru"), str(tmp_path / "en"), "-o", str(out),
                 "--report", str(report), "--format", "html", "--no-translate",
                 "--no-config"]) == 0
    assert [e.term for e in load_glossary(out).entries] == ["Samara"]
    page = report.read_text("utf-8")
    assert "Content-Security-Policy" in page and "Самара" in page
    manifest = tmp_path / "pairs.tsv"
    manifest.write_text("# pairs\nru/0.txt\ten/0.txt\nru/1.txt\ten/1.txt\n", "utf-8")
    assert manifest_pairs(str(manifest))[0] == (str(tmp_path / "ru/0.txt"),
                                                str(tmp_path / "en/0.txt"))
    assert main(["learn", "--pairs", str(manifest), "-o", "-", "--format", "json",
                 "--report", str(tmp_path / "r.json"), "--no-translate", "--no-config"]) == 0
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["pairs"] == 2
    capsys.readouterr()
    manifest.write_text("ru/0.txt\n", "utf-8")
    assert main(["learn", "--pairs", str(manifest), "--no-config"]) == 2
    assert f"{manifest}:1:1" in capsys.readouterr().err


def test_unreadable_files_are_errors_not_crashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pair(tmp_path, "a.txt", "Вчера Собянин выступил.\n", "Yesterday Sobyanin spoke.\n")
    (tmp_path / "ru" / "b.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "en" / "b.txt").write_bytes(b"\x00\x01\x02")
    status = main(["learn", str(tmp_path / "ru"), str(tmp_path / "en"), "-o",
                   str(tmp_path / "p.yaml"), "--report", str(tmp_path / "r.txt"),
                   "--no-translate", "--no-config"])
    assert status == 2 and "b.txt" in capsys.readouterr().err
    load_glossary(tmp_path / "p.yaml")


def test_machine_translation_links_what_transliteration_cannot(tmp_path: Path) -> None:
    class Fake:
        def pairs(self) -> set[tuple[str, str]]:
            return {("ru", "en")}

        def translate_batch(self, texts: list[str], source: str, target: str
                            ) -> list[str | None]:
            return ["Sweden" if t.startswith("Швеци") else None for t in texts]

    paths = [_pair(tmp_path, f"{i}.txt", "Делегация прибыла в Швецию утром.\n",
                   "The delegation arrived in Sweden in the morning.\n") for i in range(2)]
    learned = _learn(paths, translator=Fake())
    (proposal,) = learned.proposals  # type: ignore[attr-defined]
    assert proposal.term == "Sweden"
    assert proposal.names[0].renderings[0].how == (("machine translation", 2),)


# --- precision on real text against the committed judgements --------------------------------


@pytest.mark.slow
def test_judged_precision_on_ntrex_dev() -> None:
    real = _load("learn_real")
    if not (real.DEFAULT_CORPUS / "ru").is_dir():
        pytest.skip(f"the ntrex-dev corpus is not at {real.DEFAULT_CORPUS}")
    c = real.compare(real.measure(real.DEFAULT_CORPUS), real.load_judgements())
    assert c.unjudged == [], "judge them: python bench/learn_real.py --write-unjudged"
    assert c.judged > 100 and c.precision >= real.MIN_PRECISION, c.wrong


def test_a_full_name_is_folded_into_its_surname_with_its_own_fix(tmp_path: Path) -> None:
    paths = [
        _pair(tmp_path, f"{i}.txt",
              "Вчера Дональд Трамп выступил.\n\nПо словам Трампа, да.\n",
              f"Yesterday {'Donal Trump' if i == 0 else 'Donald Trump'} spoke.\n\n"
              "According to Trump, yes.\n")
        for i in range(3)
    ]
    learned = _learn(paths)
    (proposal,) = learned.proposals  # type: ignore[attr-defined]
    assert proposal.term == "Trump" and proposal.aliases == ("Donald Trump",)
    assert dict(proposal.sources) == {"ru": ("Дональд Трамп", "Трамп")}
    assert dict(proposal.fixes) == {"Donal Trump": "Donald Trump"}
    out = tmp_path / "p.yaml"
    out.write_text(glossary_yaml(learned), "utf-8")  # type: ignore[arg-type]
    (entry,) = load_glossary(out).entries
    assert [(v.wrong, v.right) for v in entry.variants] == [("Donal Trump", "Donald Trump")]


def test_sources_an_entry_lacks(tmp_path: Path) -> None:
    paths = [_pair(tmp_path, f"{i}.txt", "Вчера Собянин выступил.\n",
                   "Yesterday Sobyanin spoke.\n") for i in range(2)]
    gloss = tmp_path / "g.yaml"
    gloss.write_text("version: 1\nentries:\n  - term: Sobyanin\n    kind: person\n", "utf-8")
    learned = _learn(paths, glossary=load_glossary(gloss))
    assert learned.proposals == []  # type: ignore[attr-defined]
    (note,) = [n for n in learned.glossary if n.kind == "sources"]  # type: ignore[attr-defined]
    assert "Собянин (ru) as Sobyanin" in note.message and note.location.endswith(":3:5")


def test_positions_are_code_points_of_the_file_as_written(tmp_path: Path) -> None:
    ru = "\ufeffЗаголовок\r\n\r\nВчера Дональд\u00a0Трамп и Собя\u0301нин выступили."
    en = "Headline\r\n\r\nYesterday Donald\u00a0Trump and Sobyanin spoke."
    paths = [_pair(tmp_path, f"{i}.txt", ru, en) for i in range(2)]
    learned = _learn(paths)
    by_term = {p.term: p for p in learned.proposals}  # type: ignore[attr-defined]
    assert set(by_term) == {"Donald Trump", "Sobyanin"}
    assert dict(by_term["Sobyanin"].sources) == {"ru": ("Собянин",)}
    example = by_term["Sobyanin"].names[0].examples[0]
    assert (example.line, example.column, example.written) == (3, 23, "Собя\u0301нин")
    assert (example.t_line, example.t_column) == (3, 28)
    trump = by_term["Donald Trump"].names[0].examples[0]
    assert (trump.line, trump.column, trump.written) == (3, 7, "Дональд Трамп")


def test_fsspec_urls_pair_by_their_path_below_each_directory(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for sub in ("a", "b"):
        fs.pipe(f"/learn-arch/ru/{sub}/0.txt", "Вчера Собянин выступил.\n".encode())
        fs.pipe(f"/learn-arch/en/{sub}/0.txt", f"Yesterday Sobyanin spoke ({sub}).\n".encode())
    pairs = directory_pairs("memory://learn-arch/ru", "memory://learn-arch/en")
    assert [(o.rsplit("/", 2)[-2], t.rsplit("/", 2)[-2]) for o, t in pairs] == [("a", "a"),
                                                                               ("b", "b")]
    out = tmp_path / "p.yaml"
    assert main(["learn", "memory://learn-arch/ru", "memory://learn-arch/en", "-o", str(out),
                 "--report", str(tmp_path / "r.txt"), "--no-translate", "--no-config"]) == 0
    assert [e.term for e in load_glossary(out).entries] == ["Sobyanin"]


# --- hostile input -------------------------------------------------------------------------


def test_a_manifest_takes_paths_as_the_user_wrote_them(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")  # a URL, even file://, is read through fsspec
    a, b = _pair(tmp_path, "a.txt", "Вчера Собянин выступил.\n", "Yesterday Sobyanin spoke.\n")
    (tmp_path / "lists").mkdir()
    manifest = tmp_path / "lists" / "pairs.tsv"
    # a BOM, CRLF, a path up from the manifest's directory, an absolute one, a file:// URL,
    # two fields apart by spaces
    manifest.write_bytes(("\ufeff../ru/a.txt\t" + str(b) + "\r\n"
                          + a.as_uri() + "\t../en/a.txt\r\n"
                          + "../ru/a.txt   ../en/a.txt\n").encode())
    up = str(tmp_path / "lists" / ".." / "ru" / "a.txt")
    assert manifest_pairs(str(manifest)) == [
        (up, str(b)), (str(a), str(tmp_path / "lists" / ".." / "en" / "a.txt")),
        (up, str(tmp_path / "lists" / ".." / "en" / "a.txt"))]


@pytest.mark.parametrize(("content", "where", "message"), [
    (b"# pairs\nru/a.txt\ten/a\x00.txt\n", ":2:10", "NUL"),
    pytest.param(b"ru/a.txt\tnosuch://bucket/a.txt\n", ":1:10", "nosuch:// is not a scheme",
                 marks=pytest.mark.skipif(importlib.util.find_spec("fsspec") is None,
                                          reason="URL schemes are fsspec's")),
    ("ru/a.txt\ten/Собянин".encode() + b"\xff.txt\n", ":1:20", "not UTF-8 (byte 0xff)"),
    ("ru/a.txt\ten/a.txt\nСобянин.txt\n".encode("cp1251"), ":2:1", "not UTF-8"),
])
def test_a_bad_manifest_line_is_one_error_at_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, where: str, message: str
) -> None:
    manifest = tmp_path / "pairs.tsv"
    manifest.write_bytes(content)
    assert main(["learn", "--pairs", str(manifest), "--no-config", "--no-translate"]) == 2
    err = capsys.readouterr().err
    assert f"{manifest}{where}: " in err and message in err and len(err.splitlines()) == 1


def test_files_over_the_size_limit_are_their_pairs_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(2):
        _pair(tmp_path, f"{i}.txt", "Вчера Собянин выступил.\n", "Yesterday Sobyanin spoke.\n")
    _pair(tmp_path, "big.txt", "Вчера Собянин выступил.\n" * 100, "Yesterday Sobyanin spoke.\n")
    out = tmp_path / "p.yaml"
    assert main(["learn", str(tmp_path / "ru"), str(tmp_path / "en"), "-o", str(out),
                 "--report", str(tmp_path / "r.txt"), "--max-file-size", "1K",
                 "--no-translate", "--no-config"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"glossary-check learn: {tmp_path / 'ru' / 'big.txt'}: cannot read: larger than the "
        "1 KiB limit (--max-file-size)")
    assert [e.term for e in load_glossary(out).entries] == ["Sobyanin"]  # the rest is read


def test_a_remote_file_over_the_limit_is_its_pairs_error(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    from glossary_check.commands.learn import read_batch

    fs = fsspec.filesystem("memory")
    fs.pipe("/learn-big/ru/0.txt", ("Вчера Собянин выступил.\n" * 100).encode())
    fs.pipe("/learn-big/en/0.txt", b"Yesterday Sobyanin spoke.\n")
    items = [("memory://learn-big/en/0.txt", "memory://learn-big/ru/0.txt")]
    ((pairs, english),) = read_batch(items, "ru", None, limit=1024)
    assert pairs[0].error == ("memory://learn-big/ru/0.txt: cannot read: larger than the "
                              "1 KiB limit (--max-file-size)")
    assert english[0].error is None and english[0].words
    ((pairs, _),) = read_batch(items, "ru", None, limit=1 << 20)
    assert pairs[0].error is None


def test_an_article_that_is_not_utf8_is_an_error_at_its_place(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, "a.txt", "", "Yesterday Sobyanin spoke.\n")
    a.write_bytes("Заголовок\n\nВчера Собянин выступил.\n".encode("cp1251"))
    pair = read_pair(str(a), str(b), a.read_bytes(), b.read_bytes(), "ru")
    assert pair.error is not None and pair.error.startswith(f"{a}:1:1: ")
    assert "not valid UTF-8" in pair.error


@pytest.mark.slow
def test_the_size_limit_holds_on_dask_workers(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from glossary_check.commands.learn import read_archive
    from glossary_check.core import inputs

    a, b = _pair(tmp_path, "big.txt", "Вчера Собянин выступил.\n" * 100,
                 "Yesterday Sobyanin spoke.\n")
    monkeypatch.setattr(inputs, "_max_file_size", 1024)  # a worker's own default is 16M
    pairs, _ = read_archive([(str(b), str(a))], language="ru", jobs=2, timeout=60)
    assert pairs[0].error is not None and "1 KiB limit" in pairs[0].error


def test_file_names_with_controls_and_undecodable_bytes_are_shown_not_written(
    tmp_path: Path
) -> None:
    en = tmp_path / "en"
    en.mkdir()
    odd = "a\udcff\x1b[31m.txt"  # the byte 0xff, and an escape sequence
    try:
        (en / odd).write_text("On Monday, mayor Sobyanin spoke.\n", "utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 names")
    for name, spelled in [("b.txt", "Sobyanin"), ("c.txt", "Sobianin")]:
        (en / name).write_text(f"On Monday, mayor {spelled} spoke.\n", "utf-8")
    out = tmp_path / "p.yaml"
    for fmt in ("text", "json", "html"):
        report = tmp_path / f"r.{fmt}"
        assert main(["learn", str(en), "-o", str(out), "--report", str(report),
                     "--format", fmt, "--no-config"]) == 0
        written = report.read_text("utf-8")
        assert "a<U+DCFF>" in written  # written as UTF-8, the byte shown
        assert "\x1b" not in written or fmt == "html"  # a terminal's text; JSON's \u001b
    assert "a<U+DCFF>\\x1b[31m.txt:1:18" in out.read_text("utf-8")  # in the entry's comment
    (entry,) = load_glossary(out).entries
    assert entry.term == "Sobyanin"


def test_a_paragraph_with_too_many_names_is_left_out(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from glossary_check.workflow.learn import extract

    ru = "Вчера Собянин выступил.\n\nСобянин, Лавров и Шувалов встретились.\n"
    en = "Yesterday Sobyanin spoke.\n\nSobyanin, Lavrov and Shuvalov met.\n"
    paths = [_pair(tmp_path, f"{i}.txt", ru, en) for i in range(2)]
    assert {p.term for p in _learn(paths).proposals} == {  # type: ignore[attr-defined]
        "Lavrov", "Shuvalov", "Sobyanin"}
    monkeypatch.setattr(extract, "MAX_NAMES", 2)  # the cost of linking is quadratic in it
    (proposal,) = _learn(paths).proposals  # type: ignore[attr-defined]
    assert proposal.term == "Sobyanin" and proposal.count == 2


def test_a_pair_too_long_to_line_up_is_its_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from glossary_check.workflow.learn import extract

    a, b = _pair(tmp_path, "a.txt", "Вчера Собянин выступил.\n\nДа.\n\nНет.\n",
                 "Yesterday Sobyanin spoke.\n\nYes, no.\n")
    assert read_pair(str(a), str(b), a.read_bytes(), b.read_bytes(), "ru").error is None
    monkeypatch.setattr(extract, "MAX_ALIGN", 5)  # 3 paragraphs against 2 weigh 6
    pair = read_pair(str(a), str(b), a.read_bytes(), b.read_bytes(), "ru")
    assert pair.error == (f"{a}: 3 paragraphs against 2 in {b}: too many to line up "
                          "(at most 5 pairs to weigh)")


def test_a_manifest_line_ends_at_a_line_feed_only(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, "a\u2028\x0c.txt", "Вчера Собянин выступил.\n",
                 "Yesterday Sobyanin spoke.\n")
    manifest = tmp_path / "pairs.tsv"
    manifest.write_text(f"ru/{a.name}\ten/{b.name}\n\nru/x\n", "utf-8")
    with pytest.raises(UsageError) as caught:
        manifest_pairs(str(manifest))
    assert str(caught.value.location).endswith(":3:1")
    manifest.write_text(f"ru/{a.name}\ten/{b.name}\n", "utf-8")
    assert manifest_pairs(str(manifest)) == [(str(a), str(b))]


def test_every_error_of_a_broken_glossary_is_a_line_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    glossary = tmp_path / "g.yaml"
    glossary.write_text("version: 1\nentries:\n- term: Kyiv\n  varaints: [Kiev]\n"
                        "- term: Lviv\n  kind: plaec\n", encoding="utf-8")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.txt").write_text("Kyiv.\n", encoding="utf-8")
    assert main(["learn", str(tmp_path / "en"), "-g", str(glossary), "--no-config",
                 "--no-translate", "-o", str(tmp_path / "out.yaml")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [f"{glossary}:4:3", f"{glossary}:6:9"]
    assert all(line.startswith("glossary-check learn: ") for line in lines)

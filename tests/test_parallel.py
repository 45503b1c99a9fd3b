"""`--jobs`: files checked in worker processes give the report a serial run gives, in the
same order, and small runs stay in one process."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pytest

from conftest import CORE
from glossary_check.commands.cli import main
from glossary_check.core.findings import FileResult
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow import runner
from glossary_check.workflow.files import bundled_glossary

# Ukrainian rubrics whose letters (ї, є, ґ) name the language without a language model.
RUBRICS = ["Її слова", "Є питання", "Ґрунтовно", "Їхня думка", "Європа сьогодні"]
FILLER = ["officials said on Monday", "the talks resumed", "according to the ministry",
          "a spokesman declined to comment", "the convoy arrived late", "aid was delayed"]


def _article(rng: random.Random, compiled: Compiled, words: int) -> str:
    """News-like text full of the glossary's names: right, wrong, wrong case, Cyrillic, typos."""
    entries = compiled.glossary.entries
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        entry = entries[rng.randrange(len(entries))]
        roll = rng.random()
        if roll < 0.25 and entry.variants:
            name = rng.choice(entry.variants).wrong
        elif roll < 0.35:
            name = entry.term.upper() if rng.random() < 0.5 else entry.term.lower()
        elif roll < 0.45 and entry.sources:
            name = rng.choice([f for forms in entry.sources.values() for f in forms])
        elif roll < 0.5 and len(entry.term) > 6:
            i = rng.randrange(1, len(entry.term) - 2)
            name = entry.term[:i] + entry.term[i + 1] + entry.term[i] + entry.term[i + 2 :]
        else:
            name = rng.choice(entry.accepted)
        sentence = f"{name}'s office said {rng.choice(FILLER)}." if rng.random() < 0.1 else (
            f"{rng.choice(FILLER).capitalize()}, {name} told reporters.")
        if rng.random() < 0.05:
            sentence = f"{rng.choice(RUBRICS)} · {sentence}"
        parts.append(sentence)
        if rng.random() < 0.2:
            parts.append("\n\n")
    text = " ".join(parts)
    return text.replace("\n\n ", "\n\n").replace(" \n\n", "\n\n") + "\n"


@pytest.fixture(scope="module")
def bundled_compiled() -> Compiled:
    return compile_all(load_glossary(bundled_glossary()))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, bundled_compiled: Compiled) -> list[str]:
    """Three dozen articles, ~6 KB each: enough bytes for worker processes to start."""
    folder = tmp_path_factory.mktemp("corpus")
    rng = random.Random(20250904)
    paths = []
    for i in range(36):
        suffix = ".md" if i % 4 == 3 else ".txt"
        text = _article(rng, bundled_compiled, 900)
        if suffix == ".md":
            text = f"# Update {i}\n\n{text}"
        if i % 5 == 2:
            text = text.replace("\n", "\r\n")
        path = folder / f"art-{i:02d}{suffix}"
        path.write_bytes(("\ufeff" if i % 7 == 1 else "").encode() + text.encode("utf-8"))
        paths.append(str(path))
    (folder / "broken.txt").write_bytes(b"\xff\xfe not utf-8")
    paths.insert(7, str(folder / "broken.txt"))
    paths.insert(20, str(folder / "missing.txt"))
    return paths


def test_the_corpus_is_big_enough_for_workers(corpus: list[str]) -> None:
    assert runner.worker_count(corpus, 2) == 2


def test_parallel_results_equal_serial(corpus: list[str], bundled_compiled: Compiled) -> None:
    settings = Settings()
    serial = runner.check_files(corpus, bundled_compiled, settings, jobs=1)
    heard: list[str] = []
    parallel = runner._Parallel(
        corpus, bundled_compiled, settings, None, None, lambda r: heard.append(r.path)
    ).run(2)
    assert parallel == serial
    assert sorted(heard) == sorted(r.path for r in serial)
    assert sum(len(r.findings) for r in serial) > 200
    assert {f.rule for r in serial for f in r.findings} >= {
        "variant", "case", "source-form", "inconsistent", "untranslated"}
    assert [r.error is not None for r in serial].count(True) == 2


def test_standard_input_is_read_by_the_parent(
    corpus: list[str], bundled_compiled: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = Path(corpus[0]).read_bytes()
    paths = [*corpus[:5], "-", *corpus[5:12]]

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    parallel = runner._Parallel(paths, bundled_compiled, CORE, None, "piped.txt", None).run(2)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    serial = runner.check_files(paths, bundled_compiled, CORE, stdin_name="piped.txt", jobs=1)
    assert parallel == serial
    assert parallel[5].path == "piped.txt"
    assert parallel[5].findings == parallel[0].findings


def _die(paths: list[str]) -> list[FileResult]:
    """A worker that dies mid-run (an out-of-memory kill, say)."""
    import os

    os._exit(3)


def test_a_dying_worker_leaves_the_rest_to_the_parent_once(
    corpus: list[str], bundled_compiled: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = Path(corpus[0]).read_bytes()
    paths = [*corpus[:5], "-", *corpus[5:12]]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    serial = runner.check_files(paths, bundled_compiled, CORE, stdin_name="piped.txt", jobs=1)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    monkeypatch.setattr(runner, "_check_chunk", _die)
    heard: list[str] = []
    parallel = runner._Parallel(
        paths, bundled_compiled, CORE, None, "piped.txt", lambda r: heard.append(r.path)
    ).run(2)
    assert parallel == serial  # standard input was read once, before the pool broke
    assert sorted(heard) == sorted(r.path for r in serial)  # each file heard of once


def test_small_runs_stay_in_one_process(tmp_path: Path) -> None:
    small = []
    for i in range(20):
        path = tmp_path / f"{i}.txt"
        path.write_text("Kiev.\n")
        small.append(str(path))
    assert runner.worker_count(small, 4) == 1  # too few bytes
    assert runner.worker_count(small[:3], 4, min_bytes=0) == 1  # too few files
    assert runner.worker_count(small, 4, min_bytes=0) == 4
    assert runner.worker_count(small, 1, min_bytes=0) == 1
    assert runner.worker_count(small[:9], 16, min_bytes=0, min_files=2) == 9


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["-f", "json", "--no-cache", *args])
    return status, capsys.readouterr().out


def test_cli_jobs_report_equals_serial(
    corpus: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(Path(corpus[0]).parent)
    monkeypatch.chdir(folder)
    serial = _json(capsys, "--jobs", "1", *corpus)
    parallel = _json(capsys, "--jobs", "2", *corpus)
    assert parallel == serial
    assert serial[0] == 2  # the unreadable files
    directory = _json(capsys, "--jobs", "2", ".")
    assert directory == _json(capsys, "--jobs", "1", ".")
    assert '"findings": 0' not in directory[1]


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_cli_refuses_a_bad_job_count(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--jobs", bad, "x.txt"])
    assert exc.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_results_keep_input_order(corpus: list[str], bundled_compiled: Compiled) -> None:
    shuffled = corpus[::-1]
    results: list[FileResult] = runner.check_files(shuffled, bundled_compiled, CORE, jobs=2)
    assert [r.path for r in results] == shuffled


def test_spawned_workers_give_the_same_results(
    corpus: list[str], bundled_compiled: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where fork is unsafe or missing, workers are spawned and get the glossary pickled."""
    import multiprocessing

    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context("spawn"))
    subset = corpus[:12]
    assert runner._Parallel(subset, bundled_compiled, CORE, None, None, None).run(2) == (
        runner.check_files(subset, bundled_compiled, CORE, jobs=1))


def test_the_parent_reads_one_file_of_each_format_before_forking(
    tmp_path: Path, bundled_compiled: Compiled
) -> None:
    """Workers share what the parent loaded: a reader's imports too, so the parent checks
    the first file of each format in the run, and the workers the rest, in input order."""
    paths = []
    for i in range(30):
        suffix = ".md" if i >= 25 else ".txt"
        path = tmp_path / f"a{i:02}{suffix}"
        path.write_text(f"Talks in Kiev, {RUBRICS[i % len(RUBRICS)]}.\n", encoding="utf-8")
        paths.append(str(path))
    parallel = runner._Parallel(paths, bundled_compiled, CORE, None, None, None)
    parallel.warm_up()
    assert [i for i, r in enumerate(parallel.results) if r is not None] == [0, 25]
    again = runner._Parallel(paths, bundled_compiled, CORE, None, None, None).run(2)
    assert again == runner.check_files(paths, bundled_compiled, CORE, jobs=1)



def _die_on_one(paths: list[str]) -> list[FileResult]:
    """The worker given one file dies; the others take a moment, then work on."""
    import os
    import time

    if os.environ["GLOSSARY_CHECK_TEST_DIES"] in paths:
        os._exit(3)
    time.sleep(1.5)  # still busy when the pool breaks: then back to wait for more work
    return runner._check_chunk(paths)  # the real one: a spawned worker imports it afresh


def test_a_dying_spawned_worker_does_not_hang_the_run(
    corpus: list[str], bundled_compiled: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spawned workers (a process with threads cannot fork): when one dies, Python 3.11's
    pool joined the others while they waited for work, for ever."""
    import multiprocessing
    import threading

    files = corpus[:12]
    serial = runner.check_files(files, bundled_compiled, CORE, jobs=1)
    monkeypatch.setenv("GLOSSARY_CHECK_TEST_DIES", files[3])
    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context("spawn"))
    monkeypatch.setattr(runner, "_check_chunk", _die_on_one)
    out: list[list[FileResult]] = []
    job = threading.Thread(target=lambda: out.append(runner._Parallel(
        files, bundled_compiled, CORE, None, None, None).run(2)), daemon=True)
    job.start()
    job.join(timeout=120)
    assert not job.is_alive(), "the run hung after a worker died"
    assert out == [serial]  # what the dead worker held was checked here, once each

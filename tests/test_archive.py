"""`glossary-check archive`: whole archives on a real Dask cluster give what a serial run gives."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

dask = pytest.importorskip("dask")
pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")
jsonschema = pytest.importorskip("jsonschema")

from conftest import python_output  # noqa: E402
from glossary_check.commands import archive  # noqa: E402
from glossary_check.commands.cli import main  # noqa: E402
from glossary_check.core.findings import FileResult  # noqa: E402
from glossary_check.engine.compiled import Compiled, compile_all  # noqa: E402
from glossary_check.engine.glossary import load_glossary  # noqa: E402
from glossary_check.report import Run  # noqa: E402
from glossary_check.report.json_report import as_dict  # noqa: E402
from glossary_check.rules.pipeline import Settings  # noqa: E402
from glossary_check.workflow.files import bundled_glossary, collect  # noqa: E402
from glossary_check.workflow.runner import check_file, check_files  # noqa: E402

GLOSSARY = str(bundled_glossary())
ARCHIVE_FILES = 2000

# Sentences with something for every rule: variants, wrong case, Cyrillic source forms and
# untranslated Cyrillic, a Cyrillic look-alike letter, near misses, an `except` phrase,
# no-break spaces and combining accents.
SENTENCES = (
    "Talks resumed in Kiev on Monday.",
    "Zelenskiy met Emmanuel Macron at the Elysee Palace.",
    "Tass reported the story before TASS did.",
    "The delegation flew to Kyiv and then to Odesa.",
    "Кyiv was printed with a Cyrillic letter.",
    "Zelenksy spoke first; Zelensky answered.",
    "Он сказал: «Мы были в Киеве».",
    "Зеленський заявив про це в Києві.",
    "Politics\u00a0in Kyiv rarely sleeps.",
    "The E\u0301lyse\u0301e Palace said nothing.",
    "He ordered the chicken Kiev.",
    "Nothing in this sentence needs a glossary.",
    "Vladimir Poutine was quoted by Le Monde.",
    "Новая газета Европа опубликовала статью.",
)
MARKDOWN = (
    "# Kiev after the war",
    "- Zelenskiy in a list item",
    "Code such as `Kiev` is not prose.",
    "> A quotation from Tass.",
)


def article(rng: random.Random, markdown: bool) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        pool = SENTENCES + MARKDOWN if markdown else SENTENCES
        paragraphs.append(" ".join(rng.choice(pool) for _ in range(rng.randint(1, 5))))
    return "\n\n".join(paragraphs)


def make_corpus(root: Path, count: int, seed: int = 20240601) -> list[Path]:
    """`count` small articles, .txt and .md, some CRLF, some with a BOM or no final newline."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        markdown = rng.random() < 0.4
        folder = root / f"desk{i % 7}" / str(2015 + i % 10)
        folder.mkdir(parents=True, exist_ok=True)
        text = article(rng, markdown)
        if rng.random() < 0.8:
            text += "\n"
        if rng.random() < 0.3:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if rng.random() < 0.05:
            data = b"\xef\xbb\xbf" + data
        path = folder / f"article-{i:05d}{'.md' if markdown else '.txt'}"
        path.write_bytes(data)
        made.append(path)
    return made


def records(results: Iterable[FileResult]) -> list[str]:
    """What the JSON report says about the results, as the archive's lines, sorted."""
    out = []
    for item in as_dict(Run("test", GLOSSARY, 0, list(results)))["files"]:
        if "error" in item:
            out.append({"path": item["path"], "error": item["error"]})
        out += [{"path": item["path"], **finding} for finding in item["findings"]]
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in out)


def read_lines(text: str) -> list[str]:
    return sorted(json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
                  for line in text.splitlines())


def by_rule(summary: str) -> Counter[str]:
    block = summary.split("by rule:\n", 1)[1] if "by rule:\n" in summary else ""
    counts: Counter[str] = Counter()
    for line in block.splitlines():
        match = re.fullmatch(r"  (\S+)\s+([\d,]+)", line)
        if not match:
            break
        counts[match.group(1)] = int(match.group(2).replace(",", ""))
    return counts


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_all(load_glossary(Path(GLOSSARY)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    make_corpus(root, ARCHIVE_FILES)
    (root / "desk0" / "broken.txt").write_bytes(b"Kiev in cp1251: \xca\xe8\xe5\xe2\n")
    (root / "desk1" / "binary.md").write_bytes(b"\x00\x01Kiev\x00")
    return root


@pytest.fixture(scope="module")
def serial(corpus: Path, compiled: Compiled) -> list[str]:
    return records(check_files(collect([str(corpus)]), compiled, Settings()))


def tls_config(security: Any) -> dict[str, Any]:
    """A cluster's credentials as a user's Dask configuration gives them to a client (the
    file settings take the PEM text itself as well as a path)."""
    return {
        "distributed.comm.tls.ca-file": security.tls_ca_file,
        "distributed.comm.tls.client.cert": security.tls_client_cert,
        "distributed.comm.tls.client.key": security.tls_client_key,
    }


@contextlib.contextmanager
def trusting(cluster: Any) -> Iterator[str]:
    """The cluster's address, while the Dask configuration holds its credentials (as
    `--scheduler` needs them for a cluster that is not the command's own)."""
    with dask.config.set(tls_config(cluster.security)):
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def process_cluster() -> Iterator[Any]:
    """Two worker processes on loopback: the real thing, started once for the module."""
    with archive.local_cluster(2, processes=True) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def thread_cluster() -> Iterator[Any]:
    """Two in-process workers: they share this process's memory:// filesystem."""
    with archive.local_cluster(2, processes=False) as cluster:
        yield cluster


@pytest.fixture
def process_scheduler(process_cluster: Any) -> Iterator[str]:
    with trusting(process_cluster) as address:
        yield address


@pytest.fixture
def thread_scheduler(thread_cluster: Any) -> Iterator[str]:
    with trusting(thread_cluster) as address:
        yield address


def run_archive(*argv: str) -> int:
    return main(["archive", "-g", GLOSSARY, *argv])


def test_archive_on_two_worker_processes_equals_a_serial_run(
    corpus: Path, serial: list[str], process_scheduler: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "findings.jsonl"
    code = run_archive(str(corpus), "--scheduler", process_scheduler,
                       "--batch-size", "150", "-o", str(out))
    summary = capsys.readouterr().out
    lines = out.read_text(encoding="utf-8").splitlines()
    assert read_lines("\n".join(lines)) == serial
    assert code == 2  # two files could not be checked
    errors = [json.loads(line) for line in lines if '"error"' in line and '"rule"' not in line]
    assert sorted(Path(e["path"]).name for e in errors) == ["binary.md", "broken.txt"]
    assert "not valid UTF-8" in " ".join(e["error"] for e in errors)
    assert f"{ARCHIVE_FILES + 2:,} files checked" in summary
    assert "files with errors: 2" in summary
    findings = [json.loads(line) for line in lines if '"rule"' in line]
    assert by_rule(summary) == Counter(f["rule"] for f in findings)
    affected = len({f["path"] for f in findings})
    assert f"files affected: {affected:,}" in summary
    top = Counter(f["entry"] for f in findings if f["entry"]).most_common(1)[0]
    assert re.search(rf"top \d+ glossary entries:\n  {re.escape(top[0])}\s+{top[1]:,}\n", summary)
    # each line is the contract's finding object plus its path, and points into the file
    schema = json.loads(resources.files("glossary_check").joinpath("data/report.schema.json")
                        .read_text(encoding="utf-8"))
    finding = {"$ref": "#/$defs/finding", "$defs": schema["$defs"]}
    validator = jsonschema.Draft202012Validator(finding)
    texts: dict[str, str] = {}
    for f in findings[:: max(1, len(findings) // 500)]:
        validator.validate({k: v for k, v in f.items() if k != "path"})
        text = texts.setdefault(f["path"], Path(f["path"]).read_bytes().decode("utf-8-sig"))
        assert text[f["offset"] : f["offset"] + f["length"]] == f["text"]
    # the corpus exercises what it should: several rules, Cyrillic, findings past a CRLF
    assert {"variant", "case", "mixed-script"} <= set(by_rule(summary))
    assert any(f["line"] > 1 and "\r\n" in texts[f["path"]] for f in findings if f["path"] in texts)
    assert any(re.search("[а-яіїє]", f["text"], re.I) for f in findings)


def test_a_glob_checks_what_it_matches(
    corpus: Path, compiled: Compiled, process_scheduler: str, tmp_path: Path,
) -> None:
    out = tmp_path / "md.jsonl"
    pattern = str(corpus / "desk3" / "**" / "*.md")
    code = run_archive(pattern, "--scheduler", process_scheduler, "-q",
                       "--fail-on", "never", "-o", str(out))
    named = sorted(str(p) for p in (corpus / "desk3").rglob("*.md"))
    assert code == 0
    assert read_lines(out.read_text(encoding="utf-8")) == records(
        check_files(named, compiled, Settings()))
    paths = {json.loads(line)["path"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert paths and all(p.endswith(".md") and "desk3" in p for p in paths)


def test_memory_urls_and_a_missing_file(
    corpus: Path, compiled: Compiled, thread_scheduler: str, tmp_path: Path,
) -> None:
    fs = fsspec.filesystem("memory")
    sources = sorted(corpus.rglob("article-*"))[:120]
    urls = []
    for i, source in enumerate(sources):
        url = f"memory://archive-test/{i % 3}/{source.name}"
        fs.pipe(url, source.read_bytes())
        urls.append(url)
    missing = "memory://archive-test/missing.txt"
    try:
        out = tmp_path / "memory.jsonl"
        code = run_archive("memory://archive-test/**", missing, "--scheduler",
                           thread_scheduler, "-q", "-o", str(out))
        expected = [
            check_file(url, compiled, Settings(), data=fs.cat(url), shown=fs.unstrip_protocol(
                fsspec.core.url_to_fs(url)[1]))
            for url in urls
        ]
        got = read_lines(out.read_text(encoding="utf-8"))
        error = {"path": missing, "error": f"{missing}: no such file"}
        assert got == sorted([*records(expected), json.dumps(error, sort_keys=True)])
        assert code == 2
    finally:
        fs.rm("memory://archive-test", recursive=True)


def test_exit_status_follows_the_main_command(
    tmp_path: Path, thread_scheduler: str, capsys: pytest.CaptureFixture[str],
) -> None:
    address = ["--scheduler", thread_scheduler, "-q", "-o", str(tmp_path / "o")]
    clean, wrong = tmp_path / "clean", tmp_path / "wrong"
    clean.mkdir()
    wrong.mkdir()
    (clean / "a.txt").write_text("The delegation flew to Kyiv.\n", encoding="utf-8")
    (wrong / "b.md").write_text("# Talks\r\n\r\nTalks resumed in Kiev.", encoding="utf-8")
    assert run_archive(str(clean), *address) == 0
    assert (tmp_path / "o").read_text(encoding="utf-8") == ""
    assert run_archive(str(wrong), *address) == 1
    assert run_archive(str(wrong), "--fail-on", "never", *address) == 0
    assert run_archive(str(wrong), "--select", "case", *address) == 0
    assert run_archive(str(clean), str(tmp_path / "nowhere.txt"), *address) == 2
    assert "no such file" in (tmp_path / "o").read_text(encoding="utf-8")
    capsys.readouterr()


def test_runs_that_cannot_start_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    bad = tmp_path / "glossary.yaml"
    bad.write_text("version: 1\nentries:\n  - term: Kyiv\n    colour: blue\n", encoding="utf-8")
    cases = [
        (["archive", "-g", GLOSSARY, str(tmp_path / "empty")], "no files to check"),
        (["archive", "-g", str(bad), str(tmp_path / "a.txt")], f"{bad}:4:5: "),
        (["archive", "-g", GLOSSARY, "--select", "nonsense", str(tmp_path)], "unknown rule"),
        (["archive", "-g", GLOSSARY, "--fix", "memory://nothing/here.txt"], "local files only"),
        (["archive", "-g", GLOSSARY, "--unsafe-fixes", str(tmp_path / "a.txt")], "needs --fix"),
        (["archive", "-g", GLOSSARY, "--scheduler", "tcp://127.0.0.1:9", "--timeout", "1",
          str(tmp_path / "a.txt")], "cannot reach the scheduler"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("glossary-check archive: ") and message in err, (argv, err)
        assert err.count("\n") == 1, err


def test_a_partition_that_fails_reports_its_files(
    tmp_path: Path, compiled: Compiled, thread_cluster: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = []
    for i in range(9):
        path = tmp_path / f"{i}.txt"
        path.write_text("Talks resumed in Kiev.\n", encoding="utf-8")
        paths.append(str(path))
    real = archive.check_batch

    def flaky(batch: list[str], *args: Any) -> list[archive.Batch]:
        if paths[4] in batch:
            raise MemoryError("worker ran out of memory")
        return real(batch, *args)

    monkeypatch.setattr(archive, "check_batch", flaky)
    out = io.StringIO()
    with distributed.Client(thread_cluster, set_as_default=False) as client:
        tally = archive.check_archive(client, paths, compiled, Settings(), out, batch_size=3)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    failed = sorted(r["path"] for r in lines if "error" in r)
    assert failed == paths[3:6]
    assert all("not checked: MemoryError" in r["error"] for r in lines if "error" in r)
    assert sorted({r["path"] for r in lines if "rule" in r}) == paths[:3] + paths[6:]
    assert (tally.files, tally.errors, tally.affected) == (9, 3, 6)


def test_the_command_line_on_its_own_local_cluster(tmp_path: Path, compiled: Compiled) -> None:
    """No --scheduler: the command starts (and stops) its own cluster; stdout is pure JSON Lines."""
    paths = [str(p) for p in make_corpus(tmp_path / "desk", 40, seed=7)]
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "glossary_check", "archive", str(tmp_path / "desk"), "-g", GLOSSARY,
         "--workers", "2", "--batch-size", "7"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=300, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert read_lines(done.stdout) == records(check_files(sorted(paths), compiled, Settings()))
    assert "40 files checked" in done.stderr and "on 2 workers" in done.stderr
    assert "\r" not in done.stderr  # no progress counter when stderr is not a terminal


def test_heavy_imports_wait_for_the_archive_command() -> None:
    code = (
        "import sys\n"
        "from glossary_check.commands import archive, cli\n"
        "cli.build_parser(); archive.build_parser()\n"
        "print(sorted(m for m in ('dask', 'distributed', 'fsspec') if m in sys.modules))\n"
    )
    assert python_output(code).strip() == "[]"


def test_the_configuration_file_counts_as_for_the_main_command(
    tmp_path: Path, thread_scheduler: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "glossary-check.toml").write_text(
        f'glossary = {json.dumps(GLOSSARY)}\nfail-on = "warning"\n'
        '[severity]\nvariant = "warning"\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("Talks resumed in Kiev.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.jsonl"
    common = ["archive", "a.txt", "--scheduler", thread_scheduler, "-q",
              "-o", str(out)]

    def severities() -> list[str]:
        return [json.loads(line)["severity"] for line in out.read_text().splitlines()]

    assert main(common) == 1
    assert severities() == ["warning"]
    assert main([*common, "--fail-on", "error"]) == 0
    assert main([*common, "--no-config"]) == 1
    assert severities() == ["error"]


def test_fix_across_the_archive(
    tmp_path: Path, compiled: Compiled, thread_scheduler: str, capsys: pytest.CaptureFixture[str],
) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    crlf = desk / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbfTalks resumed in Kiev.\r\nZelenskiy spoke.\r\nThe end")
    markdown = desk / "notes.md"
    markdown.write_bytes("# Kiev\n\nКyiv and `Kiev` in code.\n".encode())
    locked = desk / "locked.txt"
    locked.write_text("Kiev again.\n", encoding="utf-8")
    locked.chmod(0o444)
    broken = desk / "broken.txt"
    broken.write_bytes(b"Kiev \xff\n")
    untouched = {p: p.read_bytes() for p in (locked, broken)}
    out = tmp_path / "fixed.jsonl"
    argv = [str(desk), "--fix", "--scheduler", thread_scheduler, "-o", str(out)]
    assert run_archive(*argv) == 2  # the read-only and the broken file
    summary = capsys.readouterr().out
    assert crlf.read_bytes() == b"\xef\xbb\xbfTalks resumed in Kyiv.\r\nZelensky spoke.\r\nThe end"
    assert markdown.read_bytes() == b"# Kyiv\n\nKyiv and `Kiev` in code.\n"
    assert {p: p.read_bytes() for p in (locked, broken)} == untouched
    assert "fixed 4 findings in 2 files" in summary
    paths = [str(p) for p in sorted(desk.iterdir())]
    after = records(check_files(paths, compiled, Settings()))
    lines = read_lines(out.read_text(encoding="utf-8"))
    read_only = {"path": str(locked),
                 "error": f"{locked}: cannot write fixes: the file is read-only"}
    assert lines == sorted([*after, json.dumps(read_only, sort_keys=True)])
    assert run_archive(*argv) == 2
    assert crlf.read_bytes() == b"\xef\xbb\xbfTalks resumed in Kyiv.\r\nZelensky spoke.\r\nThe end"
    assert "fixed" not in capsys.readouterr().out


def test_a_scheduler_without_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    with archive.local_cluster(0, processes=False) as empty, trusting(empty) as address:
        code = run_archive(str(tmp_path / "a.txt"), "--scheduler", address, "--timeout", "1")
    assert code == 2
    assert "no worker has joined the scheduler" in capsys.readouterr().err


@pytest.fixture
def no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run must fail before it starts a cluster."""

    def started(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the cluster started")

    monkeypatch.setattr(archive, "local_cluster", started)


@pytest.mark.usefixtures("no_cluster")
def test_outputs_that_cannot_be_written_fail_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Talks resumed in Kiev.\n", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    cases = {
        tmp_path: "is a directory",
        tmp_path / "missing" / "out.jsonl": "no such directory",
        article / "out.jsonl": "no such directory",
        tmp_path / "loop": "symbolic links",
    }
    for output, reason in cases.items():
        assert run_archive(str(article), "-o", str(output)) == 2, output
        err = capsys.readouterr().err
        assert err.startswith(f"glossary-check archive: {output}: cannot write: "), err
        assert reason in err and err.count("\n") == 1, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
@pytest.mark.usefixtures("no_cluster")
def test_a_read_only_output_fails_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    output.write_text("kept\n", encoding="utf-8")
    output.chmod(0o444)
    assert run_archive(str(tmp_path / "a.txt"), "-o", str(output)) == 2
    assert capsys.readouterr().err == (
        f"glossary-check archive: {output}: cannot write: permission denied\n")
    assert output.read_text(encoding="utf-8") == "kept\n"


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc")
def test_an_output_that_fails_as_it_is_written(
    tmp_path: Path, thread_scheduler: str, capsys: pytest.CaptureFixture[str],
) -> None:
    """/proc/version opens for root and refuses the first write; others may not open it."""
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code = run_archive(str(tmp_path / "a.txt"), "--scheduler", thread_scheduler, "-q",
                       "-o", "/proc/version")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("glossary-check archive: /proc/version: cannot write: "), err
    assert err.count("\n") == 1, err


@pytest.mark.usefixtures("no_cluster")
def test_a_run_that_cannot_start_leaves_the_output_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    output.write_text('{"earlier": "findings"}\n', encoding="utf-8")
    assert main(["archive", "-g", str(tmp_path / "none.yaml"), str(tmp_path / "a.txt"),
                 "-o", str(output)]) == 2
    assert "no such glossary file" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == '{"earlier": "findings"}\n'


@pytest.mark.usefixtures("no_cluster")
def test_a_glossary_symlink_loop_is_reported_as_by_the_main_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    loop = tmp_path / "glossary.yaml"
    loop.symlink_to(loop)
    assert main(["-g", str(loop), "--no-cache", str(tmp_path / "a.txt")]) == 2
    said = capsys.readouterr().err
    assert main(["archive", "-g", str(loop), str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(loop) in err, err
    assert err.removeprefix("glossary-check archive: ") == said.removeprefix("glossary-check: ")

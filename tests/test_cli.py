"""The command line end to end, in a subprocess: reports, exit statuses, options, glossary
discovery, and every way a run can fail (one line on standard error, exit status 2)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CORE_ARGS, EXAMPLE, RunCli, WriteGlossary
from glossary_check import __version__
from glossary_check.core.positions import LineIndex
from glossary_check.engine.glossary import load_glossary
from glossary_check.workflow.files import bundled_glossary
from reporting import validate_json_report

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev]
    except: [Chicken Kiev]
  - term: Zelensky
    kind: person
    variants: [Zelenskyy, {Volodymyr Zelenskyy: Volodymyr Zelensky}]
  - term: TASS
    kind: organization
"""

ESC = "\x1b["


@pytest.fixture
def desk(tmp_path: Path, write_glossary: WriteGlossary) -> Path:
    """A desk folder with its own glossary.yaml, found from the working directory."""
    write_glossary(GLOSSARY, "glossary.yaml")
    return tmp_path


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def report(stdout: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stdout)
    validate_json_report(data)
    return data


def findings_of(data: dict[str, Any], path: str | None = None) -> list[tuple[str, str]]:
    return [
        (f["rule"], f["text"])
        for item in data["files"] if path is None or item["path"] == path
        for f in item["findings"]
    ]


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("glossary-check: ")
    return lines[0].removeprefix("glossary-check: ")


# --- the bundled example --------------------------------------------------------------------

def test_the_bundled_example_is_clean(run_cli: RunCli) -> None:
    code, out, err = run_cli(*CORE_ARGS, str(EXAMPLE))
    assert (code, err) == (0, "")
    assert out == "0 findings (0 error, 0 warning, 0 info) in 0 of 1 file\n"


def test_the_bundled_example_with_mistakes(run_cli: RunCli, tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace("Kyiv had", "Kiev had").replace(
        "news agency TASS", "news agency Tass"
    )
    article = write(tmp_path / "article.txt", text)
    code, out, err = run_cli(*CORE_ARGS, "--format", "json", str(article))
    assert (code, err) == (1, "")
    data = report(out)
    assert findings_of(data) == [("case", "Tass"), ("variant", "Kiev")]
    assert data["glossary"]["path"].endswith("newsroom.yaml")
    assert data["glossary"]["entries"] == len(load_glossary(bundled_glossary()).entries)


def test_a_profiled_run_ends_as_usual_so_the_profile_is_written(tmp_path: Path) -> None:
    """Under cProfile the program is not ended early: what the profiler measured is
    written when the check is done."""
    article = write(tmp_path / "a.txt", EXAMPLE.read_text("utf-8"))
    profile = tmp_path / "run.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "glossary_check",
         *CORE_ARGS, "-f", "json", "--fail-on", "never", str(article)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={**os.environ, "GLOSSARY_CHECK_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert report(done.stdout)["files"][0]["path"] == str(article)
    import pstats

    assert pstats.Stats(str(profile)).total_calls > 0


def test_a_run_over_workers_ends_with_its_whole_report_and_status(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The program ends without the interpreter's teardown: what it wrote is all there, the
    status is the check's, and the workers' clean-up leaves nothing to warn of."""
    text = EXAMPLE.read_text("utf-8").replace("Kyiv had", "Kiev had")
    paths = [str(write(tmp_path / f"a{i:02}.txt", text * (16_384 // len(text) + 1)))
             for i in range(12)]
    code, out, err = run_cli(*CORE_ARGS, "--jobs", "2", "--format", "json", *paths)
    assert (code, err) == (1, "")
    data = report(out)
    assert [f["path"] for f in data["files"]] == paths
    assert all(("variant", "Kiev") in findings_of(data, p) for p in paths)
    output = tmp_path / "report.json"
    code, out, err = run_cli(*CORE_ARGS, "--jobs", "2", "-f", "json", "-o", str(output), *paths)
    assert (code, out, err) == (1, "", "")
    assert report(output.read_text("utf-8")) == data


# --- JSON report ----------------------------------------------------------------------------

def test_json_report_shape_and_positions(run_cli: RunCli, desk: Path) -> None:
    text = "\ufeffTalks in Kiev.\r\nЗеленський and Volodymyr\r\nZelenskyy met\nthe Tass desk"
    article = write(desk / "article.txt", text)
    code, out, _ = run_cli(*CORE_ARGS, "-f", "json", "article.txt")
    assert code == 1
    data = report(out)
    assert data["version"] == 1
    assert data["tool"] == {"name": "glossary-check", "version": __version__}
    assert data["glossary"] == {"path": "glossary.yaml", "entries": 3}
    (item,) = data["files"]
    assert item["path"] == "article.txt" and item["language"] == "en"
    decoded = article.read_bytes().decode("utf-8-sig")
    index = LineIndex(decoded)
    for f in item["findings"]:
        assert f["text"] == decoded[f["offset"] : f["offset"] + f["length"]]
        start = index.line_col(f["offset"])
        end = index.line_col(f["offset"] + f["length"])
        assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (*start, *end)
        assert set(f) >= {"rule", "severity", "line", "column", "end_line", "end_column", "offset",
                          "length", "text", "entry", "suggestion", "language", "translation",
                          "message"}
    assert [(f["rule"], f["line"], f["column"], f["end_line"], f["end_column"])
            for f in item["findings"]] == [
        ("variant", 1, 10, 1, 14), ("variant", 2, 16, 3, 10), ("case", 4, 5, 4, 9),
    ]
    assert data["summary"] == {"files": 1, "findings": 3, "error": 3, "warning": 0, "info": 0}


# --- exit statuses and --fail-on ------------------------------------------------------------

@pytest.mark.parametrize(("text", "fail_on", "code"), [
    ("All is well in Kyiv.", None, 0),
    ("Talks in Kiev.", None, 1),
    ("Talks in Kiev.", "never", 0),
    ("Later President Zelenksy spoke.", None, 0),        # a warning only
    ("Later President Zelenksy spoke.", "warning", 1),
    ("Later President Zelenksy spoke.", "info", 1),
    ("Later President Zelenksy spoke.", "error", 0),
])
def test_exit_status_and_fail_on(
    run_cli: RunCli, desk: Path, text: str, fail_on: str | None, code: int
) -> None:
    write(desk / "a.txt", text)
    args = [*CORE_ARGS, "a.txt"] + (["--fail-on", fail_on] if fail_on else [])
    assert run_cli(*args)[0] == code


def test_fail_on_rejects_an_unknown_severity(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Kyiv")
    code, out, err = run_cli("--fail-on", "fatal", "a.txt")
    assert code == 2 and out == "" and "--fail-on" in err


# --- rule selection -------------------------------------------------------------------------

def test_select_and_ignore(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Kiev and the Tass agency")
    code, out, _ = run_cli("--select", "variant", "-f", "json", "a.txt")
    assert (code, findings_of(report(out))) == (1, [("variant", "Kiev")])
    code, out, _ = run_cli(*CORE_ARGS, "--ignore", "variant", "-f", "json", "a.txt")
    assert findings_of(report(out)) == [("case", "Tass")]
    code, out, _ = run_cli("--select", "case,variant", "--ignore", "case", "-f", "json", "a.txt")
    assert findings_of(report(out)) == [("variant", "Kiev")]


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_rule_is_a_usage_error(run_cli: RunCli, desk: Path, option: str) -> None:
    write(desk / "a.txt", "Kiev")
    code, out, err = run_cli(option, "variant,spelling", "a.txt")
    assert code == 2 and out == ""
    assert one_error_line(err).startswith("unknown rule 'spelling' (known: ")


def test_list_rules(run_cli: RunCli) -> None:
    code, out, err = run_cli("--list-rules")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    ids = [line.split()[0] for line in lines]
    assert len(ids) == len(set(ids))
    core = {"mixed-script", "variant", "case", "source-form", "inconsistent", "untranslated"}
    assert core <= set(ids)
    for rule, severity in [("variant", "error"), ("case", "error"), ("mixed-script", "error"),
                           ("inconsistent", "warning")]:
        (line,) = [x for x in lines if x.split()[0] == rule]
        assert line.split()[1] == severity


def test_explain(run_cli: RunCli) -> None:
    code, out, err = run_cli("explain", "inconsistent")
    assert (code, err) == (0, "")
    assert out.startswith("inconsistent (warning; fix: unsafe)\n\n")
    assert "Zelenksy" in out
    code, out, err = run_cli("explain", "nonsense")
    assert code == 2 and out == ""
    assert one_error_line(err).startswith("explain: unknown rule 'nonsense' (known: ")
    code, out, err = run_cli("explain")
    assert code == 2 and out == ""
    assert one_error_line(err).startswith("explain takes one rule: ")
    code, out, _ = run_cli("explain", "unused-ignore")
    assert code == 0 and "glossary-check: ignore[variant]" in out


def test_unused_ignore_is_a_rule_like_the_others(run_cli: RunCli, tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("<!-- glossary-check: ignore[variant] -->\nTalks in Kyiv.\n",
                       encoding="utf-8")
    code, out, _ = run_cli("--report-unused-ignores", "-f", "json", str(article))
    assert [f["rule"] for f in json.loads(out)["files"][0]["findings"]] == ["unused-ignore"]
    code, out, _ = run_cli("--report-unused-ignores", "--ignore", "unused-ignore", "-f", "json",
                           str(article))
    assert (code, json.loads(out)["files"][0]["findings"]) == (0, [])
    code, out, _ = run_cli("--list-rules")
    assert "unused-ignore" in out


def test_version_and_help(run_cli: RunCli) -> None:
    assert run_cli("--version") == (0, f"glossary-check {__version__}\n", "")
    code, out, _ = run_cli("--help")
    assert code == 0 and "--fail-on" in out
    for command in ("explain", "config", "test", "audit", "archive", "models", "cache"):
        assert f"glossary-check {command} " in out, command
    code, out, _ = run_cli("config", "--help")
    assert code == 0 and out.startswith("usage: glossary-check config")


def test_no_paths_checks_the_working_directory(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Talks resumed in Kiev.\n", encoding="utf-8")
    code, out, err = run_cli("--no-config", *CORE_ARGS, "-f", "json", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert [f["path"] for f in json.loads(out)["files"]] == ["a.txt"]


# --- output options -------------------------------------------------------------------------

def test_output_writes_a_file_without_colour(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    code, out, err = run_cli("--output", "report.txt", "--color", "always", *CORE_ARGS, "a.txt")
    assert (code, out, err) == (1, "", "")
    written = (desk / "report.txt").read_text("utf-8")
    assert written.startswith("a.txt:1:10: error[variant] 'Kiev' is a variant of 'Kyiv'.\n")
    assert ESC not in written
    code, out, _ = run_cli("-o", "report.json", "-f", "json", *CORE_ARGS, "a.txt")
    assert (code, out) == (1, "")
    assert findings_of(report((desk / "report.json").read_text("utf-8"))) == [("variant", "Kiev")]


def test_an_output_file_that_cannot_be_written(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    code, out, err = run_cli("--output", "no/such/folder/report.txt", *CORE_ARGS, "a.txt")
    assert (code, out) == (2, "")
    assert one_error_line(err) == (
        "no/such/folder/report.txt: cannot write: No such file or directory"
    )


def test_quiet_prints_nothing_but_keeps_the_status(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    assert run_cli("--quiet", *CORE_ARGS, "a.txt") == (1, "", "")
    assert run_cli("-q", *CORE_ARGS, "-f", "json", "a.txt") == (1, "", "")


def test_the_text_report(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Київ and Kiev\nTass")
    code, out, _ = run_cli(*CORE_ARGS, "a.txt")
    assert code == 1
    assert out == (
        "a.txt:1:10: error[variant] 'Kiev' is a variant of 'Kyiv'.\n"
        "    Київ and Kiev\n"
        "             ^^^^\n"
        "    = fix: Kyiv\n"
        "a.txt:2:1: error[case] 'Tass' should be written 'TASS'.\n"
        "    Tass\n"
        "    ^^^^\n"
        "    = fix: TASS\n"
        "2 findings (2 error, 0 warning, 0 info) in 1 of 1 file\n"
    )


# --- colour ---------------------------------------------------------------------------------

def test_colour_only_when_asked_or_on_a_terminal(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    assert ESC not in run_cli(*CORE_ARGS, "a.txt")[1]  # a pipe
    assert ESC in run_cli(*CORE_ARGS, "--color", "always", "a.txt")[1]
    assert ESC in run_cli(*CORE_ARGS, "--color", "always", "a.txt", env={"NO_COLOR": "1"})[1]
    assert ESC not in run_cli(*CORE_ARGS, "--color", "never", "a.txt")[1]


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the command with its standard output on a pseudo-terminal; return what it wrote."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "glossary_check", *args], cwd=cwd, stdout=follower,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8")


def test_colour_on_a_terminal_unless_no_color(desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = [*CORE_ARGS, "a.txt"]
    assert ESC in run_on_a_terminal(args, desk, env)
    assert ESC not in run_on_a_terminal(args, desk, {**env, "NO_COLOR": "1"})
    assert ESC not in run_on_a_terminal([*args, "--color", "never"], desk, env)


# --- inputs ---------------------------------------------------------------------------------

def test_standard_input(run_cli: RunCli, desk: Path) -> None:
    code, out, _ = run_cli(*CORE_ARGS, "-f", "json", "-", input="Talks in Kiev.")
    assert code == 1
    data = report(out)
    assert data["files"][0]["path"] == "<stdin>"
    assert findings_of(data) == [("variant", "Kiev")]
    code, out, _ = run_cli(*CORE_ARGS, "--stdin-filename", "desk/article.txt", "-", input="Kiev")
    assert out.startswith("desk/article.txt:1:1: error[variant]")


def test_directories_are_walked_with_include_and_exclude(run_cli: RunCli, desk: Path) -> None:
    for name in ("articles/a.txt", "articles/news/b.txt", "articles/news/c.rst",
                 "articles/drafts/d.txt", "articles/.git/e.txt", "articles/f.yaml"):
        write(desk / name, "Kiev")
    code, out, _ = run_cli(*CORE_ARGS, "-f", "json", "articles")
    assert code == 1
    assert [f["path"] for f in report(out)["files"]] == [
        "articles/a.txt", "articles/drafts/d.txt", "articles/news/b.txt",
    ]
    _, out, _ = run_cli(*CORE_ARGS, "-f", "json", "--include", "*.txt,*.rst",
                           "--exclude", "drafts", "articles")
    assert [f["path"] for f in report(out)["files"]] == [
        "articles/a.txt", "articles/news/b.txt", "articles/news/c.rst",
    ]
    _, out, _ = run_cli(*CORE_ARGS, "-f", "json", "--exclude", "drafts/*,news/b.txt", "articles")
    assert [f["path"] for f in report(out)["files"]] == ["articles/a.txt"]
    _, out, _ = run_cli(*CORE_ARGS, "-f", "json", "--exclude", "b.txt", "articles/news/b.txt",
                           "articles/a.txt")
    assert [f["path"] for f in report(out)["files"]] == ["articles/a.txt"]


def test_a_file_named_twice_is_checked_once(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Kiev")
    _, out, _ = run_cli(*CORE_ARGS, "-f", "json", "a.txt", "./a.txt", ".")
    assert [f["path"] for f in report(out)["files"]] == ["a.txt"]


# --- glossary discovery ---------------------------------------------------------------------

def test_the_nearest_glossary_upwards_from_the_working_directory(
    run_cli: RunCli, tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    write_glossary("entries:\n  - term: Kyiv\n    variants: [Kiev]\n", "glossary.yaml")
    write_glossary("entries:\n  - term: Odesa\n    variants: [Odessa]\n",
                   "glossary-check.yaml", folder=tmp_path / "desk")
    write_glossary("entries:\n  - term: Lviv\n    variants: [Lvov]\n",
                   "glossary.yaml", folder=tmp_path / "desk")
    article = write(tmp_path / "desk" / "news" / "a.txt", "Kiev, Odessa, Lvov")

    def used(cwd: Path, *extra: str) -> tuple[Path, list[tuple[str, str]]]:
        _, out, _ = run_cli(*CORE_ARGS, "-f", "json", *extra, str(article), cwd=cwd)
        data = report(out)
        return (cwd / data["glossary"]["path"]).resolve(), findings_of(data)

    desk = tmp_path / "desk"
    assert used(desk / "news") == (desk / "glossary-check.yaml", [("variant", "Odessa")])
    assert used(desk) == (desk / "glossary-check.yaml", [("variant", "Odessa")])
    assert used(tmp_path) == (tmp_path / "glossary.yaml", [("variant", "Kiev")])
    assert used(tmp_path, "-g", "desk/glossary.yaml") == (
        desk / "glossary.yaml", [("variant", "Lvov")],
    )


def test_the_bundled_glossary_when_none_is_found(run_cli: RunCli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kiev")
    code, out, _ = run_cli(*CORE_ARGS, "-f", "json", "a.txt")
    assert code == 1
    data = report(out)
    assert Path(data["glossary"]["path"]).name == "newsroom.yaml"
    assert findings_of(data) == [("variant", "Kiev")]


# --- a broken glossary: exit 2, one line naming file:line:column, nothing checked -----------

@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("entries:\n  - term: Kyiv\n    variants: [Kiev\n", "glossary.yaml:4:1: bad YAML: "),
    ("entries:\n  - term: Kyiv\n    spelling: Kiev\n",
     "glossary.yaml:3:5: unknown field 'spelling'"),
    ("entries:\n  - term: Kyiv\n    pattern: '[Kiev'\n",
     "glossary.yaml:3:14: pattern does not compile"),
    ("entries:\n  - term: Kyiv\n    pattern: 'K*'\n",
     "glossary.yaml:3:14: pattern can match the empty string"),
    ("include: [glossary.yaml]\n", "glossary.yaml:1:11: include cycle: "),
    ("include: [other.yaml]\n", "glossary.yaml:1:11: included file 'other.yaml' does not exist"),
    ("entries:\n  - term: Kyiv\n    variants: [Kiev]\n  - term: Kiev\n",
     "glossary.yaml:3:16: variant 'Kiev' of 'Kyiv' is the term or an alias of 'Kiev' at "
     "glossary.yaml:4:5"),
    ("", "glossary.yaml:1:1: the glossary is empty"),
    ("entries: !!python/object/apply:os.system [echo hi]\n", "glossary.yaml:1:10: YAML tag"),
])
def test_a_broken_glossary(
    run_cli: RunCli, tmp_path: Path, write_glossary: WriteGlossary, yaml_text: str, expected: str
) -> None:
    write_glossary(yaml_text, "glossary.yaml")
    write(tmp_path / "a.txt", "Kiev")
    code, out, err = run_cli("a.txt")
    assert (code, out) == (2, "")
    assert one_error_line(err).startswith(expected)


def test_a_non_utf8_glossary(run_cli: RunCli, tmp_path: Path) -> None:
    write(tmp_path / "glossary.yaml", b"entries:\n  - term: Ky\xefv\n")
    write(tmp_path / "a.txt", "Kiev")
    code, out, err = run_cli("a.txt")
    assert (code, out) == (2, "")
    assert one_error_line(err) == "glossary.yaml:2:13: not valid UTF-8 (byte 0xef)"


def test_a_missing_glossary_option(run_cli: RunCli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kiev")
    code, out, err = run_cli("-g", "nowhere.yaml", "a.txt")
    assert (code, out) == (2, "")
    assert one_error_line(err) == "nowhere.yaml: no such glossary file"


# --- files that cannot be checked: exit 2, the others still checked -------------------------

def test_unreadable_files_are_reported_and_the_rest_checked(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.")
    write(desk / "bad.txt", "line one\nи тут ".encode() + b"\xff tail\n")
    write(desk / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(desk / "z.txt", "Zelenskyy")
    code, out, err = run_cli(*CORE_ARGS, "-f", "json", "a.txt", "bad.txt", "missing.txt",
                             "photo.txt", "z.txt")
    assert code == 2
    lines = err.splitlines()
    assert lines == [
        "glossary-check: bad.txt:2:7: not valid UTF-8 (byte 0xff)",
        "glossary-check: missing.txt: no such file",
        "glossary-check: photo.txt: binary file (contains NUL bytes), not text",
    ]
    data = report(out)
    assert findings_of(data) == [("variant", "Kiev"), ("variant", "Zelenskyy")]
    assert [f.get("error") is not None for f in data["files"]] == [False, True, True, True, False]


def test_diff_with_an_unreadable_file_is_a_run_error(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", "Talks in Kiev.\n")
    write(desk / "bad.txt", b"\xff\n")
    code, out, err = run_cli(*CORE_ARGS, "--diff", "a.txt", "bad.txt", "missing.txt")
    assert code == 2
    assert "+Talks in Kyiv." in out
    assert err.splitlines() == [
        "glossary-check: bad.txt:1:1: not valid UTF-8 (byte 0xff)",
        "glossary-check: missing.txt: no such file",
    ]
    code, out, err = run_cli(*CORE_ARGS, "--diff", "bad.txt")
    assert (code, out) == (2, "")
    assert one_error_line(err) == "bad.txt:1:1: not valid UTF-8 (byte 0xff)"


def test_a_directory_argument_that_does_not_exist(run_cli: RunCli, desk: Path) -> None:
    code, out, err = run_cli(*CORE_ARGS, "nowhere/")
    assert code == 2 and "1 file could not be checked" in out
    assert one_error_line(err) == "nowhere/: no such file"


def test_bom_crlf_and_no_final_newline(run_cli: RunCli, desk: Path) -> None:
    write(desk / "a.txt", b"\xef\xbb\xbfKiev\r\nand\r\nthe Tass")
    code, out, _ = run_cli(*CORE_ARGS, "-f", "json", "a.txt")
    assert code == 1
    found = [(f["text"], f["offset"], f["line"], f["column"], f["end_line"], f["end_column"])
             for f in report(out)["files"][0]["findings"]]
    assert found == [("Kiev", 0, 1, 1, 1, 5), ("Tass", 15, 3, 5, 3, 9)]
    _, out, _ = run_cli(*CORE_ARGS, "a.txt")
    assert out.splitlines()[:3] == [
        "a.txt:1:1: error[variant] 'Kiev' is a variant of 'Kyiv'.", "    Kiev", "    ^^^^",
    ]


# --- start-up cost: no heavy module for --help or a glossary-only check ---------------------

HEAVY = ("argostranslate", "torch", "pymorphy3", "lingua", "markdown_it", "ctranslate2", "dask",
         "distributed", "stanza", "spacy")


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "glossary_check", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL,
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, proc.stderr
    return names


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = imported_modules(["--help"], tmp_path)
    assert "glossary_check.commands.cli" in modules
    heavy = {m for m in modules if m.split(".")[0] in HEAVY}
    assert heavy == set()
    assert "yaml" not in modules and "regex" not in modules


def test_a_glossary_only_check_imports_nothing_heavy(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Talks in Kiev with Zelenksy.\n")
    modules = imported_modules([*CORE_ARGS, "a.txt"], tmp_path)
    assert "glossary_check.rules.pipeline" in modules
    assert {m for m in modules if m.split(".")[0] in HEAVY} == set()


def test_the_collector_is_on_again_after_a_check_however_it_ends(
    tmp_path: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The glossary is loaded with the cycle collector off; a run that ends, well or with a
    broken glossary, leaves it as it found it for whatever the process does next."""
    import gc

    from glossary_check.commands.cli import main

    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", "Talks in Kiev.\n")
    good = write_glossary("""\
        language: en
        entries:
          - term: Kyiv
            variants: [Kiev]
        """)
    broken = write_glossary("entries: [", name="broken.yaml")
    seen: list[bool] = []
    monkeypatch.setattr("glossary_check.commands.session.Session", _recording(seen))
    assert main(["-g", str(good), "--fail-on", "never", "a.txt"]) == 0
    assert gc.isenabled()
    assert main(["-g", str(broken), "a.txt"]) == 2
    assert gc.isenabled()
    assert "broken.yaml" in capsys.readouterr().err
    assert seen == [False]  # the good glossary was loaded with the collector off
    gc.disable()
    try:
        assert main(["-g", str(good), "--fail-on", "never", "a.txt"]) == 0
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def _recording(seen: list[bool]) -> Any:
    """A stand-in for Session that notes whether the collector ran while it was made."""
    import gc

    from glossary_check.commands.session import Session

    def make(*args: Any, **kwargs: Any) -> Session:
        seen.append(gc.isenabled())
        return Session(*args, **kwargs)

    return make


def test_untranslated_text_with_no_model_installed_loads_no_translation_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain check finds untranslated Russian and says no model translates it, as before,
    without loading CTranslate2, SentencePiece or argostranslate's package manager."""
    pytest.importorskip("argostranslate", reason="the 'translate' extra: without it the "
                        "notice names the extra, not a model")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "a.txt", "Talks in Kiev. В мире неспокойно, сказал он.\n")
    modules = imported_modules(["-f", "json", "--fail-on", "never", "a.txt"], tmp_path)
    assert "glossary_check.workflow.annotate" in modules  # translation was attempted
    backend = {"ctranslate2", "sentencepiece", "argostranslate.package", "torch"}
    assert backend & modules == set()
    proc = subprocess.run(
        [sys.executable, "-m", "glossary_check", "-f", "json", "--fail-on", "never", "a.txt"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=True,
        stdin=subprocess.DEVNULL,
    )
    notices = report(proc.stdout)["notices"]
    assert len(notices) == 1 and notices[0].startswith("no ru→en translation model is installed")


def test_every_report_format_is_offered() -> None:
    from glossary_check import report
    from glossary_check.commands import cli

    assert cli.FORMATS == report.FORMATS

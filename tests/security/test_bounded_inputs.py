"""Hostile inputs: devices, FIFOs, oversized files, YAML bombs, runaway patterns, huge and
deeply nested articles and symbolic link loops each end in one clear line and exit status 2,
in bounded time and memory, never a traceback, a hang or a silent gap.

Runs are subprocesses with a timeout and an address-space limit, so a regression fails
here instead of hanging the suite or filling the machine's memory."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from glossary_check.core.inputs import DEFAULT_MAX_FILE_SIZE
from glossary_check.documents import read_document

GUARD = 90  # seconds: a hang guard for each run, not a timing
MEMORY = 3 * 1024**3  # bytes of address space a run may map before it fails


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cli(*args: str, cwd: Path, stdin: bytes = b"") -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "glossary_check", *args], cwd=cwd, input=stdin,
            capture_output=True, env=env, timeout=GUARD, check=False, preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"glossary-check {' '.join(args)} did not finish in {GUARD} s")
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def one_error(stderr: str) -> str:
    """The run's single error line, without the program's prefix; no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("glossary-check: ")]
    assert len(lines) == 1, stderr
    return lines[0].removeprefix("glossary-check: ")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "article.txt").write_text("Kiev is in Ukraine.\n", encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text("entries:\n  - term: Kyiv\n    variants: [Kiev]\n",
                                            encoding="utf-8")
    return tmp_path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.md"
    os.mkfifo(path)
    return path


# --- 1. only regular files, and within a size limit ------------------------------------------

def test_a_device_as_an_article(work: Path) -> None:
    status, _, err = cli("--no-translate", "/dev/zero", cwd=work)
    assert status == 2
    assert one_error(err) == "/dev/zero: a character device, not a regular file"


def test_a_fifo_as_an_article_does_not_block(work: Path, fifo: Path) -> None:
    status, _, err = cli("--no-translate", str(fifo), cwd=work)
    assert status == 2
    assert one_error(err) == f"{fifo}: a FIFO, not a regular file"


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "."])
def test_a_special_file_as_the_glossary(work: Path, fifo: Path, special: str) -> None:
    name = fifo.name if special == "fifo" else special  # a glossary is named from here
    kind = {"/dev/zero": "a character device", "fifo": "a FIFO", ".": "a directory"}[special]
    status, _, err = cli("--no-translate", "-g", name, "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == f"{name}: {kind}, not a regular file"


def test_a_device_as_an_include(work: Path) -> None:
    (work / "desk.yaml").write_text("include: [/dev/zero]\nentries:\n  - term: Odesa\n")
    status, _, err = cli("--no-translate", "-g", "desk.yaml", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "/dev/zero: a character device, not a regular file"


def test_a_device_as_the_configured_glossary(work: Path) -> None:
    (work / "glossary-check.toml").write_text('glossary = "/dev/zero"\n')
    status, _, err = cli("--no-translate", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "/dev/zero: a character device, not a regular file"


def test_a_device_as_the_configuration(work: Path) -> None:
    status, _, err = cli("--no-translate", "--config", "/dev/zero", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "/dev/zero: a character device, not a regular file"


def test_an_article_over_the_default_limit(work: Path) -> None:
    big = work / "big.txt"
    with big.open("wb") as handle:  # sparse: no time or disk spent
        handle.truncate(DEFAULT_MAX_FILE_SIZE + 1)
    status, _, err = cli("--no-translate", "big.txt", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "big.txt: larger than the 16 MiB limit (--max-file-size)"


def test_the_limit_is_an_option_and_a_configuration_key(work: Path) -> None:
    (work / "long.txt").write_text("Kiev. " * 200)  # 1200 bytes
    status, _, err = cli("--no-translate", "--max-file-size", "1K", "long.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "long.txt: larger than the 1 KiB limit (--max-file-size)"
    (work / "glossary-check.toml").write_text('max-file-size = "1K"\n')
    status, _, err = cli("--no-translate", "long.txt", cwd=work)
    assert status == 2
    assert one_error(err).startswith("long.txt: larger than the 1 KiB limit")
    status, out, err = cli("--no-translate", "--max-file-size", "2K", "long.txt", cwd=work)
    assert status == 1, err  # the command line wins: checked, and the variants found
    assert "Kiev" in out


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1.5M"])
def test_a_bad_limit_is_refused_in_both_places(work: Path, value: str) -> None:
    status, _, err = cli("--max-file-size", value, "article.txt", cwd=work)
    assert status == 2 and "--max-file-size" in err
    (work / "glossary-check.toml").write_text(f'max-file-size = "{value}"\n')
    status, _, err = cli("article.txt", cwd=work)
    assert status == 2
    assert one_error(err).startswith("glossary-check.toml:1:1: max-file-size must be a size")


def test_standard_input_is_bounded_too(work: Path) -> None:
    status, _, err = cli("--no-translate", "--max-file-size", "64K", "-", cwd=work,
                         stdin=b"Kiev. " * 20_000)
    assert status == 2
    assert one_error(err) == "<stdin>: larger than the 64 KiB limit (--max-file-size)"


# --- 2. YAML bombs ----------------------------------------------------------------------------

def _laughs(leaf: str) -> str:
    """Nine levels of nine aliases each: 9**9 leaves from some 350 bytes."""
    lines = [f'a: &a [{", ".join([leaf] * 9)}]']
    names = "abcdefghi"
    for i in range(1, 9):
        lines.append(f"{names[i]}: &{names[i]} [{', '.join(['*' + names[i - 1]] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_front_matter(work: Path) -> None:
    (work / "bomb.md").write_text("---\n" + _laughs('"lol"') + "---\n\nKiev.\n")
    status, _, err = cli("--no-translate", "bomb.md", cwd=work)
    assert status == 2
    assert one_error(err) == ("bomb.md:6:8: front matter: aliases expand to more than 10000 "
                              "nodes beyond those written")


def test_an_alias_bomb_in_a_glossary(work: Path) -> None:
    (work / "bomb.yaml").write_text("entries:\n  - term: Kyiv\n    note: " + "x\n"
                                    + _laughs("{term: x}"))
    status, _, err = cli("--no-translate", "-g", "bomb.yaml", "article.txt", cwd=work)
    assert status == 2
    assert re.match(r"bomb\.yaml:\d+:\d+: bad YAML: aliases expand to more than 10000 nodes",
                    one_error(err))


def test_a_merge_key_bomb_in_a_glossary(work: Path) -> None:
    lines = ["entries:", "  - &e0 {term: Kyiv}"]
    for i in range(1, 12):
        lines.append(f"  - &e{i} {{<<: [{', '.join([f'*e{i - 1}'] * 8)}], term: T{i}}}")
    (work / "merge.yaml").write_text("\n".join(lines) + "\n")
    status, _, err = cli("--no-translate", "-g", "merge.yaml", "article.txt", cwd=work)
    assert status == 2
    assert re.match(r"merge\.yaml:\d+:\d+: bad YAML: aliases expand to more than 10000 nodes",
                    one_error(err))


def test_a_recursive_alias_in_a_glossary(work: Path) -> None:
    (work / "loop.yaml").write_text("entries: &e\n  - term: Kyiv\n  - *e\n")
    status, _, err = cli("--no-translate", "-g", "loop.yaml", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "loop.yaml:3:5: bad YAML: an alias inside the node it refers to"


# --- 3. runaway patterns ----------------------------------------------------------------------

def test_a_catastrophic_pattern_is_refused_when_the_glossary_loads(work: Path) -> None:
    (work / "slow.yaml").write_text("entries:\n  - term: Aardvark\n    pattern: '(a|aa)+c'\n")
    status, _, err = cli("--no-translate", "-g", "slow.yaml", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err).startswith("slow.yaml:3:14: pattern takes too long on a run of one ")


def test_many_slow_patterns_stop_as_one_error_not_a_silent_gap(work: Path) -> None:
    """Patterns that pass the load-time probe but run away on this article: a hundred of
    them end in one error naming where the check stopped, not a hundred timeouts in a row,
    and never in a report that silently lacks their findings."""
    entries = "".join(f"  - term: Word{i}\n    pattern: '(?:w|wo|o)+(?<=q)'\n" for i in range(100))
    (work / "slow.yaml").write_text("entries:\n  - term: Kyiv\n    variants: [Kiev]\n" + entries)
    (work / "a.txt").write_text("Kiev " + "wo" * 28)  # 61 bytes
    status, out, err = cli("--no-translate", "--no-cache", "-g", "slow.yaml", "a.txt", cwd=work)
    assert status == 2
    message = one_error(err)
    assert message.startswith("a.txt: ")
    assert "(stopped at slow.yaml:4:5: " in message and message.endswith("not checked")
    assert "1 file could not be checked" in out


# --- 4. memory --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_reading_a_large_article_takes_a_small_multiple_of_its_size(fmt: str) -> None:
    paragraph = {
        "markdown": "Some **bold** text, a [link](http://example.org) and Kyiv's *news*; "
                    "the city council said on Tuesday that repairs would take a month.\n\n",
        "html": "<p>Some <b>bold</b> text, a <a href='x'>link</a> &amp; Kyiv&#39;s news.</p>\n",
        "text": "Some bold text, a link and Kyiv's news, Київ і Харків.\n\n",
    }[fmt]
    data = (paragraph * (2_000_000 // len(paragraph))).encode("utf-8")
    tracemalloc.start()
    try:
        doc = read_document(f"big.{ {'markdown': 'md', 'html': 'html', 'text': 'txt'}[fmt] }", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "Kyiv" in doc.view
    assert peak < 25 * len(data), f"{peak / len(data):.0f} times the file's size"


# --- 5. tracebacks ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["--no-translate", "-g", "loop.yaml", "article.txt"],
    ["test", "loop.yaml"],
    ["audit", "loop.yaml"],
])
def test_a_symbolic_link_loop_as_the_glossary(work: Path, command: list[str]) -> None:
    (work / "loop.yaml").symlink_to("loop2.yaml")
    (work / "loop2.yaml").symlink_to("loop.yaml")
    status, _, err = cli(*command, cwd=work)
    assert status == 2
    assert one_error(err) == "loop.yaml: cannot read: a loop of symbolic links"


def test_a_symbolic_link_loop_as_the_configuration(work: Path) -> None:
    (work / "loop.toml").symlink_to("loop.toml")
    status, _, err = cli("--config", "loop.toml", "article.txt", cwd=work)
    assert status == 2
    assert one_error(err).startswith("loop.toml: cannot read: ")


def test_a_symbolic_link_loop_as_an_article(work: Path) -> None:
    (work / "loop.md").symlink_to("loop.md")
    status, _, err = cli("--no-translate", "loop.md", cwd=work)
    assert status == 2
    assert one_error(err).startswith("loop.md: cannot read: ")


def test_threads_zero_is_refused_on_the_command_line_and_in_the_config(work: Path) -> None:
    status, _, err = cli("--threads", "0", "article.txt", cwd=work)
    assert status == 2 and "--threads: expected a whole number >= 1, got '0'" in err
    status, _, err = cli("audit", "--threads", "0", "glossary.yaml", cwd=work)
    assert status == 2 and "--threads: expected a whole number >= 1, got '0'" in err
    (work / "glossary-check.toml").write_text("threads = 0\n")
    status, _, err = cli("article.txt", cwd=work)
    assert status == 2
    assert one_error(err) == "glossary-check.toml:1:1: threads must be a whole number of at least 1"


@pytest.mark.parametrize("nest", ["> " * 10_000 + "Kiev\n", "".join(
    "  " * i + "- Kiev\n" for i in range(2_000))])
def test_deep_markdown_nesting_is_an_error_not_a_gap(work: Path, nest: str) -> None:
    (work / "deep.md").write_text("Intro.\n\n" + nest)
    status, _, err = cli("--no-translate", "deep.md", cwd=work)
    assert status == 2
    message = one_error(err)
    assert message.startswith("deep.md:") and "nested more than 40 levels deep" in message

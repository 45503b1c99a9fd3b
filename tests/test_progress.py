"""The progress bar: on a terminal only, never on a pipe, in CI or with --quiet."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORE_ARGS, RunCli
from glossary_check.report.progress import Progress, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


CLEAN_ENV: dict[str, str] = {"TERM": "xterm"}


def test_wanted_only_on_a_terminal_outside_ci() -> None:
    assert wanted(Terminal(), total=5, environ=CLEAN_ENV)
    assert not wanted(io.StringIO(), total=5, environ=CLEAN_ENV)
    assert not wanted(Terminal(), total=5, environ={"CI": "true"})
    assert not wanted(Terminal(), total=5, environ={"GITHUB_ACTIONS": "true"})
    assert not wanted(Terminal(), total=5, environ={"TERM": "dumb"})
    assert not wanted(Terminal(), total=5, quiet=True, environ=CLEAN_ENV)
    assert not wanted(Terminal(), total=1, environ=CLEAN_ENV)


def test_bar_draws_throttled_and_clears() -> None:
    out = Terminal()
    now = [0.0]
    bar = Progress(4, out, interval=1.0, clock=lambda: now[0], width=60)
    bar.advance("a.md")  # drawn
    bar.advance("b.md")  # same instant: skipped
    now[0] = 5.0
    bar.advance("c.md")  # drawn
    bar.advance("d.md")  # the last one is always drawn
    bar.close()
    frames = out.getvalue().split("\r")[1:]
    assert [f.split("]")[1].split("\x1b")[0] for f in frames[:-1]] == [
        " 1/4 a.md", " 3/4 c.md", " 4/4 d.md"]
    assert frames[-1] == "\x1b[K"  # cleared at the end
    assert all(len(f.split("\x1b")[0]) <= 60 for f in frames)


def test_long_names_are_cut_from_the_left() -> None:
    out = Terminal()
    bar = Progress(2, out, width=40)
    bar.advance("very/long/folder/name/of/an/article-about-kyiv.md")
    line = out.getvalue().split("\r")[1].split("\x1b")[0]
    assert len(line) <= 40 and line.endswith("kyiv.md") and "…" in line


def test_disabled_bar_writes_nothing() -> None:
    out = Terminal()
    with Progress(3, out, enabled=False) as bar:
        for _ in range(3):
            bar.advance("x")
    assert out.getvalue() == "" and bar.done == 3


@pytest.fixture
def many(tmp_path: Path) -> list[str]:
    names = []
    for i in range(5):
        (tmp_path / f"a{i}.txt").write_text("Kyiv.\n", encoding="utf-8")
        names.append(f"a{i}.txt")
    return names


def test_nothing_on_a_pipe(run_cli: RunCli, many: list[str]) -> None:
    code, out, err = run_cli(*CORE_ARGS, *many, env={"TERM": "xterm"})
    assert code == 0 and err == "" and "\r" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("extra_env", "shown"), [({}, True), ({"CI": "1"}, False)])
def test_a_bar_on_a_terminal(
    tmp_path: Path, many: list[str], extra_env: dict[str, str], shown: bool
) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update({"TERM": "xterm", **extra_env})
    proc = subprocess.run([sys.executable, "-m", "glossary_check", *CORE_ARGS, *many],
                          cwd=tmp_path, stdout=subprocess.PIPE, stderr=slave, env=env,
                          timeout=300, check=False)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 0 and b"0 findings" in proc.stdout
    assert (b"5/5" in seen and seen.endswith(b"\r\x1b[K")) is shown
    assert (seen == b"") is not shown

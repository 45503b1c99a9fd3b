"""`--fix` and directory walks against hostile trees and a hostile world: links that lead out
of the checked folders, glossaries whose fixes feed themselves, writers racing the rename,
signals and full disks in the middle of a write, and report streams that cannot be written."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORE, CORE_ARGS, WriteGlossary
from glossary_check.commands.cli import main
from glossary_check.core.findings import FileResult
from glossary_check.documents import format_for
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import GlossaryError, load_glossary
from glossary_check.workflow import fixes
from glossary_check.workflow.runner import check_file

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    variants: [Kiev]
  - term: Lviv
    variants:
      - Lvov: Lvov City
  - term: Kharkiv
    pattern: 'Kharkov\\b'
"""


class Cli(Protocol):
    def __call__(self, *args: str) -> tuple[int, str, str]: ...


@pytest.fixture
def glossary(write_glossary: WriteGlossary, tmp_path: Path) -> Path:
    return write_glossary(GLOSSARY, folder=tmp_path / "g")


@pytest.fixture
def cli(glossary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """The command line in-process, in tmp_path/work: (status, stdout, stderr)."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["-g", str(glossary), *CORE_ARGS, "--no-config", "--no-cache",
                     "--no-translate", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- 1. symbolic links ----------------------------------------------------------------------


def test_walk_never_reads_or_fixes_a_file_linked_from_outside(cli: Cli, tmp_path: Path) -> None:
    deploy = tmp_path / "deploy.sh"
    deploy.write_bytes(b"#!/bin/sh\n# Kiev Kharkov secret=hunter2\n")
    articles = tmp_path / "work" / "articles"
    articles.mkdir()
    (articles / "ok.txt").write_bytes(b"Kiev.\n")
    (articles / "x.txt").symlink_to("../../deploy.sh")
    code, out, err = cli("--fix", "-f", "github", "articles")
    assert deploy.read_bytes() == b"#!/bin/sh\n# Kiev Kharkov secret=hunter2\n"
    assert "hunter2" not in out + err and "Kharkov" not in out  # its pattern match not shown
    assert (articles / "ok.txt").read_bytes() == b"Kyiv.\n"
    assert "skipped symbolic link" not in out  # -f github: a run's notes go to the log
    notices = [line for line in err.splitlines() if "skipped symbolic link" in line]
    assert len(notices) == 1 and "articles/x.txt" in notices[0] and "outside" in notices[0]
    assert code == 0 and err.splitlines() == [*notices, "glossary-check: note: fixed 1 finding "
                                                         "in 1 file"]


def test_walk_does_not_enter_a_directory_linked_from_outside(cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.txt").write_bytes(b"Kiev\n")
    articles = tmp_path / "work" / "articles"
    articles.mkdir()
    (articles / "more").symlink_to(outside)
    code, out, _ = cli("--fix", "articles")
    assert (outside / "a.txt").read_bytes() == b"Kiev\n"
    assert out.count("skipped symbolic link") == 1
    assert "articles/more: it points to a directory outside" in out and code == 0


def test_walk_reads_a_link_inside_but_never_writes_through_it(cli: Cli, tmp_path: Path) -> None:
    articles = tmp_path / "work" / "articles"
    articles.mkdir()
    (articles / "notes.dat").write_bytes(b"Kiev\n")  # not picked by the walk itself
    (articles / "a.txt").symlink_to("notes.dat")
    code, out, err = cli("--fix", "articles")
    assert (articles / "notes.dat").read_bytes() == b"Kiev\n"
    assert "articles/a.txt:1:1: error[variant] 'Kiev'" in out  # it was checked
    assert "never written through" in out and code == 1 and err == ""
    # named on the command line (and inside the working tree), the same link is fixed
    assert cli("--fix", "articles/a.txt")[0] == 0
    assert (articles / "notes.dat").read_bytes() == b"Kyiv\n" and (articles / "a.txt").is_symlink()


def test_link_loops_in_a_walk_neither_hang_nor_fail(cli: Cli, tmp_path: Path) -> None:
    articles = tmp_path / "work" / "articles"
    (articles / "sub").mkdir(parents=True)
    (articles / "sub" / "up").symlink_to("..")
    (articles / "self").symlink_to(".")
    (articles / "one.txt").symlink_to("two.txt")
    (articles / "two.txt").symlink_to("one.txt")
    (articles / "gone.md").symlink_to("missing.md")
    (articles / "a.txt").write_bytes(b"Kiev\n")
    code, out, err = cli("--fix", "articles")
    assert (articles / "a.txt").read_bytes() == b"Kyiv\n"
    assert out.count("leads nowhere") == 3 and code == 0 and err == ""


def test_named_link_out_of_the_working_tree_is_an_error(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "deploy.txt"
    target.write_bytes(b"Kiev\n")
    link = tmp_path / "work" / "x.txt"
    link.symlink_to(target)
    code, out, err = cli("--fix", "x.txt")
    assert code == 2 and target.read_bytes() == b"Kiev\n"
    assert err.count("\n") == 1 and err.startswith("glossary-check: x.txt: not fixed: ")
    assert "outside the working tree" in err
    assert "error[variant]" in out  # still checked and reported


def test_a_named_folder_that_is_a_link_out_of_the_tree_is_not_written(
    cli: Cli, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.txt").write_bytes(b"Kiev\n")
    (tmp_path / "work" / "articles").symlink_to(outside)
    code, out, err = cli("--fix", "articles")
    assert code == 2 and (outside / "a.txt").read_bytes() == b"Kiev\n"
    assert err == (f"glossary-check: articles/a.txt: not fixed: it leads through a symbolic "
                   f"link to {outside / 'a.txt'}, outside the working tree {tmp_path / 'work'}\n")
    assert "error[variant]" in out


def test_a_plain_path_named_outside_the_tree_is_fixed(cli: Cli, tmp_path: Path) -> None:
    article = tmp_path / "elsewhere.txt"
    article.write_bytes(b"Kiev\n")
    assert cli("--fix", str(article))[0] == 0 and article.read_bytes() == b"Kyiv\n"


def test_named_link_within_the_git_work_tree_is_fixed(
    glossary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "shared").mkdir()
    (repo / "desk").mkdir()
    (repo / "shared" / "a.txt").write_bytes(b"Kiev\n")
    (repo / "desk" / "a.txt").symlink_to("../shared/a.txt")
    monkeypatch.chdir(repo / "desk")
    assert main(["-g", str(glossary), *CORE_ARGS, "--no-config", "--no-cache", "--fix",
                 "a.txt"]) == 0
    assert (repo / "shared" / "a.txt").read_bytes() == b"Kyiv\n"
    assert "not fixed" not in capsys.readouterr().err


# --- 2. fixes settle ------------------------------------------------------------------------


def test_a_variant_whose_fix_contains_it_is_fixed_once(cli: Cli, tmp_path: Path) -> None:
    article = tmp_path / "work" / "a.md"
    article.write_bytes(b"# Lvov\n\nIn Lvov and in Lvov\nCity.\n")
    assert cli("--fix", "a.md")[0] == 0
    once = article.read_bytes()
    assert once == b"# Lvov City\n\nIn Lvov City and in Lvov\nCity.\n"
    code, out, _ = cli("--fix", "a.md")
    assert article.read_bytes() == once and code == 0
    assert "fixed 0 findings in 0 files" in out and "0 findings (0 error" in out
    assert cli("--diff", "a.md")[:2] == (0, "")


def test_fixes_that_never_settle_leave_the_file_alone(
    write_glossary: WriteGlossary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cycle = write_glossary("""
        version: 1
        language: en
        entries:
          - term: Kharkiv
            variants: [{Kharkov: Charkow}]
          - term: Dnipro
            variants: [{Charkow: Kharkov}]
        """)
    article = tmp_path / "a.txt"
    article.write_bytes(b"Kiev and Kharkov.\n")
    monkeypatch.chdir(tmp_path)
    code = main(["-g", str(cycle), *CORE_ARGS, "--no-config", "--no-cache", "--fix", "a.txt"])
    err = capsys.readouterr().err
    assert code == 2 and article.read_bytes() == b"Kiev and Kharkov.\n"
    assert err.count("\n") == 1 and "a.txt: fixes do not settle" in err


WORDS = ["Kyiv", "Kiev", "Lviv", "Lvov", "City", "Oblast", "Palace", "the", "of", "KIEV", "lvov",
         "Kyyiv", "Zelensky", "Zelenskyy"]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
PATTERNS = ["'K[iy]e?v'", r"'Lvov\w*'", r"'(?i)\w+ Kyiv'"]  # the last one eats its own fix


@st.composite
def glossary_yaml(draw: st.DrawFn) -> str:
    """Small glossaries whose fixes may contain their wrong side, chain, or go round."""
    lines = ["version: 1", "language: en", "entries:"]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        term = draw(phrase)
        lines += [f"  - term: {term}", f"    case: {draw(st.sampled_from(['exact', 'any']))}",
                  "    variants:"]
        for wrong in draw(st.lists(phrase, min_size=1, max_size=3)):
            more = draw(phrase)  # a fix of its own, possibly with the wrong side inside
            right = draw(st.sampled_from([None, more, f"{wrong} {more}", f"{more} {wrong}"]))
            lines.append(f"      - {wrong}" if right is None else f"      - {wrong}: {right}")
        if draw(st.booleans()):
            lines.append("    pattern: " + draw(st.sampled_from(PATTERNS)))
    return "\n".join(lines) + "\n"


documents = st.lists(
    st.one_of(phrase, st.sampled_from([" ", "\n", ". ", ", ", "\r\n", "\n\n# ", "*"])),
    max_size=30).map("".join)


def _fix(path: Path, compiled: object, unsafe: bool) -> tuple[bytes, fixes.FixRun]:
    shown = str(path)
    result = check_file(shown, compiled, CORE)  # type: ignore[arg-type]

    def recheck(read: str, first: FileResult) -> fixes.Recheck:
        return lambda data: check_file(read, compiled, CORE, data=data,  # type: ignore[arg-type]
                                       shown=first.path)

    run = fixes.fix_results([shown], [result], recheck, fmt=format_for, unsafe=unsafe)
    return path.read_bytes(), run


@settings(max_examples=150, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow])
@given(yaml_text=glossary_yaml(), text=documents, suffix=st.sampled_from([".txt", ".md", ".html"]),
       unsafe=st.booleans())
def test_fix_twice_is_fix_once(yaml_text: str, text: str, suffix: str, unsafe: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        (where / "g.yaml").write_text(yaml_text, encoding="utf-8")
        try:
            compiled = compile_all(load_glossary(where / "g.yaml"))
        except GlossaryError:
            return  # a glossary the loader refuses is never used to fix
        article = where / f"a{suffix}"
        article.write_text(text, encoding="utf-8")
        once, first = _fix(article, compiled, unsafe)
        twice, second = _fix(article, compiled, unsafe)
        assert twice == once
        assert second.fixed == 0 and second.files == 0
        assert second.errors == first.errors  # a file left unsettled stays so, the same way


# --- 3. racing writers, signals, leftovers, mode bits ---------------------------------------


def test_an_append_in_the_instant_before_the_rename_is_kept(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "work" / "a.txt"
    article.write_bytes(b"Kiev.\n")
    real_replace = os.replace
    calls: list[str] = []

    def append_then_replace(src: str, dst: str) -> None:
        if not calls:  # the fix's own rename: another program appends just before it
            subprocess.run([sys.executable, "-c",
                            f"open({str(article)!r}, 'ab').write(b'Appended in Kiev.\\n')"],
                           check=True)
        calls.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", append_then_replace)
    code, _, err = cli("--fix", "a.txt")
    assert article.read_bytes() == b"Kiev.\nAppended in Kiev.\n"
    assert code == 2 and "a.txt: changed while it was being fixed" in err
    assert temps(article.parent) == []


def test_a_lock_held_by_another_program_is_respected(cli: Cli, tmp_path: Path) -> None:
    article = tmp_path / "work" / "a.txt"
    article.write_bytes(b"Kiev.\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys\n"
         f"f = open({str(article)!r}, 'rb'); fcntl.flock(f, fcntl.LOCK_EX)\n"
         "print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        code, _, err = cli("--fix", "a.txt")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert code == 2 and "another program holds a lock" in err
    assert article.read_bytes() == b"Kiev.\n" and temps(article.parent) == []


#: Runs the command line, stopping for good once the fix's temporary file is on disk.
_STALL = """\
import os, signal, sys, time
from glossary_check.commands.cli import main
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal, even if started
# from a shell that ignores SIGINT in its background jobs
sync = os.fsync
def stall(fd):
    sync(fd)
    if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".a.txt."):
        print("written", flush=True)
        time.sleep(120)
os.fsync = stall
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def stalled(glossary: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A `--fix` run held between writing its temporary file and renaming it."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    article = tmp_path / "work" / "a.txt"
    article.parent.mkdir()
    article.write_bytes(b"Kiev.\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _STALL, "-g", str(glossary), *CORE_ARGS, "--no-config",
         "--no-cache", "--no-translate", "--fix", "a.txt"],
        cwd=article.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"written\n"
    assert len(temps(article.parent)) == 1
    yield proc, article
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(("signum", "status"),
                         [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_a_signal_during_the_write_removes_the_temporary_file(
    stalled: tuple[subprocess.Popen[bytes], Path], signum: int, status: int
) -> None:
    proc, article = stalled
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == status
    assert temps(article.parent) == [] and article.read_bytes() == b"Kiev.\n"
    assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()


def test_the_next_run_removes_what_a_killed_run_left_and_nothing_else(
    stalled: tuple[subprocess.Popen[bytes], Path], cli: Cli,
) -> None:
    proc, article = stalled
    proc.kill()
    proc.wait()
    folder = article.parent
    [left] = temps(folder)
    hour_ago = time.time() - 3600
    os.utime(folder / left, (hour_ago, hour_ago))
    keep = {  # a fresh one (its run may be alive elsewhere), and files merely named like ours
        f".b.txt.glossary-check-fix-{proc.pid}-fresh.tmp": None,
        ".b.txt.x1y2z3.tmp": hour_ago,
        "notes.glossary-check-fix-1-old.tmp": hour_ago,
    }
    for name, when in keep.items():
        (folder / name).write_bytes(b"someone's\n")
        if when is not None:
            os.utime(folder / name, (when, when))
    link = folder / f".c.txt.glossary-check-fix-{proc.pid}-link.tmp"
    link.symlink_to(article)
    if os.geteuid() == 0:  # another user's file, named as ours
        other = folder / f".d.txt.glossary-check-fix-{proc.pid}-other.tmp"
        other.write_bytes(b"theirs\n")
        os.chown(other, 4242, 4242)
        os.utime(other, (hour_ago, hour_ago))
        keep[other.name] = hour_ago
    code, _, _ = cli("--fix", "a.txt")
    assert code == 0 and article.read_bytes() == b"Kyiv.\n"
    assert temps(folder) == sorted([*keep, link.name])


def test_every_mode_bit_and_the_owner_are_kept(cli: Cli, tmp_path: Path) -> None:
    article = tmp_path / "work" / "a.txt"
    article.write_bytes(b"Kiev.\n")
    if os.geteuid() == 0:
        os.chown(article, 4242, 4343)
    os.chmod(article, 0o7751)  # after the owner: a change of owner clears setuid and setgid
    assert cli("--fix", "a.txt")[0] == 0
    info = article.stat()
    assert article.read_bytes() == b"Kyiv.\n" and stat.S_IMODE(info.st_mode) == 0o7751
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (4242, 4343)


def test_setuid_and_setgid_go_where_the_owner_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(b"Kiev.\n")
    real = article.stat()
    someone = os.stat_result((stat.S_IFREG | 0o7775, real.st_ino, real.st_dev, 1,
                              real.st_uid + 1, real.st_gid + 1, 6, 0, 0, 0))

    def refuse(*_: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    tmp = Path(fixes._write_temp(str(article), str(tmp_path), b"Kyiv.\n", someone))
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o1775 and tmp.read_bytes() == b"Kyiv.\n"


# --- 4. errors, not tracebacks --------------------------------------------------------------


def test_a_full_disk_during_the_fix_is_a_one_line_error(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "work" / "a.txt"
    article.write_bytes(b"Kiev.\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = cli("--fix", "a.txt")
    assert (code, err) == (2, "glossary-check: a.txt: cannot write fixes: "
                              "No space left on device\n")
    assert article.read_bytes() == b"Kiev.\n" and temps(article.parent) == []


def _run(glossary: Path, folder: Path, *args: str, **popen: Any) -> tuple[int, bytes]:
    """The command line in a process of its own, with `popen`'s standard output."""
    proc = subprocess.run(
        [sys.executable, "-m", "glossary_check", "-g", str(glossary), *CORE_ARGS, "--no-config",
         "--no-cache", "--no-translate", *args],
        cwd=folder, stderr=subprocess.PIPE, timeout=120, check=False, **popen)
    return proc.returncode, proc.stderr


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_bytes(b"Kiev.\n")
    return path


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_to_a_full_device_is_a_one_line_error(glossary: Path, article: Path) -> None:
    code, err = _run(glossary, article.parent, "-o", "/dev/full", "a.txt")
    assert (code, err) == (2, b"glossary-check: /dev/full: cannot write: "
                              b"No space left on device\n")
    with open("/dev/full", "wb") as full:
        code, err = _run(glossary, article.parent, "a.txt", stdout=full)
    assert (code, err) == (2, b"glossary-check: cannot write the report: "
                              b"No space left on device\n")


def test_a_closed_standard_output_is_a_one_line_error(glossary: Path, article: Path) -> None:
    code, err = _run(glossary, article.parent, "a.txt", preexec_fn=lambda: os.close(1))
    assert (code, err) == (2, b"glossary-check: cannot write the report: "
                              b"standard output is closed\n")


def test_a_reader_that_went_away_ends_the_run_quietly(glossary: Path, article: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # `| head -0`: nobody reads
    try:
        code, err = _run(glossary, article.parent, "a.txt", stdout=write)
    finally:
        os.close(write)
    assert (code, err) == (2, b"")


def test_fixing_through_a_closed_pipe_still_fixes_the_file(glossary: Path, article: Path) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        code, err = _run(glossary, article.parent, "--fix", "a.txt", stdout=write)
    finally:
        os.close(write)
    assert (code, err) == (2, b"") and article.read_bytes() == b"Kyiv.\n"


"""Work done aside in a forked child (`core.processes`): it runs where a fork is safe, says
whether it succeeded, never writes this process's output twice, and is not forked while
another thread runs."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from conftest import python_output
from glossary_check.core import processes


def _forks() -> None:
    if processes.cpus() < 2 or not processes.may_fork():
        pytest.skip("no second CPU or no safe fork here")


def test_work_aside_is_done_and_says_so(tmp_path: Path) -> None:
    _forks()
    mark = tmp_path / "done"
    done = processes.aside(lambda: mark.write_text(str(os.getpid())))
    assert done is not None and done.wait() and done.wait()
    assert mark.read_text() != str(os.getpid()), "written by the child"

    def fails() -> None:
        raise RuntimeError("no")

    failed = processes.aside(fails)
    assert failed is not None and not failed.wait()


def test_nothing_is_forked_while_another_thread_runs() -> None:
    _forks()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not processes.may_fork()
        assert processes.aside(lambda: None) is None
    finally:
        stop.set()
        other.join()


@pytest.mark.skipif(sys.platform == "darwin" or not hasattr(os, "fork"), reason="no fork")
def test_output_buffered_before_the_fork_is_written_once() -> None:
    code = ("import sys; from glossary_check.core import processes; "
            "sys.stdout.write('before '); w = processes.aside(lambda: None); "
            "print('forked' if w is not None and w.wait() else 'alone')")
    out = python_output(code)
    assert out.count("before") == 1 and out.strip().endswith(("forked", "alone"))

"""Work done aside in a forked child (`core.processes`): it runs where a fork is safe, says
whether it succeeded, never writes this process's output twice, and is not forked while
another thread runs. Each case runs in a fresh interpreter: a test process has threads
of its own by then (libraries loaded by earlier tests keep theirs), and no fork is made
there."""

from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import python_output

pytestmark = pytest.mark.skipif(sys.platform == "darwin" or not hasattr(os, "fork"),
                                reason="no safe fork on this system")

_SETUP = """
import json, os, sys, threading
from glossary_check.core import processes
"""


def _run(code: str) -> dict[str, object]:
    out: dict[str, object] = json.loads(python_output(_SETUP + code).splitlines()[-1])
    return out


def test_work_aside_is_done_and_says_so() -> None:
    out = _run("""
r, w = os.pipe()
if processes.cpus() < 2:
    print(json.dumps({"cpus": 1})); sys.exit()
done = processes.aside(lambda: os.write(w, str(os.getpid()).encode()))
ok = done is not None and done.wait() and done.wait()
child = os.read(r, 100).decode()
def fails():
    raise RuntimeError("no")
failed = processes.aside(fails)
print(json.dumps({"ok": ok, "child": child, "me": str(os.getpid()),
                  "failed": failed is not None and failed.wait()}))
""")
    if out.get("cpus") == 1:
        pytest.skip("one CPU: nothing is done aside")
    assert out["ok"] is True and out["child"] not in ("", out["me"])
    assert out["failed"] is False


def test_a_child_that_takes_too_long_is_stopped() -> None:
    out = _run("""
import time
if processes.cpus() < 2:
    print(json.dumps({"cpus": 1})); sys.exit()
slow = processes.aside(lambda: time.sleep(60))
started = time.monotonic()
done = slow.wait(0.3)
try:
    os.kill(slow._pid, 0)
    gone = False
except ProcessLookupError:
    gone = True
print(json.dumps({"done": done, "gone": gone, "waited": time.monotonic() - started}))
""")
    if out.get("cpus") == 1:
        pytest.skip("one CPU: nothing is done aside")
    assert out["done"] is False and out["gone"] is True
    assert 0.3 <= out["waited"] < 30  # type: ignore[operator]


def test_nothing_is_forked_while_another_thread_runs() -> None:
    out = _run("""
alone = processes.may_fork()
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
print(json.dumps({"alone": alone, "with": processes.may_fork(),
                  "aside": processes.aside(lambda: None) is None}))
stop.set()
other.join()
""")
    assert out == {"alone": True, "with": False, "aside": True}


def test_output_buffered_before_the_fork_is_written_once() -> None:
    out = python_output(
        "import sys; from glossary_check.core import processes; "
        "sys.stdout.write('before '); w = processes.aside(lambda: None); "
        "print('forked' if w is not None and w.wait() else 'alone')")
    assert out.count("before") == 1 and out.strip().endswith(("forked", "alone"))

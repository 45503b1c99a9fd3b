"""Work done beside this process in a forked child, where forking is safe.

A forked child starts with everything the parent has loaded (a large glossary read
once, not twice) and runs on another CPU while the parent goes on. Forking is safe only
with one thread (a lock another thread holds stays held in the child forever) and not
on macOS, whose system libraries may not survive it; elsewhere nothing is forked and the
caller does the work itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable


def threads() -> int:
    """Threads of this process, native ones included where the system says."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def may_fork() -> bool:
    """Whether a child forked now is safe: the system forks, and one thread runs."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threads() == 1


def cpus() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Aside:
    """A forked child doing one piece of work; `wait` says whether it did it."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._done: bool | None = None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the child, at most `timeout` seconds (then it is stopped); True if its
        work ended without an error."""
        if self._done is None:
            deadline = None if timeout is None else time.monotonic() + timeout
            pause = 0.001
            try:
                while True:
                    pid, status = os.waitpid(self._pid, 0 if deadline is None else os.WNOHANG)
                    if pid:
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        os.kill(self._pid, signal.SIGKILL)
                        _, status = os.waitpid(self._pid, 0)
                        break
                    time.sleep(pause)
                    pause = min(pause * 2, 0.02)
            except (ChildProcessError, ProcessLookupError):
                status = 1
            self._done = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        return self._done


def aside(work: Callable[[], None]) -> Aside | None:
    """`work` in a forked child while this process goes on, where forking is safe and
    another CPU can run it; else None, and nothing was run. The child shares this
    process's memory as it was, reports only by its exit status, and leaves without
    flushing this process's output or running its exit handlers (they are the parent's)."""
    if cpus() < 2 or not may_fork():
        return None
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return Aside(pid)
    status = 1
    try:
        work()
        status = 0
    except BaseException:
        pass
    finally:
        os._exit(status)

"""A progress bar on standard error for runs over many files; silent everywhere else.

Shown only when standard error is a terminal, no CI variable is set, the run
is not `--quiet` and there is more than one file: a pipe, a log file or a CI
job gets no carriage returns. No dependency: one line redrawn with `\\r`, at
most every `interval` seconds, then cleared.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from glossary_check.core.visible import escape

CI_VARIABLES = ("CI", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "GITHUB_ACTIONS", "GITLAB_CI",
                "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION", "BUILDKITE")


def wanted(
    stream: TextIO, *, quiet: bool = False, total: int = 0,
    environ: Mapping[str, str] | None = None,
) -> bool:
    env = os.environ if environ is None else environ
    if quiet or total < 2 or env.get("TERM") == "dumb":
        return False
    if any(env.get(name) for name in CI_VARIABLES):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """`advance()` once per finished file; `close()` clears the line."""

    def __init__(
        self, total: int, stream: TextIO | None = None, *, enabled: bool = True,
        interval: float = 0.1, clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.clock = clock
        self.width = width
        self._last = float("-inf")
        self._drawn = False

    def advance(self, label: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        now = self.clock()
        if now - self._last < self.interval and self.done < self.total:
            return
        self._last = now
        self._draw(label)

    def _draw(self, label: str) -> None:
        columns = self.width or shutil.get_terminal_size((80, 24)).columns
        count = f" {self.done}/{self.total} "
        bar_width = max(10, min(40, columns // 3))
        filled = bar_width * self.done // max(1, self.total)
        bar = "[" + "#" * filled + "-" * (bar_width - filled) + "]"
        room = columns - len(bar) - len(count) - 1
        label = escape(label)  # a file name's escape sequences would redraw the terminal
        name = label if len(label) <= room else "…" + label[-(room - 1):] if room > 1 else ""
        self.stream.write("\r" + bar + count + name + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def for_run(total: int, *, quiet: bool, stream: TextIO | None = None) -> Progress:
    """The bar a check run over `total` files should use (possibly a silent one)."""
    out = stream or sys.stderr
    return Progress(total, out, enabled=wanted(out, quiet=quiet, total=total))

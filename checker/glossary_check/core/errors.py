"""What a user can get wrong, and the exit statuses every command shares.

Every error a user can cause (a broken glossary, configuration or article,
bad arguments) is a `GlossaryCheckError`: the command line prints `str()` of
it as one line and exits with `ExitCode.ERROR`. Findings are not errors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class ExitCode(enum.IntEnum):
    OK = 0  # nothing reached --fail-on
    FINDINGS = 1  # a finding reached it (for --diff: there is something to fix)
    ERROR = 2  # the run could not be done
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; line and column count from 1, columns in code points."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"


class GlossaryCheckError(Exception):
    """A problem the user can fix; `str()` is the one line to print, `location:` first."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location is not None else message)


class UsageError(GlossaryCheckError):
    """Bad arguments."""


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a loop of symbolic links
        return str(path)


def undecodable(path: str, data: bytes, exc: UnicodeDecodeError) -> Location:
    """Where bytes that are not UTF-8 start: line and code-point column of what came before."""
    head = data[: exc.start]
    line = head.count(b"\n") + 1
    column = len(head[head.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return Location(path, line, column)

"""What a user can get wrong, and the exit statuses every command shares.

Every error a user can cause (a broken glossary, configuration or article,
bad arguments) is a `GlossaryCheckError`: the command line prints its
`lines()`, `str()` of it as one line, and exits with `ExitCode.ERROR`. An
input with several errors raises an `ErrorList` of them: one line each, so
that a user fixes them all in one pass. Findings are not errors.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: How many errors of one input are printed before "and N more errors".
MAX_ERRORS_SHOWN = 50


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

    def lines(self) -> tuple[str, ...]:
        """The lines to print, each a whole error: this one error."""
        return (str(self),)


class ErrorList(GlossaryCheckError):
    """Several errors of one input, reported at once: a user fixes them in one pass.

    `message` and `location` are the first error's; `lines()` gives one line per
    error, at most `MAX_ERRORS_SHOWN` of them and then how many more there are.
    """

    def __init__(self, errors: Sequence[GlossaryCheckError]) -> None:
        if not errors:
            raise ValueError("an ErrorList needs at least one error")
        self.errors = tuple(errors)
        # not super(): a subclass may also derive from an error whose arguments differ
        GlossaryCheckError.__init__(self, errors[0].message, errors[0].location)
        self.args = ("\n".join(self.lines()),)

    def lines(self) -> tuple[str, ...]:
        shown = [line for error in self.errors[:MAX_ERRORS_SHOWN] for line in error.lines()]
        more = len(self.errors) - MAX_ERRORS_SHOWN
        if more > 0:
            shown.append(f"and {more} more error{'s' if more != 1 else ''}")
        return tuple(shown)


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The one of `known` that `name` is a near miss of (a typo, another case), or None."""
    by_fold = {k.casefold(): k for k in known}
    # 0.65, not difflib's 0.6: a word like none of them ('nonsense') gets the list, not a guess
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.65)
    return by_fold[close[0]] if close else None


def hint(name: str, known: Iterable[str]) -> str:
    """What to say after an unknown `name`: "did you mean 'x'?", or else every known name."""
    known = list(known)
    guess = did_you_mean(name, known)
    return f"did you mean {guess!r}?" if guess is not None else f"known: {', '.join(known)}"


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

"""Documents: one module a format, each turning a file into a `Document`.

A reader decodes the file and builds the *view*: the prose a reader sees,
with markup left out and entities decoded, plus a map from every view
character back to the file text. Rules work on the view; reports use the
map, so offsets always point into the file as written.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import overload

from glossary_check.core.errors import GlossaryCheckError, Location, undecodable

#: Put between blocks (paragraphs, headings, list items, cells) in a view:
#: no phrase matches across it and a sentence starts after it.
BLOCK_BREAK = "\n\n"


class DocumentError(GlossaryCheckError):
    """A file that cannot be checked; str() is `path:line:col: message`."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message, Location(path, line, column))
        self.path, self.line, self.column = path, line, column


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    format: str
    text: str
    view: str
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None
    bom: bool = False

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """File offsets of the view slice [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            raw = self.starts[start] if start < len(self.starts) else len(self.text)
            return raw, raw
        return self.starts[start], self.ends[end - 1]


class Offsets(Sequence[int]):
    """One side of a view's map into the file: `starts` or `ends`, one offset a view character.

    Kept as runs, not as a number a character: a run is either copied file text
    (offsets climbing by one) or text put in for a stretch of the file (all
    characters mapping to that stretch). A list of ints costs ~50 bytes a
    character; this costs a few bytes a run.
    """

    __slots__ = ("_ends", "_runs")

    def __init__(self, runs: _Runs, ends: bool) -> None:
        self._runs = runs
        self._ends = ends

    def __len__(self) -> int:
        return self._runs.length

    def _one(self, i: int) -> int:
        runs = self._runs
        r = bisect.bisect_right(runs.view, i) - 1
        if runs.linear[r]:
            return runs.start[r] + i - runs.view[r] + self._ends
        return runs.end[r] if self._ends else runs.start[r]

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self._one(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("view offset out of range")
        return self._one(i)

    def __iter__(self) -> Iterator[int]:
        runs = self._runs
        bounds = [*runs.view, runs.length]
        for r in range(len(runs.view)):
            n = bounds[r + 1] - bounds[r]
            if runs.linear[r]:
                first = runs.start[r] + self._ends
                yield from range(first, first + n)
            else:
                yield from itertools.repeat(runs.end[r] if self._ends else runs.start[r], n)


class _Runs:
    """The runs behind a pair of Offsets: where each starts in the view, and its file span."""

    __slots__ = ("end", "length", "linear", "start", "view")

    def __init__(self) -> None:
        self.view = array("q")  # view offset of the run's first character
        self.start = array("q")  # file offset of its first character (or of its stretch)
        self.end = array("q")  # a put run: the end of its stretch
        self.linear = bytearray()  # 1: copied text, offsets climbing; 0: put in for a stretch
        self.length = 0

    def add(self, n: int, start: int, end: int, linear: bool) -> None:
        if self.view:
            r = len(self.view) - 1
            if linear and self.linear[r] and self.start[r] + self.length - self.view[r] == start:
                self.length += n  # the file text goes on where the last copy stopped
                return
            if not linear and not self.linear[r] and (self.start[r], self.end[r]) == (start, end):
                self.length += n
                return
        self.view.append(self.length)
        self.start.append(start)
        self.end.append(end)
        self.linear.append(linear)
        self.length += n


class ViewBuilder:
    """Accumulates a view from pieces of the file text, keeping the offset map."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[str] = []
        self.runs = _Runs()
        self.starts = Offsets(self.runs, ends=False)
        self.ends = Offsets(self.runs, ends=True)

    def copy(self, start: int, end: int) -> None:
        """Take file text [start, end) as it is."""
        if end <= start:
            return
        self.parts.append(self.text[start:end])
        self.runs.add(end - start, start, end, linear=True)

    def put(self, chars: str, start: int, end: int) -> None:
        """Put `chars` in the view for file text [start, end) (a decoded entity, say)."""
        if not chars:
            return
        self.parts.append(chars)
        self.runs.add(len(chars), start, end, linear=False)

    def separate(self, at: int, sep: str = BLOCK_BREAK) -> None:
        """A break that exists only in the view (between blocks), anchored at file offset `at`."""
        if self.parts and not self.parts[-1].endswith(sep):
            self.put(sep, at, at)

    def build(self, path: str, fmt: str, bom: bool) -> Document:
        return Document(path, fmt, self.text, "".join(self.parts), self.starts, self.ends, bom)


def decode(path: str, data: bytes) -> tuple[str, bool]:
    """UTF-8 with or without a BOM; anything else is a DocumentError with its place."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise DocumentError(path, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        where = undecodable(path, data, exc)
        raise DocumentError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", where.line, where.column
        ) from None


FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def format_for(path: str) -> str:
    return FORMATS.get(PurePath(path).suffix.lower(), "text")


def _reader(fmt: str) -> Callable[[str, str, bool], Document]:
    if fmt == "markdown":
        from glossary_check.documents.markdown import read
    elif fmt == "html":
        from glossary_check.documents.html import read
    elif fmt == "text":
        from glossary_check.documents.text import read
    else:
        raise ValueError(f"unknown document format {fmt!r}")
    return read


def read_document(path: str, data: bytes, fmt: str | None = None) -> Document:
    """Decode and parse one file; raises DocumentError for what cannot be checked."""
    text, bom = decode(path, data)
    return _reader(fmt or format_for(path))(path, text, bom)

"""Documents: one module a format, each turning a file into a `Document`.

A reader decodes the file and builds the *view*: the prose a reader sees,
with markup left out and entities decoded, plus a map from every view
character back to the file text. Rules work on the view; reports use the
map, so offsets always point into the file as written.

In the same single parse a reader records the document's structure, for
whoever needs more than the prose (suppression comments, above all): the
comments it met and its blocks, each with its span in the file. Nobody
parses an article a second time.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple, overload

from glossary_check.core.errors import GlossaryCheckError, Location, undecodable

#: Put between blocks (paragraphs, headings, list items, cells) in a view:
#: no phrase matches across it and a sentence starts after it.
BLOCK_BREAK = "\n\n"


class DocumentError(GlossaryCheckError):
    """A file that cannot be checked; str() is `path:line:col: message`."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message, Location(path, line, column))
        self.path, self.line, self.column = path, line, column


class Comment(NamedTuple):
    """A comment as the reader met it: its whole span and its body's, file offsets."""

    start: int
    end: int
    body_start: int
    body_end: int


class Comments(Sequence[Comment]):
    """The comments of a document in file order, kept in arrays (8 bytes an offset)."""

    __slots__ = ("body_ends", "body_starts", "ends", "starts")

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")
        self.body_starts = array("q")
        self.body_ends = array("q")

    def add(self, start: int, end: int, body_start: int, body_end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.body_starts.append(body_start)
        self.body_ends.append(body_end)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, i: int) -> Comment: ...

    @overload
    def __getitem__(self, i: slice) -> list[Comment]: ...

    def __getitem__(self, i: int | slice) -> Comment | list[Comment]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return Comment(self.starts[i], self.ends[i], self.body_starts[i], self.body_ends[i])

    def within(self, start: int, end: int) -> Iterator[Comment]:
        """The comments lying wholly inside [start, end)."""
        k = bisect.bisect_left(self.starts, start)
        while k < len(self.starts) and self.starts[k] < end:
            if self.ends[k] <= end:
                yield self[k]
            k += 1


class Block(NamedTuple):
    """A block or element as the reader met it (file offsets).

    `kind` is the reader's name for it (`paragraph`, `html_block`, `line`, a
    tag name...); `parent` the index of the block holding it, -1 at the top;
    `inner_start`/`inner_end` its content without its own markup (an HTML
    element without its start and end tags); `breaks` whether it starts and
    ends a block of prose in the view (an HTML `<b>` does not).
    """

    start: int
    end: int
    kind: str
    parent: int
    inner_start: int
    inner_end: int
    breaks: bool


class Blocks(Sequence[Block]):
    """The blocks of a document in the order they open (so by start), kept in arrays.

    A big file has many blocks: each costs some 30 bytes here, not an object.
    """

    __slots__ = ("_codes", "_inner", "_names", "ends", "flags", "kinds", "parents", "starts")

    def __init__(self, inner: bool = False) -> None:
        self.starts = array("q")
        self.ends = array("q")
        self.parents = array("q")
        self.kinds = array("I")  # index into _names
        self.flags = bytearray()  # 1: breaks the prose
        self._names: list[str] = []
        self._codes: dict[str, int] = {}
        # Inner spans, for readers whose blocks have markup of their own (HTML elements).
        self._inner = (array("q"), array("q")) if inner else None

    def add(self, start: int, end: int, kind: str, parent: int = -1, breaks: bool = True,
            inner: tuple[int, int] | None = None) -> int:
        """Record a block; returns its index (a parent for the blocks inside it)."""
        code = self._codes.get(kind)
        if code is None:
            code = self._codes[kind] = len(self._names)
            self._names.append(kind)
        self.starts.append(start)
        self.ends.append(end)
        self.parents.append(parent)
        self.kinds.append(code)
        self.flags.append(breaks)
        if self._inner is not None:
            first, last = inner if inner is not None else (start, end)
            self._inner[0].append(first)
            self._inner[1].append(last)
        return len(self.starts) - 1

    def close(self, index: int, end: int, inner_end: int | None = None) -> None:
        """Set the end of a block recorded when it opened."""
        self.ends[index] = end
        if self._inner is not None:
            self._inner[1][index] = end if inner_end is None else inner_end

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, i: int) -> Block: ...

    @overload
    def __getitem__(self, i: slice) -> list[Block]: ...

    def __getitem__(self, i: int | slice) -> Block | list[Block]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        start, end = self.starts[i], self.ends[i]
        inner_start, inner_end = (
            (self._inner[0][i], self._inner[1][i]) if self._inner is not None else (start, end)
        )
        return Block(start, end, self._names[self.kinds[i]], self.parents[i],
                     inner_start, inner_end, bool(self.flags[i]))

    def innermost(self, offset: int) -> int:
        """Index of the deepest block holding `offset`, or -1."""
        k = bisect.bisect_right(self.starts, offset) - 1
        while k >= 0 and self.ends[k] <= offset:
            k = self.parents[k]  # blocks nest: one that holds `offset` holds this one
        return k


@dataclass(frozen=True, slots=True)
class Document:
    """One file as a reader saw it.

    `view` is the prose; `starts`/`ends` map each view character back to the
    file (None: the view is the text). `comments` and `blocks` are the
    structure the reader met on the way, for suppression comments.
    """

    path: str
    format: str
    text: str
    view: str
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None
    bom: bool = False
    # Derived from the text, like the view: two reads of one file compare equal.
    comments: Comments = field(default_factory=Comments, compare=False)
    blocks: Blocks = field(default_factory=Blocks, compare=False)

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

    def __init__(self, text: str, inner_blocks: bool = False) -> None:
        self.text = text
        self.parts: list[str] = []
        self.runs = _Runs()
        self.starts = Offsets(self.runs, ends=False)
        self.ends = Offsets(self.runs, ends=True)
        self.comments = Comments()
        self.blocks = Blocks(inner=inner_blocks)

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

    def comment(self, start: int, end: int, body_start: int, body_end: int) -> None:
        """A comment met at file text [start, end), its body at [body_start, body_end)."""
        self.comments.add(start, end, body_start, body_end)

    def build(self, path: str, fmt: str, bom: bool) -> Document:
        return Document(path, fmt, self.text, "".join(self.parts), self.starts, self.ends, bom,
                        self.comments, self.blocks)


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

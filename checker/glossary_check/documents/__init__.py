"""Documents: one module a format, each turning a file into a `Document`.

A reader decodes the file and builds the *view*: the prose a reader sees,
with markup left out and entities decoded, plus a map from every view
character back to the file text. Rules work on the view; reports use the
map, so offsets always point into the file as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from glossary_check.errors import GlossaryCheckError, Location, undecodable

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


class ViewBuilder:
    """Accumulates a view from pieces of the file text, keeping the offset map."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, start: int, end: int) -> None:
        """Take file text [start, end) as it is."""
        if end <= start:
            return
        self.parts.append(self.text[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def put(self, chars: str, start: int, end: int) -> None:
        """Put `chars` in the view for file text [start, end) (a decoded entity, say)."""
        if not chars:
            return
        self.parts.append(chars)
        self.starts.extend([start] * len(chars))
        self.ends.extend([end] * len(chars))

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

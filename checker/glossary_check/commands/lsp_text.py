"""Positions and edits for the language server, without the language-server packages.

Findings count code points into the text as written; LSP counts lines (ended
by `\\n`, `\\r\\n` or `\\r`, and nothing else: not U+2028, not a form feed) and,
within a line, code units of the encoding agreed at start-up: UTF-16 unless
the client offered another (`utf-32` is taken when offered: then the columns
are code points and nothing is converted). An emoji is one code point, two
UTF-16 units and four UTF-8 bytes; a combining accent is a code point of its
own in every encoding.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from pathlib import PurePath

from glossary_check.documents import FORMATS as EXTENSIONS

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_BREAK = re.compile(r"\r\n|\r|\n")
_TOKENS = re.compile(r"\w+|\s+|.", re.S)

#: What the editor calls the document (its languageId) -> the reader that checks it.
LANGUAGES = {"plaintext": "text", "text": "text", "markdown": "markdown", "html": "html"}


def document_format(language_id: str | None, path: str) -> str | None:
    """The format a document is checked as, or None for one this tool does not read
    (source code, say): by the editor's language first, else by the file's extension."""
    fmt = LANGUAGES.get((language_id or "").lower())
    if fmt is not None:
        return fmt
    suffix = PurePath(path).suffix.lower()
    if suffix in (".txt", ".text"):
        return "text"
    return EXTENSIONS.get(suffix)


def units(text: str, encoding: str) -> int:
    """How many code units of `encoding` `text` takes."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class Lines:
    """Where each line of a text starts (code points), as LSP counts lines."""

    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Lines:
        return cls(text, (0, *(m.end() for m in _BREAK.finditer(text))))

    def _end(self, line: int) -> int:
        """The offset where `line`'s content ends (before its line break)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        if self.text[end - 2 : end] == "\r\n":
            return end - 2
        return end - 1

    def position(self, offset: int, encoding: str) -> tuple[int, int]:
        """(line, character) of a code-point offset; past the end is the end."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        # an offset between \r and \n belongs to the line's end
        end = self._end(line)
        return line, units(self.text[start : min(offset, end)], encoding)

    def offset(self, line: int, character: int, encoding: str) -> int:
        """The code-point offset of an LSP position. A line past the last is the end of the
        text; a character past the line's end is its end (as the protocol says); one inside
        a character (half a surrogate pair, a byte inside UTF-8) is that character's start."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._end(line)
        if encoding == UTF32:
            return start + max(0, min(character, end - start))
        at, count = start, 0
        while at < end:
            width = units(self.text[at], encoding)
            if count + width > character:
                break
            count += width
            at += 1
        return at


@dataclass(frozen=True, slots=True)
class Change:
    """Replace text [start, end) (code points) with `text`."""

    start: int
    end: int
    text: str


def _runs(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of each changed run between two lists of pieces."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _starts(pieces: list[str]) -> list[int]:
    at = [0]
    for piece in pieces:
        at.append(at[-1] + len(piece))
    return at


def changes(before: str, after: str) -> list[Change]:
    """Small edits that turn `before` into `after`: the changed lines, then within them the
    changed words, so that an editor applying them keeps the cursor, marks and folds."""
    out = []
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    old_at, new_at = _starts(old), _starts(new)
    for i1, i2, j1, j2 in _runs(old, new):
        base = old_at[i1]
        was, now = before[base : old_at[i2]], after[new_at[j1] : new_at[j2]]
        old_words, new_words = _TOKENS.findall(was), _TOKENS.findall(now)
        old_w, new_w = _starts(old_words), _starts(new_words)
        for k1, k2, m1, m2 in _runs(old_words, new_words):
            out.append(Change(base + old_w[k1], base + old_w[k2], now[new_w[m1] : new_w[m2]]))
    return out


def apply(text: str, edits: list[Change]) -> str:
    """`text` with non-overlapping changes made (what an editor does with them)."""
    pieces, at = [], 0
    for change in sorted(edits, key=lambda c: c.start):
        pieces += [text[at : change.start], change.text]
        at = change.end
    pieces.append(text[at:])
    return "".join(pieces)

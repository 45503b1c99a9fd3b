"""Offsets to line/column, counted in code points of the text as written.

A line ends at LF, CRLF or a lone CR (CRLF counts once), which is how editors
number lines; columns restart after the terminator.
"""

from __future__ import annotations

import bisect
import re

from glossary_check.core.findings import Position

_LINE_END = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Start offsets of every line, built once per file for O(log n) look-ups."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def position(self, offset: int, length: int) -> Position:
        line, col = self.line_col(offset)
        end_line, end_col = self.line_col(offset + length) if length else (line, col)
        return Position(line, col, end_line, end_col)

    def line_span(self, line: int, text: str) -> tuple[int, int]:
        """Start and end (terminator excluded) of 1-based `line`."""
        start = self.starts[line - 1]
        stop = self.starts[line] if line < len(self.starts) else len(text)
        end = stop
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        return start, end

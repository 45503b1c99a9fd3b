"""Offsets to line/column: code points of the text as written, CRLF counted once, end
positions exclusive."""

from __future__ import annotations

import pytest

from glossary_check.core.findings import Position
from glossary_check.core.positions import LineIndex


def naive(text: str, offset: int) -> tuple[int, int]:
    """An independent count: walk the text a character at a time."""
    line, col, i = 1, 1, 0
    while i < offset:
        if text[i] == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            if i + 1 == offset:  # between CR and LF: still on this line
                return line, col + 1
            i += 2
            line, col = line + 1, 1
            continue
        if text[i] in "\r\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    return line, col


TEXTS = [
    "",
    "one line, no newline",
    "a\nb\n",
    "a\r\nb\r\nc",
    "old\rmac\rlines",
    "mixed\n\r\n\rends\n",
    "Київ і Одеса\nE\u0301lyse\u0301e\u00a0Palace\r\n🇺🇦 flag\n",
    "\n\n\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_offset_agrees_with_an_independent_count(text: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        assert index.line_col(offset) == naive(text, offset), offset


def test_columns_count_code_points() -> None:
    text = "Київ, E\u0301lyse\u0301e, 🇺🇦 Kiev"
    index = LineIndex(text)
    assert index.line_col(text.index("Kiev")) == (1, len(text) - 4 + 1) == (1, 20)


def test_crlf_counts_once() -> None:
    text = "first\r\nsecond Kiev\r\n"
    assert LineIndex(text).line_col(text.index("Kiev")) == (2, 8)


def test_end_positions_are_exclusive_and_may_cross_a_line_break() -> None:
    text = "the Coalition of the\r\nWilling met"
    index = LineIndex(text)
    start = text.index("Coalition")
    length = text.index(" met") - start
    assert index.position(start, length) == Position(1, 5, 2, 8)
    assert index.position(0, 3) == Position(1, 1, 1, 4)
    end_of_line = text.index("\r")
    assert index.position(end_of_line - 3, 3) == Position(1, 18, 1, 21)


def test_an_empty_span() -> None:
    assert LineIndex("ab\ncd").position(4, 0) == Position(2, 2, 2, 2)


def test_line_span_leaves_out_the_terminator() -> None:
    text = "one\r\ntwo\nthree\rfour"
    index = LineIndex(text)
    assert [text[slice(*index.line_span(n, text))] for n in (1, 2, 3, 4)] == [
        "one", "two", "three", "four",
    ]

"""Checks shared by the document readers' tests: a view, its map back into the file, and
the words a generated document must show."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from glossary_check.documents import Document
from glossary_check.engine.matching import WORD

PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
Expected = Sequence[str | None]  # words in order; None where a block break must be
Words = list[str | None]


def words(doc: Document) -> list[str]:
    return [m.group() for m in WORD.finditer(doc.view)]


def raw(doc: Document, phrase: str, nth: int = 0) -> str:
    """The file text behind the nth occurrence of `phrase` in the view."""
    at = -1
    for _ in range(nth + 1):
        at = doc.view.index(phrase, at + 1)
    start, end = doc.raw_span(at, at + len(phrase))
    return doc.text[start:end]


def check_map(doc: Document, reads_as: Callable[[str], str]) -> None:
    """Every view character maps to the file text it reads as; the map never goes back."""
    assert doc.starts is not None and doc.ends is not None
    assert len(doc.starts) == len(doc.ends) == len(doc.view)
    for i, char in enumerate(doc.view):
        start, end = doc.starts[i], doc.ends[i]
        assert 0 <= start <= end <= len(doc.text)
        if i:
            assert start >= doc.starts[i - 1] and end >= doc.ends[i - 1], i
        if start == end:
            assert char.isspace(), (i, char)  # a break that exists only in the view
        else:
            assert char in reads_as(doc.text[start:end]), (i, char, doc.text[start:end])


def check_expected(doc: Document, expected: Expected) -> None:
    """The view's words are the expected ones; a block break parts exactly the blocks."""
    found = list(WORD.finditer(doc.view))
    assert [m.group() for m in found] == [w for w in expected if w is not None]
    position = 0
    apart = False
    for item in expected:
        if item is None:
            apart = True
            continue
        if position:
            gap = doc.view[found[position - 1].end() : found[position].start()]
            assert bool(PARAGRAPH_BREAK.search(gap)) == apart, (found[position - 1], gap, item)
        apart = False
        position += 1

"""Plain text: the whole file is prose, and the view is the text itself.

Its blocks are its lines (LF, CRLF or CR ends one, as the reports count
lines), each with its line break; plain text has no comments.
"""

from __future__ import annotations

import re

from glossary_check.documents import Blocks, Document

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lines(text: str) -> Blocks:
    """Every line of `text` as a block of kind `line`."""
    blocks = Blocks()
    for m in _LINE.finditer(text):
        blocks.add(m.start(), m.end(), "line")
    return blocks


def read(path: str, text: str, bom: bool) -> Document:
    return Document(path, "text", text, text, bom=bom, blocks=lines(text))

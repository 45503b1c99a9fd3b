"""Plain text: the whole file is prose, and the view is the text itself."""

from __future__ import annotations

from glossary_check.documents import Document


def read(path: str, text: str, bom: bool) -> Document:
    return Document(path, "text", text, text, bom=bom)

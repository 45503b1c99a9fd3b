"""Positions and edits of the language server: code points to LSP's lines and code units.

The expected columns are counted here by encoding the line (UTF-16 code units are
two bytes of UTF-16-LE each), not by the functions under test.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossary_check.commands.lsp_text import (
    UTF8,
    UTF16,
    UTF32,
    Lines,
    apply,
    changes,
    document_format,
)

TEXT = "Привіт 👋🏽 з Киев.\r\nЗаписка́ про Киев\rі\n\u2028Київ\x0c!"


def units16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def expected(text: str, offset: int, encoding: str) -> tuple[int, int]:
    """LSP's (line, character), counted the slow way: split on \\r\\n, \\r, \\n only."""
    before = text[:offset]
    line = 0
    start = 0
    i = 0
    while i < len(before):
        if before[i] == "\r" and text[i + 1 : i + 2] == "\n":
            if i + 1 >= len(before):  # between \r and \n: still the line's end
                break
            line, start, i = line + 1, i + 2, i + 2
            continue
        if before[i] in "\r\n":
            line, start = line + 1, i + 1
        i += 1
    column = text[start:offset].rstrip("\r")
    count = {UTF8: len(column.encode("utf-8")), UTF16: units16(column), UTF32: len(column)}
    return line, count[encoding]


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_every_offset_maps_to_the_position_a_client_counts(encoding: str) -> None:
    lines = Lines.of(TEXT)
    for offset in range(len(TEXT) + 1):
        assert lines.position(offset, encoding) == expected(TEXT, offset, encoding), offset


def test_astral_characters_and_combining_accents() -> None:
    lines = Lines.of(TEXT)
    kiev = TEXT.index("Киев")
    assert lines.position(kiev, UTF16) == (0, 14)  # 👋 and 🏽 are two units each
    assert lines.position(kiev, UTF32) == (0, 12)
    assert lines.position(kiev, UTF8) == (0, 6 * 2 + 1 + 8 + 1 + 2 + 1)
    second = TEXT.index("Киев", kiev + 1)
    assert lines.position(second, UTF16) == (1, 13)  # the acute is a code point of its own
    assert lines.offset(0, 14, UTF16) == kiev
    assert lines.offset(1, 13, UTF16) == second


def test_only_cr_lf_and_crlf_end_lines() -> None:
    lines = Lines.of(TEXT)
    assert len(lines.starts) == 4  # \r\n, \r and \n; not U+2028, not a form feed
    assert lines.position(TEXT.index("Київ"), UTF16) == (3, 1)


def test_positions_past_the_end_or_inside_a_character() -> None:
    lines = Lines.of(TEXT)
    assert lines.offset(0, 8, UTF16) == TEXT.index("👋")  # half a surrogate pair
    assert lines.offset(0, 1000, UTF16) == TEXT.index("\r\n")  # past the line: its end
    assert lines.offset(99, 0, UTF16) == len(TEXT)
    assert lines.offset(-1, 5, UTF16) == 0
    assert lines.position(10_000, UTF16) == expected(TEXT, len(TEXT), UTF16)


@given(st.text(alphabet=st.sampled_from("ab é\u0301👋\r\nЖ\u2028"), max_size=40), st.data())
def test_offsets_survive_a_round_trip(text: str, data: st.DataObject) -> None:
    lines = Lines.of(text)
    offset = data.draw(st.integers(0, len(text)))
    for encoding in (UTF8, UTF16, UTF32):
        line, character = lines.position(offset, encoding)
        assert (line, character) == expected(text, offset, encoding)
        # an offset between \r and \n is the line's end: it comes back as the \r
        between = offset > 0 and text[offset - 1 : offset + 1] == "\r\n"
        assert lines.offset(line, character, encoding) == offset - between


@given(st.text(alphabet=st.sampled_from("Kiev Kyiv\r\n👋é"), max_size=60),
       st.text(alphabet=st.sampled_from("Kiev Kyiv\r\n👋é"), max_size=60))
def test_changes_turn_one_text_into_the_other(before: str, after: str) -> None:
    assert apply(before, changes(before, after)) == after


def test_changes_are_small() -> None:
    before = "Officials in Kiev said.\r\nKiev was calm, Kiev!\n"
    after = before.replace("Kiev", "Kyiv")
    found = changes(before, after)
    assert [before[c.start : c.end] for c in found] == ["Kiev"] * 3
    assert [c.text for c in found] == ["Kyiv"] * 3


@pytest.mark.parametrize(("language", "path", "fmt"), [
    ("plaintext", "/a/notes", "text"),
    ("markdown", "/a/x.txt", "markdown"),
    ("html", "/a/x", "html"),
    ("", "/a/story.MD", "markdown"),
    ("unknown", "/a/page.htm", "html"),
    ("text", "/a/x", "text"),
    (None, "/a/x.txt", "text"),
    ("python", "/a/x.py", None),
    ("json", "/a/x", None),
])
def test_which_documents_are_checked(language: str | None, path: str, fmt: str | None) -> None:
    assert document_format(language, path) == fmt

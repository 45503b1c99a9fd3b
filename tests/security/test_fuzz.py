"""Fuzzing the document readers (text, Markdown, HTML) and the glossary loader.

Inputs are built from the syntax each format is made of (markers, entities, tags, YAML
anchors and merge keys) mixed with arbitrary text and bytes. Properties: nothing escapes
but the project's own clean error, every view character maps back into the file, and
each input is done within a hang guard. Derandomized with a fixed budget, so every run
(CI included) tries the same inputs."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary_check.documents import Document, DocumentError, read_document
from glossary_check.engine.glossary import GlossaryError, load_glossary

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
GUARD = 30  # seconds for one input: a hang guard, not a timing


class Hung(Exception):
    pass


@contextmanager
def hang_guard() -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise Hung(f"one input took more than {GUARD} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(GUARD)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


PROSE = st.sampled_from(["Kyiv", "Kiev", "Київ", "Киев", "E\u0301lyse\u0301e", "O'Brien", "naïve",
                         " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\xa0", "\ufeff", "\0",
                         "2024", ".", "!", "é"])
MARKDOWN = st.sampled_from([
    "# ", "## ", "> ", "- ", "* ", "1. ", "   ", "    ", "```", "~~~", "`", "*", "**", "_",
    "~~", "[", "]", "(", ")", "![", "](", "<", ">", "|", "---", "\\", "&amp;", "&#1050;",
    "&#x41a;", "&bogus;", "<b>", "</b>", "<!--", "-->", "<code>", "</code>", "[x]: /url",
    "<http://a.b>", "---\n", "title: ", "'", '"', "&a ", "*a", "<<: ", "{", "}", ":",
])
HTML = st.sampled_from([
    "<p>", "</p>", "<b>", "</b>", "<br>", "<br/>", "<script>", "</script>", "<style>",
    "</style>", "<pre>", "</pre>", "<code>", "</code>", "<!--", "-->", "<![CDATA[", "]]>",
    "<!DOCTYPE html>", "<a href='x'>", "</a>", "<img alt='Kiev'>", "<td>", "<tr>", "&amp;",
    "&lt;", "&#1050;", "&#x41a;", "&nbsp;", "&bogus;", "&", "<", ">", "=", '"', "'",
    "<title>", "</title>", "<div title=\"Kiev\">", "<?xml ?>", "<textarea>", "</textarea>",
])


def texts(syntax: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(syntax, PROSE, st.text(max_size=6)), max_size=60).map("".join)


def as_bytes(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Mostly UTF-8 (sometimes with a BOM), sometimes arbitrary bytes."""
    encoded = text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    return st.one_of(encoded, encoded.map(lambda b: b"\xef\xbb\xbf" + b), st.binary(max_size=200))


def read(name: str, data: bytes) -> Document | None:
    """The document, or None for a clean DocumentError (one line naming the file)."""
    with hang_guard():
        try:
            return read_document(name, data)
        except DocumentError as exc:
            assert str(exc).startswith(name) and "\n" not in str(exc)
            return None


def check_offsets(doc: Document) -> None:
    """Every view character maps to a stretch of the file, in order."""
    n = len(doc.text)
    if doc.starts is None or doc.ends is None:
        assert doc.view == doc.text
        return
    assert len(doc.starts) == len(doc.ends) == len(doc.view)
    previous = (0, 0)
    for i, (start, end) in enumerate(zip(doc.starts, doc.ends, strict=True)):
        assert 0 <= start <= end <= n, (i, start, end, n)
        assert start >= previous[0] and end >= previous[1], (i, previous, start, end)
        if start == end:
            assert doc.view[i].isspace(), (i, doc.view[i])  # a break only in the view
        previous = (start, end)
    for at in range(len(doc.view)):  # the public slice helper agrees with the map
        start, end = doc.raw_span(at, at + 1)
        assert (start, end) == (doc.starts[at], doc.ends[at])


@FUZZ
@given(as_bytes(texts(PROSE)))
def test_text_reader(data: bytes) -> None:
    doc = read("article.txt", data)
    if doc is not None:
        check_offsets(doc)


@FUZZ
@given(as_bytes(texts(MARKDOWN)))
def test_markdown_reader(data: bytes) -> None:
    doc = read("article.md", data)
    if doc is not None:
        check_offsets(doc)


@FUZZ
@given(as_bytes(texts(HTML)))
def test_html_reader(data: bytes) -> None:
    doc = read("article.html", data)
    if doc is not None:
        check_offsets(doc)


YAML = st.sampled_from([
    "version: 1\n", "entries:\n", "  - term: Kyiv\n", "    variants: [Kiev]\n", "  - ",
    "term: ", "aliases: ", "kind: person\n", "case: any\n", "sources: {uk: [Київ]}\n",
    "pattern: '\\bKi?ev\\b'\n", "pattern: '(a|aa)+c'\n", "pattern: '(a'\n", "pattern: 'x*'\n",
    "except: [Chicken Kiev]\n", "examples: {bad: [Kiev], good: [Kyiv]}\n", "include: [x.yaml]\n",
    "include: [/dev/zero]\n", "&a ", "*a", "<<: *a\n", "<<: [*a, *a]\n",
    "!!python/object:os.system ", "!local ", "{", "}", "[", "]", ": ", "- ", "\n", "  ",
    "'", '"', "#", "---\n", "...\n", "?",
    "transliteration: {uk: national-2010}\n", "language: en\n", "Kyiv", "Kiev", "\t", "%YAML 1.1\n",
])


@FUZZ
@given(st.lists(st.one_of(YAML, PROSE, st.text(max_size=4)), max_size=40).map("".join))
def test_glossary_loader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    with hang_guard():
        try:
            glossary = load_glossary(path)
        except GlossaryError as exc:
            assert all("\n" not in line for line in exc.lines())
            return
    for entry in glossary.entries:  # what loads is usable: a term, at a place in the file
        assert entry.term.strip()
        assert entry.location.line >= 1 and entry.location.column >= 1


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.html"])
def test_readers_on_every_single_byte(name: str) -> None:
    """The smallest inputs, exhaustively: every byte alone and doubled."""
    for value in range(256):
        for data in (bytes([value]), bytes([value, value]), b"Kiev" + bytes([value])):
            doc = read(name, data)
            if doc is not None:
                check_offsets(doc)

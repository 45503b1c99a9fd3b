"""HTML: text nodes and the `alt` and `title` attributes, with entities decoded.

Python's `html.parser` finds the markup; the view is then built from the file
text itself, so every view character maps back to exactly what is written
(`Elysee&nbsp;Palace` reports as written, `&eacute;` maps to its whole
entity). Entity decoding follows `html.unescape`, which implements HTML5's
rules, so the view reads as a browser shows it.

Checked: text nodes; `alt` and `title` attribute values (each its own block).
Skipped: tags, comments, doctype and other declarations, processing
instructions, and the content of `script`, `style`, `template`, `code`,
`pre`, `kbd` and `samp`; URLs and e-mail addresses written in the text.
Block elements (p, h1-h6, li, td, div, title, ...) end a block; inline ones
(a, em, span, ...) do not, so a phrase may run across them; `<br>` is a
line break.

Recorded for suppression comments, in the same parse: every comment
(`<!-- ... -->`, not one inside `script`, `style` or an attribute value) and
every element, with its span, its content's span and whether it is a block
element. An element ends at its end tag, where an end tag of an element
holding it closes it, where the same `p`, `li`, `dt`, `dd`, `tr`, `td`, `th`
or `option` starts again, or at the end of the file.

Leniency: malformed markup is read the way a browser would where that is
cheap (stray end tags are ignored, an end tag closes the elements left open
inside it, a tag cut off by the end of the file is dropped). A comment, or a
`script` or `style` element, that is never closed would hide the rest of the
file, so it is a `DocumentError` rather than a silent gap in the check.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser
from typing import Protocol

from glossary_check.documents import BLOCK_BREAK, Blocks, Document, DocumentError, ViewBuilder


class Sink(Protocol):
    """Where view pieces go: a `ViewBuilder`, or a map from a derived string back to the file."""

    def copy(self, start: int, end: int) -> None: ...

    def put(self, chars: str, start: int, end: int) -> None: ...

    def separate(self, at: int, sep: str = BLOCK_BREAK) -> None: ...

    def comment(self, start: int, end: int, body_start: int, body_end: int) -> None: ...


#: Elements that start and end a block of prose.
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "audio", "blockquote", "body", "button", "canvas", "caption",
    "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
    "hgroup", "hr", "html", "iframe", "legend", "li", "main", "menu", "nav", "noscript", "object",
    "ol", "optgroup", "option", "p", "pre", "search", "section", "select", "summary", "table",
    "tbody", "td", "textarea", "tfoot", "th", "thead", "title", "tr", "ul", "video",
})
#: Elements whose content is not prose: code, scripts and inert templates.
SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "code", "pre", "kbd", "samp"})
#: Elements that never have content or an end tag.
VOID_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
})
#: Elements a start tag of their own name closes (`<li>a<li>b`).
IMPLIED_CLOSE = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
#: Attributes whose values a reader sees (as alternative text or a tooltip).
PROSE_ATTRIBUTES = frozenset({"alt", "title"})

#: URLs and e-mail addresses are not prose even where they are written as text;
#: trailing punctuation stays outside a URL.
URL_OR_EMAIL = re.compile(
    r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}*_~]"
    r"|(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
_NOT_PROSE = re.compile(URL_OR_EMAIL.pattern + r"|(?P<blank>\n[^\S\n]*\n\s*)")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\r\f />\x00]*)")
_ATTRIBUTE = re.compile(
    r"""[\s/]*(?P<name>[^\s/>][^\s/>=]*)"""
    r"""(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s>]+)))?"""
)
_SPACE = frozenset(" \t\n\r\f")
_MARKUP_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")


def emit_entities(sink: Sink, s: str, start: int, end: int) -> None:
    """Text with character references decoded, each mapping to its whole reference."""
    amp = s.find("&", start, end)
    if amp < 0:
        sink.copy(start, end)
        return
    pos = start
    for m in _ENTITY.finditer(s, amp, end):
        raw = m.group()
        decoded = _html.unescape(raw)
        if decoded != raw:
            sink.copy(pos, m.start())
            sink.put(decoded, m.start(), m.end())
            pos = m.end()
    sink.copy(pos, end)


def emit_text(sink: Sink, s: str, start: int, end: int, at_break: bool = False) -> bool:
    """Prose text: URLs and e-mail addresses left out, entities decoded.

    White space is all one to a browser, so a blank line inside HTML text
    stays a single line break, and white space that would follow a line
    break already in the view (`at_break`) is left out: neither may read as
    a block break. Returns whether the view now ends with a line break.
    """
    pos = start
    for m in _NOT_PROSE.finditer(s, start, end):
        at_break = _emit_run(sink, s, pos, m.start(), at_break)
        if m.lastgroup == "blank" and not at_break:
            sink.copy(m.start(), m.start() + 1)
            at_break = True
        pos = m.end()
    return _emit_run(sink, s, pos, end, at_break)


def _emit_run(sink: Sink, s: str, start: int, end: int, at_break: bool) -> bool:
    if at_break:
        while start < end and s[start] in _SPACE:
            start += 1
    if start >= end:
        return at_break
    emit_entities(sink, s, start, end)
    last = end
    while last > start and s[last - 1] in " \t\r\f":
        last -= 1
    return last > start and s[last - 1] == "\n"


def emit_attributes(sink: Sink, s: str, start: int, end: int) -> bool:
    """The `alt` and `title` values of the start tag s[start:end], each a block of its own.

    Returns whether there was any.
    """
    name = _TAG_NAME.match(s, start, end)
    if name is None:
        return False
    emitted = False
    pos = name.end()
    seen: set[str] = set()
    while pos < end:
        m = _ATTRIBUTE.match(s, pos, end)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        key = m.group("name").lower()
        if key in seen:
            continue  # the first of repeated attributes wins, as in browsers
        seen.add(key)
        if key not in PROSE_ATTRIBUTES:
            continue
        for group in ("dq", "sq", "uq"):
            if m.group(group) is not None:
                value_start, value_end = m.span(group)
                if value_end > value_start:
                    sink.separate(value_start)
                    emit_text(sink, s, value_start, value_end, at_break=True)
                    sink.separate(value_end)
                    emitted = True
                break
    return emitted


def tag_name(tag: str) -> tuple[str, bool] | None:
    """A tag's lower-cased name and whether it is an end tag; None for other markup."""
    m = _TAG_NAME.match(tag)
    if m is None:
        return None
    return m.group(1).lower(), tag.startswith("</")


class _Scanner(HTMLParser):
    """Feeds the view from parser events; positions come from `getpos()`."""

    def __init__(self, sink: Sink, s: str, path: str, strict: bool, blocks: Blocks | None) -> None:
        super().__init__(convert_charrefs=False)
        self._sink = sink
        self._blocks = blocks
        self._s = s
        self._path = path
        self._strict = strict
        # Start of every line as the parser counts lines (after each "\n").
        self._line_starts = [0]
        nl = s.find("\n")
        while nl >= 0:
            self._line_starts.append(nl + 1)
            nl = s.find("\n", nl + 1)
        self._stack: list[str] = []
        self._elements: list[int] = []  # with _stack: each open element's index in _blocks
        self._open: dict[str, int] = {}
        self._skipping = 0
        self._closing = False
        self._dead = False  # the rest of the input is an unterminated comment
        self._junk_until = 0  # input before this is broken markup, not text
        self._raw_text_start = 0
        # The view ends with a line or block break (and maybe spaces). Then
        # <br> adds no other and the white space that follows is left out, so
        # that "<br>\n" or "a\n<!-- -->\nb" do not read as a blank line.
        self._at_break = True

    def _where(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _fail(self, message: str, at: int) -> None:
        line = self._s.count("\n", 0, at) + 1
        column = at - (self._s.rfind("\n", 0, at) + 1) + 1
        raise DocumentError(self._path, message, line, column)

    def _scan(self) -> None:
        # "&" never starts markup, and the parser's own reference handling has
        # corner cases that swallow markup; references are decoded from the
        # file text instead, so the parser sees a same-length copy without them.
        self.feed(self._s.replace("&", "\x01"))
        self._closing = True
        self.close()
        if self._blocks is not None:
            for index in self._elements:
                self._blocks.close(index, len(self._s))
        if self.cdata_elem is not None and self._strict and not self._dead:
            self._fail(f"<{self.cdata_elem}> element is never closed", self._raw_text_start)

    # Parser events.

    def handle_data(self, data: str) -> None:
        if self._dead:
            return
        start = self._where()
        end = start + len(data)
        s = self._s
        if (
            data[0] == "<"
            and self.cdata_elem is None
            and start + 1 < len(s)
            and s[start + 1] in _MARKUP_START
        ):
            # Markup the parser could not read: a malformed tag, or one cut off by the end.
            if self._closing:
                if s.startswith("<!--", start):
                    if self._strict:
                        self._fail("comment is never closed (<!-- without -->)", start)
                    self._dead = True
                    return
                close = s.find(">", start)
                self._junk_until = len(s) if close < 0 else max(end, close + 1)
            else:
                self._junk_until = max(self._junk_until, end)
            return
        if self._skipping:
            return
        start = max(start, self._junk_until)
        if start < end:
            self._at_break = emit_text(self._sink, s, start, end, self._at_break)

    def _block(self, at: int) -> None:
        self._sink.separate(at)
        self._at_break = True

    def _line_break(self, at: int) -> None:
        if not self._at_break:
            self._sink.put("\n", at, at)
            self._at_break = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start_tag(tag, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start_tag(tag, closed=True)

    def _start_tag(self, tag: str, closed: bool) -> None:
        if self._dead:
            return
        start = self._where()
        text = self.get_starttag_text() or ""
        end = start + len(text)
        if not self._skipping:
            self._prose_of_tag(tag, start, end, closed)
        if tag in self.CDATA_CONTENT_ELEMENTS:
            self._raw_text_start = start
        self._push(tag, start, end, opens=not closed and tag not in VOID_ELEMENTS)

    def _prose_of_tag(self, tag: str, start: int, end: int, closed: bool) -> None:
        """What a start tag puts in the view: a block or line break, alt and title text."""
        if tag in BLOCK_ELEMENTS:
            self._block(start)
        elif tag == "br":
            self._line_break(start)
        if emit_attributes(self._sink, self._s, start, end):
            self._at_break = True
        if tag in BLOCK_ELEMENTS and (closed or tag in VOID_ELEMENTS):
            self._block(end)

    def _push(self, tag: str, start: int, end: int, opens: bool) -> None:
        """Record the element; one with content (`opens`) stays open until it is closed."""
        if tag in IMPLIED_CLOSE and self._stack and self._stack[-1] == tag:
            self._pop(start, start)
        element = -1
        if self._blocks is not None:
            parent = self._elements[-1] if self._elements else -1
            element = self._blocks.add(start, end, tag, parent, tag in BLOCK_ELEMENTS, (end, end))
        if not opens:
            return  # "<div/>" opens nothing here: better than skipping the rest of the file
        self._stack.append(tag)
        self._elements.append(element)
        self._open[tag] = self._open.get(tag, 0) + 1
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1

    def _pop(self, close: int, end: int) -> None:
        """Close the innermost open element: its content ends at `close`, it at `end`."""
        top = self._stack.pop()
        element = self._elements.pop()
        self._open[top] -= 1
        if top in SKIPPED_ELEMENTS:
            self._skipping -= 1
        if self._blocks is not None:
            self._blocks.close(element, end, close)

    def handle_endtag(self, tag: str) -> None:
        if self._dead:
            return
        start = self._where()
        if self._open.get(tag):
            # An end tag closes whatever was left open inside its element.
            while self._stack[-1] != tag:
                self._pop(start, start)
            close = self._s.find(">", start)
            self._pop(start, close + 1 if close >= 0 else len(self._s))
        if self._skipping:
            return
        if tag in BLOCK_ELEMENTS:
            self._block(start)
        elif tag == "br":  # browsers read </br> as <br>
            self._line_break(start)

    def handle_comment(self, data: str) -> None:
        start = self._where()
        if self._dead or not self._s.startswith("<!--", start):
            return  # "<!x>" and "</ x>" are bogus comments to the parser: markup, not comments
        body_end = start + 4 + len(data)
        close = self._s.find(">", body_end)
        self._sink.comment(start, close + 1 if close >= 0 else len(self._s), start + 4, body_end)


def scan(
    sink: Sink, s: str, path: str = "", strict: bool = True, blocks: Blocks | None = None
) -> None:
    """Put the prose of the HTML in `s` into `sink` (positions in `s`), its comments too.

    Non-strict scanning (for HTML inside markdown) never fails: what a strict
    scan reports as an error is then treated as markup to the end of `s`.
    Elements are recorded in `blocks` when one is given.
    """
    _Scanner(sink, s, path, strict, blocks)._scan()


def read(path: str, text: str, bom: bool) -> Document:
    out = ViewBuilder(text, inner_blocks=True)
    scan(out, text, path, strict=True, blocks=out.blocks)
    return out.build(path, "html", bom)

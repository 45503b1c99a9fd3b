"""Markdown: the prose of a CommonMark document (with GFM tables and strikethrough).

markdown-it-py finds the structure, but its inline tokens carry no offsets,
only the line range of their block. So each block's content string (the
lines markdown-it joined, container markers and indentation cut off) is
first mapped back to the file line by line, and then every inline token is
located in that string in order, knowing the syntax it came from: emphasis
markers are skipped, `\\*` and `&amp;` are decoded in the view but map to
their whole escape, code spans are jumped over, and the link and image rules
record where they end (link destinations and reference labels never reach
the view). Soft and hard line breaks stay in the view as "\\n", so a phrase
can run across a line break; a CRLF maps to its two characters.

Checked: paragraphs, headings, list items, block quotes, table cells, link
text, image alt text, inline link and image titles, the text inside raw
HTML blocks and the string values of YAML front matter.
Skipped: fenced and indented code, code spans, autolinks, link destinations
and reference definitions, HTML tags and comments (and code-like inline
HTML elements such as `<code>...</code>`), front matter keys, and URLs and
e-mail addresses written as plain text. Every block ends with a block break;
an image's alt text and a title are blocks of their own.

Recorded for suppression comments, in the same parse: every HTML comment
markdown-it sees as HTML (inline, or in an HTML block; not one in code or in
a tag's attribute), and every block token with the whole lines it spans, its
kind (`paragraph`, `html_block`, `list_item`, `tr`...) and the block holding it.

Markdown never fails to parse: whatever markdown-it makes of a file is read.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, MutableMapping, Sequence
from functools import cache
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.common.entities import entities
from markdown_it.common.utils import isValidEntityCode
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

from glossary_check.core import bounded_yaml
from glossary_check.documents import BLOCK_BREAK, Document, DocumentError, ViewBuilder
from glossary_check.documents import html as html_doc

_NEWLINE = re.compile(r"\r\n?|\n")
#: What markdown-it trims from blocks and cells (CommonMark white space and more).
_TRIM = frozenset(
    "\t\n\v\f\r \xa0\u1680\u202f\u205f\u3000\u2028\u2029"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
_END = "glossary_check.end"  # token meta: where a link or image ends in its inline source
_LINES = "glossary_check.lines"  # env: line -> (start, end) columns of a heading or table line
_DEEP = "glossary_check.deep"  # env: (line, column) where blocks nest deeper than MAX_NESTING
#: Block quotes and lists (each list two levels) nested deeper than this are not parsed.
MAX_NESTING = 40
_MD_ESCAPE = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));"
)
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*(?:\r\n?|\n)")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_YAML_STR = "tag:yaml.org,2002:str"
_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_YAML_HEX = {"x": 2, "u": 4, "U": 8}
_YAML_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)+")
#: A `key: value` or `- value` line, for front matter that is not valid YAML.
_LOOSE_YAML = re.compile(
    r"[ \t]*(?:-[ \t]+)?(?:[^\s:#\"'-][^:#]*:(?=[ \t]|$))?[ \t]*(.*?)[ \t]*\r?$"
)

InlineRule = Callable[[StateInline, bool], bool]
BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _recording_end(rule: InlineRule) -> InlineRule:
    """Link and image tokens do not say where their destination ends: record it."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        ok = rule(state, silent)
        if ok and not silent:
            state.tokens[-1].meta[_END] = state.pos
        return ok

    return wrapped


def _recording_lines(rule: BlockRule) -> BlockRule:
    """Where a heading's or table's lines start once container markers are cut off."""

    def wrapped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        ok = rule(state, start, end, silent)
        if ok and not silent:
            lines: dict[int, tuple[int, int]] = state.env.setdefault(_LINES, {})
            for line in range(start, state.line):
                first = state.bMarks[line] + state.tShift[line]
                line_start = state.src.rfind("\n", 0, first) + 1
                lines.setdefault(line, (first - line_start, state.eMarks[line] - line_start))
        return ok

    return wrapped


def _noting_depth(tokenize: Callable[[StateBlock, int, int], None]) -> Callable[..., None]:
    """markdown-it silently drops the rest of a file nested deeper than `maxNesting`: note
    where it starts (line, column), so that the file is reported instead of half checked."""

    def wrapped(state: StateBlock, start: int, end: int) -> None:
        if state.level >= state.md.options["maxNesting"] and _DEEP not in state.env:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                first = state.bMarks[line] + state.tShift[line]
                state.env[_DEEP] = (line, first - (state.src.rfind("\n", 0, first) + 1))
        tokenize(state, start, end)

    return wrapped


@cache
def _parser() -> MarkdownIt:
    """One configured parser; it keeps nothing between documents (their state lives in `env`)."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.block.tokenize = _noting_depth(md.block.tokenize)  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.disable("text_join")  # keep escapes and entities as tokens of their own
    # Inline content is parsed block by block as it is read, then dropped: all of a large
    # file's inline tokens at once took some thirty times the file's size.
    md.disable("inline")
    for rule in md.inline.ruler.__rules__:
        if rule.name in ("link", "image"):
            md.inline.ruler.at(rule.name, _recording_end(rule.fn), {"alt": rule.alt})
    for block in md.block.ruler.__rules__:
        if block.name in ("heading", "table"):
            md.block.ruler.at(block.name, _recording_lines(block.fn), {"alt": block.alt})
    return md


class _Lines:
    """Where each line of the file starts and ends (its line break excluded)."""

    def __init__(self, text: str) -> None:
        self.starts = array("q", [0])  # 8 bytes a line, not a list's 40
        self.ends = array("q")
        for m in _NEWLINE.finditer(text):
            self.ends.append(m.start())
            self.starts.append(m.end())
        self.ends.append(len(text))

    def __len__(self) -> int:
        return len(self.starts)

    def break_after(self, line: int) -> tuple[int, int]:
        """The line break ending `line` (empty at the end of the file)."""
        if line + 1 < len(self.starts):
            return self.ends[line], self.starts[line + 1]
        return self.ends[line], self.ends[line]


class _Mapped:
    """A sink in the coordinates of a string markdown-it derived from the file.

    `pieces` cover the string in order: (start, end, file start, file end,
    verbatim). A verbatim piece is the file text itself; any other maps as a
    whole (a CRLF for "\\n", `\\|` for "|" in a table cell, tab expansion).
    Text between pieces (none is expected) does not reach the view.
    """

    def __init__(self, out: ViewBuilder, src: str, pieces: list[tuple[int, int, int, int, bool]]):
        self.out = out
        self.src = src
        self.pieces = pieces
        self.firsts = [p[0] for p in pieces]

    def _at(self, pos: int) -> int:
        return max(bisect_right(self.firsts, pos) - 1, 0)

    def raw_start(self, pos: int) -> int:
        if not self.pieces:
            return 0
        if pos >= len(self.src):
            return self.pieces[-1][3]
        start, stop, raw_start, raw_end, verbatim = self.pieces[self._at(pos)]
        if pos >= stop:
            return raw_end
        return raw_start + pos - start if verbatim else raw_start

    def raw_end(self, pos: int) -> int:
        if not self.pieces:
            return 0
        if pos <= 0:
            return self.pieces[0][2]
        start, stop, raw_start, raw_end, verbatim = self.pieces[self._at(pos - 1)]
        if pos > stop:
            return raw_end
        return raw_start + pos - start if verbatim else raw_end

    def copy(self, start: int, end: int) -> None:
        pieces = self.pieces
        i = self._at(start)
        while start < end and i < len(pieces):
            first, last, raw_start, raw_end, verbatim = pieces[i]
            stop = min(end, last)
            if stop > start:
                if verbatim:
                    self.out.copy(raw_start + start - first, raw_start + stop - first)
                else:
                    self.out.put(self.src[start:stop], raw_start, raw_end)
                start = stop
            i += 1

    def put(self, chars: str, start: int, end: int) -> None:
        raw = self.raw_start(start)
        self.out.put(chars, raw, self.raw_end(end) if end > start else raw)

    def separate(self, at: int, sep: str = BLOCK_BREAK) -> None:
        self.out.separate(self.raw_start(at) if at < len(self.src) else self.raw_end(at), sep)

    def comment(self, start: int, end: int, body_start: int, body_end: int) -> None:
        self.out.comment(self.raw_start(start), self.raw_end(end),
                         self.raw_start(body_start), self.raw_end(body_end))


class _Inline:
    """Locates one block's inline tokens in its content string, in order, and emits the prose."""

    def __init__(self, sink: _Mapped) -> None:
        self.sink = sink
        self.src = src = sink.src
        self.urls = [m.span() for m in html_doc.URL_OR_EMAIL.finditer(src)]
        self.url_starts = [u[0] for u in self.urls]
        self.code_depth = 0  # inside inline <code>, <kbd>, ... written as HTML
        # The view ends with a line break: a <br> at the end of a line makes one break, not two.
        self.at_break = True

    def find(self, what: str, cursor: int) -> int:
        if self.src.startswith(what, cursor):
            return cursor
        return self.src.find(what, cursor)

    def in_url(self, pos: int) -> bool:
        i = bisect_right(self.url_starts, pos) - 1
        return i >= 0 and pos < self.urls[i][1]

    def emit(self, start: int, end: int) -> None:
        """Copy src[start:end] to the view, leaving out URLs."""
        if self.code_depth:
            return
        urls = self.urls
        i = max(bisect_right(self.url_starts, start) - 1, 0)
        while i < len(urls) and urls[i][0] < end:
            url_start, url_end = urls[i]
            if url_end > start:
                if url_start > start:
                    self.copy(start, url_start)
                start = max(start, url_end)
            i += 1
        if start < end:
            self.copy(start, end)

    def copy(self, start: int, end: int) -> None:
        self.sink.copy(start, end)
        if self.at_break and self.src[start:end].strip(" \t"):
            self.at_break = False  # white space after a break does not end it

    def run(self, tokens: Sequence[Token], cursor: int, base: int) -> int:
        """Emit `tokens`, found from `cursor` on; `base` offsets positions recorded by the rules."""
        links: list[Token] = []  # links open at this token
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "link_open" and tok.markup == "autolink":
                cursor = self.autolink(cursor)
                while i + 1 < len(tokens) and tokens[i].type != "link_close":
                    i += 1  # an autolink's text is its destination: none of it is prose
            else:
                cursor = _ON_TOKEN.get(tok.type, _Inline.on_marker)(self, tok, cursor, base, links)
            i += 1
        return cursor

    # One method a token type: each finds its token from `cursor` on and returns where it ends.

    def on_text(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        if not tok.content:
            return cursor
        at = self.find(tok.content, cursor)
        if at < 0:
            return cursor
        self.emit(at, at + len(tok.content))
        return at + len(tok.content)

    def on_special(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        """An escape or an entity: decoded in the view, mapped to all of it."""
        at = self.find(tok.markup, cursor)
        if at < 0:
            return cursor
        end = at + len(tok.markup)
        if tok.content == tok.markup:
            self.emit(at, end)
        elif not self.code_depth and not self.in_url(at):
            self.sink.put(tok.content, at, end)
            self.at_break = False
        return end

    def on_break(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        """A soft or hard line break: the line break stays, the next line's indent does not."""
        src = self.src
        at = src.find("\n", cursor)
        if at < 0:
            return cursor
        self.line_break(at, at + 1)
        cursor = at + 1
        while cursor < len(src) and src[cursor] in " \t":
            cursor += 1
        return cursor

    def on_code(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        return self.code_span(tok.markup, cursor)

    def on_html(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        return self.html(tok.content, cursor)

    def on_image(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        return self.image(tok, cursor, base)

    def on_link_open(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        links.append(tok)
        at = self.find("[", cursor)
        return at + 1 if at >= 0 else cursor

    def on_link_close(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        """After the label: the destination is skipped, an inline link's title read."""
        close = self.find("]", cursor)
        close = close if close >= 0 else cursor
        end = tok.meta.get(_END)
        end = base + end if isinstance(end, int) else close + 1
        if links:
            self.title(links.pop().attrGet("title"), close, end)
        return max(end, close + 1)

    def on_marker(self, tok: Token, cursor: int, base: int, links: list[Token]) -> int:
        """Emphasis and strikethrough markers are skipped; other tokens have no text."""
        if not tok.markup or not tok.type.endswith(("_open", "_close")):
            return cursor
        at = self.find(tok.markup, cursor)
        return at + len(tok.markup) if at >= 0 else cursor

    def autolink(self, cursor: int) -> int:
        at = self.find("<", cursor)
        close = self.src.find(">", max(at, cursor))
        return close + 1 if at >= 0 and close >= 0 else cursor

    def line_break(self, start: int, end: int) -> None:
        """A line break for src[start:end] (a <br> when empty), unless the view just had one."""
        if not self.code_depth and not self.at_break:
            if end > start:
                self.sink.copy(start, end)
            else:
                self.sink.put("\n", start, start)
            self.at_break = True

    def separate(self, at: int) -> None:
        self.sink.separate(at)
        self.at_break = True

    def code_span(self, marker: str, cursor: int) -> int:
        """Jump over a code span: to the next backtick run of the opener's length."""
        src = self.src
        at = self.find(marker, cursor)
        if at < 0:
            return cursor
        pos = at + len(marker)
        while (run := src.find("`", pos)) >= 0:
            stop = run
            while stop < len(src) and src[stop] == "`":
                stop += 1
            if stop - run == len(marker):
                return stop
            pos = stop
        return at + len(marker)

    def html(self, tag: str, cursor: int) -> int:
        """Inline HTML: tags are skipped, but `<br>` breaks a line and alt/title are prose."""
        src = self.src
        at = self.find(tag, cursor)
        if at < 0:
            return cursor
        if tag.startswith("<!--"):
            self.sink.comment(at, at + len(tag), at + 4, at + len(tag) - 3)
        info = html_doc.tag_name(tag)
        if info is not None:
            name, closing = info
            if name in html_doc.SKIPPED_ELEMENTS:
                if closing:
                    self.code_depth = max(self.code_depth - 1, 0)
                elif not tag.endswith("/>"):
                    self.code_depth += 1
            elif not self.code_depth:
                if name == "br":
                    self.line_break(at, at)
                elif not closing and html_doc.emit_attributes(self.sink, src, at, at + len(tag)):
                    self.at_break = True
        return at + len(tag)

    def image(self, tok: Token, cursor: int, base: int) -> int:
        """Alt text (a block of its own), then the title; the destination is skipped."""
        at = self.find("![", cursor)
        if at < 0:
            return cursor
        end = tok.meta.get(_END)
        if self.code_depth:
            return base + end if isinstance(end, int) else at + 2
        self.separate(at)
        label_end = self.run(tok.children or [], at + 2, at + 2)
        close = self.find("]", label_end)
        close = close if close >= 0 else label_end
        self.separate(close)
        end = base + end if isinstance(end, int) else close + 1
        self.title(tok.attrGet("title"), close, end)
        return max(end, close + 1)

    def title(self, title: object, close: int, end: int) -> None:
        """The title of an inline link or image whose label closes at `close` (a block of its own).

        A reference link's title is written in its definition, which is not read.
        """
        if not title:
            return
        src = self.src
        pos = close + 1
        if pos >= end or src[pos] != "(":
            return
        pos = self.skip_space(pos + 1, end)
        dest = parseLinkDestination(src, pos, end)
        if dest.ok:  # with a title, the destination was valid too
            pos = dest.pos
        start = pos
        pos = self.skip_space(pos, end)
        found = parseLinkTitle(src, pos, end)
        if pos == start or not found.ok:
            return
        self.separate(pos)
        self.decoded(pos + 1, found.pos - 1)
        self.separate(found.pos)

    def skip_space(self, pos: int, end: int) -> int:
        while pos < end and self.src[pos] in " \t\n":
            pos += 1
        return pos

    def decoded(self, start: int, end: int) -> None:
        """Markdown text outside the inline parser (a title): escapes and entities decoded."""
        pos = start
        for m in _MD_ESCAPE.finditer(self.src, start, end):
            if m.group(1):
                chars = m.group(1)
            elif m.group(2) or m.group(3):
                code = int(m.group(2), 16) if m.group(2) else int(m.group(3))
                chars = chr(code) if isValidEntityCode(code) else "\ufffd"
            elif m.group(4) in entities:
                chars = entities[m.group(4)]
            else:
                continue
            self.emit(pos, m.start())
            if not self.in_url(m.start()):
                self.sink.put(chars, m.start(), m.end())
                self.at_break = False
            pos = m.end()
        self.emit(pos, end)


_ON_TOKEN: dict[str, Callable[[_Inline, Token, int, int, list[Token]], int]] = {
    "text": _Inline.on_text,
    "text_special": _Inline.on_special,
    "softbreak": _Inline.on_break,
    "hardbreak": _Inline.on_break,
    "code_inline": _Inline.on_code,
    "html_inline": _Inline.on_html,
    "image": _Inline.on_image,
    "link_open": _Inline.on_link_open,
    "link_close": _Inline.on_link_close,
}


class _Reader:
    def __init__(self, text: str, out: ViewBuilder, path: str = "") -> None:
        self.path = path
        self.text = text
        self.out = out
        self.lines = _Lines(text)
        # markdown-it reads NUL as U+FFFD; compare with the same (positions do not move).
        self.match = text.replace("\0", "\ufffd") if "\0" in text else text
        self.rows: dict[int, list[tuple[str, list[tuple[int, int, int, int, bool]]]]] = {}

    def run(self) -> None:
        md = _parser()
        source = self.text
        closing = _front_matter_end(self.text, self.lines)
        if closing is not None:
            self.front_matter(self.lines.starts[1], self.lines.starts[closing])
            rest = self.lines.starts[closing + 1] if closing + 1 < len(self.lines) else len(source)
            # Blank lines keep markdown-it's line numbers those of the file.
            source = "\n" * (closing + 1) + source[rest:]
        env: MutableMapping[str, Any] = {}
        tokens = md.parse(source, env)
        if _DEEP in env:
            line, column = env[_DEEP]
            raise DocumentError(
                self.path, f"block quotes or lists nested more than {MAX_NESTING} levels deep: "
                "what is inside them cannot be read", line + 1, column + 1)
        captured: dict[int, tuple[int, int]] = env.get(_LINES, {})
        cell = 0
        holders: list[int] = []  # the recorded blocks open at this token
        for i, tok in enumerate(tokens):
            self.record(tok, holders)
            if tok.type == "tr_open":
                cell = 0
            elif tok.type == "inline" and tok.map:
                opener = tokens[i - 1]
                if opener.type in ("th_open", "td_open"):
                    mapped = self.cell(tok, cell, captured)
                    cell += 1
                elif opener.type == "heading_open" and opener.markup.startswith("#"):
                    mapped = self.atx_heading(tok, len(opener.markup), captured)
                else:
                    mapped = self.block(tok.content, tok.map[0], tok.map[1])
                if mapped is not None and mapped.pieces:
                    children: list[Token] = []
                    md.inline.parse(tok.content, md, env, children)
                    _Inline(mapped).run(children, 0, 0)
                    mapped.separate(len(mapped.src))
            elif tok.type == "html_block" and tok.map:
                mapped = self.block(tok.content, tok.map[0], tok.map[1])
                if not mapped.pieces:
                    continue
                html_doc.scan(mapped, tok.content, strict=False)
                mapped.separate(len(mapped.src))

    def record(self, tok: Token, holders: list[int]) -> None:
        """Record a block token's span (whole lines) for suppression comments."""
        if tok.nesting < 0:
            holders.pop()
            return
        index = holders[-1] if holders else -1
        if tok.map is not None and tok.type != "inline":
            starts, end = self.lines.starts, len(self.text)
            first, last = tok.map
            index = self.out.blocks.add(
                starts[first] if first < len(starts) else end,
                starts[last] if last < len(starts) else end,
                tok.type.removesuffix("_open"), index)
        if tok.nesting > 0:
            holders.append(index)  # a cell has no lines of its own: its row holds what is in it

    # Mapping block content back to the file.

    def block(self, content: str, first: int, limit: int) -> _Mapped:
        """Content made of whole lines, each a suffix of its line in the file, from `first` on."""
        lines = self.lines
        parts = content.split("\n")
        limit = min(limit, len(lines))
        line = first
        while line < limit and self.locate(parts[0], line, len(parts) == 1) is None:
            line += 1  # lines of white space markdown-it trimmed away
        if line >= limit:
            line = first
        pieces: list[tuple[int, int, int, int, bool]] = []
        pos = 0
        for k, part in enumerate(parts):
            n = line + k
            if n >= len(lines):
                break
            if part:
                found = self.locate(part, n, k == len(parts) - 1)
                if found is not None:  # else the line stays out of the view: better than wrong
                    raw, made_up = found
                    if made_up:  # spaces markdown-it made of a tab
                        pieces.append((pos, pos + made_up, raw, raw, False))
                    stop = raw + len(part) - made_up
                    pieces.append((pos + made_up, pos + len(part), raw, stop, True))
                pos += len(part)
            if k < len(parts) - 1:
                brk_start, brk_end = lines.break_after(n)
                verbatim = self.text[brk_start:brk_end] == "\n"
                pieces.append((pos, pos + 1, brk_start, brk_end, verbatim))
                pos += 1
        return _Mapped(self.out, content, pieces)

    def locate(self, part: str, line: int, last: bool) -> tuple[int, int] | None:
        """Where `part` ends line `line` (before trailing white space, for a last line).

        Returns its file offset and how many leading spaces markdown-it made up.
        """
        match = self.match
        start, end = self.lines.starts[line], self.lines.ends[line]
        ends = [end]
        if last:
            trimmed = end
            while trimmed > start and match[trimmed - 1] in _TRIM:
                trimmed -= 1
            ends.append(trimmed)
        for stop in ends:
            if stop - start >= len(part) and match.endswith(part, start, stop):
                return stop - len(part), 0
        if part.startswith(" "):
            rest = part.lstrip(" ")
            for stop in ends:
                if rest and stop - start >= len(rest) and match.endswith(rest, start, stop):
                    return stop - len(rest), len(part) - len(rest)
        return None

    def atx_heading(
        self, tok: Token, level: int, captured: dict[int, tuple[int, int]]
    ) -> _Mapped | None:
        line = tok.map[0] if tok.map else 0
        content = tok.content
        if not content or line not in captured:
            return self.block(content, line, line + 1)
        line_start = self.lines.starts[line]
        at = self.match.find(content, line_start + captured[line][0] + level, self.lines.ends[line])
        if at < 0:
            return self.block(content, line, line + 1)
        return _Mapped(self.out, content, [(0, len(content), at, at + len(content), True)])

    def cell(self, tok: Token, column: int, captured: dict[int, tuple[int, int]]) -> _Mapped | None:
        line = tok.map[0] if tok.map else 0
        if not tok.content or line not in captured:
            return None
        if line not in self.rows:
            self.rows[line] = self.split_row(line, captured[line])
        row = self.rows[line]
        if column >= len(row) or row[column][0] != tok.content:
            return None
        return _Mapped(self.out, tok.content, row[column][1])

    def split_row(
        self, line: int, columns: tuple[int, int]
    ) -> list[tuple[str, list[tuple[int, int, int, int, bool]]]]:
        """A table row's cells as markdown-it splits them (`\\|` is a "|" inside a cell)."""
        match = self.match
        start = self.lines.starts[line] + columns[0]
        end = self.lines.starts[line] + columns[1]
        start, end = _trim(match, start, end)
        cells: list[tuple[int, int, list[int]]] = []
        escapes: list[int] = []
        cell_start = start
        bar = match.find("|", start, end)
        while bar >= 0:
            if bar > cell_start and match[bar - 1] == "\\":
                escapes.append(bar - 1)
            else:
                cells.append((cell_start, bar, escapes))
                escapes = []
                cell_start = bar + 1
            bar = match.find("|", bar + 1, end)
        cells.append((cell_start, end, escapes))
        if cells and cells[0][0] == cells[0][1]:
            cells.pop(0)
        if cells and cells[-1][0] == cells[-1][1]:
            cells.pop()
        row = []
        for first, last, escaped in cells:
            first, last = _trim(match, first, last)
            content: list[str] = []
            pieces: list[tuple[int, int, int, int, bool]] = []
            pos, raw = 0, first
            for backslash in [*escaped, last]:
                if backslash > raw:
                    pieces.append((pos, pos + backslash - raw, raw, backslash, True))
                    content.append(match[raw:backslash])
                    pos += backslash - raw
                if backslash < last:
                    pieces.append((pos, pos + 1, backslash, backslash + 2, False))
                    content.append("|")
                    pos += 1
                    raw = backslash + 2
            row.append(("".join(content), pieces))
        return row

    # YAML front matter.

    def front_matter(self, start: int, end: int) -> None:
        """String values of the front matter are prose, each a block; keys are not."""
        body = self.text[start:end]
        try:
            root = bounded_yaml.compose(body)
        except bounded_yaml.AliasError as exc:  # refused, not read loosely: it is no slip
            at = start + (exc.problem_mark.index if exc.problem_mark else 0)
            line = bisect_right(self.lines.starts, at) - 1
            raise DocumentError(self.path, f"front matter: {exc.problem}", line + 1,
                                at - self.lines.starts[line] + 1) from None
        except (yaml.YAMLError, ValueError, RecursionError):
            self.loose_front_matter(start, end)
            return
        scalars: dict[int, yaml.ScalarNode] = {}
        stack: list[yaml.Node] = [root] if root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                stack.extend(value for _, value in reversed(node.value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
            elif isinstance(node, yaml.ScalarNode) and node.tag == _YAML_STR:
                scalars[id(node)] = node  # an alias is the node it names: read it once
        done = start
        for node in sorted(scalars.values(), key=lambda n: n.start_mark.index):
            first, last = start + node.start_mark.index, start + node.end_mark.index
            if first >= done and last <= end:
                self.yaml_scalar(first, last, node.style)
                self.out.separate(last)
                done = last

    def yaml_scalar(self, start: int, end: int, style: str | None) -> None:
        value = self.yaml_value(start, end, style)
        if value is None:
            return
        lines = self.yaml_lines(*value, style)
        for i, (first, last, brk_start, brk_end) in enumerate(lines):
            joined = self.yaml_line(first, last, style)
            if i + 1 < len(lines) and not joined:
                self.yaml_break(brk_start, brk_end)

    def yaml_line(self, start: int, end: int, style: str | None) -> bool:
        """One line of a value, decoded; True when it joins the next (an escaped line break)."""
        if style == '"':
            return self.yaml_double_quoted(start, end)
        if style == "'":
            self.yaml_single_quoted(start, end)
        else:
            self.out.copy(start, end)
        return False

    def yaml_value(self, start: int, end: int, style: str | None) -> tuple[int, int] | None:
        """A scalar's value without its anchor or tag, its quotes or its block header."""
        text = self.text
        properties = _YAML_PROPERTIES.match(text, start, end)
        if properties:
            start = properties.end()  # an anchor or a tag is not part of the value
        if style in ("'", '"'):
            start += 1
            if end > start and text[end - 1] == style:
                end -= 1
        elif style in ("|", ">"):
            header = _NEWLINE.search(text, start, end)
            if header is None:
                return None
            start = header.end()
        return start, end

    def yaml_lines(
        self, start: int, end: int, style: str | None
    ) -> list[tuple[int, int, int, int]]:
        """A value's lines (text start, end; line break start, end), blank ones at the end left out.

        Indentation (but a plain or quoted value's first line's) and trailing white space
        are cut off; a line break between two lines stays one (YAML folds it, but a phrase
        may cross it).
        """
        text = self.text
        block = style in ("|", ">")
        lines: list[tuple[int, int, int, int]] = []
        pos = start
        while True:
            brk = _NEWLINE.search(text, pos, end)
            stop = brk.start() if brk else end
            first, last = _strip_spaces(text, pos, stop, leading=block or bool(lines))
            lines.append((first, last, stop, brk.end() if brk else stop))
            if brk is None:
                break
            pos = brk.end()
        while lines and lines[-1][0] == lines[-1][1]:
            lines.pop()
        return lines

    def yaml_break(self, start: int, end: int) -> None:
        """The line break at file text [start, end), as "\\n" in the view."""
        if self.text[start:end] == "\n":
            self.out.copy(start, end)
        else:
            self.out.put("\n", start, end)

    def yaml_single_quoted(self, start: int, end: int) -> None:
        pos = start
        while (quote := self.text.find("''", pos, end)) >= 0:
            self.out.copy(pos, quote)
            self.out.put("'", quote, quote + 2)
            pos = quote + 2
        self.out.copy(pos, end)

    def yaml_double_quoted(self, start: int, end: int) -> bool:
        """Decode escapes; True when the line ends with an escaped line break (lines join)."""
        text = self.text
        pos = start
        while (slash := text.find("\\", pos, end)) >= 0:
            self.out.copy(pos, slash)
            if slash + 1 >= end:
                return True
            code = text[slash + 1]
            if code in _YAML_HEX:
                digits = text[slash + 2 : slash + 2 + _YAML_HEX[code]]
                try:
                    chars = chr(int(digits, 16)) if len(digits) == _YAML_HEX[code] else ""
                except (ValueError, OverflowError):
                    chars = ""
                stop = slash + 2 + len(digits)
            else:
                chars = _YAML_ESCAPES.get(code, "")
                stop = slash + 2
            if chars:
                self.out.put(chars, slash, stop)
            else:
                self.out.copy(slash, stop)
            pos = stop
        self.out.copy(pos, end)
        return False

    def loose_front_matter(self, start: int, end: int) -> None:
        """Front matter that is not YAML: the value part of `key: value` and `- value` lines."""
        lines = self.lines
        line = bisect_right(lines.starts, start) - 1
        while line < len(lines) and lines.starts[line] < end:
            m = _LOOSE_YAML.match(self.text, lines.starts[line], lines.ends[line])
            line += 1
            if m is None or not m.group(1) or m.group(1)[0] in "|>[{&*!#%@`":
                continue
            first, last = m.span(1)
            quote = self.text[first]
            if last - first >= 2 and quote in "'\"" and self.text[last - 1] == quote:
                first, last = first + 1, last - 1
            self.out.copy(first, last)
            self.out.separate(last)


def _strip_spaces(s: str, start: int, end: int, leading: bool) -> tuple[int, int]:
    """s[start:end] without trailing spaces and tabs, and leading ones if `leading`."""
    if leading:
        while start < end and s[start] in " \t":
            start += 1
    while end > start and s[end - 1] in " \t":
        end -= 1
    return start, end


def _trim(s: str, start: int, end: int) -> tuple[int, int]:
    while start < end and s[start] in _TRIM:
        start += 1
    while end > start and s[end - 1] in _TRIM:
        end -= 1
    return start, end


def _front_matter_end(text: str, lines: _Lines) -> int | None:
    """The line closing YAML front matter that opens the file with `---`, if there is one."""
    if not _FRONT_MATTER_OPEN.match(text):
        return None
    close = _FRONT_MATTER_CLOSE.search(text, lines.starts[1])
    if close is None:
        return None
    return bisect_right(lines.starts, close.start()) - 1


def read(path: str, text: str, bom: bool) -> Document:
    out = ViewBuilder(text)
    _Reader(text, out, path).run()
    return out.build(path, "markdown", bom)

"""YAML read to plain data by yaml_rs (Rust), only where it reads as PyYAML's safe loader would.

yaml_rs builds dicts, lists and strings several times faster than libyaml composes nodes,
but it follows YAML 1.2 (PyYAML reads 1.1), keeps no marks and does not say whether a
scalar was quoted. So `load` refuses (raises `Unsure`) every text where the two could
differ, and a caller reads those the proven way (`bounded_yaml`): a tab, an anchor, alias
or tag, a merge key, a directive, a line break PyYAML counts and YAML 1.2 does not, a
character PyYAML's reader refuses, any error of yaml_rs, anything but one mapping. What the
caller gets still has to pass `resolves_to_other` for each string it reads (a plain `yes`
is a string here, a bool there) and may hold non-string scalars it must not trust
(`0o17`, `1_000`, dates). Lines and columns are found afterwards by `Lines`, a scan of the
text that the caller verifies against the data.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

#: PyYAML's resolvers for plain scalars (the safe loader's), those for each first character
#: joined into one pattern: one match per string, with the same answer.
_RESOLVERS: dict[str, re.Pattern[str]] = {
    first: re.compile("|".join(
        f"(?{'x' if regexp.flags & re.VERBOSE else ''}:{regexp.pattern})"
        for _, regexp in resolvers
    ))
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items() if first is not None
}
#: `[` `{` (a flow collection) and `|` `>` (a block scalar): see `_flow_refused`; and a
#: block scalar ending the file without a line break keeps one in yaml_rs, not in PyYAML.
_FLOW = frozenset(b"[{")
_FLOWING = frozenset(b"[{|>")
#: a line with a flow collection's start
_FLOW_LINE = re.compile(rb"^[^\n]*[\[{][^\n]*", re.MULTILINE)
#: a quoted scalar on one line, starting where a scalar can start
_QUOTED = re.compile(rb"""(?:(?<=[\[{,: ])|^)(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')""")
#: a flow scalar starting with `:`
_FLOW_COLON = re.compile(rb"[\[{,:][ ]*:")
_BRACKETS = re.compile(rb"[\[\]{}]")
#: Bytes (of the UTF-8 text) after which the two readers could part: the controls PyYAML's
#: reader refuses, a tab, a CR, `!&*` (tags, anchors, aliases), `<` (a merge key), `%` (a
#: directive), and the lead bytes of NEL, LINE and PARAGRAPH SEPARATOR, U+FEFF, U+FFFE-F and
#: the C1 controls. Where none is in a text (the usual case) one pass over it says so.
_TRIGGERS = bytes([*range(0x09), 0x09, 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), 0x7F,
                   *b"!&*<%", 0xC2, 0xE2, 0xEF, *_FLOWING])
_UNTRIGGERING = bytes(b for b in range(256) if b not in _TRIGGERS)
#: Where a trigger byte is found, what it must be part of for the text to be refused: a
#: control or tab; an anchor, alias or tag where a node can start; a merge key; a
#: directive; a CR not part of CRLF; NEL or a C1 control; LINE or PARAGRAPH SEPARATOR;
#: U+FEFF, U+FFFE or U+FFFF.
_UNSURE = re.compile(
    rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|(?:^|[\[{,?:\-])[ ]*[!&*]|<<|^%|\r(?!\n)"
    rb"|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef(?:\xbb\xbf|\xbf[\xbe\xbf])",
    re.MULTILINE,
)
#: The same for the common lead bytes alone, each searched by a pattern with a literal start.
_LEADS = {
    0xC2: re.compile(rb"\xc2[\x80-\x9f]"),
    0xE2: re.compile(rb"\xe2\x80[\xa8\xa9]"),
    0xEF: re.compile(rb"\xef(?:\xbb\xbf|\xbf[\xbe\xbf])"),
}


class Unsure(Exception):
    """A text (or a value in it) the fast reader may not read as PyYAML would."""


def refused(encoded: bytes) -> bool:
    """Whether a text (as UTF-8) has anything the fast reader leaves to PyYAML."""
    found = set(encoded.translate(None, _UNTRIGGERING))
    if not found:
        return False
    if found & _FLOWING:
        if (0x7C in found or 0x3E in found) and not encoded.endswith(b"\n"):
            return True
        if found & _FLOW and _flow_refused(encoded):
            return True
        found -= _FLOWING
        if not found:
            return False
    if found <= _LEADS.keys():
        return any(_LEADS[lead].search(encoded) for lead in found)
    return _UNSURE.search(encoded) is not None


def _flow_refused(encoded: bytes) -> bool:
    """Whether a flow collection may be read otherwise by the two readers: one going on past
    its line (PyYAML refuses keys YAML 1.2 takes there), or one holding, outside its quoted
    scalars, a `?` (a key anywhere to PyYAML), a `|` or `>` (refused by PyYAML at a
    scalar's start), a scalar starting with `:`, or a quote it cannot pair."""
    for match in _FLOW_LINE.finditer(encoded):
        line = _QUOTED.sub(b"", match.group())
        if any(c in line for c in b"\"'?|>") or _FLOW_COLON.search(line):
            return True
        depth = 0
        for bracket in _BRACKETS.findall(line):
            depth += 1 if bracket in (b"[", b"{") else -1
            if depth < 0:
                return True
        if depth:
            return True
    return False


def load(text: str, encoded: bytes | None = None) -> Any:
    """The one document of `text` as plain data (a mapping: anything else, such as several
    documents, is refused), or Unsure (see the module's docstring). `encoded` is the text
    as UTF-8, where the caller has it.

    yaml_rs is imported here, not at start-up: a small glossary reads faster without it.
    """
    if refused(text.encode() if encoded is None else encoded):
        raise Unsure("a text the fast reader leaves to PyYAML")
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - yaml_rs has wheels for the usual platforms
        raise Unsure("yaml_rs is not installed") from None
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except Exception as exc:  # any error at all: PyYAML gives it, with its mark
        raise Unsure(str(exc)) from None
    if type(data) is not dict:  # several documents come as a list of them
        raise Unsure("not one mapping")
    return data


def resolves_to_other(value: str) -> bool:
    """Whether PyYAML would read `value`, written plain, as something other than a string
    (bool, null, int, float, timestamp, merge, value): yaml_rs does not say whether it was
    quoted, so such a string may be one or the other."""
    resolvers = _RESOLVERS.get(value[:1])
    return resolvers is not None and resolvers.match(value) is not None


def block_items(
    lines: list[str], begin: int, end: int, parent: int
) -> tuple[list[tuple[int, int]], int] | None:
    """The block sequence starting at `lines[begin]` (blank and comment lines before it
    skipped) under a key at column `parent`: each item's (line index, column of what follows
    its `- `), and the index of the line that ends it. None where the layout is not a plain
    block sequence (an item empty on its line or a flow collection, no item at all). Every
    place found is a guess its caller checks against the data."""
    found: list[tuple[int, int]] = []
    indent = -1
    index = begin
    end = min(end, len(lines))
    while index < end:
        line = lines[index]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        column = len(line) - len(stripped)
        if indent < 0:
            if column < parent or not stripped.startswith("- "):
                return None
            indent = column
        if column < indent or (column == indent and not stripped.startswith("-")):
            break
        if column == indent:
            content = stripped[1:].lstrip(" ")
            if not stripped.startswith("- ") or not content or content[0] in "#[{":
                return None
            found.append((index, len(line) - len(content)))
        index += 1
    if not found:
        return None
    return found, index


def flow_items(line: str, at: int) -> list[int] | None:
    """The columns where the items of a flow sequence of scalars written on one line start
    (`at` is its `[`); None for anything else (a nested collection, a comment or an anchor
    inside, an item left open, anything but a comment after the `]`)."""
    starts: list[int] = []
    end = len(line)
    i = at + 1
    while True:
        while i < end and line[i] == " ":
            i += 1
        if i >= end:
            return None
        if line[i] == "]":
            break
        if line[i] in ",[]{}#&*!|>%@`":
            return None
        starts.append(i)
        quote = line[i]
        if quote in "'\"":
            i = _closing(line, i)
            if i < 0:
                return None
            i += 1
        else:
            while i < end and line[i] not in ",]":
                if line[i] in "[{}#":
                    return None
                i += 1
        while i < end and line[i] == " ":
            i += 1
        if i < end and line[i] == ",":
            i += 1
        elif i >= end or line[i] != "]":
            return None
    after = line[i + 1:].strip()
    return starts if not after or after.startswith("#") else None


def _closing(line: str, at: int) -> int:
    """The index of the quote that closes the one at `at`, or -1."""
    quote = line[at]
    i = at + 1
    while True:
        i = line.find(quote, i)
        if i < 0:
            return -1
        if quote == "'" and line[i + 1:i + 2] == "'":
            i += 2
            continue
        backslashes = len(line[:i]) - len(line[:i].rstrip("\\"))
        if quote == '"' and backslashes % 2:
            i += 1
            continue
        return i

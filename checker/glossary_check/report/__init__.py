"""Report formats: one module a format, each a pure `render(run) -> str`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from glossary_check.core.findings import FileResult, Finding, Position, Severity
from glossary_check.core.positions import LineIndex
from glossary_check.core.visible import encodable

FORMATS = ("text", "json", "sarif", "github", "rdjsonl", "html")


@dataclass(slots=True)
class Run:
    """Everything a report shows: the inputs' results and what the run was."""

    tool_version: str
    glossary_path: str
    glossary_entries: int
    files: list[FileResult]
    notices: list[str] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> one-line summary

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.files:
            for finding in f.findings:
                out[finding.severity.label] += 1
        return out

    @property
    def finding_count(self) -> int:
        return sum(len(f.findings) for f in self.files)


def located(result: FileResult) -> Iterator[tuple[Finding, Position]]:
    """Findings of one file with their line/column, in file order."""
    index = LineIndex(result.text)
    for finding in result.findings:
        yield finding, index.position(finding.offset, finding.length)


def to_json(data: Any, indent: int | None = None) -> str:
    """JSON text that UTF-8 can hold: a file name's undecodable bytes become `\\udcxx` escapes.

    JSON allows them, and a JSON reader gives back the same string.
    """
    if indent is None:
        text = json.dumps(data, ensure_ascii=False)
    else:
        parts: list[str] = []
        _indented(data, indent, "\n", parts)
        text = "".join(parts)
    try:
        text.encode()  # most reports: no lone surrogate to look for
    except UnicodeEncodeError:
        return encodable(text, lambda ch: f"\\u{ord(ch):04x}")
    return text


_ESCAPED: Callable[[str], str] = json.encoder.encode_basestring


def _indented(data: Any, indent: int, newline: str, parts: list[str]) -> None:
    """`json.dumps(data, ensure_ascii=False, indent=indent)`'s text, in `parts`.

    json.dumps writes indented text with its pure-Python encoder, one generator a
    container; this is the same text from a plain walk, its strings and numbers from
    the C escaper and the numbers' own repr.
    """
    if isinstance(data, str):
        parts.append(_ESCAPED(data))
    elif data is None:
        parts.append("null")
    elif data is True:
        parts.append("true")
    elif data is False:
        parts.append("false")
    elif isinstance(data, int):
        parts.append(int.__repr__(data))
    elif isinstance(data, dict):
        if not data:
            parts.append("{}")
            return
        inner = newline + " " * indent
        before = "{" + inner
        for key, value in data.items():
            head = before + _ESCAPED(key if isinstance(key, str) else _key(key)) + ": "
            kind = type(value)
            if kind is str:  # most values: written here, without a call
                parts.append(head + _ESCAPED(value))
            elif kind is int:
                parts.append(head + int.__repr__(value))
            else:
                parts.append(head)
                _indented(value, indent, inner, parts)
            before = "," + inner
        parts.append(newline + "}")
    elif isinstance(data, (list, tuple)):
        if not data:
            parts.append("[]")
            return
        inner = newline + " " * indent
        before = "[" + inner
        for value in data:
            parts.append(before)
            _indented(value, indent, inner, parts)
            before = "," + inner
        parts.append(newline + "]")
    else:  # floats (NaN, Infinity) and anything json refuses, as json.dumps has them
        parts.append(json.dumps(data, ensure_ascii=False))


def renderer(fmt: str) -> Callable[..., str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    module = __import__(f"glossary_check.report.{fmt}_report", fromlist=["render"])
    render: Callable[..., str] = module.render
    return render


def _key(key: Any) -> str:
    """A key that is not a string as json.dumps writes it (1 -> "1", True -> "true")."""
    text: str = json.dumps({key: 0})
    return str(json.loads(text).popitem()[0])

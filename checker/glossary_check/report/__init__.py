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
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return encodable(text, lambda ch: f"\\u{ord(ch):04x}")


def renderer(fmt: str) -> Callable[..., str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    module = __import__(f"glossary_check.report.{fmt}_report", fromlist=["render"])
    render: Callable[..., str] = module.render
    return render

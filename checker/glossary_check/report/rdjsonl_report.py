"""reviewdog's rdjsonl: one Diagnostic (reviewdog's proto/rdf) as JSON per line.

reviewdog counts columns in UTF-8 bytes from the start of the line
(`Position.column`: "byte count in UTF-8"), not in code points, so columns
are converted here: 'Київ' at the start of a line ends at column 9, not 5.
Lines are numbered as everywhere else (CRLF counts once). As with every
other format, the first line of a file with a BOM counts from just after
the BOM (a file result does not record one). A file that could not be
read is an ERROR diagnostic with its path and, where the error names one,
its line; run notices have no place in the format and are left out.
"""

from __future__ import annotations

import re
from typing import Any

from glossary_check.core.findings import Applicability, Severity
from glossary_check.core.positions import LineIndex
from glossary_check.report import Run, to_json

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
SOURCE = {"name": "glossary-check"}


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def byte_position(text: str, index: LineIndex, offset: int) -> dict[str, int]:
    """Line and UTF-8 byte column (1-based) of a code point offset."""
    line, column = index.line_col(offset)
    start = offset - (column - 1)
    return {"line": line, "column": utf8_len(text[start:offset]) + 1}


def diagnostics(run: Run) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for result in run.files:
        if result.error is not None:
            location: dict[str, Any] = {"path": result.path}
            m = re.match(re.escape(result.path) + r":(\d+):(\d+): ", result.error)
            if m:
                # The error's column counts code points of a line we no longer have
                # in full, so reviewdog gets the line alone.
                location["range"] = {"start": {"line": int(m[1])}}
            out.append({"message": result.error, "location": location,
                        "severity": "ERROR", "source": SOURCE})
            continue
        index = LineIndex(result.text)
        for finding in result.findings:
            span = {
                "start": byte_position(result.text, index, finding.offset),
                "end": byte_position(result.text, index, finding.end),
            }
            item: dict[str, Any] = {
                "message": finding.message,
                "location": {"path": result.path, "range": span},
                "severity": SEVERITIES[finding.severity],
                "source": SOURCE,
                "code": {"value": finding.rule},
            }
            if finding.suggestion is not None and finding.applicability is Applicability.SAFE:
                item["suggestions"] = [{"range": span, "text": finding.suggestion}]
            out.append(item)
    return out


def render(run: Run) -> str:
    return "".join(to_json(d) + "\n" for d in diagnostics(run))

"""Compiler-style text for people: location, rule, message, the line and a caret underline."""

from __future__ import annotations

import unicodedata

from glossary_check.findings import Severity
from glossary_check.positions import LineIndex
from glossary_check.report import Run

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _width(text: str) -> int:
    """Terminal cells: wide East Asian letters take two, combining marks none."""
    cells = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cells


def _show(line: str) -> str:
    return line.replace("\t", " ")


def render(run: Run, colour: bool = False) -> str:
    out: list[str] = []
    for result in run.files:
        if result.error is not None:
            continue  # said on standard error, where it belongs
        index = LineIndex(result.text)
        for f in result.findings:
            pos = index.position(f.offset, f.length)
            where = f"{result.path}:{pos.line}:{pos.column}:"
            rule = _paint(f"{f.severity.label}[{f.rule}]", _COLOURS[f.severity], colour)
            out.append(f"{_paint(where, '1', colour)} {rule} {f.message}")
            start, end = index.line_span(pos.line, result.text)
            line = result.text[start:end]
            col0 = f.offset - start
            stop = min(f.offset + f.length, end) - start
            out.append(f"    {_show(line)}")
            under = "^" * max(1, _width(line[col0:stop]))
            if pos.end_line > pos.line:
                under += "…"
            out.append(
                f"    {' ' * _width(_show(line[:col0]))}"
                f"{_paint(under, _COLOURS[f.severity], colour)}"
            )
            if f.suggestion is not None:
                out.append(
                    f"    = fix: {f.suggestion}"
                    if f.applicability.value == "safe"
                    else f"    = suggestion: {f.suggestion}"
                )
            if f.translation is not None:
                out.append(f"    = translation: {f.translation}")
    for notice in run.notices:
        out.append(_paint(f"note: {notice}", "36", colour))
    counts = run.counts()
    files_with = sum(1 for r in run.files if r.findings)
    errors = sum(1 for r in run.files if r.error is not None)
    summary = (
        f"{run.finding_count} finding{'s' if run.finding_count != 1 else ''} "
        f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) "
        f"in {files_with} of {len(run.files)} file{'s' if len(run.files) != 1 else ''}"
    )
    if errors:
        summary += f"; {errors} file{'s' if errors != 1 else ''} could not be checked"
    out.append(_paint(summary, "1", colour))
    return "\n".join(out) + "\n"

"""Compiler-style text for people: location, rule, message, the line and a caret underline.

Everything taken from the input (paths, quoted lines, messages, suggestions,
translations, notices) is printed through `visible.escape`, and a long line
is quoted as a window around the finding, as compilers do: a finding on a
20,000-character line must not print the line again for every finding.
"""

from __future__ import annotations

import unicodedata

from glossary_check.core.findings import Finding, Severity
from glossary_check.core.positions import LineIndex
from glossary_check.core.visible import escape
from glossary_check.report import Run

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
#: Code points of a line quoted under a finding, at most (cut ends are marked with "…").
QUOTE_WIDTH = 100
_CUT = "…"


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
    """A piece of a quoted line as printed: tabs as one space (the caret counts one), escaped."""
    return escape(line.replace("\t", " "))


def window(line: str, start: int, stop: int, width: int = QUOTE_WIDTH) -> tuple[int, int]:
    """Bounds of at most `width` code points of `line` around the span [start, stop).

    The span is centred when it fits, else its beginning is shown. Outside
    the span a cut moves inwards past combining marks, so none is shown
    without the letter it belongs to (and the window only ever shrinks).
    """
    if len(line) <= width:
        return 0, len(line)
    if stop - start >= width:
        lo, hi = start, start + width
    else:
        lo = max(0, start - (width - (stop - start)) // 2)
        hi = min(len(line), lo + width)
        lo = max(0, hi - width)
    while lo < start and unicodedata.combining(line[lo]):
        lo += 1
    while stop < hi < len(line) and unicodedata.combining(line[hi]):
        hi -= 1
    return lo, hi


def _advice(f: Finding) -> list[str]:
    """The fix or suggestion, and the machine translation; a suggestion that is the
    translation word for word is said once, as the translation."""
    lines = []
    if f.suggestion is not None and f.suggestion != f.translation:
        label = "fix" if f.applicability.value == "safe" else "suggestion"
        shown = escape(f.suggestion) if f.suggestion else "delete it"
        lines.append(f"    = {label}: {shown}")
    if f.translation is not None:
        lines.append(f"    = machine translation: {escape(f.translation)}")
    return lines


def render(run: Run, colour: bool = False) -> str:
    out: list[str] = []
    for result in run.files:
        if result.error is not None:
            continue  # said on standard error, where it belongs
        index = LineIndex(result.text)
        for f in result.findings:
            pos = index.position(f.offset, f.length)
            where = escape(f"{result.path}:{pos.line}:{pos.column}:")
            rule = _paint(f"{f.severity.label}[{f.rule}]", _COLOURS[f.severity], colour)
            out.append(f"{_paint(where, '1', colour)} {rule} {escape(f.message)}")
            start, end = index.line_span(pos.line, result.text)
            line = result.text[start:end]
            col0 = f.offset - start
            stop = min(f.offset + f.length, end) - start
            lo, hi = window(line, col0, stop)
            before = (_CUT if lo > 0 else "") + _show(line[lo:col0])
            after = _CUT if hi < len(line) else ""
            out.append(f"    {before}{_show(line[col0:hi])}{after}")
            under = "^" * max(1, _width(_show(line[col0:min(stop, hi)])))
            if pos.end_line > pos.line or stop > hi:
                under += "…"
            out.append(f"    {' ' * _width(before)}{_paint(under, _COLOURS[f.severity], colour)}")
            out.extend(_advice(f))
    for notice in run.notices:
        out.append(_paint(f"note: {escape(notice)}", "36", colour))
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

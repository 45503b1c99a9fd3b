"""A check run over many inputs: read each file, check it, collect results in input order."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from glossary_check import suppress
from glossary_check.compiled import Compiled
from glossary_check.documents import DocumentError, read_document
from glossary_check.findings import FileResult
from glossary_check.pipeline import Settings, check_document


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def check_file(
    path: str, compiled: Compiled, settings: Settings, *, fmt: str | None = None,
    shown: str | None = None, data: bytes | None = None,
) -> FileResult:
    """One file's result; an unreadable or unparsable file becomes a result with an error."""
    shown = shown or ("<stdin>" if path == "-" else path)
    language = compiled.glossary.language
    try:
        raw = read_input(path) if data is None else data
    except FileNotFoundError:
        return FileResult(shown, language, error=f"{shown}: no such file")
    except IsADirectoryError:
        return FileResult(shown, language, error=f"{shown}: is a directory")
    except OSError as exc:
        return FileResult(shown, language, error=f"{shown}: cannot read: {exc.strerror}")
    try:
        document = read_document(shown, raw, fmt)
    except DocumentError as exc:
        return FileResult(shown, language, error=str(exc))
    findings = check_document(document, compiled, settings)
    findings = suppress.filter_findings(document, findings, settings)
    return FileResult(shown, language, document.text, findings)


def check_files(
    paths: Iterable[str], compiled: Compiled, settings: Settings, *, fmt: str | None = None,
    stdin_name: str | None = None, on_done: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Results in input order; `on_done` hears of each as it finishes (a progress bar)."""
    results = []
    for p in paths:
        shown = stdin_name if p == "-" else None
        results.append(check_file(p, compiled, settings, fmt=fmt, shown=shown))
        if on_done is not None:
            on_done(results[-1])
    return results

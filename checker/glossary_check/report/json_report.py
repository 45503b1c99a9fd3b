"""The JSON report: exactly the contract of report-format.md (version 1)."""

from __future__ import annotations

from typing import Any

from glossary_check.report import Run, located, to_json


def as_dict(run: Run) -> dict[str, Any]:
    files = []
    for result in run.files:
        findings = []
        for f, pos in located(result):
            findings.append(
                {
                    "rule": f.rule,
                    "severity": f.severity.label,
                    "line": pos.line,
                    "column": pos.column,
                    "end_line": pos.end_line,
                    "end_column": pos.end_column,
                    "offset": f.offset,
                    "length": f.length,
                    "text": f.text,
                    "entry": f.entry,
                    "suggestion": f.suggestion,
                    "language": f.language,
                    "translation": f.translation,
                    "message": f.message,
                    "fix": f.applicability.value,
                }
            )
        item: dict[str, Any] = {
            "path": result.path,
            "language": result.language,
            "findings": findings,
        }
        if result.error is not None:
            item["error"] = result.error
        files.append(item)
    summary: dict[str, Any] = {
        "files": len(run.files),
        "findings": run.finding_count,
        **run.counts(),
    }
    errors = sum(1 for r in run.files if r.error is not None)
    if errors:
        summary["errors"] = errors
    out: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "glossary-check", "version": run.tool_version},
        "glossary": {"path": run.glossary_path, "entries": run.glossary_entries},
        "files": files,
        "summary": summary,
    }
    if run.notices:
        out["notices"] = list(run.notices)
    return out


def render(run: Run) -> str:
    return to_json(as_dict(run), indent=2) + "\n"

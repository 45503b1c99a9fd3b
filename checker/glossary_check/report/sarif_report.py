"""SARIF 2.1.0 for code-scanning services: one run, a rule descriptor per rule, fixes where safe.

Columns and character offsets are code points of the file as decoded, BOM
excluded, exactly as in the JSON report: the run says so with
`columnKind: unicodeCodePoints` (SARIF's default would be UTF-16 code
units) and lists the line breaks we count (a lone CR too) in
`newlineSequences`, so consumers line regions up the same way.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from glossary_check.core.findings import Applicability, Finding, Position, Severity
from glossary_check.report import Run, located, to_json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: Relative artifact URIs are relative to where the checker ran (the repository root in CI).
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A URI reference for a path as given: relative stays relative, absolute becomes file:."""
    if os.path.isabs(path):
        return PurePath(path).as_uri()
    # A file name that is not UTF-8 keeps its bytes (as os.fsencode would), percent-encoded.
    return quote(path.replace(os.sep, "/"), safe="/", errors="surrogateescape")


def _artifact_location(path: str, index: int) -> dict[str, Any]:
    uri = artifact_uri(path)
    location: dict[str, Any] = {"uri": uri, "index": index}
    if not os.path.isabs(path):
        location["uriBaseId"] = SRCROOT
    return location


def _region(finding: Finding, pos: Position) -> dict[str, Any]:
    return {
        "startLine": pos.line,
        "startColumn": pos.column,
        "endLine": pos.end_line,
        "endColumn": pos.end_column,
        "charOffset": finding.offset,
        "charLength": finding.length,
    }


def _rules(run: Run) -> list[dict[str, Any]]:
    """Descriptors for every rule the run knew of, plus any a finding names that it did not."""
    from glossary_check.rules import registry

    known = registry()
    ids = list(run.rules)
    for result in run.files:
        ids.extend(f.rule for f in result.findings if f.rule not in ids)
    out = []
    for rule_id in dict.fromkeys(ids):
        rule = known.get(rule_id)
        summary = run.rules.get(rule_id) or (rule.summary if rule else rule_id)
        descriptor: dict[str, Any] = {"id": rule_id, "shortDescription": {"text": summary}}
        if rule is not None:
            descriptor["fullDescription"] = {"text": " ".join(rule.doc.what.split())}
            descriptor["help"] = {"text": rule.explain, "markdown": rule.doc.markdown()}
            descriptor["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
            descriptor["properties"] = {"fix": rule.fix.value}
        out.append(descriptor)
    return out


def _properties(finding: Finding) -> dict[str, Any]:
    """What the JSON report says beyond the message; absent values are left out, SARIF's way."""
    bag = {
        "entry": finding.entry,
        "suggestion": finding.suggestion,
        "language": finding.language,
        "translation": finding.translation,
    }
    return {**{k: v for k, v in bag.items() if v is not None}, "fix": finding.applicability.value}


def _result(
    finding: Finding, pos: Position, location: dict[str, Any], rule_index: int
) -> dict[str, Any]:
    region = _region(finding, pos)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": location,
                "region": {**region, "snippet": {"text": finding.text}},
            },
        }],
        "properties": _properties(finding),
    }
    if finding.suggestion is not None and finding.applicability is Applicability.SAFE:
        result["fixes"] = [{
            "description": {"text": f"Replace '{finding.text}' with '{finding.suggestion}'."},
            "artifactChanges": [{
                "artifactLocation": location,
                "replacements": [{
                    "deletedRegion": region,
                    "insertedContent": {"text": finding.suggestion},
                }],
            }],
        }]
    return result


def _notification(path: str, error: str, location: dict[str, Any]) -> dict[str, Any]:
    """`path:line:col: message` errors carry a place; others name only the file."""
    physical: dict[str, Any] = {"artifactLocation": location}
    m = re.match(re.escape(path) + r":(\d+):(\d+): ", error)
    if m:
        physical["region"] = {"startLine": int(m[1]), "startColumn": int(m[2])}
    return {
        "level": "error",
        "message": {"text": error},
        "locations": [{"physicalLocation": physical}],
    }


def as_dict(run: Run) -> dict[str, Any]:
    rules = _rules(run)
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts: list[dict[str, Any]] = []
    indices: dict[str, int] = {}
    results = []
    notifications = []
    for file_result in run.files:
        if file_result.path not in indices:
            indices[file_result.path] = len(artifacts)
            plain = _artifact_location(file_result.path, len(artifacts))
            del plain["index"]
            artifacts.append({"location": plain, "roles": ["analysisTarget"]})
        location = _artifact_location(file_result.path, indices[file_result.path])
        if file_result.error is not None:
            notifications.append(_notification(file_result.path, file_result.error, location))
        for finding, pos in located(file_result):
            results.append(_result(finding, pos, location, rule_index[finding.rule]))
    notifications.extend({"level": "note", "message": {"text": n}} for n in run.notices)
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(r.error is not None for r in run.files),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "glossary-check",
                "version": run.tool_version,
                "rules": rules,
            }},
            "invocations": [invocation],
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
            "newlineSequences": ["\r\n", "\n", "\r"],
            "defaultEncoding": "utf-8",
            "properties": {
                "glossary": {"path": run.glossary_path, "entries": run.glossary_entries},
            },
        }],
    }


def render(run: Run) -> str:
    return to_json(as_dict(run), indent=2) + "\n"

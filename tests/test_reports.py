"""Every report format carries the same findings, in its own units, from a real check run.

The documents mix Cyrillic, a combining accent, characters outside the
Basic Multilingual Plane (a flag: two code points, four UTF-16 units, eight
UTF-8 bytes), a BOM, CRLF and a lone CR, findings that cross a line break,
no final newline, and files that cannot be read. The JSON report is the
reference; positions in it are checked against an independent count here,
and every other format is checked against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glossary_check import __version__
from glossary_check.commands import cli
from glossary_check.core.errors import ExitCode
from glossary_check.core.findings import Severity
from glossary_check.core.visible import encodable
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.report import (
    Run,
    github_report,
    json_report,
    rdjsonl_report,
    sarif_report,
    to_json,
)
from glossary_check.rules import registry
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow.files import bundled_glossary
from glossary_check.workflow.runner import check_file
from reporting import json_errors, validate_json_report, validate_rdjson_diagnostic, validate_sarif

# Rules that need nothing beyond the glossary; `case` is made `info` so all three levels show.
SETTINGS = Settings(
    select=frozenset({"variant", "case", "mixed-script", "inconsistent"}),
    severities={"case": Severity.INFO},
)

MAIN_PATH = "статьи/Kyiv, 100%: report.txt"
MAIN_TEXT = (
    "Президент: «Кие́в» — Kiev 🇺🇦 Kiev.\r\n"      # combining accent, a flag, CRLF
    "Macron at the Elysee\r\nPalace, with Vladimir\n"  # a phrase across CRLF, one across LF
    "Zelensky and Zelenksy; Tass said 100%: yes\r"     # unsafe fix, info, a lone CR
    "End: Кyiv"                                        # mixed scripts, no final newline
)
MAIN_DATA = b"\xef\xbb\xbf" + MAIN_TEXT.encode("utf-8")
CLEAN_PATH = "clean.txt"
BAD_UTF8_PATH = "broken.txt"
MISSING_PATH = "/nonexistent/away.txt"


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_all(load_glossary(bundled_glossary()))


@pytest.fixture(scope="module")
def run(compiled: Compiled) -> Run:
    results = [
        check_file("main", compiled, SETTINGS, shown=MAIN_PATH, data=MAIN_DATA),
        check_file("clean", compiled, SETTINGS, shown=CLEAN_PATH, data=b"Kyiv, TASS.\n"),
        check_file("broken", compiled, SETTINGS, shown=BAD_UTF8_PATH, data=b"Kyiv\nab\xffcd\n"),
        check_file(MISSING_PATH, compiled, SETTINGS),
    ]
    glossary = compiled.glossary
    return Run(__version__, glossary.path, len(glossary.entries), results,
               notices=["machine translation: off, 100%: none"],
               rules={r.id: r.summary for r in registry().values()})


@pytest.fixture(scope="module")
def report(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json_report.render(run))
    return out


def main_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    files = {f["path"]: f for f in report["files"]}
    findings: list[dict[str, Any]] = files[MAIN_PATH]["findings"]
    return findings


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def line_col(text: str, offset: int) -> tuple[int, int]:
    starts = line_starts(text)
    line = max(i for i, s in enumerate(starts) if s <= offset)
    return line + 1, offset - starts[line] + 1


# --- the run itself -------------------------------------------------------------------------


def test_the_documents_give_every_kind_of_finding_the_tests_rely_on(report: dict[str, Any]) -> None:
    found = [(f["rule"], f["text"], f["fix"], f["severity"]) for f in main_findings(report)]
    assert found == [
        ("variant", "Kiev", "safe", "error"),
        ("variant", "Kiev", "safe", "error"),
        ("variant", "Elysee\r\nPalace", "safe", "error"),
        ("variant", "Vladimir\nZelensky", "safe", "error"),
        ("inconsistent", "Zelenksy", "unsafe", "warning"),
        ("case", "Tass", "safe", "info"),
        ("mixed-script", "Кyiv", "safe", "error"),
    ]


# --- JSON -----------------------------------------------------------------------------------


def test_json_report_validates_against_the_shipped_schema(report: dict[str, Any]) -> None:
    validate_json_report(report)


def test_json_offsets_slice_the_file_and_count_code_points(report: dict[str, Any]) -> None:
    text = MAIN_DATA.decode("utf-8-sig")
    findings = main_findings(report)
    for f in findings:
        assert text[f["offset"]:f["offset"] + f["length"]] == f["text"]
        assert (f["line"], f["column"]) == line_col(text, f["offset"])
        assert (f["end_line"], f["end_column"]) == line_col(text, f["offset"] + f["length"])
    first, second, elysee, vladimir = findings[:4]
    # BOM not counted; «Кие́в» is six code points (the accent is one of them).
    assert (first["line"], first["column"], first["offset"]) == (1, 22, 21)
    # The flag is two code points, so 'Kiev' after it sits at column 30 (UTF-16 would say 32).
    assert (second["column"], second["end_column"]) == (30, 34)
    # Across CRLF: the end is on the next line, exclusive.
    assert [elysee[k] for k in ("line", "column", "end_line", "end_column")] == [2, 15, 3, 7]
    assert (vladimir["line"], vladimir["end_line"], vladimir["end_column"]) == (3, 4, 9)
    # After a lone CR, a new line starts.
    assert findings[-1]["line"] == 5


def test_json_file_errors_and_summary(report: dict[str, Any]) -> None:
    files = {f["path"]: f for f in report["files"]}
    assert files[BAD_UTF8_PATH]["error"] == f"{BAD_UTF8_PATH}:2:3: not valid UTF-8 (byte 0xff)"
    assert files[MISSING_PATH]["error"] == f"{MISSING_PATH}: no such file"
    assert files[BAD_UTF8_PATH]["findings"] == [] and "error" not in files[CLEAN_PATH]
    assert report["summary"] == {"files": 4, "findings": 7, "error": 5, "warning": 1, "info": 1,
                                 "errors": 2}
    assert report["notices"] == ["machine translation: off, 100%: none"]


@pytest.mark.parametrize(("mutate", "complaint"), [
    (lambda r: r["files"][0]["findings"][0].update(rule="spelling"), "is not one of"),
    (lambda r: r["files"][0]["findings"][0].update(severity="fatal"), "is not one of"),
    (lambda r: r["files"][0]["findings"][0].update(fix="maybe"), "is not one of"),
    (lambda r: r["files"][0]["findings"][0].pop("translation"), "is a required property"),
    (lambda r: r["files"][0]["findings"][0].update(message=None), "is not of type"),
    (lambda r: r["files"][0]["findings"][0].update(column=0), "is less than the minimum"),
    (lambda r: r["files"][0]["findings"][0].update(extra=1), "Additional properties"),
    (lambda r: r["summary"].pop("info"), "is a required property"),
    (lambda r: r.update(version=2), "was expected"),
    (lambda r: r["files"][1].update(error=None), "is not of type"),
])
def test_the_report_schema_rejects_what_the_contract_does_not_allow(
    report: dict[str, Any], mutate: Any, complaint: str
) -> None:
    broken = json.loads(json.dumps(report))
    mutate(broken)
    errors = json_errors(broken)
    assert errors and any(complaint in e for e in errors), errors


def test_the_report_schema_accepts_nulls_where_the_contract_allows(report: dict[str, Any]) -> None:
    relaxed = json.loads(json.dumps(report))
    finding = relaxed["files"][0]["findings"][0]
    finding.update(entry=None, suggestion=None, language=None, translation="Kiev", fix="none")
    finding["rule"] = "mistranslation"
    assert json_errors(relaxed) == []


# --- SARIF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(sarif_report.render(run))
    return out


def sarif_results_for(sarif: dict[str, Any], path: str) -> list[dict[str, Any]]:
    uri = sarif_report.artifact_uri(path)
    return [r for r in sarif["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]


def test_sarif_validates_against_the_official_schema(sarif: dict[str, Any]) -> None:
    validate_sarif(sarif)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1


def test_sarif_schema_check_is_not_vacuous(sarif: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["columnKind"] = "bytes"
    broken["runs"][0]["results"][0]["level"] = "fatal"
    broken["runs"][0]["artifacts"][0]["location"]["uri"] = "статьи/a b.txt"
    with pytest.raises(AssertionError) as caught:
        validate_sarif(broken)
    message = str(caught.value)
    assert "columnKind" in message and "level" in message and "uri" in message


def test_sarif_run_declares_code_point_columns_and_our_line_breaks(sarif: dict[str, Any]) -> None:
    run = sarif["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["newlineSequences"] == ["\r\n", "\n", "\r"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("glossary-check", __version__)


def test_sarif_rules_describe_every_rule_with_its_explanation(sarif: dict[str, Any]) -> None:
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    known = registry()
    assert [r["id"] for r in rules] == list(known)
    for descriptor in rules:
        rule = known[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["text"] == rule.explain
        assert descriptor["defaultConfiguration"]["level"] == sarif_report.LEVELS[rule.severity]


def test_sarif_results_match_the_json_report(sarif: dict[str, Any], report: dict[str, Any]) -> None:
    results = sarif_results_for(sarif, MAIN_PATH)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    findings = main_findings(report)
    assert len(results) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, f in zip(results, findings, strict=True):
        assert result["ruleId"] == f["rule"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == levels[f["severity"]]
        assert result["message"]["text"] == f["message"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region == {
            "startLine": f["line"], "startColumn": f["column"],
            "endLine": f["end_line"], "endColumn": f["end_column"],
            "charOffset": f["offset"], "charLength": f["length"],
            "snippet": {"text": f["text"]},
        }
        expected = {k: f[k] for k in ("entry", "suggestion", "language", "translation")
                    if f[k] is not None}
        assert result["properties"] == {**expected, "fix": f["fix"]}


def test_sarif_fixes_only_where_safe_and_they_apply_cleanly(sarif: dict[str, Any]) -> None:
    text = MAIN_DATA.decode("utf-8-sig")
    results = sarif_results_for(sarif, MAIN_PATH)
    edits = []
    for result in results:
        if result["properties"]["fix"] != "safe":
            assert "fixes" not in result
            continue
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        physical = result["locations"][0]["physicalLocation"]
        assert change["artifactLocation"] == physical["artifactLocation"]
        (replacement,) = change["replacements"]
        deleted = replacement["deletedRegion"]
        start, length = deleted["charOffset"], deleted["charLength"]
        assert text[start:start + length] == physical["region"]["snippet"]["text"]
        edits.append((start, length, replacement["insertedContent"]["text"]))
    assert len(edits) == 6
    for offset, length, new in sorted(edits, reverse=True):
        text = text[:offset] + new + text[offset + length:]
    assert text == (
        "Президент: «Кие́в» — Kyiv 🇺🇦 Kyiv.\r\n"
        "Macron at the Élysée Palace, with Volodymyr Zelensky and Zelenksy; TASS said 100%: yes\r"
        "End: Kyiv"
    )


def test_sarif_uris_are_percent_encoded_and_relative_to_srcroot(sarif: dict[str, Any]) -> None:
    artifacts = [a["location"] for a in sarif["runs"][0]["artifacts"]]
    assert artifacts[0] == {
        "uri": "%D1%81%D1%82%D0%B0%D1%82%D1%8C%D0%B8/Kyiv%2C%20100%25%3A%20report.txt",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifacts[3] == {"uri": "file:///nonexistent/away.txt"}
    located = sarif_results_for(sarif, MAIN_PATH)[0]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["index"] == 0


def test_sarif_reports_unreadable_files_as_failed_execution(sarif: dict[str, Any]) -> None:
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    bad, missing, notice = invocation["toolExecutionNotifications"]
    assert bad["level"] == "error"
    assert bad["message"]["text"] == f"{BAD_UTF8_PATH}:2:3: not valid UTF-8 (byte 0xff)"
    assert bad["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": BAD_UTF8_PATH, "uriBaseId": "%SRCROOT%", "index": 2},
        "region": {"startLine": 2, "startColumn": 3},
    }
    assert missing["message"]["text"] == f"{MISSING_PATH}: no such file"
    assert "region" not in missing["locations"][0]["physicalLocation"]
    assert notice == {"level": "note", "message": {"text": "machine translation: off, 100%: none"}}


def test_sarif_clean_run_is_successful_and_valid(compiled: Compiled) -> None:
    result = check_file("c", compiled, SETTINGS, shown=CLEAN_PATH, data=b"Kyiv.\n")
    out = json.loads(sarif_report.render(Run(__version__, "g.yaml", 1, [result])))
    validate_sarif(out)
    assert out["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert out["runs"][0]["results"] == []


def test_sarif_describes_rules_of_findings_the_run_did_not_list(compiled: Compiled) -> None:
    result = check_file("k", compiled, SETTINGS, shown="k.txt", data=b"Kiev.\n")
    out = json.loads(sarif_report.render(Run(__version__, "g.yaml", 1, [result])))
    validate_sarif(out)
    (descriptor,) = out["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "variant"
    assert descriptor["help"]["text"] == registry()["variant"].explain
    assert out["runs"][0]["results"][0]["ruleIndex"] == 0


# --- GitHub annotations ---------------------------------------------------------------------

_COMMAND = re.compile(r"::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<data>.*)")


def _unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def parse_commands(output: str) -> Iterator[tuple[str, dict[str, str], str]]:
    for line in output.splitlines():
        m = _COMMAND.fullmatch(line)
        assert m, line
        props = {}
        if m["props"]:
            for part in m["props"].split(","):
                key, _, value = part.partition("=")
                props[key] = _unescape(value)
        yield m[1], props, _unescape(m["data"])


def test_github_lines_are_one_command_each_with_exact_escaping(run: Run) -> None:
    out = github_report.render(run)
    lines = out.splitlines()
    assert out.endswith("\n") and len(lines) == 7 + 2
    path = "статьи/Kyiv%2C 100%25%3A report.txt"
    assert lines[0] == (
        f"::error file={path},line=1,col=22,endLine=1,endColumn=26,title=glossary-check (variant)::"
        "'Kiev' is a variant of 'Kyiv' (Ukrainian-derived spelling; the desk's rule since 2019)."
    )
    # A span across CRLF: lines only (GitHub places columns within one line), data escaped.
    assert lines[2] == (
        f"::error file={path},line=2,endLine=3,title=glossary-check (variant)::"
        "'Elysee%0D%0APalace' is a variant of 'Élysée Palace'."
    )
    assert lines[4].startswith(f"::warning file={path},line=4,col=14,endLine=4,endColumn=22,")
    assert lines[5].startswith(f"::notice file={path},line=4,col=24,endLine=4,endColumn=28,")
    assert lines[7] == (f"::error file={BAD_UTF8_PATH},line=2,col=3,title=glossary-check::"
                        f"{BAD_UTF8_PATH}:2:3: not valid UTF-8 (byte 0xff)")
    assert lines[8] == (f"::error file={MISSING_PATH},title=glossary-check::"
                        f"{MISSING_PATH}: no such file")
    assert "machine translation: off" not in out  # a run's notice is for the log


def test_github_annotations_round_trip_to_the_json_report(run: Run, report: dict[str, Any]) -> None:
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    commands = [c for c in parse_commands(github_report.render(run))
                if c[1].get("file") == MAIN_PATH]
    findings = main_findings(report)
    assert len(commands) == len(findings)
    for (kind, props, message), f in zip(commands, findings, strict=True):
        assert kind == kinds[f["severity"]]
        assert message == f["message"]
        assert props["title"] == f"glossary-check ({f['rule']})"
        assert (int(props["line"]), int(props["endLine"])) == (f["line"], f["end_line"])
        if f["line"] == f["end_line"]:
            assert (int(props["col"]), int(props["endColumn"])) == (f["column"], f["end_column"])
        else:
            assert "col" not in props and "endColumn" not in props


def test_github_escaping_of_properties_and_data() -> None:
    assert github_report.escape_data("50%\r\nnext: a,b") == "50%25%0D%0Anext: a,b"
    assert github_report.escape_property("50%\r\nnext: a,b") == "50%25%0D%0Anext%3A a%2Cb"
    assert github_report.command("warning", {"file": "a:b,c.txt", "line": 3}, "x%y") == \
        "::warning file=a%3Ab%2Cc.txt,line=3::x%25y"


# --- reviewdog rdjsonl ----------------------------------------------------------------------


def byte_offset(data: bytes, line: int, column: int) -> int:
    """Where reviewdog's (line, UTF-8 byte column) points in the file's bytes."""
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]
    return starts[line - 1] + column - 1


def test_rdjsonl_lines_validate_and_match_the_json_report(run: Run, report: dict[str, Any]) -> None:
    out = rdjsonl_report.render(run)
    assert out.endswith("\n")
    diagnostics = [json.loads(line) for line in out.splitlines()]
    for d in diagnostics:
        validate_rdjson_diagnostic(d)
    mine = [d for d in diagnostics if d["location"]["path"] == MAIN_PATH]
    findings = main_findings(report)
    assert len(mine) == len(findings)
    data = MAIN_DATA[3:]  # our columns count from just after the BOM
    severities = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
    for d, f in zip(mine, findings, strict=True):
        assert d["message"] == f["message"]
        assert d["severity"] == severities[f["severity"]]
        assert d["source"] == {"name": "glossary-check"}
        assert d["code"] == {"value": f["rule"]}
        span = d["location"]["range"]
        assert (span["start"]["line"], span["end"]["line"]) == (f["line"], f["end_line"])
        start = byte_offset(data, span["start"]["line"], span["start"]["column"])
        end = byte_offset(data, span["end"]["line"], span["end"]["column"])
        assert data[start:end].decode("utf-8") == f["text"]
        if f["fix"] == "safe":
            assert d["suggestions"] == [{"range": span, "text": f["suggestion"]}]
        else:
            assert "suggestions" not in d


def test_rdjsonl_columns_are_utf8_bytes(run: Run) -> None:
    first, second = (json.loads(line) for line in rdjsonl_report.render(run).splitlines()[:2])
    # "Президент: «Кие́в» — " is 39 bytes: 9 Cyrillic letters (18), ': ' (2), « (2),
    # Кие (6), the combining accent (2), в (2), » (2), ' ' (1), — (3), ' ' (1).
    assert first["location"]["range"] == {"start": {"line": 1, "column": 40},
                                          "end": {"line": 1, "column": 44}}
    # 'Kiev ' (5) and the flag's two regional indicators (8) and a space later.
    assert second["location"]["range"]["start"] == {"line": 1, "column": 54}


def test_rdjsonl_file_errors(run: Run) -> None:
    lines = [json.loads(line) for line in rdjsonl_report.render(run).splitlines()]
    bad, missing = (d for d in lines if d["location"]["path"] in (BAD_UTF8_PATH, MISSING_PATH))
    assert bad == {
        "message": f"{BAD_UTF8_PATH}:2:3: not valid UTF-8 (byte 0xff)",
        "location": {"path": BAD_UTF8_PATH, "range": {"start": {"line": 2}}},
        "severity": "ERROR", "source": {"name": "glossary-check"},
    }
    assert missing == {
        "message": f"{MISSING_PATH}: no such file", "location": {"path": MISSING_PATH},
        "severity": "ERROR", "source": {"name": "glossary-check"},
    }


def test_rdjsonl_of_a_clean_run_is_empty(compiled: Compiled) -> None:
    result = check_file("c", compiled, SETTINGS, shown=CLEAN_PATH, data=b"Kyiv.\n")
    assert rdjsonl_report.render(Run(__version__, "g.yaml", 1, [result])) == ""


# --- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "github", "rdjsonl"])
def test_cli_writes_each_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes("Talks in Kiev.\r\nКиев.\n".encode())
    status = cli.main(["--format", fmt, "--select", "variant,case", "-g", str(bundled_glossary()),
                       str(article)])
    out = capsys.readouterr().out
    assert status == ExitCode.FINDINGS
    if fmt == "sarif":
        log = json.loads(out)
        validate_sarif(log)
        (result,) = log["runs"][0]["results"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["region"]["startColumn"] == 10
        assert physical["artifactLocation"]["uri"] == article.as_uri()
    elif fmt == "github":
        assert out == (f"::error file={article},line=1,col=10,endLine=1,endColumn=14,"
                       "title=glossary-check (variant)::'Kiev' is a variant of 'Kyiv' "
                       "(Ukrainian-derived spelling; the desk's rule since 2019).\n")
    else:
        (line,) = out.splitlines()
        diagnostic = json.loads(line)
        assert diagnostic["location"] == {
            "path": str(article),
            "range": {"start": {"line": 1, "column": 10}, "end": {"line": 1, "column": 14}},
        }


@pytest.mark.parametrize("data", [
    {}, [], {"a": [], "b": {}}, ("t", 1, -0, 10**30),
    [1, 2.5, True, False, None, "é\"\\\n\x01\u2028", {"k": [[], {"": None}]}],
    {3: "a", 2.0: "b", True: 1, None: 2},
    {"nan": float("nan"), "inf": float("inf"), "-inf": -float("inf"), "tiny": 1e-300},
    "plain", 3, None, {"\udcff": ["\ud800"]}, [[[[{"z": {"y": [0.1]}}]]]],
])
@pytest.mark.parametrize("indent", [None, 1, 2, 4])
def test_report_json_text_is_json_dumps_text(data: Any, indent: int | None) -> None:
    expected = json.dumps(data, ensure_ascii=False, indent=indent)
    assert to_json(data, indent=indent) == encodable(expected, lambda ch: f"\\u{ord(ch):04x}")


def test_report_json_refuses_what_json_dumps_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        to_json({"a": [object()]}, indent=2)

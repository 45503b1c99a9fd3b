"""The bundled example, every rule on, through the command line as an editor runs it."""

from __future__ import annotations

import json

from conftest import EXAMPLE, RunCli
from reporting import validate_json_report


def test_the_bundled_example_reports_its_leftovers(run_cli: RunCli) -> None:
    code, out, err = run_cli("--format", "json", "--no-translate", str(EXAMPLE))
    assert code == 1, err
    report = json.loads(out)
    validate_json_report(report)
    text = EXAMPLE.read_text("utf-8")
    found = report["files"][0]["findings"]
    for f in found:
        assert text[f["offset"] : f["offset"] + f["length"]] == f["text"]
    assert [(f["rule"], f["text"], f["language"], f["entry"]) for f in found] == [
        ("untranslated", "Политика", "ru", None),
        ("untranslated", "Том Мастерс, специально для", "ru", None),
        ("source-form", "Новой газеты Европа", "ru", "Novaya Gazeta Europe"),
        ("typography", "\u00a0", None, None),
        ("typography", '"', None, None),
        ("typography", ",”", None, None),
    ]
    byline = found[1]
    assert "Том Мастерс → Tom Masters" in byline["message"]
    assert (byline["line"], byline["column"], byline["end_column"]) == (5, 1, 28)
    paper = found[2]
    assert paper["suggestion"] == "Novaya Gazeta Europe" and paper["fix"] == "unsafe"
    assert (paper["severity"], report["summary"]["error"], report["summary"]["warning"]) == (
        "error", 1, 5)


def test_the_example_s_typographic_leftovers_are_the_three_it_has(run_cli: RunCli) -> None:
    """A no-break space ending a paragraph, a quotation opened straight and closed curly, and
    the one comma inside a closing mark in an article that puts them outside."""
    _, out, _ = run_cli("--format", "json", "--no-translate", "--select", "typography",
                        str(EXAMPLE))
    found = json.loads(out)["files"][0]["findings"]
    nbsp, mixed, comma = found
    assert (nbsp["line"], nbsp["suggestion"], nbsp["fix"]) == (9, "", "safe")
    assert "end of a paragraph" in nbsp["message"]
    assert (mixed["line"], mixed["column"], mixed["suggestion"], mixed["fix"]) == (
        11, 1, "“", "safe")
    assert (comma["line"], comma["suggestion"], comma["fix"]) == (19, "”,", "unsafe")
    assert "outside elsewhere (”,)" in comma["message"]


def test_the_text_report_shows_the_line_and_a_caret(run_cli: RunCli) -> None:
    code, out, _ = run_cli("--no-translate", "--color", "never", str(EXAMPLE))
    assert code == 1
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if "source-form" in line))
    assert lines[at].startswith(f"{EXAMPLE}:5:30: error[source-form]")
    assert lines[at + 1].strip() == "Том Мастерс, специально для «Новой газеты Европа»"
    assert lines[at + 2] == " " * 33 + "^" * len("Новой газеты Европа")
    assert lines[-1] == "6 findings (1 error, 5 warning, 0 info) in 1 of 1 file"

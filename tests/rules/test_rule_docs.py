"""Every rule is documented from its code: explain, SARIF help and the README's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glossary_check.rules import registry

README = Path(__file__).resolve().parents[2] / "README.md"
HERE = Path(__file__).resolve().parent


def test_every_rule_has_a_test_module_and_documented_examples() -> None:
    for rule_id, rule in registry().items():
        module = HERE / f"test_rule_{rule_id.replace('-', '_')}.py"
        assert module.exists(), f"no {module.name} for {rule_id}"
        assert rule.doc.what and rule.doc.why and rule.doc.fix
        assert rule.doc.flagged and rule.doc.clean


def readme_table() -> str:
    """The README's rule table, as `python -m glossary_check.rules` would write it."""
    from glossary_check.rules import markdown_table

    return markdown_table()


def test_readme_rule_table_is_written_from_the_rules() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_table() in text, (
        "README's rule table differs from the rules: regenerate it with "
        "`python -m glossary_check.rules`")


@pytest.mark.parametrize("rule_id", list(registry()))
def test_explain_shows_what_why_examples_and_fix(rule_id: str) -> None:
    text = registry()[rule_id].explain
    for heading in ("What it does", "Why", "Flagged", "Not flagged", "Fix"):
        assert re.search(rf"^{heading}$", text, re.M), (rule_id, heading)

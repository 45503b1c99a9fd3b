"""Every rule's documented examples, run the way a check runs them (pycodestyle's way).

A rule's `doc` says which texts it flags and which it leaves alone; here each
is checked, with every rule on, against `data/rule-examples.yaml`, so that
precedence between rules counts exactly as it does for a user.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from glossary_check.core.findings import Finding
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules import Example, Rule, registry
from glossary_check.rules.align import pair_documents
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow.runner import check_file

SETTINGS = Settings(report_unused_ignores=True)


@cache
def examples_glossary() -> Compiled:
    path = Path(str(files("glossary_check").joinpath("data/rule-examples.yaml")))
    return compile_all(load_glossary(path))


def run(example: Example, tmp: Path, settings: Settings = SETTINGS) -> list[Finding]:
    """The findings of one example, through the same reader, rules and suppression as a run."""
    compiled = examples_glossary()
    data = example.text.encode("utf-8")
    pairing = None
    if example.source is not None:
        source = read_document("original.txt", example.source.encode("utf-8"))
        translation = read_document(example.name, data)
        pairing = pair_documents(source, translation, compiled, None, "ru")
    path = tmp / example.name
    path.write_bytes(data)
    result = check_file(str(path), compiled, settings, data=data, pairing=pairing)
    assert result.error is None, result.error
    return result.findings


def check_examples(rule_id: str, tmp: Path) -> None:
    """The rule flags each `flagged` example and nothing in each `clean` one."""
    rule: Rule = registry()[rule_id]
    assert rule.doc.flagged and rule.doc.clean, f"{rule_id} documents no examples"
    for example in rule.doc.flagged:
        found = [f.rule for f in run(example, tmp)]
        assert rule_id in found, f"{rule_id} does not flag its example {example.text!r}: {found}"
    for example in rule.doc.clean:
        found = [f.rule for f in run(example, tmp)]
        assert rule_id not in found, f"{rule_id} flags its clean example {example.text!r}"

"""`glossary-check test GLOSSARY`: bad examples flagged for their entry, good ones not."""

from __future__ import annotations

from pathlib import Path

from conftest import RunCli, WriteGlossary
from glossary_check.commands.testing import run
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow.files import bundled_glossary

GOOD = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
    except: [Chicken Kiev]
    examples:
      bad: ["Talks in Kiev.", "Talks in Кyiv (a Cyrillic К)."]
      good: ["Talks in Kyiv.", "He ate chicken Kiev."]
  - term: TASS
    variants: [ITAR-TASS]
"""

BROKEN = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
    examples:
      bad: ["Talks in Kyiv."]
      good: ["He ate chicken Kiev."]
  - term: TASS
    examples:
      good: ["TASS reported."]
      bad: ["Tass reported."]
"""


def test_examples_that_behave_pass(write_glossary: WriteGlossary, run_cli: RunCli) -> None:
    code, out, err = run_cli("test", str(write_glossary(GOOD)))
    assert (code, out, err) == (0, "4 examples of 1 entry: all pass\n", "")


def test_misbehaving_examples_are_listed_with_their_entry(
    write_glossary: WriteGlossary, run_cli: RunCli
) -> None:
    path = write_glossary(BROKEN)
    code, out, _ = run_cli("test", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path.name}:3:5: Kyiv: bad example not flagged: 'Talks in Kyiv.'",
        f"{path.name}:3:5: Kyiv: good example flagged (variant on 'Kiev'): "
        "'He ate chicken Kiev.'",
        "4 examples of 2 entries: 2 failed",
    ]


def test_rules_can_be_left_out(write_glossary: WriteGlossary) -> None:
    compiled = compile_all(load_glossary(write_glossary(GOOD)))
    outcome = run(compiled, Settings(select=frozenset({"variant"})))
    assert [(f.entry.term, f.sentence) for f in outcome.failures] == [
        ("Kyiv", "Talks in Кyiv (a Cyrillic К).")]


def test_the_bundled_glossary_passes_its_own_examples() -> None:
    outcome = run(compile_all(load_glossary(bundled_glossary())))
    assert outcome.examples > 0 and outcome.passed, outcome.report()


def test_a_broken_glossary_is_exit_2(write_glossary: WriteGlossary, run_cli: RunCli,
                                     tmp_path: Path) -> None:
    path = write_glossary("version: 1\nentries:\n  - term: Kyiv\n    colour: blue\n")
    code, out, err = run_cli("test", str(path))
    assert code == 2 and out == "" and ":4:5: unknown field 'colour'" in err
    assert run_cli("test", str(tmp_path / "missing.yaml"))[0] == 2
    assert run_cli("test", "--select", "nope", str(path))[0] == 2

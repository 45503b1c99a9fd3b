"""Machine translation through the command line, with the tiny ru→en fixture model:
untranslated spans get their translation, the audit finds the entries the model renders
otherwise, and `--source` finds planted mistranslations and nothing in a faithful one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import EXAMPLE, RunCli

pytest.importorskip("ctranslate2")
pytest.importorskip("argostranslate.package")
pytestmark = pytest.mark.translate

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-ru-en.argosmodel"


@pytest.fixture
def mt_env(tmp_path: Path, run_cli: RunCli) -> dict[str, str]:
    """An argos package folder holding only the fixture model, and a private cache."""
    env = {
        "ARGOS_PACKAGES_DIR": str(tmp_path / "argos"),
        "GLOSSARY_CHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    code, out, err = run_cli("models", "install", str(FIXTURE), env=env)
    assert code == 0, err
    assert "translate-ru_en" in out
    return env


def _report(out: str) -> dict:
    return json.loads(out)


def test_models_list_shows_the_installed_pair(run_cli: RunCli, mt_env: dict[str, str]) -> None:
    code, out, _ = run_cli("models", "list", env=mt_env)
    assert code == 0
    assert "ru→en" in out


def test_untranslated_spans_carry_their_translation(
    run_cli: RunCli, mt_env: dict[str, str]
) -> None:
    code, out, err = run_cli("--format", "json", str(EXAMPLE), env=mt_env)
    assert code == 1, err
    findings = _report(out)["files"][0]["findings"]
    rubric = next(f for f in findings if f["text"] == "Политика")
    assert rubric["rule"] == "untranslated"
    assert rubric["language"] == "ru"
    assert rubric["translation"] == "Politics"
    assert "Politics" in rubric["message"]
    assert "notices" not in _report(out)


def test_a_translation_naming_a_variant_suggests_the_desk_rendering(
    run_cli: RunCli, mt_env: dict[str, str], tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Talks resumed.\n\nНовости из Киева.\n", encoding="utf-8")
    _, out, _ = run_cli(
        "--format", "json", "--ignore", "source-form", str(article), env=mt_env
    )
    finding = next(f for f in _report(out)["files"][0]["findings"] if f["rule"] == "untranslated")
    assert finding["text"] == "Новости из Киева"
    assert finding["translation"] == "News from Kiev"
    assert finding["suggestion"] == "News from Kyiv"
    assert "'Kiev' is a variant of 'Kyiv'" in finding["message"]


def test_without_a_model_the_rule_still_reports_and_says_so_once(
    run_cli: RunCli, tmp_path: Path
) -> None:
    env = {
        "ARGOS_PACKAGES_DIR": str(tmp_path / "none"),
        "GLOSSARY_CHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    code, out, _ = run_cli("--format", "json", str(EXAMPLE), env=env)
    plain_code, plain_out, _ = run_cli("--format", "json", "--no-translate", str(EXAMPLE), env=env)
    report = _report(out)
    assert code == plain_code == 1
    untranslated = [f for f in report["files"][0]["findings"] if f["rule"] == "untranslated"]
    assert untranslated and all(f["translation"] is None for f in untranslated)
    assert len(report["notices"]) == 1
    assert "glossary-check models install" in report["notices"][0]
    assert "notices" not in _report(plain_out)


def test_audit_finds_the_entries_the_model_renders_otherwise(
    run_cli: RunCli, mt_env: dict[str, str]
) -> None:
    code, out, err = run_cli(
        "audit",
        "--format",
        "json",
        "glossary/newsroom.yaml",
        cwd=Path(__file__).resolve().parent.parent,
        env=mt_env,
    )
    assert code == 1, err
    rows = {(r["entry"], r["language"], r["source"]): r for r in json.loads(out)["rows"]}
    kyiv = rows[("Kyiv", "ru", "Киев")]
    assert kyiv["translation"] == "Kiev"
    assert kyiv["status"] == "variant"
    assert rows[("Élysée Palace", "ru", "Елисейский дворец")]["status"] == "variant"
    assert rows[("TASS", "ru", "ТАСС")]["status"] == "agrees"
    assert rows[("Vladimir Putin", "ru", "Путин")]["status"] == "agrees"
    assert rows[("Kyiv", "uk", "Київ")]["status"] == "no-model"
    code, text, _ = run_cli(
        "audit", "glossary/newsroom.yaml", cwd=Path(__file__).resolve().parent.parent, env=mt_env
    )
    assert "Kiev" in text and "variant" in text


SOURCE = """\
Зеленский выступил в Киеве.

Макрон принял Захарову в Елисейском дворце.

Об этом сообщает ТАСС.
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _mistranslations(
    run_cli: RunCli, env: dict[str, str], folder: Path, translation: str, *extra: str,
    rule: str = "mistranslation",
) -> list[dict]:
    """`--source` on SOURCE and `translation`: the findings of `rule`."""
    source = _write(folder, "source.txt", SOURCE)
    target = _write(folder, "target.txt", translation)
    code, out, err = run_cli(
        "--format", "json", "--source", str(source), str(target), *extra, env=env
    )
    assert code in (0, 1), err
    return [f for f in _report(out)["files"][0]["findings"] if f["rule"] == rule]


def test_a_faithful_translation_has_no_mistranslation(
    run_cli: RunCli, mt_env: dict[str, str], tmp_path: Path
) -> None:
    translation = """\
        Zelensky spoke in Kyiv.

        Macron received Zakharova at the Élysée Palace.

        TASS reports this.
        """
    assert _mistranslations(run_cli, mt_env, tmp_path, translation) == []


def test_planted_mistranslations_are_found(
    run_cli: RunCli, mt_env: dict[str, str], tmp_path: Path
) -> None:
    translation = """\
        Zelensky spoke in Kiev.

        Macron received her at the palace.

        TASS reports this.
        """
    found = _mistranslations(run_cli, mt_env, tmp_path, translation)
    assert [(f["entry"], f["text"]) for f in found] == [("Kyiv", "Kiev")]
    kiev = found[0]
    assert kiev["suggestion"] == "Kyiv" and kiev["line"] == 1
    # a missing term is no wrong rendering: "her" stands for Zakharova, nothing for the palace
    omitted = _mistranslations(run_cli, mt_env, tmp_path, translation, rule="omission")
    assert [(f["entry"], f["text"], f["severity"]) for f in omitted] == [
        ("Élysée Palace", "Macron received her at the palace.", "info")
    ]


def test_paragraphs_are_lined_up_when_their_counts_differ(
    run_cli: RunCli, mt_env: dict[str, str], tmp_path: Path
) -> None:
    """An extra translator's paragraph must not shift the pairing onto the wrong paragraphs."""
    translation = """\
        Editor's note: this report was updated on Friday.

        Zelensky spoke in Kyiv.

        Macron received Zakharova at the Elysee Palace.

        TASS reports this.
        """
    found = _mistranslations(run_cli, mt_env, tmp_path, translation)
    assert [(f["entry"], f["text"], f["line"]) for f in found] == [
        ("Élysée Palace", "Elysee Palace", 5)
    ]

"""Configuration files: discovery, precedence, `glossary-check config`, and located errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Protocol

import pytest

from conftest import WriteGlossary
from glossary_check.commands.cli import main
from glossary_check.commands.config import find_config, load_config

GLOSSARY = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
  - term: Zelensky
    kind: person
"""
OTHER = """\
version: 1
entries:
  - term: TASS
    variants: [ITAR-TASS]
"""


class Cli(Protocol):
    def __call__(self, *args: str, cwd: Path | None = ...) -> tuple[int, str, str]: ...


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd or tmp_path)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, write_glossary: WriteGlossary) -> Path:
    """A desk folder: glossary under desk/, pyproject with the table, an article in a subfolder."""
    write_glossary(GLOSSARY, "desk.yaml", tmp_path / "desk")
    put(tmp_path / "pyproject.toml", """
        [project]
        name = "desk"

        [tool.glossary-check]
        glossary = "desk/desk.yaml"
        ignore = ["untranslated", "source-form"]
        fail-on = "warning"
        translate = false
        threads = 2

        [tool.glossary-check.severity]
        inconsistent = "error"
        """)
    put(tmp_path / "articles" / "a.txt", "It was said by Zelenksy today.\n")
    return tmp_path


def test_pyproject_found_upwards_and_applied(cli: Cli, project: Path) -> None:
    code, out, err = cli("a.txt", cwd=project / "articles")
    assert err == ""
    # the desk glossary (relative to the config file) and the raised severity
    assert "a.txt:1:16: error[inconsistent] 'Zelenksy' looks like a misspelling of 'Zel" in out
    assert code == 1


def test_command_line_overrides_the_file(cli: Cli, project: Path) -> None:
    code, out, _ = cli("--fail-on", "never", "--select", "variant", "a.txt",
                       cwd=project / "articles")
    assert code == 0 and "0 findings" in out


def test_no_config_and_explicit_config(cli: Cli, project: Path, tmp_path: Path) -> None:
    put(tmp_path / "elsewhere" / "strict.toml", """
        glossary = "../desk/desk.yaml"
        ignore = ["untranslated", "source-form"]
        [severity]
        inconsistent = "info"
        """)
    strict = tmp_path / "elsewhere" / "strict.toml"
    # any name but pyproject.toml is read from the top level
    code, out, err = cli("--config", str(strict), "a.txt", cwd=project / "articles")
    assert "info[inconsistent]" in out and code == 0 and err == ""
    # no file at all: the bundled glossary, default severities and fail-on
    code, out, _ = cli("--no-config", "--ignore", "untranslated,source-form", "-f", "json",
                       "a.txt", cwd=project / "articles")
    assert '"path": "' in out and "newsroom.yaml" in out and '"severity": "warning"' in out
    assert code == 0


def test_glossary_check_toml_wins_and_nearer_wins(tmp_path: Path) -> None:
    put(tmp_path / "pyproject.toml", "[tool.glossary-check]\nfail-on = 'info'\n")
    put(tmp_path / "glossary-check.toml", "fail-on = 'warning'\n")
    put(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")  # no table: skipped
    assert find_config(tmp_path / "sub") == tmp_path / "glossary-check.toml"
    put(tmp_path / "sub" / "glossary-check.toml", "fail-on = 'never'\n")
    assert find_config(tmp_path / "sub") == tmp_path / "sub" / "glossary-check.toml"
    assert load_config(tmp_path / "pyproject.toml").values["fail-on"].value == "info"


def test_a_pyproject_whose_tool_is_no_table_has_no_configuration(tmp_path: Path) -> None:
    put(tmp_path / "pyproject.toml", "tool = 1\n")
    assert find_config(tmp_path) is None
    assert load_config(tmp_path / "pyproject.toml").values == {}


def test_config_command_shows_where_each_value_comes_from(cli: Cli, project: Path) -> None:
    code, out, _ = cli("config", "--select", "variant,case", cwd=project / "articles")
    assert code == 0
    lines = {line.split(" = ")[0].split(":")[0].lstrip("# "): line for line in out.splitlines()}
    assert out.splitlines()[0] == f"# configuration file: {project / 'pyproject.toml'}"
    assert lines["glossary"].split("#")[-1].strip().endswith("pyproject.toml:5")
    assert str(project / "desk" / "desk.yaml") in lines["glossary"]
    assert lines["select"].endswith("# command line") and '["variant", "case"]' in lines["select"]
    assert lines["fail-on"].split("#")[-1].strip().endswith("pyproject.toml:7")
    assert lines["threads"].split("#")[-1].strip().endswith("pyproject.toml:9")
    assert lines["severity"].split("#")[-1].strip().endswith("pyproject.toml:11")
    assert lines["format"].endswith("# default")
    assert lines["include"].endswith("# default")


@pytest.mark.parametrize(("body", "where", "message"), [
    ("[tool.glossary-check]\nfail-on = 'error'\ncolour = true\n", "3:1", "unknown key 'colour'"),
    ("[tool.glossary-check]\n  threads = 'two'\n", "2:3", "threads must be a whole number"),
    ("[tool.glossary-check]\nthreads = true\n", "2:1", "threads must be a whole number"),
    ("[tool.glossary-check]\nselect = 'variant'\n", "2:1", "select must be a list of strings"),
    ("[tool.glossary-check]\nselect = ['varient']\n", "2:1", "unknown rule 'varient' in select"),
    ("[tool.glossary-check]\nfail-on = 3\n", "2:1", "fail-on must be one of error, warning"),
    ("[tool.glossary-check]\ntranslate = 'yes'\n", "2:1", "translate must be true or false"),
    ("[tool.glossary-check]\n\n[tool.glossary-check.severity]\ncase = 'error'\nvariant = 'loud'\n",
     "5:1", "severity.variant must be one of error, warning, info"),
    ("[tool.glossary-check]\nseverity = { case = 'info', bogus = 'error' }\n", "2:29",
     "unknown rule 'bogus'"),
    ("[tool.glossary-check]\nseverity.bogus = 'error'\n", "2:1", "unknown rule 'bogus'"),
    ("[tool.glossary-check]\nfail-on = \n", "2:11", "bad TOML: Invalid value"),
])
def test_bad_configuration_is_located(
    cli: Cli, tmp_path: Path, body: str, where: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, out, err = cli("a.txt")
    assert code == 2 and out == ""
    assert err.startswith(f"glossary-check: pyproject.toml:{where}: {message}"), err
    assert err.count("\n") == 1


def test_glossary_list_is_merged(cli: Cli, tmp_path: Path, write_glossary: WriteGlossary) -> None:
    write_glossary(GLOSSARY, "one.yaml")
    write_glossary(OTHER, "two.yaml")
    put(tmp_path / "glossary-check.toml", """
        glossary = ["one.yaml", "two.yaml"]
        ignore = ["untranslated", "source-form"]
        """)
    (tmp_path / "a.txt").write_text("Kiev and ITAR-TASS.\n", encoding="utf-8")
    code, out, _ = cli("a.txt")
    assert "error[variant] 'Kiev'" in out and "error[variant] 'ITAR-TASS'" in out and code == 1
    assert "2 findings" in out


def test_glossary_list_conflict_names_both_places(
    cli: Cli, tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    write_glossary(GLOSSARY, "one.yaml")
    write_glossary("version: 1\nentries:\n  - term: Kiev\n", "two.yaml")
    put(tmp_path / "glossary-check.toml", 'glossary = ["one.yaml", "two.yaml"]\n')
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, _, err = cli("a.txt")
    assert code == 2 and "one.yaml" in err and "two.yaml" in err and "Kiev" in err


def test_language_from_the_file_and_the_command_line(
    cli: Cli, tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    write_glossary(GLOSSARY, "desk.yaml")
    put(tmp_path / "glossary-check.toml", """
        glossary = "desk.yaml"
        ignore = ["untranslated", "source-form"]
        language = "de"
        """)
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    _, out, _ = cli("-f", "json", "a.txt")
    assert '"language": "de"' in out and '"language": "en"' not in out
    _, out, _ = cli("-f", "json", "--language", "fr", "a.txt")
    assert '"language": "fr"' in out and '"language": "de"' not in out
    _, out, _ = cli("config")
    assert any(line.startswith('language = "de"') and line.endswith("glossary-check.toml:3")
               for line in out.splitlines())


def test_translation_settings_reach_the_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glossary_check.commands.cli import build_parser
    from glossary_check.commands.options import resolve
    from glossary_check.core.findings import Severity

    monkeypatch.chdir(project / "articles")
    parser = build_parser()
    options = resolve(parser.parse_args(["a.txt"]))
    assert (options.translate, options.threads, options.fail_on) == (False, 2, "warning")
    assert options.severities == {"inconsistent": Severity.ERROR}
    options = resolve(parser.parse_args(["--threads", "1", "a.txt"]))
    assert (options.translate, options.threads) == (False, 1)
    assert options.origins["threads"] == "command line"
    assert options.origins["translate"].endswith("pyproject.toml:8")


def test_include_and_exclude_globs_from_the_file(
    cli: Cli, tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    write_glossary(GLOSSARY, "glossary-check.yaml")
    put(tmp_path / "glossary-check.toml", """
        include = ["*.md", "*.rst"]
        exclude = ["drafts/*"]
        ignore = ["untranslated", "source-form"]
        """)
    for name in ("a.md", "b.rst", "c.txt", "drafts/d.md"):
        put(tmp_path / "articles" / name, "Kiev\n")
    _, out, _ = cli("-f", "json", "articles")
    assert '"path": "articles/a.md"' in out and '"path": "articles/b.rst"' in out
    assert "c.txt" not in out and "d.md" not in out
    _, out, _ = cli("-f", "json", "--exclude", "*.rst", "articles")  # the flag replaces the key
    assert "b.rst" not in out and "d.md" in out

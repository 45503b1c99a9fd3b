"""The subcommands and the walk as a new user meets them: help for every option, plain cache
info, an offline model install that says what to do, build output and git-ignored files left
out of a walk, a run's notices in the CI log, and a machine translation said once."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import urllib.error
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import CORE_ARGS, RunCli
from glossary_check import __version__
from glossary_check.commands import archive, audit, cache_command, cli, models, testing
from glossary_check.core.findings import Applicability, FileResult, Finding, Severity
from glossary_check.report import Run, text_report
from glossary_check.workflow.files import collect

SUBCOMMANDS = ("explain", "config", "test", "audit", "archive", "models", "cache")


# --- 7. help for every option ---------------------------------------------------------------

class _Caught(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser


def _parser_of(main: Any, monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser a command's `main` builds, caught as it is about to parse."""
    def catch(self: argparse.ArgumentParser, *_: object, **__: object) -> None:
        raise _Caught(self)

    with monkeypatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, "parse_args", catch)
        with pytest.raises(_Caught) as caught:
            main([])
    return caught.value.parser


def _undocumented(parser: argparse.ArgumentParser) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += [f"{name} {m}" for m in _undocumented(sub)]
            shown = {c.dest for c in action._choices_actions}
            missing += [f"{name} (no line in the list)" for name in action.choices
                        if name not in shown]
            continue
        if action.help is argparse.SUPPRESS:
            continue
        if not (action.help or "").strip():
            missing.append("/".join(action.option_strings) or action.dest)
    return missing


@pytest.mark.parametrize("main", [models.main, cache_command.main, audit.main, testing.main,
                                  archive.main, cli._config], ids=lambda m: m.__module__)
def test_every_option_of_every_command_says_what_it_does(
    main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = _parser_of(main, monkeypatch)
    assert len(parser._actions) > 1
    assert _undocumented(parser) == []


def test_the_main_command_documents_every_option() -> None:
    assert _undocumented(cli.build_parser()) == []


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_command_answers_help(run_cli: RunCli, command: str) -> None:
    code, out, err = run_cli(command, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: glossary-check {command}")


# --- 2. cache info in plain lines -----------------------------------------------------------

def test_cache_info_says_where_how_many_and_how_large(run_cli: RunCli, tmp_path: Path) -> None:
    from glossary_check.cache.translations import TranslationCache

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {"GLOSSARY_CHECK_CACHE_DIR": str(cache)}
    (tmp_path / "a.txt").write_text("Talks in Kiev.\n", encoding="utf-8")
    assert run_cli(*CORE_ARGS, "a.txt", env=env)[0] == 1  # compiles the bundled glossary
    with TranslationCache(cache / "translations.sqlite3") as tc:
        tc.put_many("m", "ru", "en", {"мир": "peace", "война": "war"})
    code, out, err = run_cli("cache", "info", env=env)
    assert (code, err) == (0, "")
    assert "CacheStats" not in out and "(" not in out.split("size:")[0]
    assert f"file:         {cache / 'translations.sqlite3'}\n" in out
    assert "translations: 2\n" in out
    assert f"directory:    {cache}\n" in out
    compiled = [p for p in cache.glob("*.bin")]
    assert f"files:        {len(compiled)}\n" in out and compiled
    sizes = re.findall(r"size: +(.*)", out)
    assert len(sizes) == 2
    assert re.fullmatch(r"\d+ bytes of text, \d+\.\d (KiB|MiB) on disk", sizes[0]), sizes
    total = sum(p.stat().st_size for p in compiled)
    assert sizes[1] == cache_command.human_size(total)


def test_human_sizes() -> None:
    assert cache_command.human_size(1) == "1 byte"
    assert cache_command.human_size(1007) == "1007 bytes"
    assert cache_command.human_size(1536) == "1.5 KiB"
    assert cache_command.human_size(3 * 1024**2) == "3.0 MiB"
    assert cache_command.human_size(5 * 1024**4) == "5120.0 GiB"


def test_cache_info_with_nothing_cached_yet(run_cli: RunCli, tmp_path: Path) -> None:
    cache = tmp_path / "empty"
    code, out, _ = run_cli("cache", "info", env={"GLOSSARY_CHECK_CACHE_DIR": str(cache)})
    assert code == 0
    assert "translations: 0 (no cache yet)\n" in out
    assert "files:        0\n" in out and "size:         0 bytes\n" in out


# --- 3. models install without network -------------------------------------------------------

def test_models_install_offline_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from glossary_check.translate import models as packages

    url = "http://192.0.2.1/index.json"  # TEST-NET-1: reserved, never routed

    def unreachable(address: str, *_: object) -> bytes:
        assert address == url
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(packages, "_argos_settings",
                        lambda: SimpleNamespace(remote_package_index=url))
    monkeypatch.setattr(packages, "_fetch", unreachable)
    assert models.main(["install", "--from", "uk", "--to", "en"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"glossary-check: cannot reach the Argos package index at {url}")
    assert "glossary_check." not in line and "install_from_path" not in line
    assert line.endswith("download the uk→en .argosmodel file on a machine with network access "
                         "(the index lists its links), copy it here and run "
                         "'glossary-check models install FILE.argosmodel'")


# --- 4. what a walk leaves out ---------------------------------------------------------------

def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Talks in Kiev.\n", encoding="utf-8")


BUILD_OUTPUT = ["build/a.md", "dist/b.md", "pkg.egg-info/c.txt", "docs/build/d.md"]


def test_a_walk_outside_git_skips_build_output_but_not_what_gitignore_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    _tree(tmp_path, ["a.md", "drafts/x.md", "builder/y.md", *BUILD_OUTPUT])
    (tmp_path / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    found = sorted(os.path.relpath(p, tmp_path) for p in collect([str(tmp_path)]))
    assert found == ["a.md", "builder/y.md", "drafts/x.md"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_walk_in_a_git_work_tree_skips_what_git_ignores(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _tree(repo, ["a.md", "drafts/x.md", "drafts/keep/no.md", "notes/n.bak.md", "notes/n.md",
                 "odd name, with\nnewline.md", *BUILD_OUTPUT])
    (repo / ".gitignore").write_text("drafts/\n*.bak.md\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert sorted(collect(["."])) == ["a.md", "notes/n.md", "odd name, with\nnewline.md"]
    # a folder below the work tree's top, and one that git ignores as a whole but was named
    assert list(collect(["notes"])) == ["notes/n.md"]
    assert sorted(collect(["drafts"])) == ["drafts/keep/no.md", "drafts/x.md"]
    # named files are always checked, ignored or build output
    code, out, _ = run_cli(*CORE_ARGS, "-f", "github", ".", "build/a.md", "notes/n.bak.md",
                           cwd=repo)
    files = sorted(set(re.findall(r"file=([^,]+),", out)))
    assert code == 1
    assert files == ["a.md", "build/a.md", "notes/n.bak.md", "notes/n.md",
                     "odd name%2C with%0Anewline.md"]


# --- 5. notices go to the log, findings stay annotations ------------------------------------

def test_github_format_writes_notices_to_the_log_not_as_annotations(
    run_cli: RunCli, tmp_path: Path
) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "a.txt").write_text("Talks in Kiev.\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("Kiev\n", encoding="utf-8")
    (desk / "link.txt").symlink_to(tmp_path / "outside.txt")
    code, out, err = run_cli(*CORE_ARGS, "-f", "github", "desk", cwd=tmp_path)
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith("::error file=desk/a.txt,line=1,col=10,endLine=1,endColumn=14,"
                           "title=glossary-check (variant)::'Kiev' is a variant of 'Kyiv'")
    assert "::" not in err
    assert err == ("glossary-check: note: skipped symbolic link desk/link.txt: it points to a "
                   "file outside the checked directories\n")
    # the text report keeps its notes where they were
    code, out, err = run_cli(*CORE_ARGS, "desk", cwd=tmp_path)
    assert "note: skipped symbolic link desk/link.txt" in out and err == ""


# --- 6. a machine translation said once ------------------------------------------------------

def _text_of(finding: Finding, text: str) -> str:
    return text_report.render(Run(__version__, "g.yaml", 1, [FileResult("a.txt", "en", text,
                                                                        [finding])], []))


def test_a_suggestion_that_is_the_translation_is_printed_once() -> None:
    text = "Он сказал: Новости дня.\n"
    finding = Finding("untranslated", Severity.WARNING, 0, 22, text[:22], "untranslated Russian",
                      language="ru", suggestion="He said: News of the day",
                      translation="He said: News of the day",
                      applicability=Applicability.UNSAFE)
    out = _text_of(finding, text)
    assert out.count("He said: News of the day") == 1
    assert "    = machine translation: He said: News of the day\n" in out
    assert "= suggestion" not in out


def test_a_suggestion_the_desk_changed_is_printed_with_the_translation() -> None:
    text = "Он приехал в Киев.\n"
    finding = Finding("untranslated", Severity.WARNING, 0, 17, text[:17], "untranslated Russian",
                      language="ru", suggestion="He came to Kyiv", translation="He came to Kiev",
                      applicability=Applicability.UNSAFE)
    out = _text_of(finding, text)
    assert "    = suggestion: He came to Kyiv\n    = machine translation: He came to Kiev\n" in out

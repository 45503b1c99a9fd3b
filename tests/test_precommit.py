"""CI and editors: the pre-commit hook and the README's pre-commit and GitHub Actions snippets."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, RunCli, WriteGlossary
from glossary_check.commands.cli import build_parser

MANIFEST = REPO / ".pre-commit-hooks.yaml"
README = REPO / "README.md"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
GLOSSARY = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
"""


def readme_block(heading: str, first_line: str) -> str:
    """The fenced block under `heading` whose first line is `first_line`."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL):
        if block.startswith(first_line):
            return str(block)
    raise AssertionError(f"no yaml block starting {first_line!r} under {heading!r}")


def pre_commit_snippet() -> str:
    return readme_block("pre-commit", "# .pre-commit-config.yaml")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


def desk(tmp_path: Path, write_glossary: WriteGlossary, config: str) -> Path:
    """A newsroom's repository: a glossary, two articles (one wrong), the hook configuration."""
    repo = tmp_path / "desk"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_glossary(GLOSSARY, "glossary-check.yaml", repo)
    (repo / "glossary-check.toml").write_text(
        'ignore = ["untranslated", "source-form"]\n', encoding="utf-8")
    (repo / "good.md").write_text("# Kyiv\n\nTalks in Kyiv.\n", encoding="utf-8")
    (repo / "bad.txt").write_text("Talks in Kiev.\n", encoding="utf-8")
    (repo / "script.py").write_text("CITY = 'Kiev'  # not an article\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".")
    return repo


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(PRE_COMMIT), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=1200, check=False)


# --- the manifest --------------------------------------------------------------------------------


def test_manifest_is_valid_for_pre_commit() -> None:
    proc = subprocess.run([str(PRE_COMMIT), "validate-manifest", str(MANIFEST)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["glossary-check"]
    hook = hooks[0]
    assert hook["entry"] == "glossary-check" and hook["language"] == "python"
    assert set(hook["types_or"]) == {"markdown", "html", "plain-text"}


def test_readme_snippet_names_the_manifest_hooks(tmp_path: Path) -> None:
    config = yaml.safe_load(pre_commit_snippet())
    hooks = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    assert hooks == [h["id"] for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))]
    (tmp_path / "config.yaml").write_text(pre_commit_snippet(), encoding="utf-8")
    proc = subprocess.run([str(PRE_COMMIT), "validate-config", str(tmp_path / "config.yaml")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def from_readme(repo_url: str, rev: str) -> str:
    """The README's snippet, pointed at a repository and revision."""
    snippet = pre_commit_snippet()
    snippet, n = re.subn(r"(?m)^(\s*- repo: )\S+.*$", rf"\g<1>{repo_url}", snippet)
    snippet, m = re.subn(r"(?m)^(\s*rev: )\S+.*$", rf"\g<1>{rev}", snippet)
    assert n == m == 1
    return snippet


# --- running the hook ------------------------------------------------------------------------


def test_hook_definition_runs_as_a_local_hook(
    tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    """The manifest's hook as a `repo: local` system hook: no install, the venv's command."""
    hook = dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[0])
    hook.update(language="system", entry=str(Path(sys.executable).with_name("glossary-check")))
    hook.pop("minimum_pre_commit_version", None)
    config = yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]})
    repo = desk(tmp_path, write_glossary, config)
    proc = pre_commit(repo, tmp_path / "home", "run", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "bad.txt:1:10: error[variant] 'Kiev' is a variant of 'Kyiv'" in proc.stdout
    assert "script.py" not in proc.stdout and "good.md" not in proc.stdout
    (repo / "bad.txt").write_text("Talks in Kyiv.\n", encoding="utf-8")
    git(repo, "add", "bad.txt")
    proc = pre_commit(repo, tmp_path / "home", "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_readme_snippet_installs_and_runs_the_hook(
    tmp_path: Path, write_glossary: WriteGlossary
) -> None:
    """pre-commit installs this repository at HEAD (from a local clone) and runs the hook."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("the project is not a git checkout here, so there is no HEAD to install")
    head = git(REPO, "rev-parse", "HEAD").strip()
    listed = git(REPO, "ls-tree", "--name-only", head, ".pre-commit-hooks.yaml").strip()
    assert listed == ".pre-commit-hooks.yaml", "commit .pre-commit-hooks.yaml first"
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(REPO), str(clone))
    repo = desk(tmp_path, write_glossary, from_readme(clone.as_uri(), head))
    home = tmp_path / "home"
    proc = pre_commit(repo, home, "run", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "glossary-check" in proc.stdout and "Failed" in proc.stdout
    assert "bad.txt:1:10: error[variant] 'Kiev' is a variant of 'Kyiv'" in proc.stdout, (
        proc.stdout[-3000:])
    # with the fix the README mentions: the file is fixed, and the hook passes next time
    fixing = from_readme(clone.as_uri(), head).replace("# args: [--fix]", "args: [--fix]")
    (repo / ".pre-commit-config.yaml").write_text(fixing, encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    proc = pre_commit(repo, home, "run", "--all-files")
    assert (repo / "bad.txt").read_text(encoding="utf-8") == "Talks in Kyiv.\n"
    assert (repo / "script.py").read_text(encoding="utf-8") == "CITY = 'Kiev'  # not an article\n"
    git(repo, "add", ".")
    proc = pre_commit(repo, home, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- the GitHub Actions snippet ------------------------------------------------------------------


def check_step(steps: list[dict[str, Any]]) -> str:
    return next(str(s["run"]) for s in steps if str(s.get("run", "")).startswith("glossary-check"))


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(readme_block("GitHub Actions: findings in code scanning",
                                                       "# .github/workflows/glossary.yml"))
    return data


def test_actions_snippet_uploads_the_sarif_the_check_writes() -> None:
    steps = workflow()["jobs"]["glossary-check"]["steps"]
    args = check_step(steps).replace("${{ github.base_ref }}", "main").split()[1:]
    upload = next(s for s in steps
                  if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    parsed = build_parser().parse_args([a.strip('"') for a in args])
    assert parsed.format == "sarif" and parsed.output == upload["with"]["sarif_file"]
    assert parsed.changed_lines is not None and upload.get("if") == "always()"
    assert workflow()["permissions"]["security-events"] == "write"


def test_actions_snippet_command_runs(
    tmp_path: Path, write_glossary: WriteGlossary, run_cli: RunCli
) -> None:
    """The step's command in a pull-request checkout: SARIF for the changed lines only."""
    repo = tmp_path / "pr"
    (repo / "articles").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write_glossary(GLOSSARY, "glossary-check.yaml", repo)
    (repo / "glossary-check.toml").write_text('ignore = ["untranslated", "source-form"]\n',
                                              encoding="utf-8")
    (repo / "articles" / "old.md").write_text("Kiev, long ago.\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    (repo / "articles" / "old.md").write_text("Kiev, long ago.\n\nKiev, today.\n", encoding="utf-8")
    steps = workflow()["jobs"]["glossary-check"]["steps"]
    command = check_step(steps).replace("${{ github.base_ref }}", "main")
    args = [a.strip('"') for a in command.split()[1:]]
    code, _, err = run_cli(*args, cwd=repo)
    assert code == 1, err
    sarif = json.loads((repo / "glossary-check.sarif").read_text(encoding="utf-8"))
    results = [r for run in sarif["runs"] for r in run["results"]]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [3]

"""--changed-lines REF: only findings on lines a change touched, from `git diff -U0`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import CORE_ARGS, RunCli, WriteGlossary
from glossary_check.core.findings import FileResult, Finding, Severity
from glossary_check.workflow.changed import keep_changed, parse_diff

GLOSSARY = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, write_glossary: WriteGlossary) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_glossary(GLOSSARY, "glossary.yaml", repo)
    (repo / "статьи").mkdir()
    (repo / "статьи" / "a.md").write_text(
        "# Kiev\n\nKiev one.\n\nKiev two.\n\nKiev three,\nacross Kiev\nlines.\n", encoding="utf-8")
    (repo / "b.txt").write_text("Kiev b.\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "articles")
    return repo


def lines(out: str) -> list[str]:
    return [line.split(": ")[0] for line in out.splitlines() if "error[variant]" in line]


def test_only_changed_lines_are_judged(repo: Path, run_cli: RunCli) -> None:
    article = repo / "статьи" / "a.md"
    text = article.read_text(encoding="utf-8").replace("Kiev two.", "Kiev two, edited.")
    article.write_text(text + "\nKiev added.\n", encoding="utf-8")
    (repo / "new.txt").write_text("Kiev new.\nKiev again.\n", encoding="utf-8")
    git(repo, "add", "new.txt")  # staged, not committed: still new against HEAD
    (repo / "untracked.txt").write_text("Kiev untracked.\n", encoding="utf-8")
    code, out, err = run_cli(*CORE_ARGS, "--changed-lines", "HEAD", "статьи/a.md", "b.txt",
                             "new.txt", "untracked.txt", cwd=repo)
    assert err == ""
    assert lines(out) == ["статьи/a.md:5:1", "статьи/a.md:11:1", "new.txt:1:1", "new.txt:2:1",
                          "untracked.txt:1:1"]
    assert code == 1
    code, out, _ = run_cli(*CORE_ARGS, "статьи/a.md", "b.txt", cwd=repo)
    assert len(lines(out)) == 7  # without the option: every finding


def test_a_ref_further_back_and_a_path_from_another_folder(repo: Path, run_cli: RunCli) -> None:
    (repo / "b.txt").write_text("Kiev b.\nKiev b2.\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "more")
    code, out, _ = run_cli(*CORE_ARGS, "-g", str(repo / "glossary.yaml"), "--changed-lines",
                           "HEAD~1", str(repo / "b.txt"), cwd=repo.parent)
    assert lines(out) == [f"{repo / 'b.txt'}:2:1"] and code == 1


def test_unknown_ref_and_no_repository_are_errors(
    repo: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    code, out, err = run_cli(*CORE_ARGS, "--changed-lines", "no-such-branch", "b.txt", cwd=repo)
    assert code == 2 and out == ""
    assert err == f"glossary-check: --changed-lines: 'no-such-branch' is not a commit in {repo}\n"
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, _, err = run_cli("--changed-lines", "HEAD", "a.txt", cwd=lone)
    assert code == 2 and "not a git repository" in err and err.count("\n") == 1


def test_parse_diff_hunks() -> None:
    diff = (
        "diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n"
        "@@ -3 +3 @@\n-old\n+new\n"
        "@@ -10,2 +10,0 @@\n-gone\n-gone\n"
        "@@ -20,0 +19,3 @@\n+a\n+b\n+c\n"
        'diff --git "a/\\321\\204.txt" "b/\\321\\204.txt"\n--- "a/\\321\\204.txt"\n'
        '+++ "b/\\321\\204.txt"\n@@ -0,0 +1 @@\n+x\n'
        "diff --git a/old.txt b/old.txt\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    )
    assert parse_diff(diff) == {"x.md": {3, 19, 20, 21}, "ф.txt": {1}}


def test_a_finding_across_lines_counts_on_any_of_them() -> None:
    text = "one\nElysee\nPalace\nfour\n"
    finding = Finding("variant", Severity.ERROR, 4, 13, "Elysee\nPalace", "m")
    result = FileResult("a.txt", "en", text, [finding])
    assert keep_changed(result, {3}).findings == [finding]
    assert keep_changed(result, {1, 4}).findings == []
    assert keep_changed(result, None).findings == [finding]


def test_fix_touches_only_changed_lines(repo: Path, run_cli: RunCli) -> None:
    (repo / "b.txt").write_text("Kiev b.\nKiev new line.\n", encoding="utf-8")
    code, out, _ = run_cli(*CORE_ARGS, "--changed-lines", "HEAD", "--fix", "b.txt", cwd=repo)
    assert (repo / "b.txt").read_text(encoding="utf-8") == "Kiev b.\nKyiv new line.\n"
    assert code == 0 and "fixed 1 finding in 1 file" in out and "0 findings" in out


def test_an_added_line_that_looks_like_a_header_stays_content() -> None:
    """`++ note` added is `+++ note` in the diff: still a line of the hunk, not a new file."""
    diff = (
        "diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n"
        "@@ -0,0 +1,2 @@\n+++ note\n+--- rule\n"
        "@@ -7 +8 @@\n-old\n+new\n"
        "\\ No newline at end of file\n"
    )
    assert parse_diff(diff) == {"x.md": {1, 2, 8}}

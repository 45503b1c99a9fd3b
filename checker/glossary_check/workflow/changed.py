"""`--changed-lines REF`: judge a pull request on the lines it touched.

`git diff -U0 REF -- FILES` (the working tree against REF, so staged and
unstaged edits both count) gives the added or changed lines of every file;
a finding is kept when any of its lines is one of them. A file git does not
track yet counts as changed throughout; a file git knows but has not
changed keeps no finding. Standard input is not filtered.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import replace

from glossary_check.core.errors import GlossaryCheckError
from glossary_check.core.findings import FileResult
from glossary_check.core.positions import LineIndex

_HUNK = re.compile(
    r"^@@ -\d+(?:,(?P<old>\d+))? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@"
)
EVERY_LINE = None  # marker: the whole file is new


class ChangedLinesError(GlossaryCheckError):
    """git could not answer (not a repository, unknown ref); str() is the message."""


def _git(folder: str, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], cwd=folder, capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ChangedLinesError("--changed-lines needs git, which is not installed") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = message[-1] if message else f"exit status {proc.returncode}"
        raise ChangedLinesError(f"--changed-lines: git {args[0]} failed: {why}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def _unquote(path: str) -> str:
    """A path as git prints it in a diff header (C-quoted when it holds odd characters)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def parse_diff(diff: str) -> dict[str, set[int]]:
    """Repository-relative path -> the 1-based lines added or changed in the new version."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    body = 0  # lines of the current hunk still to come: an added "++ x" is not a header
    for line in diff.split("\n"):
        if body:
            if line[:1] in ("+", "-", " "):
                body -= 1
            continue
        if line.startswith("+++ "):
            name = line[4:].rstrip("\t")
            if name == "/dev/null":
                current = None
                continue
            name = _unquote(name)
            current = out.setdefault(name[2:] if name.startswith("b/") else name, set())
        elif line.startswith("@@") and current is not None:
            hunk = _HUNK.match(line)
            if hunk:
                start = int(hunk["start"])
                count = int(hunk["count"]) if hunk["count"] is not None else 1
                current.update(range(start, start + count))
                body = count + (int(hunk["old"]) if hunk["old"] is not None else 1)
    return out


def changed_lines(ref: str, paths: Sequence[str]) -> dict[str, set[int] | None]:
    """For each path (as given): its changed lines, or None when git does not track it (all new)."""
    files = [p for p in paths if p != "-"]
    if not files:
        return {}
    out: dict[str, set[int] | None] = {}
    by_root: dict[str, list[str]] = {}
    for path in files:
        folder = os.path.dirname(os.path.abspath(path))
        root = _git(folder, "rev-parse", "--show-toplevel").strip()
        by_root.setdefault(root, []).append(path)
    for root, group in by_root.items():
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except ChangedLinesError:
            raise ChangedLinesError(f"--changed-lines: {ref!r} is not a commit in {root}") from None
        relative = {p: os.path.relpath(os.path.realpath(p), os.path.realpath(root)) for p in group}
        names = sorted(set(relative.values()))
        diff = _git(root, "diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames",
                    "--end-of-options", ref, "--", *names)
        lines = parse_diff(diff)
        untracked = set(_git(root, "ls-files", "--others", "--", *names).splitlines())
        for path, rel in relative.items():
            rel = rel.replace(os.sep, "/")
            out[path] = EVERY_LINE if rel in untracked else lines.get(rel, set())
    return out


def keep_changed(result: FileResult, lines: set[int] | None) -> FileResult:
    """The result with only findings on changed lines (all of them for a new file)."""
    if lines is None or result.error is not None:
        return result
    index = LineIndex(result.text)
    kept = []
    for finding in result.findings:
        pos = index.position(finding.offset, finding.length)
        last = pos.end_line if pos.end_column > 1 or pos.end_line == pos.line else pos.end_line - 1
        if any(line in lines for line in range(pos.line, last + 1)):
            kept.append(finding)
    return replace(result, findings=kept)


class LineFilter:
    """Asks git once for a run's files, then cuts any result of theirs to the changed lines."""

    def __init__(self, ref: str, paths: Sequence[str]) -> None:
        self.table = changed_lines(ref, paths)

    def __call__(self, path: str, result: FileResult) -> FileResult:
        return result if path == "-" else keep_changed(result, self.table.get(path, set()))

"""`--fix` and `--diff`: write the suggestions back into the files, markup untouched.

A finding is fixed when its suggestion is safe (`variant`, `case`,
`mixed-script`), or unsafe (`source-form`, `inconsistent`) and
`--unsafe-fixes` is given. Fixes never touch markup: a suggestion is written
word by word over the words of the finding, so the spaces, line breaks,
entities (`&nbsp;`) and tags between them stay as they are; where the words
do not line up, the whole span is replaced only if it holds no markup, else
the finding is left for a person. In HTML the written text is escaped
(`&`, `<`, `>`, `"`), in Markdown its punctuation is backslash-escaped.

Files are rewritten atomically (a temporary file in the same directory,
fsync, rename) with their BOM, line endings and permission bits, and only if
they parsed. After fixing, a file is checked again and fixed again while
fixes remain (a fix can create a new match), at most `MAX_ROUNDS` times, so
a second `--fix` changes nothing.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from glossary_check.documents import Document, DocumentError, read_document
from glossary_check.files import read_bounded
from glossary_check.findings import Applicability, FileResult, Finding

MAX_ROUNDS = 3
BOM = b"\xef\xbb\xbf"

_WORDS = re.compile(r"\S+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


class FixError(Exception):
    """A file that cannot be fixed as asked (read-only, unwritable); str() names the file."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace file text [start, end) with `text`."""

    start: int
    end: int
    text: str


def fixable(finding: Finding, unsafe: bool = False) -> bool:
    if finding.suggestion is None:
        return False
    if finding.applicability is Applicability.SAFE:
        return True
    return unsafe and finding.applicability is Applicability.UNSAFE


def escape(text: str, fmt: str) -> str:
    """The suggestion as it must be written in a document of format `fmt`."""
    if fmt == "html":
        return "".join(_HTML_SPECIAL.get(ch, ch) for ch in text)
    if fmt == "markdown":
        return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text


def _view_range(document: Document, finding: Finding) -> tuple[int, int] | None:
    """View slice [vs, ve) whose file span is exactly the finding's, if there is one."""
    starts, ends = document.starts, document.ends
    if starts is None or ends is None:
        return finding.offset, finding.end
    vs = bisect.bisect_left(starts, finding.offset)
    while vs < len(starts) and starts[vs] == finding.offset and ends[vs] <= starts[vs]:
        vs += 1  # a zero-width block break anchored here
    if vs >= len(starts) or starts[vs] != finding.offset:
        return None
    ve = vs
    while ve < len(ends) and ends[ve] <= finding.end:
        ve += 1
    if ve == vs or ends[ve - 1] != finding.end:
        return None
    return vs, ve


def _contiguous(document: Document, vs: int, ve: int) -> bool:
    """True when view [vs, ve) comes from one unbroken stretch of file text (no tag inside)."""
    if document.starts is None or document.ends is None:
        return True
    at = document.starts[vs]
    for i in range(vs, ve):
        if document.starts[i] > at:
            return False
        at = max(at, document.ends[i])
    return True


def _file_span(document: Document, vs: int, ve: int) -> tuple[int, int]:
    if document.starts is None or document.ends is None:
        return vs, ve
    return document.starts[vs], document.ends[ve - 1]


def edits_for(document: Document, finding: Finding) -> list[Edit] | None:
    """The edits that write a finding's suggestion, or None where that would touch markup."""
    suggestion = finding.suggestion
    if suggestion is None:
        return None
    span = _view_range(document, finding)
    if span is None:
        return None
    vs, ve = span
    view = document.view[vs:ve]
    have = [(m.start() + vs, m.end() + vs) for m in _WORDS.finditer(view)]
    want = _WORDS.findall(suggestion)
    if have and len(have) == len(want):
        edits = []
        for (ws, we), word in zip(have, want, strict=True):
            if document.view[ws:we] == word:
                continue
            if not _contiguous(document, ws, we):
                return None
            start, end = _file_span(document, ws, we)
            edits.append(Edit(start, end, escape(word, document.format)))
        return edits
    if not _contiguous(document, vs, ve):
        return None
    start, end = _file_span(document, vs, ve)
    return [Edit(start, end, escape(suggestion, document.format))]


def plan(
    document: Document, findings: Sequence[Finding], unsafe: bool = False
) -> tuple[list[Edit], int]:
    """Edits for every fixable finding, overlaps resolved; and how many findings they fix.

    Deterministic: by offset, the longer first at one offset; a fix overlapping an
    earlier one is dropped (the next round sees what is left).
    """
    candidates = sorted((f for f in findings if fixable(f, unsafe)),
                        key=lambda f: (f.offset, -f.length, f.rule, f.suggestion or ""))
    edits: list[Edit] = []
    fixed, reach = 0, -1
    for finding in candidates:
        if finding.offset < reach:
            continue
        found = edits_for(document, finding)
        if not found:
            continue
        edits.extend(found)
        fixed += 1
        reach = finding.end
    return edits, fixed


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    pieces, at = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        pieces.append(text[at : edit.start])
        pieces.append(edit.text)
        at = edit.end
    pieces.append(text[at:])
    return "".join(pieces)


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff `git apply` and `patch -p1` accept, marking a missing final newline."""
    old = re.findall(r"[^\n]*\n|[^\n]+\Z", before)
    new = re.findall(r"[^\n]*\n|[^\n]+\Z", after)
    out = []
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _read_only(mode: int) -> bool:
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def check_writable(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise FixError(f"{path}: cannot write fixes: {exc.strerror}") from None
    if _read_only(mode) or not os.access(path, os.W_OK):
        raise FixError(f"{path}: cannot write fixes: the file is read-only")


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace a file's content in one rename, keeping its mode bits (and owner, if allowed).

    With `expected`, the file must still hold exactly those bytes just before the
    rename: an edit saved while the fixes were worked out is never overwritten.
    """
    real = os.path.realpath(path)
    check_writable(real)
    info = os.stat(real)
    folder = os.path.dirname(real) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FixError(f"{path}: cannot write fixes: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        with contextlib.suppress(OSError):  # not ours to give away; the mode bits still hold
            os.chown(tmp, info.st_uid, info.st_gid)
        if expected is not None and _read(real) != expected:
            raise FixError(f"{path}: changed while it was being fixed; not written, check it again")
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(slots=True)
class FileFix:
    """One file after fixing: its new result (the findings that remain) and what changed."""

    result: FileResult
    before: str
    after: str
    fixed: int = 0
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


Recheck = Callable[[bytes], FileResult]


def fix_text(
    text: str, result: FileResult, recheck: Recheck, *, fmt: str, unsafe: bool = False,
    bom: bool = False,
) -> FileFix:
    """Fix until nothing fixable is left (at most MAX_ROUNDS), re-checking after each round."""
    before, fixed = text, 0
    for _ in range(MAX_ROUNDS):
        try:
            document = read_document(result.path, _encode(text, bom), fmt)
        except DocumentError as exc:
            return FileFix(result, before, before, error=str(exc))
        edits, count = plan(document, result.findings, unsafe)
        new = apply_edits(text, edits)
        if not edits or new == text:
            break
        checked = recheck(_encode(new, bom))
        if checked.error is not None:
            return FileFix(result, before, before, error=f"{result.path}: fixing would break the "
                           f"file, left unchanged ({checked.error})")
        text, result, fixed = new, checked, fixed + count
    return FileFix(result, before, text, fixed)


def _encode(text: str, bom: bool) -> bytes:
    return (BOM if bom else b"") + text.encode("utf-8")


@dataclass(slots=True)
class FixRun:
    """All files of a run after `--fix` / `--diff`."""

    results: list[FileResult]
    diffs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fixed: int = 0
    files: int = 0
    stdin: bytes | None = None  # the fixed standard input, written to stdout as it was encoded

    def notice(self, write: bool) -> str:
        verb = "fixed" if write else "would fix"
        where = f"{self.files} file{'s' if self.files != 1 else ''}"
        return f"{verb} {self.fixed} finding{'s' if self.fixed != 1 else ''} in {where}"


def fix_results(
    paths: Sequence[str], results: Sequence[FileResult],
    recheck: Callable[[str, FileResult], Recheck], *, fmt: Callable[[str], str],
    unsafe: bool = False, write: bool = True,
) -> FixRun:
    """Fix every file that parsed; `paths[i]` is what was read for `results[i]` ('-': stdin).

    `recheck(path, result)` gives the function that checks new bytes of that file;
    `fmt(shown_path)` its document format.
    """
    run = FixRun(list(results))
    for index, (path, result) in enumerate(zip(paths, results, strict=True)):
        if result.error is not None:
            continue
        check = recheck(path, result)
        text, bom = result.text, result.bom
        if path != "-":
            try:
                raw = _read(path)
            except OSError as exc:
                run.errors.append(f"{result.path}: cannot read: {exc.strerror}")
                continue
            bom = raw.startswith(BOM)
            if raw != _encode(text, bom):
                result = check(raw)  # changed since it was checked: start again from disk
                if result.error is not None:
                    run.results[index] = result
                    continue
                text = result.text
            if write and any(fixable(f, unsafe) for f in result.findings):
                try:
                    check_writable(path)
                except FixError as exc:
                    run.errors.append(str(exc))
                    continue
        outcome = fix_text(text, result, check, fmt=fmt(result.path), unsafe=unsafe, bom=bom)
        if outcome.error is not None:
            run.errors.append(outcome.error)
            continue
        run.results[index] = outcome.result
        if path == "-":
            run.stdin = _encode(outcome.after, bom)
        if not outcome.changed:
            continue
        if not write:
            run.diffs.append(unified_diff(result.path, outcome.before, outcome.after))
        elif path != "-":
            try:
                write_atomic(path, _encode(outcome.after, bom), expected=raw)
            except FixError as exc:
                run.errors.append(str(exc))
                run.results[index] = result
                continue
        run.fixed += outcome.fixed
        run.files += 1
    return run


def _read(path: str) -> bytes:
    return read_bounded(path)

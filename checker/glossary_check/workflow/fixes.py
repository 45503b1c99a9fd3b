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
fsync, rename) with their BOM, line endings, every mode bit and owner, and
only if they parsed and nobody changed them meanwhile (see `write_atomic`). A
symbolic link found by walking a folder is never written through, and a named
one only into the working tree (see `write_target`). After fixing, a file is
checked again and fixed again while fixes remain (a fix can create a new
match) until they settle, so a second `--fix` changes nothing; fixes that do
not settle within `MAX_ROUNDS` leave the file as it was.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import fcntl
import os
import re
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field

from glossary_check.core import visible
from glossary_check.core.errors import GlossaryCheckError
from glossary_check.core.findings import Applicability, FileResult, Finding
from glossary_check.core.inputs import read_bounded
from glossary_check.documents import Document, DocumentError, read_document
from glossary_check.workflow.files import inside, work_tree

MAX_ROUNDS = 5
BOM = b"\xef\xbb\xbf"

_WORDS = re.compile(r"\S+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


class FixError(GlossaryCheckError):
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


_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
              "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def diff_name(name: str) -> str:
    """A file name for a diff header, quoted as git quotes names when it must be.

    A newline in a file name would otherwise start a header line of its own
    (or a CI log command), and an escape sequence would reach the terminal;
    quoted, every byte outside printable ASCII is an octal escape, which
    `git apply` reads back. Other names, Cyrillic ones included, stay as they are.
    """
    if visible.escape(name) == name and '"' not in name and "\\" not in name:
        return name
    out = []
    for byte in name.encode("utf-8", "surrogateescape"):
        char = chr(byte)
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\{byte:03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff `git apply` and `patch -p1` accept, marking a missing final newline."""
    old = re.findall(r"[^\n]*\n|[^\n]+\Z", before)
    new = re.findall(r"[^\n]*\n|[^\n]+\Z", after)
    out = []
    for line in difflib.unified_diff(old, new, diff_name(f"a/{path}"), diff_name(f"b/{path}")):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _read_only(mode: int) -> bool:
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def check_writable(path: str, shown: str | None = None) -> None:
    shown = shown or path
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise FixError(f"{shown}: cannot write fixes: {exc.strerror}") from None
    if _read_only(mode) or not os.access(path, os.W_OK):
        raise FixError(f"{shown}: cannot write fixes: the file is read-only")


class WalkedLink(Exception):
    """A symbolic link met in a directory walk: read, never written through; str() says so."""


def write_target(path: str, *, named: bool, tree: str) -> str:
    """The file that fixing `path` may replace, resolved once; FixError where none may be.

    A link found by walking a folder is never written through (WalkedLink). A link
    named on the command line, or a path inside `tree` (the git work tree, else the
    current directory) that a linked folder leads elsewhere, is written only where
    it ends inside `tree`: a link an article folder received from elsewhere must
    not turn a fix into a write to any file the one running it may write. A plain
    path outside `tree` is what its user named, and is written as named.
    """
    if not named and os.path.islink(path):
        raise WalkedLink(f"{path}: not fixed: a symbolic link found in a directory walk is "
                         "never written through (name it to fix it)")
    real = os.path.realpath(path)
    if not inside(real, [tree]) and (os.path.islink(path)
                                     or inside(os.path.abspath(path), [tree])):
        raise FixError(f"{path}: not fixed: it leads through a symbolic link to {real}, "
                       f"outside the working tree {tree}")
    return real


#: Temporary files are named `.NAME.glossary-check-fix-PID-RANDOM.tmp`: recognisably ours,
#: and with the process that wrote them, so a later run can tell a dead run's leftovers.
_TEMP_TAG = "glossary-check-fix-"
_TEMP_NAME = re.compile(r"\..*\." + re.escape(_TEMP_TAG) + r"(\d+)-[A-Za-z0-9_]+\.tmp", re.S)
#: A temporary file this old whose process is gone was left by a run killed outright.
STALE_AFTER = 15 * 60
#: ... and one this old is stale whatever now runs under its process id.
ABANDONED_AFTER = 24 * 3600


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True  # someone else's process
    return pid > 0


def remove_stale_temps(folder: str, now: float | None = None) -> list[str]:
    """Remove what a killed `--fix` left in `folder`: only files named as ours, owned by us,
    regular (never a link), and old; those whose process still runs are left alone."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _TEMP_NAME.fullmatch(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        age = now - info.st_mtime
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
                or age < STALE_AFTER or (age < ABANDONED_AFTER and _running(int(found[1])))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(entry.path)
    return removed


class _Terminated(BaseException):
    """SIGTERM or SIGHUP during a write: unwound like KeyboardInterrupt, then re-delivered."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _unwind_on_termination() -> Iterator[None]:
    """Let SIGTERM and SIGHUP unwind a write (so its temporary file is removed), then end the
    process by that signal as it would have; SIGINT already unwinds as KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    # Only where the signal would end the process outright: an ignored or handled one is
    # someone else's choice.
    signums = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    taken = [n for n in signums if signal.getsignal(n) is signal.SIG_DFL]
    for signum in taken:
        signal.signal(signum, raise_terminated)
    try:
        yield
    except _Terminated as exc:
        for signum in taken:
            signal.signal(signum, signal.SIG_DFL)
        taken = []
        signal.raise_signal(exc.signum)
        raise
    finally:
        for signum in taken:
            signal.signal(signum, signal.SIG_DFL)


def _read_fd(fd: int) -> bytes:
    """All of an open file, from its start, whatever happened to its name."""
    chunks, at = [], 0
    while chunk := os.pread(fd, 1 << 20, at):
        chunks.append(chunk)
        at += len(chunk)
    return b"".join(chunks)


def _same_file(path: str, info: os.stat_result) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)


def _lock(fd: int, path: str) -> None:
    """Take the advisory lock another `--fix` (or an editor that locks) would wait on."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise FixError(f"{path}: not fixed: another program holds a lock on it") from None
    except OSError:
        pass  # a file system without locks: the comparisons below still hold


def _write_temp(path: str, folder: str, data: bytes, info: os.stat_result) -> str:
    """A temporary file beside the target with `data`, on disk, with the target's owner and
    every mode bit (owner first: a change of owner clears setuid and setgid). Where the
    owner or group cannot be kept, neither is its setuid or setgid bit: the file would
    run as whoever fixed it."""
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)[:100]}.{_TEMP_TAG}{os.getpid()}-", suffix=".tmp",
        dir=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        mode = stat.S_IMODE(info.st_mode)
        try:
            os.fchown(fd, info.st_uid, info.st_gid)
        except OSError:  # not ours to give away
            with contextlib.suppress(OSError):
                os.fchown(fd, -1, info.st_gid)
        kept = os.fstat(fd)
        if kept.st_uid != info.st_uid:
            mode &= ~stat.S_ISUID
        if kept.st_gid != info.st_gid:
            mode &= ~stat.S_ISGID
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def write_atomic(
    path: str, data: bytes, expected: bytes | None = None, *, shown: str | None = None
) -> None:
    """Replace a file's content in one rename, keeping its mode bits (and owner, if allowed).

    With `expected`, the file must still hold exactly those bytes, under the same
    name, just before the rename: an edit saved while the fixes were worked out is
    never overwritten. An append that lands in the instant between that comparison
    and the rename goes into the replaced file, which is still open here: it is
    read again after the rename, and if it grew, it is put back and the fix is not
    made. What no rename-based writer can see remains: a program that opened the
    file before the rename and writes to it after that second look, or one that
    renames its own file over this one in that instant. Only mandatory locks would
    close that, and an advisory lock is all that is taken.
    """
    shown = shown or path
    real = os.path.realpath(path)
    check_writable(real, shown)
    folder = os.path.dirname(real) or "."
    with _unwind_on_termination():
        try:
            original = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            raise FixError(f"{shown}: cannot write fixes: {exc.strerror}") from None
        try:
            _lock(original, shown)
            info = os.fstat(original)
            _replace(shown, real, folder, data, expected, original, info)
        finally:
            os.close(original)
    _sync_folder(folder)


def _replace(path: str, real: str, folder: str, data: bytes, expected: bytes | None,
             original: int, info: os.stat_result) -> None:
    changed = f"{path}: changed while it was being fixed; not written, check it again"
    tmp = None
    try:
        tmp = _write_temp(real, folder, data, info)
        if expected is not None and (not _same_file(real, info)
                                     or _read_fd(original) != expected):
            raise FixError(changed)
        os.replace(tmp, real)
        tmp = None
        if expected is not None:
            newer = _read_fd(original)
            if newer != expected:  # written to in the instant before the rename: put it back
                tmp = _write_temp(real, folder, newer, info)
                os.replace(tmp, real)
                tmp = None
                raise FixError(changed)
    except OSError as exc:
        raise FixError(f"{path}: cannot write fixes: {exc.strerror}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (where the system lets a folder be synced)."""
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
    """Fix and check again until the fixes settle: until the text is one its own fixes leave
    as it is, so that a second `--fix` changes nothing.

    Fixes that have not settled after MAX_ROUNDS rounds (a glossary that fixes one
    rendering into another and back, or a pattern that matches its own fix) leave
    the text as it was, with an error that names one of them.
    """
    first, before, fixed = result, text, 0
    for rounds in range(MAX_ROUNDS + 1):
        try:
            document = read_document(result.path, _encode(text, bom), fmt)
        except DocumentError as exc:
            return FileFix(first, before, before, error=str(exc))
        edits, count = plan(document, result.findings, unsafe)
        new = apply_edits(text, edits)
        if new == text:
            return FileFix(result, before, text, fixed)
        if rounds == MAX_ROUNDS:
            return FileFix(first, before, before, error=_unsettled(result, edits, unsafe))
        checked = recheck(_encode(new, bom))
        if checked.error is not None:
            return FileFix(first, before, before, error=f"{result.path}: fixing would break "
                           f"the file, left unchanged ({checked.error})")
        text, result, fixed = new, checked, fixed + count
    raise AssertionError("unreachable: the last round returns")


def _unsettled(result: FileResult, edits: Sequence[Edit], unsafe: bool) -> str:
    at = min(e.start for e in edits)
    finding = next((f for f in result.findings
                    if fixable(f, unsafe) and f.offset <= at < f.end), None)
    what = (f" ('{finding.text}' is fixed to '{finding.suggestion}' again each time)"
            if finding is not None else "")
    return (f"{result.path}: fixes do not settle after {MAX_ROUNDS} rounds{what}; "
            "left unchanged, check the glossary")


def _encode(text: str, bom: bool) -> bytes:
    return (BOM if bom else b"") + text.encode("utf-8")


@dataclass(slots=True)
class FixRun:
    """All files of a run after `--fix` / `--diff`."""

    results: list[FileResult]
    diffs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
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
    unsafe: bool = False, write: bool = True, named: Collection[str] = (),
    tree: str | None = None,
) -> FixRun:
    """Fix every file that parsed; `paths[i]` is what was read for `results[i]` ('-': stdin).

    `recheck(path, result)` gives the function that checks new bytes of that file;
    `fmt(shown_path)` its document format. `named`: the paths given as files on the
    command line (the others were found by walking folders), `tree` the folder a
    symbolic link may lead into and be written through (see `write_target`).
    """
    fixer = _Fixer(FixRun(list(results)), recheck, fmt, unsafe, write, named, tree)
    for index, (path, result) in enumerate(zip(paths, results, strict=True)):
        if result.error is None:
            fixer.fix(index, path, result)
    return fixer.run


@dataclass(frozen=True, slots=True)
class _OnDisk:
    """A file as it is now: its result (rechecked if it changed), BOM, bytes, where to write."""

    result: FileResult
    bom: bool
    raw: bytes | None  # None: standard input
    target: str


@dataclass(slots=True)
class _Fixer:
    """`fix_results` one file at a time; each problem lands in `run`, and that file is left."""

    run: FixRun
    recheck: Callable[[str, FileResult], Recheck]
    fmt: Callable[[str], str]
    unsafe: bool
    write: bool
    named: Collection[str]
    tree: str | None
    swept: set[str] = field(default_factory=set)  # folders cleared of stale temporary files

    def fix(self, index: int, path: str, result: FileResult) -> None:
        check = self.recheck(path, result)
        if path == "-":
            current: _OnDisk | None = _OnDisk(result, result.bom, None, path)
        else:
            current = self.current(index, path, result, check)
        if current is None:
            return
        result, bom = current.result, current.bom
        outcome = fix_text(result.text, result, check, fmt=self.fmt(result.path),
                           unsafe=self.unsafe, bom=bom)
        if outcome.error is not None:
            self.run.errors.append(outcome.error)
            return
        self.run.results[index] = outcome.result
        if path == "-":
            self.run.stdin = _encode(outcome.after, bom)
        if outcome.changed and self.save(index, path, current, outcome):
            self.run.fixed += outcome.fixed
            self.run.files += 1

    def current(self, index: int, path: str, result: FileResult, check: Recheck) -> _OnDisk | None:
        """The file read again (and rechecked if it changed since), and where a fix goes."""
        folder = os.path.dirname(os.path.realpath(path))
        if self.write and folder not in self.swept:
            self.swept.add(folder)
            remove_stale_temps(folder)
        try:
            raw = _read(path)
        except OSError as exc:
            self.run.errors.append(f"{result.path}: cannot read: {exc.strerror}")
            return None
        bom = raw.startswith(BOM)
        if raw != _encode(result.text, bom):
            result = check(raw)  # changed since it was checked: start again from disk
            if result.error is not None:
                self.run.results[index] = result
                return None
        target = self.target(path, result)
        return None if target is None else _OnDisk(result, bom, raw, target)

    def target(self, path: str, result: FileResult) -> str | None:
        """Where fixes to `path` are written; None (and why, in the run) if nowhere."""
        if not self.write or not any(fixable(f, self.unsafe) for f in result.findings):
            return path
        if self.tree is None:
            self.tree = work_tree()
        try:
            target = write_target(path, named=path in self.named, tree=self.tree)
            check_writable(target, path)
        except WalkedLink as exc:
            self.run.notices.append(str(exc))
            return None
        except FixError as exc:
            self.run.errors.append(str(exc))
            return None
        return target

    def save(self, index: int, path: str, current: _OnDisk, outcome: FileFix) -> bool:
        """Write the fixed text (or its diff); False if it could not be written."""
        if not self.write:
            self.run.diffs.append(unified_diff(current.result.path, outcome.before, outcome.after))
        elif path != "-":
            try:
                write_atomic(current.target, _encode(outcome.after, current.bom),
                             expected=current.raw, shown=path)
            except FixError as exc:
                self.run.errors.append(str(exc))
                self.run.results[index] = current.result
                return False
        return True


def _read(path: str) -> bytes:
    return read_bounded(path)

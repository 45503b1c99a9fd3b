"""Whole archives on Dask: every file checked on a cluster, findings streamed to JSON Lines.

A desk that changes a rule re-checks hundreds of thousands of articles. The paths are
split into partitions of a few hundred files (a dask.bag); the compiled glossary is
scattered to every worker once; each partition comes back as finished JSON lines and a
small tally, written out as it completes, so the client never holds the archive's
findings. Dask, distributed and fsspec are imported only here, and only when this runs.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import importlib
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from glossary_check import __version__
from glossary_check.commands.options import (
    SUPPRESS,
    Options,
    add_compiled,
    add_configuration,
    add_glossary,
    add_selection,
    positive,
    resolve,
)
from glossary_check.commands.session import run_reporting
from glossary_check.core.errors import ExitCode, GlossaryCheckError
from glossary_check.core.findings import FileResult, Severity
from glossary_check.engine.compiled import Compiled
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow.runner import check_file

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

#: Files per partition: big enough that scheduling costs little next to checking,
#: small enough that two workers share a two-thousand-file archive evenly.
BATCH_SIZE = 200
#: All the local scheduler's HTTP endpoint serves, without credentials: health and metrics,
#: not the pages that show the workers' logs, call stacks and tasks, nor the proxy.
HTTP_ROUTES = ("distributed.http.health", "distributed.http.scheduler.prometheus")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_MAGIC = re.compile(r"[*?[]")


class ArchiveError(GlossaryCheckError):
    """A run that cannot start (bad arguments, no files, no scheduler): one line, exit 2."""


# --- which files -------------------------------------------------------------------------


def is_remote(path: str) -> bool:
    """An fsspec URL other than file://; such files are read through fsspec on the workers."""
    match = _URL.match(path)
    return match is not None and match.group().lower() not in ("file://", "local://")


def _module(name: str) -> Any:
    """dask, distributed and fsspec are only partly typed: they are used through this, as Any."""
    return importlib.import_module(name)


def local_path(path: str) -> str:
    """A file:// URL as a plain path (so it reads, and fixes, like any local file)."""
    if _URL.match(path):
        return str(_module("fsspec.core").url_to_fs(path)[1])
    return path


def _picked(path: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    from fnmatch import fnmatch

    name = path.rsplit("/", 1)[-1]

    def hit(globs: Sequence[str]) -> bool:
        return any(fnmatch(path, g) or fnmatch(name, g) for g in globs)

    return hit(include) and not hit(exclude)


def _expand_remote(url: str, include: Sequence[str], exclude: Sequence[str]) -> Iterator[str]:
    fs, root = _module("fsspec.core").url_to_fs(url)
    if _MAGIC.search(root):
        named = sorted(fs.glob(root))
    elif fs.isdir(root):
        named = [root]
    else:  # a named file, or a missing one: its line will say so
        yield url
        return
    for path in named:
        if fs.isdir(path):
            for found in sorted(fs.find(path)):
                if _picked(found, include, exclude):
                    yield fs.unstrip_protocol(found)
        elif _picked(path, ["*"], exclude):
            yield fs.unstrip_protocol(path)


def expand(
    targets: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[str]:
    """Files, directories, globs and URLs to the files to check, each once, in a stable order.

    Directories are walked like the main command does (`--include`/`--exclude`); what a
    glob matches counts as named, so `archive/**/*.xml` checks XML files.
    """
    from glossary_check.workflow.files import DEFAULT_INCLUDE, collect

    include = tuple(include) or DEFAULT_INCLUDE
    seen: set[str] = set()
    for target in targets:
        if is_remote(target):
            found: Iterable[str] = _expand_remote(target, include, exclude)
        else:
            local = local_path(target)
            named = sorted(glob.glob(local, recursive=True)) if _MAGIC.search(local) else [local]
            found = collect(named, include, exclude)
        for path in found:
            if path not in seen:
                seen.add(path)
                yield path


# --- on the workers ----------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """What a summary needs from a run; a partition's is merged into the run's."""

    files: int = 0
    affected: int = 0
    errors: int = 0
    fixed: int = 0  # findings fixed
    fixed_files: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    entries: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)

    @property
    def findings(self) -> int:
        return sum(self.rules.values())

    def count(self, checked: Checked) -> None:
        result = checked.result
        self.files += 1
        self.fixed += checked.fixed
        self.fixed_files += checked.fixed > 0
        if result.error is not None or checked.fix_error is not None:
            self.errors += 1
        if result.findings:
            self.affected += 1
        for finding in result.findings:
            self.rules[finding.rule] += 1
            self.severities[finding.severity.label] += 1
            if finding.entry is not None:
                self.entries[finding.entry] += 1

    def merge(self, other: Tally) -> None:
        self.files += other.files
        self.affected += other.affected
        self.errors += other.errors
        self.fixed += other.fixed
        self.fixed_files += other.fixed_files
        self.rules.update(other.rules)
        self.entries.update(other.entries)
        self.severities.update(other.severities)

    def failing(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        threshold = Severity.parse(fail_on)
        return any(self.severities[s.label] for s in Severity if s >= threshold)


@dataclass(slots=True)
class Batch:
    """One partition's outcome: its JSON lines, ready to write, and its tally."""

    lines: str
    tally: Tally


def finding_lines(result: FileResult) -> list[dict[str, Any]]:
    """The JSON Lines records of one file: its path plus the contract's finding object each,
    or its path and error; built by the JSON report so the fields never drift apart."""
    from glossary_check.report import Run
    from glossary_check.report.json_report import as_dict

    if result.error is not None:
        return [{"path": result.path, "error": result.error}]
    item = as_dict(Run(__version__, "", 0, [result]))["files"][0]
    return [{"path": result.path, **finding} for finding in item["findings"]]


def read_error(shown: str, exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{shown}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{shown}: is a directory"
    return f"{shown}: cannot read: {getattr(exc, 'strerror', None) or exc}"


def read_remote(urls: Sequence[str]) -> dict[str, bytes | BaseException]:
    """Every URL's bytes, fetched per filesystem in one `cat` (concurrent on object stores)."""
    url_to_fs = _module("fsspec.core").url_to_fs
    groups: dict[int, tuple[Any, dict[str, str]]] = {}
    for url in urls:
        fs, path = url_to_fs(url)
        groups.setdefault(id(fs), (fs, {}))[1][path] = url
    out: dict[str, bytes | BaseException] = {}
    for fs, by_path in groups.values():
        try:
            got = fs.cat(list(by_path), on_error="return")
        except Exception as exc:  # the whole request failed: every file says why
            got = dict.fromkeys(by_path, exc)
        if not isinstance(got, dict):  # one path: fsspec returns its bytes as they are
            got = {next(iter(by_path)): got}
        for path, url in by_path.items():
            out[url] = got.get(path, FileNotFoundError(path))
    return out


@dataclass(slots=True)
class Checked:
    """One file on a worker: its result (what is left, after --fix) and what fixing did."""

    result: FileResult
    fixed: int = 0
    fix_error: str | None = None

    def lines(self) -> str:
        records = finding_lines(self.result)
        if self.fix_error is not None:
            records.append({"path": self.result.path, "error": self.fix_error})
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _fixed(path: str, result: FileResult, compiled: Compiled, settings: Settings,
           unsafe: bool) -> Checked:
    """--fix for one local file, by the same code and with the same safety as the main command."""
    from glossary_check.documents import format_for
    from glossary_check.workflow import fixes

    if result.error is not None or not any(fixes.fixable(f, unsafe) for f in result.findings):
        return Checked(result)

    def recheck(read: str, first: FileResult) -> fixes.Recheck:
        return lambda data: check_file(read, compiled, settings, data=data, shown=first.path)

    run = fixes.fix_results([path], [result], recheck, fmt=format_for, unsafe=unsafe)
    return Checked(run.results[0], run.fixed, run.errors[0] if run.errors else None)


def _check_one(
    path: str, compiled: Compiled, settings: Settings, raw: bytes | BaseException | None,
    fix: bool | None,
) -> Checked:
    """One file; a crash in the checker is that file's error, not the end of the run."""
    language = compiled.glossary.language
    try:
        if isinstance(raw, BaseException):
            return Checked(FileResult(path, language, error=read_error(path, raw)))
        result = check_file(path, compiled, settings, data=raw)
        return Checked(result) if fix is None else _fixed(path, result, compiled, settings, fix)
    except Exception as exc:
        error = f"{path}: internal error: {type(exc).__name__}: {exc}"
        return Checked(FileResult(path, language, error=error))


def check_batch(
    paths: Sequence[str], compiled: Compiled, settings: Settings, fix: bool | None = None
) -> list[Batch]:
    """One partition on a worker. `fix`: None checks only, else --fix (True: unsafe fixes too).

    Returns a one-element list so the bag stays a bag of partitions.
    """
    remote = read_remote([p for p in paths if is_remote(p)]) if any(map(is_remote, paths)) else {}
    tally = Tally()
    lines: list[str] = []
    for path in paths:
        checked = _check_one(path, compiled, settings, remote.get(path), fix)
        tally.count(checked)
        lines.append(checked.lines())
    return [Batch("".join(lines), tally)]


# --- on the client -----------------------------------------------------------------------


@contextlib.contextmanager
def connect(scheduler: str | None, workers: int, timeout: float = 30) -> Iterator[Client]:
    """A client of the given scheduler, or of a private local cluster, closed afterwards.

    A scheduler of the user's is reached with the user's own Dask security configuration
    (`distributed.comm.tls.*`), which this leaves as it is.
    """
    Client = _module("distributed").Client

    if scheduler:
        if _no_tls_client(scheduler):
            raise ArchiveError(
                f"the scheduler at {scheduler} takes TLS, and the Dask configuration names no "
                "client certificate (distributed.comm.tls.ca-file, client.cert, client.key)")
        try:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ArchiveError(f"cannot reach the scheduler at {scheduler}: {exc}") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=timeout)
            except TimeoutError:
                raise ArchiveError(f"no worker has joined the scheduler at {scheduler} "
                                   f"within {timeout:g} s") from None
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster, set_as_default=False) as client:
        yield client


def _no_tls_client(scheduler: str) -> bool:
    """A tls:// address, and no credentials for it where distributed would look."""
    if not scheduler.lower().startswith("tls://"):
        return False
    if _module("dask").config.get("distributed.client.security-loader", None):
        return False  # the loader supplies them
    tls = _module("distributed.security").Security().get_tls_config_for_role("client")
    return not (tls["ca_file"] and tls["cert"])


def local_cluster(workers: int, *, processes: bool = True) -> LocalCluster:
    """A private cluster: one single-threaded worker process each (the checker is pure
    Python, so threads would share one interpreter lock), no dashboard.

    Whoever reaches the scheduler runs code on it and on the workers, so it takes only
    mutually authenticated TLS with a key and certificate made for this cluster alone,
    held in memory and handed to the workers as they start; every listener, the
    scheduler's small HTTP endpoint (`HTTP_ROUTES`) included, is on 127.0.0.1.
    """
    distributed = _module("distributed")
    _module("cryptography")  # which Security.temporary() needs, named if missing
    with _module("dask").config.set({"distributed.scheduler.http.routes": list(HTTP_ROUTES)}):
        cluster: LocalCluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=processes, host="127.0.0.1",
            protocol="tls://", security=distributed.security.Security.temporary(),
            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    return cluster


class Sink(Protocol):
    """Where the lines go: a text file, or anything that writes and flushes like one."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


def check_archive(
    client: Client, paths: Sequence[str], compiled: Compiled, settings: Settings, out: Sink,
    *, batch_size: int = BATCH_SIZE, fix: bool | None = None,
    on_batch: Callable[[Tally], None] | None = None,
) -> Tally:
    """Check `paths` on the cluster, writing each partition's lines to `out` as it completes."""
    db = _module("dask.bag")
    as_completed = _module("distributed").as_completed
    cluster: Any = client  # distributed's methods are untyped
    shared = cluster.scatter(compiled, broadcast=True, hash=False)
    bag = db.from_sequence(paths, partition_size=batch_size)
    parts = bag.map_partitions(check_batch, shared, settings, fix).to_delayed()
    futures = cluster.compute(parts)
    # from_sequence cuts the sequence in order: partition i holds paths[i*size:(i+1)*size]
    where = {future.key: i for i, future in enumerate(futures)}
    pending = as_completed(futures, loop=client.loop)
    del futures  # as_completed lets go of each one as it hands it out, freeing its result
    total = Tally()
    for future in pending:
        try:
            batch: Batch = future.result()[0]
        except Exception as exc:  # a worker died or could not run it: its files are errors
            start = where[future.key] * batch_size
            batch = Batch("", Tally())
            for path in paths[start : start + batch_size]:
                error = f"{path}: not checked: {type(exc).__name__}: {exc}"
                checked = Checked(FileResult(path, compiled.glossary.language, error=error))
                batch.tally.count(checked)
                batch.lines += checked.lines()
        out.write(batch.lines)
        out.flush()
        total.merge(batch.tally)
        if on_batch is not None:
            on_batch(batch.tally)
        future.release()
    return total


def summary(tally: Tally, *, checking: float, wall: float, workers: int, top: int) -> str:
    rate = tally.files / checking if checking > 0 else 0.0
    lines = [
        f"{tally.files:,} files checked in {checking:.1f} s ({rate:,.0f} files/s) on {workers} "
        f"worker{'s' if workers != 1 else ''}; wall time {wall:.1f} s with start-up",
        f"files affected: {tally.affected:,}   files with errors: {tally.errors:,}"
        + (f"   fixed {tally.fixed:,} findings in {tally.fixed_files:,} files"
           if tally.fixed else ""),
        f"findings: {tally.findings:,} ("
        + ", ".join(f"{s.label} {tally.severities[s.label]:,}"
                    for s in sorted(Severity, reverse=True))
        + ")",
    ]
    if tally.rules:
        lines.append("by rule:")
        lines += [f"  {rule:<16} {n:>10,}" for rule, n in sorted(tally.rules.items(), key=_most)]
    if tally.entries and top > 0:
        lines.append(f"top {min(top, len(tally.entries))} glossary entries:")
        shown = sorted(tally.entries.items(), key=_most)[:top]
        width = max(len(e) for e, _ in shown)
        lines += [f"  {e:<{width}} {n:>10,}" for e, n in shown]
    return "\n".join(lines) + "\n"


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


# --- the subcommand ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check archive",
        description="Check a whole archive on a Dask cluster (a local one unless --scheduler "
        "says otherwise) and stream the findings to JSON Lines: one line a finding (path plus "
        "the JSON report's finding fields), one line with path and error a file that failed. "
        "Lines come in the order partitions finish. No machine translation: 'translation' "
        "stays null.",
        epilog="Exit status: 0 clean, 1 findings at or above --fail-on, 2 a file could not be "
        "checked or the run could not be done. Needs the 'archive' extra "
        "(dask, distributed, fsspec, cryptography).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, directories or globs; local, or any fsspec URL "
                        "(memory://, s3://... with its backend installed)")
    add_glossary(parser)
    add_compiled(parser)
    parser.add_argument("-o", "--output", default="-", metavar="FILE",
                        help="JSON Lines file or fsspec URL (default: stdout, and the summary "
                        "goes to stderr)")
    add_selection(parser)
    parser.add_argument("--fix", action="store_true",
                        help="write safe fixes in place (local files only); the lines then list "
                        "what is left")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix, write unsafe fixes too")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running Dask scheduler (tls://host:8786) instead of a local one, "
                        "reached with your Dask security configuration (distributed.comm.tls.*)")
    parser.add_argument("--workers", type=positive, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes of the local cluster (default: one a CPU)")
    parser.add_argument("--batch-size", type=positive, default=BATCH_SIZE, metavar="N",
                        help=f"files a partition (default: {BATCH_SIZE})")
    parser.add_argument("--top", type=int, default=10, metavar="N",
                        help="glossary entries listed in the summary (default: 10)")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                        help="how long to wait for --scheduler and its first worker "
                        "(default: 30)")
    parser.add_argument("--report-unused-ignores", action="store_true", default=SUPPRESS,
                        help="report suppression comments that suppress nothing (unused-ignore)")
    add_configuration(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary and no progress")
    return parser


def _fix_mode(args: argparse.Namespace, paths: Sequence[str]) -> bool | None:
    if not args.fix:
        if args.unsafe_fixes:
            raise ArchiveError("--unsafe-fixes needs --fix")
        return None
    remote = next((p for p in paths if is_remote(p)), None)
    if remote is not None:
        raise ArchiveError(f"--fix writes local files only, and {remote} is not one "
                           "(a remote filesystem cannot replace a file atomically)")
    return bool(args.unsafe_fixes)


def _cannot_write(target: str, reason: str) -> ArchiveError:
    return ArchiveError(f"{target}: cannot write: {reason}")


def _check_output(target: str) -> None:
    """A local output that plainly cannot be written fails before anything is loaded or checked
    (without creating or emptying it: a run that cannot start leaves the old findings)."""
    if target == "-" or _URL.match(target):
        return
    path = Path(target)
    if path.is_dir():
        raise _cannot_write(target, "is a directory")
    if not path.parent.is_dir():
        raise _cannot_write(target, f"no such directory {str(path.parent)!r}")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise _cannot_write(target, "permission denied")


@contextlib.contextmanager
def _writing(target: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise _cannot_write(target, exc.strerror or str(exc)) from None


@dataclass(slots=True)
class _Output:
    """The output file: a write that fails (a full disk, a device) ends the run in one line."""

    target: str
    handle: IO[str]

    def write(self, text: str) -> None:
        with _writing(self.target):
            self.handle.write(text)

    def flush(self) -> None:
        with _writing(self.target):
            self.handle.flush()


@contextlib.contextmanager
def _opened(target: str) -> Iterator[Sink]:
    """The output, opened before the cluster starts: what `_check_output` could not foresee
    (a read-only filesystem, a symlink loop, a remote store) still fails in one line."""
    if target == "-":
        yield sys.stdout
        return
    with _writing(target):
        if _URL.match(target):
            handle: IO[str] = _module("fsspec").open(target, "w", encoding="utf-8").open()
        else:
            handle = open(target, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    try:
        yield _Output(target, handle)
    finally:
        with _writing(target):
            handle.close()


def run(options: Options, args: argparse.Namespace) -> int:
    """The archive run; `args` holds what only `archive` takes (scheduler, workers, ...)."""
    from glossary_check.commands.session import open_session
    from glossary_check.report.progress import for_run

    began = time.perf_counter()
    _check_output(args.output)
    session = open_session(options, cached=False)
    paths = list(expand(options.paths, options.include, options.exclude))
    if not paths:
        raise ArchiveError(f"no files to check in {' '.join(options.paths)}")
    fix = _fix_mode(args, paths)
    report = sys.stderr if args.output == "-" else sys.stdout
    with _opened(args.output) as out, connect(args.scheduler, args.workers, args.timeout) as client:
        workers = len(client.scheduler_info().get("workers", {}))
        started = time.perf_counter()
        with for_run(len(paths), quiet=options.quiet) as bar:

            def advance(batch: Tally) -> None:
                for _ in range(batch.files):
                    bar.advance()

            tally = check_archive(client, paths, session.compiled, session.settings, out,
                                  batch_size=args.batch_size, fix=fix, on_batch=advance)
        checking = time.perf_counter() - started
    if not options.quiet:
        report.write(summary(tally, checking=checking, wall=time.perf_counter() - began,
                             workers=workers, top=args.top))
    if tally.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if tally.failing(options.fail_on) else ExitCode.OK


def main(argv: Sequence[str]) -> int:
    """`glossary-check archive ...`; the main command hands over everything after `archive`."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    return run_reporting("glossary-check archive", lambda: run(resolve(args), args),
                         uses="archive uses")

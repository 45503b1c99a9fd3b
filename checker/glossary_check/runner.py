"""A check run over many inputs: read each file, check it, collect results in input order.

Many files are checked in worker processes (`jobs`), each holding the compiled
glossary once: forked workers share the parent's copy (a cached glossary's
mapped file included), others receive it pickled once through the pool's
initializer. Results come back in input order, identical to a serial run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from glossary_check import suppress
from glossary_check.align import Pairing
from glossary_check.compiled import Compiled
from glossary_check.documents import DocumentError, read_document
from glossary_check.findings import FileResult
from glossary_check.pipeline import Settings, check_document


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def check_file(
    path: str, compiled: Compiled, settings: Settings, *, fmt: str | None = None,
    shown: str | None = None, data: bytes | None = None, pairing: Pairing | None = None,
) -> FileResult:
    """One file's result; an unreadable or unparsable file becomes a result with an error."""
    shown = shown or ("<stdin>" if path == "-" else path)
    language = compiled.glossary.language
    try:
        raw = read_input(path) if data is None else data
    except FileNotFoundError:
        return FileResult(shown, language, error=f"{shown}: no such file")
    except IsADirectoryError:
        return FileResult(shown, language, error=f"{shown}: is a directory")
    except OSError as exc:
        return FileResult(shown, language, error=f"{shown}: cannot read: {exc.strerror}")
    try:
        document = read_document(shown, raw, fmt)
    except DocumentError as exc:
        return FileResult(shown, language, error=str(exc))
    findings = check_document(document, compiled, settings, pairing)
    findings = suppress.filter_findings(document, findings, settings)
    return FileResult(shown, language, document.text, findings)


def check_files(
    paths: Iterable[str], compiled: Compiled, settings: Settings, *, fmt: str | None = None,
    stdin_name: str | None = None, on_done: Callable[[FileResult], None] | None = None,
    jobs: int = 1,
) -> list[FileResult]:
    """Results in input order; `on_done` hears of each as it finishes (a progress bar).

    With `jobs` > 1 and enough input to pay for starting processes, files are
    checked by that many worker processes.
    """
    paths = list(paths)
    workers = worker_count(paths, jobs)
    if workers > 1:
        try:
            return _check_parallel(paths, compiled, settings, fmt, stdin_name, on_done, workers)
        except (OSError, BrokenProcessPool):  # no processes to be had: check here instead
            pass
    results = []
    for p in paths:
        shown = stdin_name if p == "-" else None
        results.append(check_file(p, compiled, settings, fmt=fmt, shown=shown))
        if on_done is not None:
            on_done(results[-1])
    return results


#: Fewer files or bytes than this are checked in-process: a worker costs ~50 ms to start.
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 128 * 1024


def worker_count(paths: Sequence[str], jobs: int, *, min_files: int = PARALLEL_MIN_FILES,
                 min_bytes: int = PARALLEL_MIN_BYTES) -> int:
    """How many processes a run over `paths` should use: 1 unless there is enough to share."""
    if jobs <= 1 or len(paths) < max(2, min_files):
        return 1
    total = 0
    for path in paths:
        if path != "-":
            try:
                total += os.stat(path).st_size
            except OSError:
                continue
        if total >= min_bytes:
            return min(jobs, len(paths))
    return 1


# The one piece of per-process state: what a worker process checks with, set by the
# pool's initializer in the worker (never in the parent).
_WORKER: dict[str, Any] = {}


def _init_worker(
    compiled: Compiled, settings: Settings, fmt: str | None, gc_threshold: tuple[int, ...]
) -> None:
    import gc

    gc.set_threshold(*gc_threshold)  # the parent's tuning; a spawned worker starts afresh
    _WORKER.update(compiled=compiled, settings=settings, fmt=fmt)


def _check_chunk(paths: list[str]) -> list[FileResult]:
    compiled, settings, fmt = _WORKER["compiled"], _WORKER["settings"], _WORKER["fmt"]
    return [check_file(path, compiled, settings, fmt=fmt) for path in paths]


def _pool_context() -> Any:
    """Fork where it is safe (no threads yet): workers then share the compiled glossary."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1 and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _check_parallel(
    paths: list[str], compiled: Compiled, settings: Settings, fmt: str | None,
    stdin_name: str | None, on_done: Callable[[FileResult], None] | None, workers: int,
) -> list[FileResult]:
    # Small contiguous chunks: few round trips, and a slow file holds up little else.
    size = max(1, min(16, len(paths) // (workers * 4)))
    chunks = [
        (i, [p for p in paths[i : i + size] if p != "-"]) for i in range(0, len(paths), size)
    ]
    results: list[FileResult | None] = [None] * len(paths)
    import gc

    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_pool_context(), initializer=_init_worker,
        initargs=(compiled, settings, fmt, gc.get_threshold()),
    ) as pool:
        pending: dict[Future[list[FileResult]], int] = {
            pool.submit(_check_chunk, chunk): start for start, chunk in chunks if chunk
        }
        # Standard input belongs to this process: it is read and checked here meanwhile.
        for i, path in enumerate(paths):
            if path == "-":
                result = check_file(path, compiled, settings, fmt=fmt, shown=stdin_name)
                results[i] = result
                if on_done is not None:
                    on_done(result)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                at = pending.pop(future)
                for result in future.result():
                    while paths[at] == "-":
                        at += 1
                    results[at] = result
                    at += 1
                    if on_done is not None:
                        on_done(result)
    return [r for r in results if r is not None]

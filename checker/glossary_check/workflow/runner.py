"""A check run over many inputs: read each file, check it, collect results in input order.

Many files are checked in worker processes (`jobs`), each holding the compiled
glossary once: forked workers share the parent's copy (a cached glossary's
mapped file included), others receive it pickled once through the pool's
initializer. Results come back in input order, identical to a serial run.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from glossary_check.core.findings import FileResult
from glossary_check.core.inputs import InputRefused, max_file_size, read_bounded, set_max_file_size
from glossary_check.core.processes import may_fork
from glossary_check.documents import DocumentError, format_for, read_document
from glossary_check.engine import english, remembered
from glossary_check.engine.compiled import Compiled
from glossary_check.rules.align import Pairing
from glossary_check.rules.pipeline import Settings, check_document
from glossary_check.workflow import suppress

if TYPE_CHECKING:
    from concurrent.futures import Future

    from glossary_check.engine.english import WordlistSource
    from glossary_check.engine.remembered import AnswerSource


def read_input(path: str) -> bytes:
    """A file's bytes or standard input's ('-'), within the run's size limit."""
    return read_bounded(path)


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
    except InputRefused as exc:
        return FileResult(shown, language, error=f"{shown}: {exc.strerror}")
    except OSError as exc:
        return FileResult(shown, language, error=f"{shown}: cannot read: {exc.strerror}")
    try:
        document = read_document(shown, raw, fmt)
        findings = check_document(document, compiled, settings, pairing)
    except DocumentError as exc:
        return FileResult(shown, language, error=str(exc))
    findings = suppress.filter_findings(document, findings, settings)
    return FileResult(shown, language, document.text, findings, bom=document.bom)


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
        return _Parallel(paths, compiled, settings, fmt, stdin_name, on_done).run(workers)
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
    compiled: Compiled, settings: Settings, fmt: str | None, gc_threshold: tuple[int, ...],
    size_limit: int, lists: WordlistSource | None = None, answers: AnswerSource | None = None,
) -> None:
    import gc

    gc.set_threshold(*gc_threshold)  # the parent's tuning; a spawned worker starts afresh
    set_max_file_size(size_limit)
    compiled.take_analyses()  # the parent's: it has them already
    remembered.take_new()  # likewise
    if lists is not english.lists_source():  # a spawned worker: wordfreq's lists read alike
        english.read_lists_with(lists)
    if answers is not remembered.answers_source():  # and earlier runs' answers
        remembered.keep_answers(answers)
    _WORKER.update(compiled=compiled, settings=settings, fmt=fmt)


def _check_chunk(paths: list[str]) -> tuple[list[FileResult], Any, dict[str, str]]:
    """The chunk's results, and the source forms the worker analysed for them and the
    answers it worked out with a model or a dictionary, which the parent takes in to keep
    for later runs (see `Compiled.keep_analyses`, `engine.remembered`)."""
    compiled, settings, fmt = _WORKER["compiled"], _WORKER["settings"], _WORKER["fmt"]
    results = [check_file(path, compiled, settings, fmt=fmt) for path in paths]
    return results, compiled.take_analyses(), remembered.take_new()


def _pool_context() -> Any:
    """Fork where it is safe (one thread): workers then share the compiled glossary."""
    import multiprocessing  # only a run with workers needs it

    if "fork" in multiprocessing.get_all_start_methods() and may_fork():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


#: Letters that make the rules load what they load on first use (see `_Parallel.warm_up`).
_NON_LATIN = re.compile("[\u0370-\u052f]")


def _abandon(pool: Any) -> None:
    """Stop a pool that failed: its workers are killed before it is shut down. When one
    worker dies, Python 3.11's pool joins the others while they still wait for work, and
    that wait never ends (a run, or a test, hangs)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


class _Parallel:
    """One run over worker processes; results land in input order, each file once."""

    def __init__(
        self, paths: list[str], compiled: Compiled, settings: Settings, fmt: str | None,
        stdin_name: str | None, on_done: Callable[[FileResult], None] | None,
    ) -> None:
        self.paths, self.compiled, self.settings, self.fmt = paths, compiled, settings, fmt
        self.stdin_name, self.on_done = stdin_name, on_done
        self.results: list[FileResult | None] = [None] * len(paths)

    def done(self, i: int, result: FileResult) -> None:
        self.results[i] = result
        if self.on_done is not None:
            self.on_done(result)

    def here(self, i: int) -> None:
        shown = self.stdin_name if self.paths[i] == "-" else None
        self.done(i, check_file(self.paths[i], self.compiled, self.settings, fmt=self.fmt,
                                shown=shown))

    def warm_up(self) -> None:
        """Rules load some things on first use (language models, morphology dictionaries
        and index, word lists), and each document format its reader. Files are checked
        here until one in another script has made the rules load theirs and one of each
        format in the run has been read (at most a tenth of the run), so that forked
        workers share all that instead of each loading its own."""
        formats = {self.fmt or format_for(p) for p in self.paths if p != "-"}
        seen: set[str] = set()
        foreign = False
        budget = max(1, len(self.paths) // 10)
        for i, path in enumerate(self.paths):
            if budget == 0 or (foreign and seen >= formats):
                break
            fmt = self.fmt or format_for(path)
            if foreign and fmt in seen:
                continue
            self.here(i)
            budget -= 1
            seen.add(fmt)
            checked = self.results[i]
            foreign = foreign or (checked is not None and _NON_LATIN.search(checked.text)
                                  is not None)

    def chunks(self, rest: Sequence[int], workers: int) -> list[list[int]]:
        """Small contiguous chunks: few round trips, and a slow file holds up little else."""
        size = max(1, min(16, len(rest) // (workers * 4)))
        chunks = ([i for i in rest[at : at + size] if self.paths[i] != "-"]
                  for at in range(0, len(rest), size))
        return [chunk for chunk in chunks if chunk]

    def run(self, workers: int) -> list[FileResult]:
        import gc
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        if _pool_context().get_start_method() == "fork":
            self.warm_up()
        context = _pool_context()  # again: what was loaded may have started threads
        rest = [i for i, result in enumerate(self.results) if result is None]
        # What is loaded by now is never garbage: kept out of every collection, a forked
        # worker's collector neither scans it nor copies the pages it sits on.
        gc.freeze()
        try:
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_init_worker,
                initargs=(self.compiled, self.settings, self.fmt, gc.get_threshold(),
                          max_file_size(), english.lists_source(),
                          remembered.answers_source()),
            )
            try:
                pending: dict[Future[tuple[list[FileResult], Any, dict[str, str]]],
                              list[int]] = {
                    pool.submit(_check_chunk, [self.paths[i] for i in chunk]): chunk
                    for chunk in self.chunks(rest, workers)
                }
                for i in rest:  # standard input belongs to this process: checked here meanwhile
                    if self.paths[i] == "-":
                        self.here(i)
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        results, analysed, answered = future.result()
                        for i, result in zip(pending.pop(future), results, strict=True):
                            self.done(i, result)
                        self.compiled.absorb_analyses(analysed)
                        remembered.absorb(answered)
            except BaseException:
                _abandon(pool)
                raise
            pool.shutdown()
        except (OSError, BrokenProcessPool, ValueError):
            # No processes to be had (a spawned worker can also fail to start with a
            # ValueError from multiprocessing when a descriptor it inherits is gone), or one
            # died: what is left is checked here, once each, so standard input is not read
            # twice and no file is counted twice.
            for i in range(len(self.paths)):
                if self.results[i] is None:
                    self.here(i)
        finally:
            gc.unfreeze()
        return [r for r in self.results if r is not None]

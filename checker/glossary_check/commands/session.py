"""What every command sets up the same way: the glossary, the rules' settings, the exit status.

`check`, `archive`, `test` and `audit` (and any command to come) open a
session from their `Options`, so that which glossary is used, how rule
selection and severities apply and what the exit status means cannot drift
apart between them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_check.commands.options import Options
from glossary_check.core.errors import ExitCode, GlossaryCheckError
from glossary_check.core.visible import print_error

if TYPE_CHECKING:
    from glossary_check.core.findings import FileResult
    from glossary_check.engine.compiled import Compiled
    from glossary_check.engine.glossary import Glossary
    from glossary_check.rules.pipeline import Settings


@dataclass(frozen=True, slots=True)
class Session:
    options: Options
    compiled: Compiled
    settings: Settings


def glossary_paths(options: Options) -> list[Path]:
    """The glossaries named, else the nearest glossary-check.yaml upwards, else the bundled one."""
    from glossary_check.workflow.files import bundled_glossary, find_glossary

    if options.glossaries:
        return [Path(p) for p in options.glossaries]
    return [find_glossary(Path.cwd()) or bundled_glossary()]


def load_compiled(options: Options, *, cached: bool = True) -> Compiled:
    """The run's compiled glossary: from `--compiled FILE` if given, else through the on-disk
    cache where allowed; GlossaryError."""
    from glossary_check.cache import compiled as cache
    from glossary_check.engine.compiled import compile_all
    from glossary_check.engine.glossary import load_glossaries

    paths = glossary_paths(options)
    if options.compiled is not None:  # asked for by name: used whatever `cached` says
        directory = cache.default_dir() if cached and options.use_cache else None
        compiled = cache.load_artefact(paths, Path(options.compiled), directory)
    elif len(paths) > 1:
        compiled = compile_all(load_glossaries(paths))
    else:
        directory = cache.default_dir() if cached and options.use_cache else None
        compiled = cache.load(paths[0], directory, None if directory is None else
                              functools.partial(_prepare, directory=directory))
    if options.language and options.language != compiled.glossary.language:
        glossary = dataclasses.replace(compiled.glossary, language=options.language)
        compiled = dataclasses.replace(compiled, glossary=glossary)
    return compiled


def _prepare(glossary: Glossary, directory: Path) -> None:
    """What a cold run over a large glossary will read that the glossary alone decides,
    made and kept in the cache aside while the run compiles (see `cache.load_cached`): the
    morphology's keys of its source forms, and wordfreq's lists of names as indexes, which
    the run then reads in place instead of unpacking them whole (a third of a second, 50
    MB in every process)."""
    from glossary_check.cache import compiled as cache
    from glossary_check.cache.wordlists import index_lists

    cache.keep_form_keys(glossary, directory)
    index_lists(directory)


def open_session(options: Options, *, cached: bool = True) -> Session:
    from glossary_check.core.inputs import set_max_file_size

    set_max_file_size(options.max_file_size)  # before the glossary: it is read bounded too
    compiled = load_compiled(options, cached=cached)
    read_lists(compiled, cached and options.use_cache)
    read_answers(compiled, cached and options.use_cache)
    return Session(options, compiled, options.settings())


def read_answers(compiled: Compiled, cached: bool) -> None:
    """What earlier runs worked out with a model or a dictionary, from the cache where it
    is used (see `cache.answers`), read when a word first needs it; else nothing."""
    from glossary_check.engine import remembered

    if not cached:
        remembered.keep_answers(None)
        return
    from glossary_check.cache import answers
    from glossary_check.cache.compiled import default_dir

    remembered.keep_answers(functools.partial(answers.load, default_dir(), compiled.notices))


def keep_answers(compiled: Compiled) -> None:
    """What this run worked out with a model or a dictionary, kept in the cache with
    earlier runs' answers (where the session reads them: see `read_answers`)."""
    from glossary_check.engine import remembered

    new = remembered.new_answers()
    if not new:
        return
    from glossary_check.cache import answers
    from glossary_check.cache.compiled import default_dir

    answers.save(default_dir(), new, compiled.notices)


def read_lists(compiled: Compiled, cached: bool) -> None:
    """wordfreq's lists through their indexes in the cache where it is used (see
    `cache.wordlists`), built once the glossary is seen again; else each read whole."""
    from glossary_check.engine import english

    if not cached:
        english.read_lists_with(None)
        return
    from glossary_check.cache.compiled import default_dir
    from glossary_check.cache.wordlists import CachedLists

    store = compiled.source_store
    seen = store is not None and store.seen
    english.read_lists_with(CachedLists(default_dir(), seen, compiled.notices))


def exit_status(results: Iterable[FileResult], options: Options) -> ExitCode:
    """ERROR if a file could not be checked, FINDINGS if a finding reaches --fail-on, else OK."""
    results = list(results)
    if any(r.error is not None for r in results):
        return ExitCode.ERROR
    failing = any(options.failing(f.severity) for r in results for f in r.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


#: The modules the `archive` extra brings (Dask, fsspec, the cluster's TLS).
ARCHIVE_EXTRA = ("dask", "distributed", "fsspec", "cryptography")


def run_reporting(prog: str, run: Callable[[], int], uses: str) -> int:
    """`run()`, with a user's error printed one line each and exit status 2, and a missing
    `archive` extra named with the command that installs it (`uses`: what needed it)."""
    try:
        return run()
    except GlossaryCheckError as exc:
        for line in exc.lines():
            print_error(line, prog=prog)
        return ExitCode.ERROR
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ARCHIVE_EXTRA:
            print_error(f"{exc.name} is not installed ({uses} it): "
                        "pip install 'glossary-check[archive]'", prog=prog)
            return ExitCode.ERROR
        raise

"""The warm engine behind `serve` and `lsp`: one session, reloaded when its files change.

Checking, fixing and reporting are the command line's own functions
(`workflow.runner.check_file`, `workflow.fixes`, `report.json_report`) run on
text held in memory; only the session is kept between requests. A glossary or
configuration that fails to load after a change leaves the previous session
serving, and the failure is kept for the log, `/healthz` and the editor.
No web or language-server package is imported here: both front ends share it.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from glossary_check import __version__
from glossary_check.commands.options import (
    SUPPRESS,
    Options,
    add_compiled,
    add_configuration,
    add_glossary,
    add_rule_selection,
    resolve,
)
from glossary_check.commands.session import Session, glossary_paths, open_session
from glossary_check.core.errors import GlossaryCheckError
from glossary_check.core.findings import FileResult, Finding
from glossary_check.documents import DocumentError, read_document
from glossary_check.report import Run
from glossary_check.workflow import fixes
from glossary_check.workflow.runner import check_file

if TYPE_CHECKING:
    from glossary_check.translate import Translator

log = logging.getLogger("glossary_check.warm")

#: Request formats by the names a client may give; the document's name is ours, never theirs.
FORMATS = {"txt": "text", "text": "text", "md": "markdown", "markdown": "markdown",
           "html": "html", "htm": "html"}
_NAMES = {"text": "article.txt", "markdown": "article.md", "html": "article.html"}


class RequestError(ValueError):
    """Something wrong with what a client sent: a 400 with this message."""


def document_format(name: object) -> str:
    fmt = FORMATS.get(str(name or "txt").lower()) if isinstance(name, str | None) else None
    if fmt is None:
        raise RequestError(f"format must be one of {', '.join(sorted(FORMATS))}")
    return fmt


def add_engine_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that make a warm engine's `Options`, as for a check (`serve`, `lsp`)."""
    add_glossary(parser)
    add_compiled(parser)
    add_rule_selection(parser)
    add_configuration(parser)
    parser.add_argument("--language", metavar="LANG", default=SUPPRESS,
                        help="the language articles are published in (default: the glossary's)")
    parser.add_argument("--no-translate", dest="translate", action="store_false",
                        default=SUPPRESS, help="do not machine-translate untranslated spans")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the compiled-glossary cache")


def engine_args(args: argparse.Namespace, own: Iterable[str]) -> argparse.Namespace:
    """The flags that make the check's `Options`, without a front end's `own` ones
    (reloading resolves them again)."""
    skip = set(own)
    return argparse.Namespace(**{k: v for k, v in vars(args).items() if k not in skip})


def _stamp(paths: list[str]) -> tuple[tuple[str, int, int], ...]:
    """What says a file changed: its size and modification time (absent: -1)."""
    out = []
    for path in paths:
        try:
            info = os.stat(path)
            out.append((path, info.st_mtime_ns, info.st_size))
        except OSError:
            out.append((path, -1, -1))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Fixed:
    before: str
    after: str
    fixed: int
    diff: str
    result: FileResult
    error: str | None = None


class Engine:
    """The session the server checks with, its generation and its last reload failure."""

    def __init__(self, args: argparse.Namespace,
                 on_reload: Callable[[int], None] | None = None) -> None:
        self.args = args
        self.generation = 0
        self.reload_error: str | None = None
        self.loaded_at = 0.0
        self._on_reload = on_reload
        self._lock = threading.Lock()
        self._translator: Translator | None = None
        self._translator_notice: str | None = None
        self._translator_opened = False
        self.session, self._stamp = self._open()
        self.generation, self.loaded_at = 1, time.time()

    # --- loading -------------------------------------------------------------------------
    def _watched(self, options: Options) -> list[str]:
        paths = [str(p) for p in glossary_paths(options)]
        if options.config_path is not None:
            paths.append(str(options.config_path))
        return paths

    def _open(self) -> tuple[Session, tuple[tuple[str, int, int], ...]]:
        options = resolve(self.args)
        before = _stamp(self._watched(options))
        session = open_session(options)
        files = [*self._watched(options), *session.compiled.glossary.files]
        return session, tuple(dict.fromkeys((*before, *_stamp(files[len(before):]))))

    def files(self) -> list[str]:
        return [path for path, _, _ in self._stamp]

    def reload_if_changed(self) -> bool:
        """Reload when a watched file changed; True if a new session now serves."""
        if _stamp(self.files()) == self._stamp:
            return False
        with self._lock:
            current = _stamp(self.files())
            if current == self._stamp:
                return False
            try:
                session, stamp = self._open()
            except GlossaryCheckError as exc:
                self._stamp = current  # said once per change, not on every poll
                self.reload_error = str(exc)
                log.error("glossary not reloaded, generation %d keeps serving: %s",
                          self.generation, exc)
                return False
            self.session, self._stamp = session, stamp
            self.generation += 1
            self.reload_error, self.loaded_at = None, time.time()
        log.info("glossary reloaded: generation %d, %d entries", self.generation,
                 len(session.compiled.glossary.entries))
        if self._on_reload is not None:
            self._on_reload(self.generation)
        return True

    def watch(self, interval: float, stop: threading.Event) -> None:
        """Poll the watched files until `stop` is set (run in a daemon thread)."""
        while not stop.wait(interval):
            try:
                self.reload_if_changed()
            except Exception:  # a poll must never end the watcher
                log.exception("checking the glossary's files for changes failed")

    def keep(self) -> None:
        """Keep in the cache what the session worked out (the source forms its documents
        reached, what dictionaries and language models answered), as a check keeps it when
        it ends: the server's next start and every run find it. For a server that is
        stopping, once no check runs any more; a failure is logged, never raised."""
        from glossary_check.commands.session import keep_answers

        session = self.session
        try:
            session.compiled.keep_analyses()
            keep_answers(session.compiled)
        except Exception:  # stopping must not fail for a cache
            log.exception("what the session analysed was not kept")

    # --- checking ------------------------------------------------------------------------
    def check(self, text: str, fmt: str, source: str | None = None,
              source_language: str | None = None, *,
              name: str | None = None) -> tuple[Session, FileResult]:
        """Check text held in memory; `name` is what errors call it (never opened)."""
        session = self.session
        name, data = name or _NAMES[fmt], text.encode("utf-8")
        pairing = None
        if source is not None:
            pairing = self._pairing(session, source, name, data, source_language)
        result = check_file(name, session.compiled, session.settings, fmt=fmt, data=data,
                            pairing=pairing)
        return session, result

    def _pairing(self, session: Session, source: str, name: str, data: bytes,
                 language: str | None) -> Any:
        from glossary_check.engine import languages
        from glossary_check.rules.align import pair_documents

        try:
            original = read_document("original.txt", source.encode("utf-8"), "text")
            translation = read_document(name, data)
        except DocumentError as exc:
            raise RequestError(str(exc)) from None
        language = language or languages.identify(original.view)
        return pair_documents(original, translation, session.compiled,
                              self.translator(session.options), language)

    def translator(self, options: Options) -> Translator | None:
        if not options.translate:
            return None
        with self._lock:
            if not self._translator_opened:
                from glossary_check.workflow.annotate import open_or_notice

                self._translator, self._translator_notice = open_or_notice(
                    options.threads, options.use_cache)
                self._translator_opened = True
        return self._translator

    def run(self, session: Session, results: list[FileResult]) -> Run:
        """The report of a check, translated where machine translation runs (as the CLI)."""
        from glossary_check.rules import registry

        notices: list[str] = []
        wanted = any(f.rule == "untranslated" for r in results for f in r.findings)
        translator = self.translator(session.options) if wanted else None
        if translator is not None:
            from glossary_check.workflow.annotate import annotate

            notices = annotate(results, session.compiled, translator,
                               session.compiled.glossary.language)
        elif wanted and self._translator_notice:
            notices = [self._translator_notice]
        glossary = session.compiled.glossary
        return Run(__version__, os.path.basename(glossary.path), len(glossary.entries),
                   results, [*session.compiled.notices, *notices],
                   rules={r.id: r.summary for r in registry().values()})

    # --- fixing --------------------------------------------------------------------------
    def fix(self, text: str, fmt: str, *, unsafe: bool = False,
            only: tuple[int, str] | None = None,
            name: str | None = None) -> tuple[Session, Fixed]:
        """All fixable findings (as `--fix`), or the one at (offset, rule) whatever its safety."""
        session, result = self.check(text, fmt, name=name)
        if result.error is not None:
            return session, Fixed(text, text, 0, "", result, result.error)
        if only is not None:
            return session, self._fix_one(session, text, fmt, result, only)

        def recheck(data: bytes) -> FileResult:
            return check_file(result.path, session.compiled, session.settings, fmt=fmt,
                              data=data)

        outcome = fixes.fix_text(text, result, recheck, fmt=fmt, unsafe=unsafe)
        diff = fixes.unified_diff(result.path, outcome.before, outcome.after)
        return session, Fixed(outcome.before, outcome.after, outcome.fixed, diff,
                              outcome.result, outcome.error)

    def _fix_one(self, session: Session, text: str, fmt: str, result: FileResult,
                 only: tuple[int, str]) -> Fixed:
        finding = _finding_at(result, *only)
        document = read_document(result.path, text.encode("utf-8"), fmt)
        edits = fixes.edits_for(document, finding) if finding.suggestion else None
        if not edits:
            raise RequestError(f"the {finding.rule} finding at {finding.offset} has no fix "
                               "that leaves the markup as it is")
        after = fixes.apply_edits(text, edits)
        checked = check_file(result.path, session.compiled, session.settings, fmt=fmt,
                             data=after.encode("utf-8"))
        return Fixed(text, after, 1, fixes.unified_diff(result.path, text, after), checked)


def _finding_at(result: FileResult, offset: int, rule: str) -> Finding:
    for finding in result.findings:
        if finding.offset == offset and finding.rule == rule:
            return finding
    raise RequestError(f"no {rule} finding at offset {offset} in this text (check it again)")

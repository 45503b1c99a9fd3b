"""The language server behind `glossary-check lsp`, on pygls.

Every check, fix and translation is the warm engine's (`commands.warm`), so
what an editor shows is what `glossary-check` prints for the same text and
configuration. Checks run one at a time on one worker thread, off the
protocol's event loop: a long check never stops the editor's messages from
being read, and the glossary is never swapped in the middle of a check. The
loop alone writes to the client.

Text is synchronised whole (not in increments): an article is small, and
the text a check sees is then exactly the editor's, with no client and
server disagreeing about where a line ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from glossary_check import __version__
from glossary_check.commands.lsp_text import UTF16, Change, Lines, changes, document_format
from glossary_check.commands.warm import Engine
from glossary_check.core.errors import GlossaryCheckError
from glossary_check.core.findings import Applicability, FileResult, Finding, Severity
from glossary_check.documents import Document, DocumentError, read_document
from glossary_check.workflow import fixes

log = logging.getLogger("glossary_check.lsp")
T = TypeVar("T")

NAME = "glossary-check"
FIX_ALL = "source.fixAll.glossary-check"
#: What the editor is asked to report changes of; the engine itself knows which of them
#: are its glossary's and configuration's files (a change to any other is a cheap no-op).
WATCHED = ("**/*.yaml", "**/*.yml", "**/pyproject.toml", "**/glossary-check.toml")
SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
            Severity.WARNING: lsp.DiagnosticSeverity.Warning,
            Severity.INFO: lsp.DiagnosticSeverity.Information}
#: What could turn an article's words into markup in a hover: emphasis, code, links, images,
#: tags, entities, headings and tables.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
_ERROR_AT = re.compile(r":(\d+):(\d+): ")


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, taking UTF-32 positions whenever the client offers them."""

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        general = params.capabilities.general
        offered = list(general.position_encodings or []) if general is not None else []
        if general is not None and lsp.PositionEncodingKind.Utf32 in offered:
            general.position_encodings = [lsp.PositionEncodingKind.Utf32]
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        return result


@dataclass(slots=True)
class Checked:
    """One version of an open document and what the engine found in it."""

    uri: str
    version: int | None
    text: str  # as the editor holds it
    fmt: str
    name: str  # what errors call it: its path from the workspace's root
    result: FileResult
    generation: int
    lines: Lines
    #: 1 when the text starts with a byte-order mark, which findings' offsets leave out
    shift: int = 0
    document: Document | None = None
    fix_all: list[Change] | None = None
    fixes_found: bool = False

    @property
    def body(self) -> str:
        return self.text[self.shift:]


@dataclass(slots=True)
class Refresh:
    """What looking at the glossary's files found: a new glossary, or a failure to say."""

    reloaded: bool = False
    trouble: str | None = None
    generation: int = 0
    entries: int = 0


@dataclass(slots=True)
class Outcome:
    refresh: Refresh
    checked: Checked | None = None
    notices: list[str] = field(default_factory=list)


def escape_markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")


class GlossaryServer(LanguageServer):
    """The editor's view of one warm engine."""

    def __init__(self, args: Any, *, debounce: float, reload_interval: float) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full,
                         protocol_cls=_Protocol)
        self.args = args
        self.debounce = debounce
        self.reload_interval = reload_interval
        self.engine: Engine | None = None
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.said: str | None = None  # the last failure told to the user
        self.notices: set[str] = set()
        self.poller: asyncio.Task[None] | None = None
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="glossary-check")

    # --- the worker ----------------------------------------------------------------------
    async def on_worker(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, call, *args)

    def _refresh(self) -> Refresh:
        """Open the engine, or reload its glossary if its files changed (on the worker)."""
        if self.engine is None:
            try:
                self.engine = Engine(self.args)
            except GlossaryCheckError as exc:
                return Refresh(trouble=f"the glossary or configuration did not load, so "
                               f"nothing is checked: {exc}")
            return Refresh(True, None, 1, len(self.engine.session.compiled.glossary.entries))
        engine = self.engine
        if engine.reload_if_changed():
            return Refresh(True, None, engine.generation,
                           len(engine.session.compiled.glossary.entries))
        if engine.reload_error is not None:
            return Refresh(trouble=f"the glossary or configuration did not reload; the one "
                           f"loaded before (generation {engine.generation}) keeps checking: "
                           f"{engine.reload_error}")
        return Refresh()

    def _check(self, uri: str, text: str, version: int | None, fmt: str, name: str) -> Outcome:
        """Check one version of a document (on the worker)."""
        refresh = self._refresh()
        engine = self.engine
        if engine is None:
            return Outcome(refresh)
        shift = 1 if text.startswith("\ufeff") else 0
        body = text[shift:]
        session = engine.session
        problem = _refused(body, session.options.max_file_size)
        notices: list[str] = []
        if problem is not None:
            result = FileResult(name, session.compiled.glossary.language,
                                error=f"{name}: {problem}")
        else:
            session, result = engine.check(body, fmt, name=name)
            if result.error is None:
                notices = list(engine.run(session, [result]).notices)  # translations, as the CLI
        checked = Checked(uri, version, text, fmt, name, result, engine.generation,
                          Lines.of(text), shift)
        return Outcome(refresh, checked, notices)

    def _fix_all(self, checked: Checked) -> list[Change]:
        """Every safe fix, as `--fix` makes them (rounds included), as small edits."""
        if checked.fix_all is None:
            engine = self.engine
            if engine is None or not any(fixes.fixable(f) for f in checked.result.findings):
                checked.fix_all = []
            else:
                _, fixed = engine.fix(checked.body, checked.fmt, name=checked.name)
                ok = fixed.error is None and fixed.after != fixed.before
                checked.fix_all = changes(fixed.before, fixed.after) if ok else []
        return checked.fix_all

    def _one_fix(self, checked: Checked, finding: Finding) -> list[Change]:
        """The edits that write one finding's suggestion, markup untouched (as `--fix`)."""
        if checked.document is None:
            try:
                checked.document = read_document(checked.name, checked.body.encode("utf-8"),
                                                 checked.fmt)
            except DocumentError:
                return []
        edits = fixes.edits_for(checked.document, finding) or []
        return [Change(e.start, e.end, e.text) for e in edits]

    # --- talking to the editor ------------------------------------------------------------
    def say(self, refresh: Refresh, notices: Iterable[str] = ()) -> None:
        if refresh.trouble is not None and refresh.trouble != self.said:
            self.said = refresh.trouble
            log.error("%s", refresh.trouble)
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error,
                                                           f"{NAME}: {refresh.trouble}"))
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error,
                                                         refresh.trouble))
        if refresh.reloaded:
            self.said = None
            message = (f"glossary loaded: generation {refresh.generation}, "
                       f"{refresh.entries} entries")
            log.info("%s", message)
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, message))
        for notice in notices:
            if notice not in self.notices:
                self.notices.add(notice)
                self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Warning, notice))

    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    def position(self, checked: Checked, offset: int) -> lsp.Position:
        line, character = checked.lines.position(offset + checked.shift, self.encoding())
        return lsp.Position(line, character)

    def range(self, checked: Checked, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.position(checked, start), self.position(checked, end))

    def offset(self, checked: Checked, position: lsp.Position) -> int:
        at = checked.lines.offset(position.line, position.character, self.encoding())
        return max(0, at - checked.shift)

    def diagnostic(self, checked: Checked, finding: Finding) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=self.range(checked, finding.offset, finding.end),
            message=finding.message,
            severity=SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning),
            code=finding.rule,
            source=NAME,
            data={"rule": finding.rule, "offset": finding.offset, "length": finding.length,
                  "fix": finding.applicability.value},
        )

    def diagnostics(self, checked: Checked) -> list[lsp.Diagnostic]:
        error = checked.result.error
        if error is not None:
            at = lsp.Position(0, 0)
            found = _ERROR_AT.search(error[len(checked.name):]) if error.startswith(
                checked.name) else None
            if found is not None:
                at = self.position(checked, _line_offset(checked, int(found[1]),
                                                         int(found[2])))
            return [lsp.Diagnostic(lsp.Range(at, at), error, lsp.DiagnosticSeverity.Error,
                                   code="unreadable", source=NAME)]
        return [self.diagnostic(checked, f) for f in checked.result.findings]

    def publish(self, checked: Checked) -> None:
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            checked.uri, self.diagnostics(checked), checked.version))

    def edit(self, checked: Checked, edits: list[Change]) -> lsp.WorkspaceEdit:
        text_edits = [lsp.TextEdit(self.range(checked, c.start, c.end), c.text) for c in edits]
        capabilities = self.client_capabilities.workspace
        versioned = bool(capabilities and capabilities.workspace_edit
                         and capabilities.workspace_edit.document_changes)
        if versioned:
            document = lsp.OptionalVersionedTextDocumentIdentifier(checked.uri, checked.version)
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(document,
                                                                             list(text_edits))])
        return lsp.WorkspaceEdit(changes={checked.uri: text_edits})

    # --- documents -----------------------------------------------------------------------
    def describe(self, uri: str) -> tuple[str, int | None, str, str] | None:
        """(text, version, format, name) of an open document this tool reads, else None."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        path = to_fs_path(uri) if uri.startswith("file:") else None
        fmt = document_format(document.language_id, path or uri)
        if fmt is None:
            return None
        name = "untitled" if path is None else _shown(path)
        return document.source, document.version, fmt, name

    def schedule(self, uri: str, delay: float) -> None:
        """Check a document after `delay` seconds, unless it changes again before that."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.ensure_future(self._later(uri, delay))

    async def _later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self.check(uri)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one failed check must not end the server
            log.exception("checking %s failed", uri)
            self.window_log_message(lsp.LogMessageParams(
                lsp.MessageType.Error, f"checking {uri} failed: {exc}"))
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    async def check(self, uri: str) -> Checked | None:
        """Check the document as it is now, publish and keep the result."""
        described = self.describe(uri)
        if described is None:
            return None
        text, version, fmt, name = described
        outcome = await self.on_worker(self._check, uri, text, version, fmt, name)
        self.say(outcome.refresh, outcome.notices)
        checked = outcome.checked
        now = self.workspace.text_documents.get(uri)
        if checked is not None and now is not None and now.version == version:
            self.checked[uri] = checked
            self.publish(checked)
        if outcome.refresh.reloaded:
            self.recheck(but=uri)
        return checked

    async def current(self, uri: str) -> Checked | None:
        """What was found in the document as the editor holds it now, checking it if need be
        (a request can come before the debounced check)."""
        document = self.workspace.text_documents.get(uri)
        checked = self.checked.get(uri)
        engine = self.engine
        if (document is not None and checked is not None and engine is not None
                and checked.version == document.version and checked.text == document.source
                and checked.generation == engine.generation):
            return checked
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        return await self.check(uri)

    def recheck(self, but: str | None = None) -> None:
        for uri in list(self.workspace.text_documents):
            if uri != but:
                self.schedule(uri, 0)

    async def refresh(self) -> None:
        refresh = await self.on_worker(self._refresh)
        self.say(refresh)
        if refresh.reloaded:
            self.recheck()

    async def poll(self) -> None:
        while True:
            await asyncio.sleep(self.reload_interval)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # a poll must never end the watcher
                log.exception("looking at the glossary's files failed")

    # --- answers -------------------------------------------------------------------------
    def hover(self, checked: Checked, position: lsp.Position) -> lsp.Hover | None:
        at = self.offset(checked, position)
        found = [f for f in checked.result.findings if f.offset <= at <= f.end]
        if not found:
            return None
        markdown = self._markdown()
        parts = [_hover_text(f, markdown) for f in found]
        first = min(found, key=lambda f: f.offset)
        last = max(f.end for f in found)
        kind = lsp.MarkupKind.Markdown if markdown else lsp.MarkupKind.PlainText
        return lsp.Hover(lsp.MarkupContent(kind, ("\n\n---\n\n" if markdown else "\n\n").join(
            parts)), self.range(checked, first.offset, last))

    def _markdown(self) -> bool:
        text = self.client_capabilities.text_document
        hover = text.hover if text is not None else None
        formats = hover.content_format if hover is not None else None
        return formats is None or lsp.MarkupKind.Markdown in formats

    def quick_fixes(self, checked: Checked, start: int, end: int) -> list[lsp.CodeAction]:
        actions = []
        for finding in checked.result.findings:
            if not (finding.offset <= end and start <= finding.end):
                continue
            if finding.suggestion is None or finding.applicability is Applicability.NONE:
                continue
            edits = self._one_fix(checked, finding)
            if not edits:
                continue
            safe = finding.applicability is Applicability.SAFE
            title = f"Replace '{_short(finding.text)}' with '{_short(finding.suggestion)}'"
            if not safe:
                title += " (unsafe fix: check the meaning first)"
            actions.append(lsp.CodeAction(
                title=f"{NAME}: {title}", kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[self.diagnostic(checked, finding)], is_preferred=safe,
                edit=self.edit(checked, edits)))
        return actions

    def fix_all_action(self, checked: Checked, edits: list[Change]) -> lsp.CodeAction | None:
        if not edits:
            return None
        return lsp.CodeAction(title=f"{NAME}: fix all safe findings", kind=FIX_ALL,
                              edit=self.edit(checked, edits))


def _wanted(only: list[str] | None, kind: str) -> bool:
    """Whether a code action of `kind` is among those the client asked for (kinds nest with
    dots: asking for `source` or `source.fixAll` includes `source.fixAll.glossary-check`)."""
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def _refused(body: str, limit: int) -> str | None:
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError:
        return "holds a lone surrogate, which is not text; not checked"
    if size > limit:
        return f"larger than max-file-size ({size} > {limit} bytes); not checked"
    return None


def _line_offset(checked: Checked, line: int, column: int) -> int:
    """A 1-based line and column (code points, as errors give them) of the body, as an offset."""
    body_lines = Lines.of(checked.body)
    return body_lines.offset(line - 1, column - 1, "utf-32")


def _shown(path: str) -> str:
    """A document's name in messages: from the working directory (the root) when inside it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
    except (OSError, ValueError):
        return path
    return str(relative)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hover_text(finding: Finding, markdown: bool) -> str:
    """The message, the fix and how safe it is, the entry's note and link, the translation."""
    esc = escape_markdown if markdown else (lambda s: " ".join(s.split()))
    lines = [f"**{NAME}** `{finding.rule}`: {esc(finding.message)}" if markdown
             else f"{NAME} [{finding.rule}]: {esc(finding.message)}"]
    if finding.suggestion is not None:
        how = {"safe": "a safe fix", "unsafe": "an unsafe fix: check the meaning first",
               "none": "not fixed automatically"}[finding.applicability.value]
        lines.append(f"Write: {esc(finding.suggestion)} ({how})")
    if finding.entry is not None:
        lines.append(f"Glossary entry: {esc(finding.entry)}")
    if finding.note:
        lines.append(f"Note: {esc(finding.note)}")
    if finding.url:
        safe_link = re.fullmatch(r"https?://[^\s<>()\[\]]+", finding.url) is not None
        lines.append(f"<{finding.url}>" if markdown and safe_link else esc(finding.url))
    if finding.translation:
        language = f" ({finding.language})" if finding.language else ""
        lines.append(f"Machine translation{esc(language)}: {esc(finding.translation)}")
    return ("\n\n" if markdown else "\n").join(lines)


def _root(params: lsp.InitializeParams) -> str | None:
    """The workspace's root folder: the first workspace folder, else the root URI or path."""
    uris = [f.uri for f in params.workspace_folders or []]
    if params.root_uri:
        uris.append(params.root_uri)
    for uri in uris:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path and os.path.isdir(path):
            return path
    root_path = params.root_path
    return root_path if root_path and os.path.isdir(root_path) else None


def create_server(args: Any, *, debounce: float, reload_interval: float) -> GlossaryServer:
    server = GlossaryServer(args, debounce=debounce, reload_interval=reload_interval)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: GlossaryServer, params: lsp.InitializeParams) -> None:
        root = _root(params)
        if root is not None:
            os.chdir(root)  # configuration and glossary are found from here, as for a check
            log.info("workspace root %s", root)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: GlossaryServer, params: lsp.InitializedParams) -> None:
        await ls.refresh()
        workspace = ls.client_capabilities.workspace
        watching = workspace.did_change_watched_files if workspace is not None else None
        if watching is not None and watching.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED])
            with contextlib.suppress(Exception):  # a client that says no still gets the polls
                await ls.client_register_capability_async(lsp.RegistrationParams(
                    [lsp.Registration(id="glossary-check-files",
                                      method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                      register_options=options)]))
        if ls.reload_interval > 0:
            ls.poller = asyncio.ensure_future(ls.poll())

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GlossaryServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GlossaryServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: GlossaryServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.pending:
            ls.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GlossaryServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        if ls.checked.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: GlossaryServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        await ls.refresh()

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: GlossaryServer, params: lsp.HoverParams) -> lsp.Hover | None:
        checked = await ls.current(params.text_document.uri)
        return None if checked is None else ls.hover(checked, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
    async def code_action(ls: GlossaryServer, params: lsp.CodeActionParams,
                          ) -> list[lsp.CodeAction] | None:
        checked = await ls.current(params.text_document.uri)
        if checked is None or checked.result.error is not None:
            return None
        only = [str(getattr(k, "value", k)) for k in params.context.only or []] or None
        actions: list[lsp.CodeAction] = []
        if _wanted(only, lsp.CodeActionKind.QuickFix.value):
            start = ls.offset(checked, params.range.start)
            end = ls.offset(checked, params.range.end)
            actions += await ls.on_worker(ls.quick_fixes, checked, start, end)
        if _wanted(only, FIX_ALL):
            edits = await ls.on_worker(ls._fix_all, checked)
            action = ls.fix_all_action(checked, edits)
            if action is not None:
                actions.append(action)
        return actions

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: GlossaryServer, params: None) -> None:
        if ls.poller is not None:
            ls.poller.cancel()
        for waiting in ls.pending.values():
            waiting.cancel()
        # the check under way ends (a few milliseconds), then what the session analysed is
        # kept for the next start, as a check from the command line keeps it
        ls.worker.shutdown(wait=True, cancel_futures=True)
        if ls.engine is not None:
            ls.engine.keep()

    return server


def serve(args: Any, *, debounce: float, reload_interval: float, stdin: BinaryIO,
          stdout: BinaryIO) -> None:
    """Run until the editor says exit (or goes away)."""
    create_server(args, debounce=debounce, reload_interval=reload_interval).start_io(
        stdin, stdout)

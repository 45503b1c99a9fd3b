"""The ASGI application: LanguageTool's API, the native JSON API, the editor's page, health.

Safe by default: every request body is bounded (413), every check has a time
limit (504) and a slot among a fixed number (503 with Retry-After when all
are taken), an optional bearer token guards everything but the page and
`/healthz`, CORS is off unless origins are named, and nothing a request
carries is used as a path or file name. A malformed request is a 4xx with a
JSON error; an unexpected failure is a 500 with a JSON error and no traceback.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glossary_check import __version__
from glossary_check.commands.warm import Engine, RequestError, document_format
from glossary_check.commands.web import languagetool as lt
from glossary_check.commands.web.metrics import Metrics
from glossary_check.report import json_report

log = logging.getLogger("glossary_check.serve")
T = TypeVar("T")

#: The page may load only what this server sends; no inline script, no framing.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
#: What needs no token: the page and its files, and the health check.
OPEN_PATHS = frozenset({"/", "/app.js", "/app.css", "/healthz"})
PAGE_FILES = {"/": ("index.html", "text/html; charset=utf-8"),
              "/app.js": ("app.js", "text/javascript; charset=utf-8"),
              "/app.css": ("app.css", "text/css; charset=utf-8")}
ROUTES = frozenset({*PAGE_FILES, "/healthz", "/metrics", "/api/check", "/api/fix",
                    "/api/entry", "/v2/check", "/v2/languages"})


@dataclass(frozen=True, slots=True)
class Limits:
    max_body: int = 1024 * 1024
    timeout: float = 30.0
    concurrency: int = 4
    retry_after: int = 1
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    reload_interval: float = 2.0


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status,
                        headers=dict(headers or {}))


class Guard:
    """Outermost layer: body limit, token, security headers and the request metrics."""

    def __init__(self, app: ASGIApp, limits: Limits, metrics: Metrics) -> None:
        self.app, self.limits, self.metrics = app, limits, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope.get("path", "")
        route = path if path in ROUTES else "other"
        status = 500

        async def send_secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                policy = PAGE_POLICY if path in PAGE_FILES else API_POLICY
                headers += [(b"content-security-policy", policy.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"no-referrer"),
                            (b"cache-control", b"no-store")]
                message = {**message, "headers": headers}
            await send(message)

        try:
            refused = self.refuse(scope, path)
            if refused is not None:
                await refused(scope, receive, send_secured)
                return
            body = await self.read_body(receive)
            if body is None:
                self.metrics.reject("body-too-large")
                await _error(413, f"request body larger than {self.limits.max_body} bytes")(
                    scope, receive, send_secured)
                return
            await self.app(scope, _replay(body, receive), send_secured)
        finally:
            self.metrics.observe(route, scope.get("method", ""), status,
                                 time.perf_counter() - started)

    def refuse(self, scope: Scope, path: str) -> Response | None:
        headers = dict(scope.get("headers", []))
        if (self.limits.token is not None and path not in OPEN_PATHS
                and scope.get("method") != "OPTIONS"):
            given = headers.get(b"authorization", b"").decode("latin-1")
            expected = f"Bearer {self.limits.token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                self.metrics.reject("unauthorized")
                return _error(401, "a bearer token is required (Authorization: Bearer ...)",
                              {"WWW-Authenticate": "Bearer"})
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_large = int(length) > self.limits.max_body
            except ValueError:
                return _error(400, "Content-Length is not a number")
            if too_large:
                self.metrics.reject("body-too-large")
                return _error(413, f"request body larger than {self.limits.max_body} bytes")
        return None

    async def read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class Server:
    """The routes, over one warm engine."""

    def __init__(self, engine: Engine, limits: Limits, metrics: Metrics) -> None:
        self.engine, self.limits, self.metrics = engine, limits, metrics
        self.slots = threading.BoundedSemaphore(limits.concurrency)
        self.started = time.time()
        package = resources.files("glossary_check.commands.web") / "static"
        self.page = {route: ((package / name).read_bytes(), kind)
                     for route, (name, kind) in PAGE_FILES.items()}

    async def run(self, work: Callable[[], T]) -> T:
        """`work` in a worker thread, in one of the free slots, within the time limit.

        A slot is given back when the work ends, not when the client is answered, so
        a check that overran still counts against the limit until it is done.
        """
        if not self.slots.acquire(blocking=False):
            self.metrics.reject("busy")
            raise HTTPException(503, "busy: every check slot is taken, try again shortly",
                                headers={"Retry-After": str(self.limits.retry_after)})
        self.metrics.in_flight += 1

        def bounded() -> T:
            try:
                return work()
            finally:
                self.metrics.in_flight -= 1
                self.slots.release()

        try:
            with anyio.fail_after(self.limits.timeout):
                return await anyio.to_thread.run_sync(bounded, abandon_on_cancel=True)
        except TimeoutError:
            self.metrics.reject("timeout")
            raise HTTPException(504, f"the check took longer than {self.limits.timeout:g} s"
                                ) from None

    # --- the page, health and metrics ------------------------------------------------------
    async def static(self, request: Request) -> Response:
        body, kind = self.page[request.url.path]
        return Response(body, media_type=kind)

    async def healthz(self, request: Request) -> Response:
        engine = self.engine
        glossary = engine.session.compiled.glossary
        return JSONResponse({
            "status": "ok" if engine.reload_error is None else "stale",
            "version": __version__,
            "generation": engine.generation,
            "glossary": {"name": glossary.path.rsplit("/", 1)[-1],
                         "entries": len(glossary.entries), "language": glossary.language},
            "loaded_at": engine.loaded_at,
            "reload_error": engine.reload_error,
        })

    async def metrics_text(self, request: Request) -> Response:
        engine = self.engine
        gauges = {
            "glossary_check_glossary_generation": ("Times the glossary was loaded.",
                                                   float(engine.generation)),
            "glossary_check_glossary_entries": (
                "Entries in the glossary serving.",
                float(len(engine.session.compiled.glossary.entries))),
            "glossary_check_glossary_reload_failing": (
                "1 while the latest change to the glossary failed to load.",
                1.0 if engine.reload_error else 0.0),
            "glossary_check_uptime_seconds": ("Seconds since the server started.",
                                              time.time() - self.started),
        }
        return PlainTextResponse(self.metrics.render(gauges),
                                 media_type="text/plain; version=0.0.4")

    # --- the native API ------------------------------------------------------------------
    async def api_check(self, request: Request) -> Response:
        body = await _json_body(request)
        text = _text(body, "text")
        fmt = document_format(body.get("format"))
        source = _text(body, "source") if body.get("source") is not None else None
        language = body.get("source_language")
        if language is not None and not isinstance(language, str):
            raise RequestError("source_language must be a string")

        def work() -> dict[str, Any]:
            session, result = self.engine.check(text, fmt, source, language)
            return json_report.as_dict(self.engine.run(session, [result]))

        report = await self.run(work)
        self.metrics.found(f["rule"] for f in report["files"][0]["findings"])
        failed = "error" in report["files"][0]
        return JSONResponse(report, status_code=422 if failed else 200)

    async def api_fix(self, request: Request) -> Response:
        body = await _json_body(request)
        text = _text(body, "text")
        fmt = document_format(body.get("format"))
        unsafe = body.get("unsafe", False)
        if not isinstance(unsafe, bool):
            raise RequestError("unsafe must be true or false")
        only = _only(body)

        def work() -> dict[str, Any]:
            session, fixed = self.engine.fix(text, fmt, unsafe=unsafe, only=only)
            report = json_report.as_dict(self.engine.run(session, [fixed.result]))
            return {"text": fixed.after, "changed": fixed.after != fixed.before,
                    "fixed": fixed.fixed, "diff": fixed.diff, "error": fixed.error,
                    "report": report}

        out = await self.run(work)
        return JSONResponse(out, status_code=422 if out["error"] else 200)

    async def api_entry(self, request: Request) -> Response:
        """A glossary entry's note and link, which the report leaves to the glossary."""
        term = request.query_params.get("term", "")
        entry = self.engine.session.compiled.glossary.by_term().get(term)
        if entry is None:
            raise HTTPException(404, "no such entry in the glossary")
        return JSONResponse({"term": entry.term, "kind": entry.kind, "note": entry.note,
                             "url": entry.url})

    # --- LanguageTool's API --------------------------------------------------------------
    async def v2_languages(self, request: Request) -> Response:
        return JSONResponse(lt.languages(self.engine.session.compiled.glossary.language))

    async def v2_check(self, request: Request) -> Response:
        fields = await _form(request)
        language = fields.get("language")
        if not language:
            raise RequestError("language is required (e.g. en-US, or auto)")
        if "text" in fields:
            annotated = lt.plain(fields["text"])
        elif "data" in fields:
            annotated = lt.parse_data(fields["data"])
        else:
            raise RequestError("text or data is required")
        _encodable(annotated.whole, "text")
        published = self.engine.session.compiled.glossary.language
        if not lt.accepts(language, published):
            raise RequestError(f"language {language!r} is not supported here: articles are "
                               f"checked as {published}")

        def work() -> dict[str, Any]:
            from glossary_check.rules import registry

            session, result = self.engine.check(annotated.prose, "text")
            if result.error is not None:
                raise RequestError(result.error)
            self.engine.run(session, [result])  # machine translation, as for every report
            summaries = {r.id: r.summary for r in registry().values()}
            return lt.response(result.findings, annotated,
                               session.compiled.glossary.language, summaries, __version__)

        out = await self.run(work)
        self.metrics.found(m["rule"]["id"] for m in out["matches"])
        return JSONResponse(out)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise RequestError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    return body


def _encodable(text: str, name: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError(f"{name} holds a lone surrogate, which is not text") from None
    return text


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise RequestError(f"{name} is required and must be a string")
    return _encodable(value, name)


def _only(body: Mapping[str, Any]) -> tuple[int, str] | None:
    if body.get("offset") is None and body.get("rule") is None:
        return None
    offset, rule = body.get("offset"), body.get("rule")
    if not isinstance(offset, int) or isinstance(offset, bool) or not isinstance(rule, str):
        raise RequestError("to fix one finding give its offset (a number) and rule (a string)")
    return offset, rule


async def _form(request: Request) -> dict[str, str]:
    """LanguageTool's parameters: a form (POST) or the query string (GET)."""
    fields: dict[str, str] = dict(request.query_params)
    if request.method == "POST":
        try:
            form = await request.form(max_files=0, max_fields=64)
        except HTTPException as exc:
            raise RequestError(f"malformed form: {exc.detail}") from None
        except (ValueError, KeyError, AssertionError) as exc:
            raise RequestError(f"malformed form: {exc}") from None
        for key, value in form.items():
            if not isinstance(value, str):
                raise RequestError("files are not accepted")
            fields[key] = value
    return fields


def _handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail), exc.headers)

    async def bad_request(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc))

    async def failure(request: Request, exc: Exception) -> Response:
        log.error("internal error answering %s %s", request.method, request.url.path,
                  exc_info=exc)
        return _error(500, "internal error: the server's log says more")

    return {HTTPException: http_error, RequestError: bad_request, Exception: failure}


def create_app(engine: Engine, limits: Limits, metrics: Metrics | None = None) -> ASGIApp:
    metrics = metrics or Metrics()
    server = Server(engine, limits, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        watcher = threading.Thread(target=engine.watch, args=(limits.reload_interval, stop),
                                   name="glossary-watch", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            engine.keep()  # the requests are answered by now (uvicorn waits for them)

    routes = [Route(path, server.static, methods=["GET"]) for path in PAGE_FILES]
    routes += [
        Route("/healthz", server.healthz, methods=["GET"]),
        Route("/metrics", server.metrics_text, methods=["GET"]),
        Route("/api/check", server.api_check, methods=["POST"]),
        Route("/api/fix", server.api_fix, methods=["POST"]),
        Route("/api/entry", server.api_entry, methods=["GET"]),
        Route("/v2/check", server.v2_check, methods=["GET", "POST"]),
        Route("/v2/languages", server.v2_languages, methods=["GET"]),
    ]
    app: ASGIApp = Starlette(routes=routes, exception_handlers=_handlers(), lifespan=lifespan)
    if limits.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app = CORSMiddleware(app, allow_origins=list(limits.cors_origins),
                             allow_methods=["GET", "POST"],
                             allow_headers=["Authorization", "Content-Type"])
    return Guard(app, limits, metrics)

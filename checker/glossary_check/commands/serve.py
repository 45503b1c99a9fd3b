"""`glossary-check serve`: the checks over HTTP for editors' tools and LanguageTool clients.

The glossary is compiled once and kept warm; a change to it (or to the
configuration) is picked up without a restart. Needs the `serve` extra
(Starlette, uvicorn, python-multipart).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

from glossary_check.commands.options import (
    SUPPRESS,
    add_compiled,
    add_configuration,
    add_glossary,
    add_rule_selection,
    file_size,
    positive,
)
from glossary_check.core.errors import ExitCode, UsageError
from glossary_check.core.inputs import read_bounded

DEFAULT_PORT = 8081  # LanguageTool's own server listens on 8081 too


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check serve",
        description="Serve the checks over HTTP: LanguageTool's API (/v2/check), the JSON "
        "report (/api/check, /api/fix), an editor's page (/), /healthz and /metrics.")
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
    net = parser.add_argument_group("network and limits")
    net.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only)")
    net.add_argument("--port", type=int, default=DEFAULT_PORT,
                     help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)")
    net.add_argument("--token-file", metavar="FILE",
                     help="require 'Authorization: Bearer TOKEN' with the token in FILE "
                     "(everything but the page and /healthz)")
    net.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                     help="allow browser pages from ORIGIN to call the API (repeatable; "
                     "default: none)")
    net.add_argument("--max-body", type=file_size, default=1024 * 1024, metavar="SIZE",
                     help="largest request body (default: 1M); larger ones get 413")
    net.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                     help="time limit of one check (default: 30); past it 504")
    net.add_argument("--concurrency", type=positive, default=4, metavar="N",
                     help="checks running at once (default: 4); past it 503 with Retry-After")
    net.add_argument("--reload-interval", type=float, default=2.0, metavar="SECONDS",
                     help="how often the glossary's files are looked at for changes "
                     "(default: 2)")
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                        default="info")
    return parser


def read_token(path: str) -> str:
    """The token in FILE: one line, at least 16 characters, in a file only its owner reads."""
    try:
        if os.stat(path).st_mode & 0o077:
            raise UsageError(f"{path}: a token file must be readable by its owner only "
                             "(chmod 600)")
        token = read_bounded(path).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the token: {exc}") from None
    if len(token) < 16 or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise UsageError(f"{path}: the token must be one line of at least 16 printable "
                         "characters without spaces")
    return token


def _positive_seconds(value: float, flag: str) -> float:
    if not value > 0 or value != value or value == float("inf"):
        raise UsageError(f"{flag} must be a number of seconds above 0")
    return value


#: Flags of the server itself; the others are the check's, resolved into its `Options`.
SERVER_FLAGS = ("host", "port", "token_file", "cors_origin", "max_body", "timeout",
                "concurrency", "reload_interval", "log_level")


def check_args(args: argparse.Namespace) -> argparse.Namespace:
    """The flags that make the check's `Options` (reloading resolves them again)."""
    return argparse.Namespace(**{k: v for k, v in vars(args).items()
                                 if k not in SERVER_FLAGS})


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        import uvicorn

        from glossary_check.commands.web.app import Limits, create_app
        from glossary_check.commands.web.engine import Engine
    except ImportError as exc:
        raise UsageError(f"serve needs the serve extra: pip install 'glossary-check[serve]' "
                         f"({exc.name} is missing)") from None
    limits = Limits(
        max_body=args.max_body, timeout=_positive_seconds(args.timeout, "--timeout"),
        concurrency=args.concurrency, cors_origins=tuple(args.cors_origin),
        token=read_token(args.token_file) if args.token_file else None,
        reload_interval=_positive_seconds(args.reload_interval, "--reload-interval"))
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s: %(message)s")
    engine = Engine(check_args(args))
    uvicorn.run(create_app(engine, limits), host=args.host, port=args.port,
                log_level=args.log_level, server_header=False, timeout_graceful_shutdown=5)
    return ExitCode.OK

"""`glossary-check lsp`: the checks in any editor that speaks the Language Server Protocol.

A language server over standard input and output: findings as diagnostics
while the editor types, their fixes as code actions, the glossary's note,
link and the machine translation on hover. The configuration is the one a
check run in the workspace's root folder would read, the glossary is kept
warm and reloaded when its files change. Needs the `lsp` extra (pygls).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import BinaryIO

from glossary_check.commands.options import number_between
from glossary_check.commands.warm import add_engine_flags, engine_args
from glossary_check.core.errors import ExitCode, UsageError

#: Flags of the server itself; the others are the check's, resolved into its `Options`.
SERVER_FLAGS = ("stdio", "debounce", "reload_interval", "log_level")


_seconds = number_between(0, 3600, "a number of seconds (0 to 3600)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check lsp",
        description="A language server over standard input and output: diagnostics, "
        "code actions for the fixes, hover with the glossary's note and link. Start it "
        "from the editor; the workspace's configuration is read as a check in its root "
        "folder reads it, and the flags below override it.")
    add_engine_flags(parser)
    server = parser.add_argument_group("server")
    server.add_argument("--stdio", action="store_true",
                        help="talk over standard input and output (the only way; accepted "
                        "because editors' clients pass it)")
    server.add_argument("--debounce", type=_seconds, default=0.3, metavar="SECONDS",
                        help="wait this long after the last keystroke before checking "
                        "(default: 0.3)")
    server.add_argument("--reload-interval", type=_seconds, default=2.0, metavar="SECONDS",
                        help="how often the glossary's files are looked at for changes, besides "
                        "the editor's file events (default: 2; 0: only those events)")
    server.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                        default="warning", help="what goes to standard error (default: warning)")
    return parser


def _keep_stdout() -> tuple[BinaryIO, BinaryIO]:
    """The protocol's own output, and standard output pointed at standard error: a stray print
    (or a library writing to file descriptor 1) must never land in the middle of a message."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return sys.stdin.buffer, protocol_out


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        from glossary_check.commands.lsp_server import serve
    except ImportError as exc:
        raise UsageError(f"lsp needs the lsp extra: pip install 'glossary-check[lsp]' "
                         f"({exc.name} is missing)") from None
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="glossary-check lsp %(levelname)s: %(message)s")
    if args.log_level != "debug":  # pygls logs every message it sends at info
        logging.getLogger("pygls").setLevel(logging.WARNING)
    stdin, stdout = _keep_stdout()
    serve(engine_args(args, SERVER_FLAGS), debounce=args.debounce,
          reload_interval=args.reload_interval, stdin=stdin, stdout=stdout)
    return ExitCode.OK

"""The command line: parse arguments, run the pipeline, print a report, exit 0/1/2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from glossary_check import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("explain",)


class UsageError(Exception):
    """Bad arguments: a one-line message and exit status 2."""


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check",
        description="Check articles against a newsroom glossary: wrong renderings, wrong case, "
        "source-language names left in, untranslated spans, mixed scripts and inconsistent names.",
        epilog="Subcommands: 'glossary-check explain RULE'. Exit status: 0 clean, 1 findings at or "
        "above --fail-on, 2 the run could not be done.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to check; '-' reads standard input")
    parser.add_argument("-g", "--glossary", metavar="FILE",
                        help="glossary YAML (default: the nearest glossary-check.yaml or glossary.yaml "
                        "upwards from here, else the bundled newsroom glossary)")
    parser.add_argument("-f", "--format", default="text",
                        choices=("text", "json", "sarif", "github", "rdjsonl"),
                        help="report format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--select", type=_csv, metavar="RULES", help="only these rules (comma-separated)")
    parser.add_argument("--ignore", type=_csv, default=[], metavar="RULES", help="skip these rules")
    parser.add_argument("--fail-on", default="error", choices=("error", "warning", "info", "never"),
                        help="lowest severity that makes the exit status 1 (default: error)")
    parser.add_argument("--include", type=_csv, default=[], metavar="GLOBS",
                        help="file globs picked up in directories (default: *.txt,*.md,*.html,...)")
    parser.add_argument("--exclude", type=_csv, default=[], metavar="GLOBS", help="file globs to skip")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="name (and so format) for standard input, e.g. article.md")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing; only the exit status")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in the text report (default: auto; NO_COLOR is honoured)")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--version", action="version", version=f"glossary-check {__version__}")
    return parser


def _explain(argv: Sequence[str]) -> int:
    from glossary_check.rules import registry

    rules = registry()
    if len(argv) != 1 or argv[0] not in rules:
        known = ", ".join(rules)
        print(f"glossary-check: explain takes one rule: {known}", file=sys.stderr)
        return EXIT_ERROR
    rule = rules[argv[0]]
    print(f"{rule.id} ({rule.severity.label}; fix: {rule.fix.value})\n\n{rule.explain}")
    return EXIT_OK


def _list_rules() -> int:
    from glossary_check.rules import registry

    for rule in registry().values():
        print(f"{rule.id:<15} {rule.severity.label:<8} {rule.summary}")
    return EXIT_OK


def _use_colour(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _glossary_path(option: str | None) -> Path:
    from glossary_check.files import bundled_glossary, find_glossary

    if option:
        return Path(option)
    return find_glossary(Path.cwd()) or bundled_glossary()


def _check(args: argparse.Namespace) -> int:
    from glossary_check.compiled import compile_all
    from glossary_check.files import collect
    from glossary_check.findings import Severity
    from glossary_check.glossary import GlossaryError, load_glossary
    from glossary_check.pipeline import Settings
    from glossary_check.report import Run, renderer
    from glossary_check.rules import registry
    from glossary_check.runner import check_files

    known = registry()
    for name in [*(args.select or []), *args.ignore]:
        if name not in known:
            raise UsageError(f"unknown rule {name!r} (known: {', '.join(known)})")
    if not args.paths:
        raise UsageError("no files to check (give paths, a directory, or '-' for standard input)")
    try:
        glossary = load_glossary(_glossary_path(args.glossary))
    except GlossaryError as exc:
        print(f"glossary-check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    compiled = compile_all(glossary)
    settings = Settings(
        select=frozenset(args.select) if args.select is not None else None,
        ignore=frozenset(args.ignore),
    )
    paths = list(collect(args.paths, args.include, args.exclude))
    results = check_files(paths, compiled, settings, stdin_name=args.stdin_filename)
    run = Run(__version__, glossary.path, len(glossary.entries), results,
              rules={r.id: r.summary for r in known.values()})
    for result in results:
        if result.error is not None:
            print(f"glossary-check: {result.error}", file=sys.stderr)
    if not args.quiet:
        render = renderer(args.format)
        if args.output:
            text = render(run) if args.format != "text" else render(run, colour=False)
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            text = render(run, colour=_use_colour(args.color, sys.stdout)) if args.format == "text" else render(run)
            sys.stdout.write(text)
    if any(r.error is not None for r in results):
        return EXIT_ERROR
    if args.fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(args.fail_on)
    failing = any(f.severity >= threshold for r in results for f in r.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "explain":
            return _explain(argv[1:])
        args = build_parser().parse_args(argv)
        if args.list_rules:
            return _list_rules()
        return _check(args)
    except UsageError as exc:
        print(f"glossary-check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130

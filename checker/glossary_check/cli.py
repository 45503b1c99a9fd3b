"""The command line: parse arguments, run the pipeline, print a report, exit 0/1/2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_check import __version__
from glossary_check.options import add_selection, positive

if TYPE_CHECKING:
    from glossary_check.compiled import Compiled
    from glossary_check.findings import FileResult
    from glossary_check.fixes import FixRun
    from glossary_check.pipeline import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: the same as report.FORMATS (a test says so), which --help should not import
FORMATS = ("text", "json", "sarif", "github", "rdjsonl", "html")


class UsageError(Exception):
    """Bad arguments: a one-line message and exit status 2."""


def _tune_gc() -> None:
    """A check allocates millions of small objects and makes few reference cycles.

    With the default thresholds the cycle collector rescans what a run has
    decoded (glossary entries, morphology patterns) over and over: a third of
    a large run's time. Objects alive now (the compiled glossary) are frozen
    out of collection, which also keeps forked workers from copying them.
    """
    import gc

    gc.freeze()
    gc.set_threshold(200_000, 30, 30)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use
    except AttributeError:
        return os.cpu_count() or 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check",
        description="Check articles against a newsroom glossary: wrong renderings, wrong case, "
        "source-language names left in, untranslated spans, mixed scripts and inconsistent names.",
        epilog="Subcommands: 'glossary-check explain RULE', 'glossary-check archive PATH...' "
        "(whole archives on Dask), 'glossary-check config' (the effective configuration), "
        "'glossary-check test GLOSSARY' (run the entries' examples). "
        "Exit status: 0 clean, 1 findings at or above --fail-on, 2 the run could not be done.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to check; '-' reads standard input")
    parser.add_argument("-g", "--glossary", metavar="FILE",
                        help="glossary YAML (default: the nearest glossary-check.yaml or "
                        "glossary.yaml upwards from here, else the bundled newsroom glossary)")
    parser.add_argument("-f", "--format", default="text",
                        choices=FORMATS,
                        help="report format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report here instead of stdout")
    add_selection(parser)
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="name (and so format) for standard input, e.g. article.md")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing; only the exit status")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in the text report (default: auto; NO_COLOR is honoured)")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--jobs", type=positive, default=None, metavar="N",
                        help="check files in N processes (default: one per CPU; 1: none); "
                        "a few small files are always checked in one")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the compiled-glossary cache (kept in the "
                        "user cache directory, or $GLOSSARY_CHECK_CACHE_DIR)")
    workflow = parser.add_argument_group("fixing, suppressions, configuration and CI")
    workflow.add_argument("--fix", action="store_true",
                          help="write safe fixes (variant, case, mixed-script) into the files")
    workflow.add_argument("--unsafe-fixes", action="store_true",
                          help="with --fix or --diff: also unsafe ones (source-form, inconsistent)")
    workflow.add_argument("--diff", action="store_true",
                          help="print the fixes as a unified diff instead of writing them; exit 1 "
                          "if there are any")
    workflow.add_argument("--report-unused-ignores", action="store_true",
                          help="report suppression comments that suppress nothing (unused-ignore)")
    workflow.add_argument("--changed-lines", metavar="REF",
                          help="only findings on lines changed against git REF (e.g. origin/main)")
    workflow.add_argument("--config", metavar="FILE",
                          help="configuration file (default: the nearest glossary-check.toml or "
                          "pyproject.toml with [tool.glossary-check], upwards from here)")
    workflow.add_argument("--no-config", action="store_true", help="read no configuration file")
    workflow.add_argument("--language", metavar="LANG",
                          help="the language articles are published in (default: the glossary's)")
    mt = parser.add_argument_group("machine translation")
    mt.add_argument("--no-translate", action="store_true",
                    help="do not machine-translate untranslated spans")
    mt.add_argument("--threads", type=int, metavar="N",
                    help="translation workers (default: the machine's cores, at most 4)")
    mt.add_argument("--source", metavar="ORIGINAL",
                    help="check the one PATH as a translation of ORIGINAL (rule mistranslation)")
    mt.add_argument("--source-language", metavar="LANG",
                    help="language of ORIGINAL (default: identified from its text)")
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
    from glossary_check import cache
    from glossary_check.compiled import compile_all
    from glossary_check.files import collect
    from glossary_check.findings import Severity
    from glossary_check.glossary import GlossaryError
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
        if len(getattr(args, "glossaries", None) or ()) > 1:
            from glossary_check.config import load_glossaries

            compiled = compile_all(load_glossaries(args.glossaries))
        else:
            cache_dir = None if getattr(args, "no_cache", False) else cache.default_dir()
            compiled = cache.load(_glossary_path(args.glossary), cache_dir)
    except GlossaryError as exc:
        print(f"glossary-check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if getattr(args, "language", None) and args.language != compiled.glossary.language:
        import dataclasses

        compiled = dataclasses.replace(
            compiled, glossary=dataclasses.replace(compiled.glossary, language=args.language))
    glossary = compiled.glossary
    _tune_gc()
    settings = Settings(
        select=frozenset(args.select) if args.select is not None else None,
        ignore=frozenset(args.ignore),
        severities={k: Severity.parse(v) for k, v in getattr(args, "severities", {}).items()},
        report_unused_ignores=bool(getattr(args, "report_unused_ignores", False)),
    )
    paths = list(collect(args.paths, args.include, args.exclude))
    from glossary_check.progress import for_run

    use_cache = not getattr(args, "no_cache", False)
    if args.source:
        results = [_check_translation(args, paths, compiled, settings)]
    else:
        with for_run(len(paths), quiet=args.quiet) as bar:
            results = check_files(paths, compiled, settings, stdin_name=args.stdin_filename,
                                  on_done=lambda r: bar.advance(r.path),
                                  jobs=getattr(args, "jobs", None) or _default_jobs())
    results, fixing = _workflow(args, paths, results, compiled, settings)
    if fixing is not None and args.diff:
        unreadable = [r.error for r in results if r.error is not None]
        for message in [*unreadable, *fixing.errors]:
            print(f"glossary-check: {message}", file=sys.stderr)
        if not args.quiet:
            sys.stdout.write("".join(fixing.diffs))
        if unreadable or fixing.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if fixing.diffs else EXIT_OK
    notices: list[str] = []
    if not args.no_translate:  # after --diff, which prints no report to translate for
        from glossary_check.mt_commands import translate_results

        notices = translate_results(results, compiled, threads=args.threads, use_cache=use_cache)
    run = Run(__version__, glossary.path, len(glossary.entries), results,
              [*compiled.notices, *notices],
              rules={r.id: r.summary for r in known.values()})
    for result in results:
        if result.error is not None:
            print(f"glossary-check: {result.error}", file=sys.stderr)
    report_stream = sys.stdout
    if fixing is not None:
        run.notices.append(fixing.notice(write=True))
        for message in fixing.errors:
            print(f"glossary-check: {message}", file=sys.stderr)
        if fixing.stdin is not None:
            sys.stdout.flush()  # the fixed bytes as they came (BOM, line ends); report to stderr
            sys.stdout.buffer.write(fixing.stdin)
            report_stream = sys.stderr
    if not args.quiet:
        render = renderer(args.format)
        if args.output:
            text = render(run) if args.format != "text" else render(run, colour=False)
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                print(f"glossary-check: {args.output}: cannot write: {exc.strerror}",
                      file=sys.stderr)
                return EXIT_ERROR
        else:
            colour = _use_colour(args.color, report_stream)
            text = render(run, colour=colour) if args.format == "text" else render(run)
            report_stream.write(text)
    if any(r.error is not None for r in results) or (fixing is not None and fixing.errors):
        return EXIT_ERROR
    if args.fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(args.fail_on)
    failing = any(f.severity >= threshold for r in results for f in r.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def _check_translation(
    args: argparse.Namespace, paths: list[str], compiled: Compiled, settings: Settings
) -> FileResult:
    """`--source ORIGINAL TRANSLATION`: the translation checked with its source lined up."""
    from glossary_check.align import pair_documents
    from glossary_check.documents import DocumentError, read_document
    from glossary_check.runner import check_file, read_input

    if len(paths) != 1 or paths[0] == "-":
        raise UsageError("--source ORIGINAL takes exactly one TRANSLATION file")
    try:
        source = read_document(args.source, read_input(args.source))
        data = read_input(paths[0])
        translation = read_document(paths[0], data)
    except DocumentError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{exc.filename}: {exc.strerror}") from None
    language = args.source_language
    if not language:
        from glossary_check import languages

        language = languages.identify(source.view)
    translator = None
    if not args.no_translate:
        from glossary_check.mt_commands import open_or_notice

        translator, _ = open_or_notice(args.threads, not getattr(args, "no_cache", False))
    pairing = pair_documents(source, translation, compiled, translator, language)
    return check_file(paths[0], compiled, settings, data=data, pairing=pairing)


def _workflow(
    args: argparse.Namespace, paths: list[str], results: list[FileResult], compiled: Compiled,
    settings: Settings,
) -> tuple[list[FileResult], FixRun | None]:
    """--changed-lines, then --fix / --diff (which re-check what they change)."""
    def keep(_path: str, result: FileResult) -> FileResult:
        return result

    if args.changed_lines:
        from glossary_check.changed import ChangedLinesError, LineFilter

        try:
            keep = LineFilter(args.changed_lines, paths)  # type: ignore[assignment]
        except ChangedLinesError as exc:
            raise UsageError(str(exc)) from None
        results = [keep(p, r) for p, r in zip(paths, results, strict=True)]
    if not (args.fix or args.diff):
        return results, None
    from glossary_check.documents import format_for
    from glossary_check.fixes import fix_results
    from glossary_check.runner import check_file

    def recheck(path: str, result: FileResult) -> Callable[[bytes], FileResult]:
        def check(data: bytes) -> FileResult:
            return keep(path, check_file(path, compiled, settings, shown=result.path, data=data))

        return check

    fixing = fix_results(paths, results, recheck, fmt=format_for, unsafe=args.unsafe_fixes,
                         write=not args.diff)
    return fixing.results, fixing


def _config(argv: Sequence[str]) -> int:
    """`glossary-check config [FLAGS]`: the effective configuration and where each value is from."""
    from glossary_check.config import ConfigError, describe, resolve
    from glossary_check.files import bundled_glossary, find_glossary

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        effective = resolve(args, parser, argv)
    except ConfigError as exc:
        print(f"glossary-check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    found = find_glossary(Path.cwd())
    fallback = ([str(found)], "default (found upwards)") if found else (
        [str(bundled_glossary())], "default (bundled)")
    sys.stdout.write(describe(effective, fallback))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "explain":
            return _explain(argv[1:])
        if argv and argv[0] == "archive":
            from glossary_check.archive import main as archive

            return archive(argv[1:])
        if argv and argv[0] == "test":
            from glossary_check.selftest import main as selftest

            return selftest(argv[1:])
        if argv and argv[0] == "config":
            return _config(argv[1:])
        if argv and argv[0] in ("models", "audit", "cache"):
            from glossary_check import mt_commands

            command = {"models": mt_commands.models_main, "audit": mt_commands.audit_main,
                       "cache": mt_commands.cache_main}[argv[0]]
            return command(argv[1:])
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.list_rules:
            return _list_rules()
        from glossary_check.config import ConfigError, resolve

        try:
            resolve(args, parser, argv)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        return _check(args)
    except UsageError as exc:
        print(f"glossary-check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130

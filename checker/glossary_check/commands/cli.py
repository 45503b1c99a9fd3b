"""The command line: parse arguments, open a session, run the checks, report, exit 0/1/2."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from glossary_check import __version__
from glossary_check.commands.options import (
    SUPPRESS,
    Options,
    add_compiled,
    add_configuration,
    add_glossary,
    add_selection,
    file_size,
    positive,
    resolve,
)
from glossary_check.core.errors import ExitCode, GlossaryCheckError, UsageError
from glossary_check.core.processes import cpus
from glossary_check.core.visible import escape, print_error
from glossary_check.report import FORMATS

if TYPE_CHECKING:
    from glossary_check.commands.session import Session
    from glossary_check.core.findings import FileResult
    from glossary_check.report import Run
    from glossary_check.workflow.fixes import FixRun

#: The subcommands, each with the line `--help` shows for it; the main command checks files.
COMMANDS: dict[str, str] = {
    "explain": "explain RULE: what a rule finds, why, examples and how safe its fix is",
    "config": "config [FLAGS]: the effective configuration, each value with where it came from",
    "compile": "compile GLOSSARY... -o FILE: the glossary compiled ahead, for --compiled FILE",
    "test": "test GLOSSARY...: run every entry's examples",
    "audit": "audit GLOSSARY: where machine translation disagrees with the desk's terms",
    "archive": "archive PATH...: check a whole archive on Dask, findings as JSON Lines",
    "learn": "learn ORIGINALS TRANSLATIONS: propose glossary entries from the archive",
    "models": "models list|install|remove: the offline translation models",
    "cache": "cache info|clear: the on-disk caches",
    "serve": "serve [--port N]: the checks over HTTP (LanguageTool's API, JSON, a page)",
    "lsp": "lsp: a language server for editors (diagnostics, fixes, hover), over stdio",
}


class OutputError(GlossaryCheckError):
    """The report could not be written (a full disk, a closed stream): one line, exit 2."""


def _emit(stream: TextIO | None, data: str | bytes) -> None:
    """Write and flush at once, so a full disk or a closed stream is this run's one-line
    error rather than a traceback when the interpreter flushes at exit."""
    if stream is None:  # started with the descriptor closed
        raise OutputError("cannot write the report: standard output is closed")
    try:
        if isinstance(data, bytes):
            stream.flush()
            stream.buffer.write(data)
        else:
            stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the report: {exc.strerror or exc}") from None
    except ValueError:  # closed in this process
        raise OutputError("cannot write the report: standard output is closed") from None


def _silence_stdout() -> None:
    """Point standard output at the null device, so what is still buffered for a stream that
    failed is not written (and failed) again at exit."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _tune_gc() -> None:
    """A check allocates millions of small objects and makes few reference cycles.

    With the default thresholds the cycle collector rescans what a run has
    decoded (glossary entries, morphology patterns) over and over: a third of
    a large run's time. So the thresholds are raised before the check loads
    anything (`_open_uncollected` then keeps the collector out of the glossary's
    loading altogether).
    """
    import gc

    gc.set_threshold(200_000, 30, 30)


def _open_uncollected(options: Options) -> Session:
    """The session, its glossary read and compiled with the cycle collector off: loading
    makes objects by the hundred thousand and next to no garbage, and each collection
    would walk every one of them again (a quarter of a cold one-article run, most of the
    collector's time in a cold 10,000-entry one). What is alive then (the compiled
    glossary) is frozen out of collection, which also keeps forked workers from copying it.
    """
    import gc

    from glossary_check.commands.session import open_session

    collecting = gc.isenabled()  # a caller that turned it off keeps it off
    gc.disable()
    try:
        session = open_session(options)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    return session


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """argparse quotes unknown arguments as given, file names from a glob among them."""
        super().error(escape(message))


def build_parser(prog: str = "glossary-check", description: str | None = None,
                 ) -> argparse.ArgumentParser:
    commands = "\n".join(f"  glossary-check {line}" for line in COMMANDS.values())
    parser = _Parser(
        prog=prog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(description or "Check articles against a newsroom "
        "glossary: wrong renderings, wrong case, source-language names left in, untranslated "
        "spans, mixed scripts, inconsistent names and the source language's typography; "
        "with --source, what the translation lost or changed.", 79),
        epilog=f"commands:\n{commands}\n\n'glossary-check COMMAND --help' says more. Exit "
        "status: 0 clean, 1 findings at or above --fail-on, 2 the run could not be done.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to check (default: .); '-' reads "
                        "standard input")
    add_glossary(parser)
    add_compiled(parser)
    parser.add_argument("-f", "--format", choices=FORMATS, default=SUPPRESS,
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
    parser.add_argument("--jobs", type=positive, metavar="N",
                        help="check files in N processes (default: one per CPU; 1: none); "
                        "a few small files are always checked in one")
    parser.add_argument("--max-file-size", type=file_size, default=SUPPRESS, metavar="SIZE",
                        help="refuse inputs larger than this (bytes, or with K, M, G; "
                        "default: 16M)")
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
    workflow.add_argument("--report-unused-ignores", action="store_true", default=SUPPRESS,
                          help="report suppression comments that suppress nothing (unused-ignore)")
    workflow.add_argument("--changed-lines", metavar="REF",
                          help="only findings on lines changed against git REF (e.g. origin/main)")
    add_configuration(workflow)
    workflow.add_argument("--language", metavar="LANG", default=SUPPRESS,
                          help="the language articles are published in (default: the glossary's)")
    mt = parser.add_argument_group("machine translation")
    mt.add_argument("--no-translate", dest="translate", action="store_false", default=SUPPRESS,
                    help="do not machine-translate untranslated spans")
    mt.add_argument("--threads", type=positive, metavar="N", default=SUPPRESS,
                    help="translation workers (default: the machine's cores, at most 4)")
    mt.add_argument("--source", metavar="ORIGINAL",
                    help="check the one PATH as a translation of ORIGINAL "
                         "(rules mistranslation, omission, number)")
    mt.add_argument("--source-language", metavar="LANG",
                    help="language of ORIGINAL (default: identified from its text)")
    parser.add_argument("--version", action="version", version=f"glossary-check {__version__}")
    return parser


def _explain(argv: Sequence[str]) -> int:
    from glossary_check.rules import registry, unknown_rule

    rules = registry()
    if list(argv) in (["-h"], ["--help"]):
        print(f"usage: glossary-check explain RULE\n\nWhat RULE finds, why, flagged and clean "
              f"examples and how safe its fix is.\n\nrules: {', '.join(rules)}")
        return ExitCode.OK
    if len(argv) != 1:
        raise UsageError(f"explain takes one rule: {', '.join(rules)}")
    if problem := unknown_rule(argv[0]):
        raise UsageError(f"explain: {problem}")
    rule = rules[argv[0]]
    print(f"{rule.id} ({rule.severity.label}; fix: {rule.fix.value})\n\n{rule.explain}")
    return ExitCode.OK


def _list_rules() -> int:
    from glossary_check.rules import registry

    for rule in registry().values():
        print(f"{rule.id:<15} {rule.severity.label:<8} {rule.summary}")
    return ExitCode.OK


def _use_colour(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _check(options: Options) -> int:
    from glossary_check.workflow.files import collect

    session = _open_uncollected(options)
    skipped: list[str] = []  # links a directory walk did not follow
    paths = list(collect(options.paths or ["."], options.include, options.exclude,
                         notice=skipped.append))
    results = _check_translation(session, paths) if options.source else _check_files(
        session, paths)
    results, fixing = _workflow(session, paths, results)
    session.compiled.keep_analyses()  # for later runs: the forms this one analysed
    from glossary_check.commands.session import keep_answers

    keep_answers(session.compiled)  # and the languages it identified
    if fixing is not None and options.diff:
        if not options.quiet:
            _say([f"note: {message}" for message in skipped])
        return _print_diff(results, fixing, options)
    run = _run(session, results)
    run.notices[:0] = skipped
    _say([r.error for r in results if r.error is not None])
    stream = sys.stdout
    if fixing is not None:
        run.notices += [*fixing.notices, fixing.notice(write=True)]
        _say(fixing.errors)
        if fixing.stdin is not None:
            # the fixed bytes as they came (BOM, line ends); the report to stderr
            _emit(sys.stdout, fixing.stdin)
            stream = sys.stderr
    if not options.quiet:
        _write_report(run, options, stream)
    if fixing is not None and fixing.errors:
        return ExitCode.ERROR
    from glossary_check.commands.session import exit_status

    return exit_status(results, options)


def _say(messages: Sequence[str]) -> None:
    for message in messages:
        print_error(message)


def _check_files(session: Session, paths: list[str]) -> list[FileResult]:
    from glossary_check.report.progress import for_run
    from glossary_check.workflow.runner import check_files

    options = session.options
    with for_run(len(paths), quiet=options.quiet) as bar:
        return check_files(paths, session.compiled, session.settings,
                           stdin_name=options.stdin_filename,
                           on_done=lambda r: bar.advance(r.path),
                           jobs=options.jobs or cpus())


def _run(session: Session, results: list[FileResult]) -> Run:
    """The report of a run: its results, translated where machine translation runs."""
    from glossary_check.report import Run
    from glossary_check.rules import registry

    options, glossary = session.options, session.compiled.glossary
    notices: list[str] = []
    if options.translate:
        from glossary_check.workflow.annotate import translate_results

        notices = translate_results(results, session.compiled, threads=options.threads,
                                    use_cache=options.use_cache)
    return Run(__version__, glossary.path, len(glossary.entries), results,
               [*session.compiled.notices, *notices],
               rules={r.id: r.summary for r in registry().values()})


def _write_report(run: Run, options: Options, stream: TextIO) -> None:
    from glossary_check.report import renderer

    render = renderer(options.format)
    if options.format == "github":  # annotations are for findings; notices go to the log
        _say([f"note: {notice}" for notice in run.notices])
    colour = options.output is None and _use_colour(options.color, stream)
    text = render(run, colour=colour) if options.format == "text" else render(run)
    if options.output is None:
        _emit(stream, text)
        return
    try:
        Path(options.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GlossaryCheckError(f"{options.output}: cannot write: {exc.strerror}") from None


def _print_diff(results: list[FileResult], fixing: FixRun, options: Options) -> int:
    """--diff: the fixes as a patch on stdout, no report; exit 1 if there is anything to fix."""
    unreadable = [r.error for r in results if r.error is not None]
    _say([*unreadable, *fixing.errors])
    if not options.quiet:
        _emit(sys.stdout, "".join(fixing.diffs))
    if unreadable or fixing.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if fixing.diffs else ExitCode.OK


def _check_translation(session: Session, paths: list[str]) -> list[FileResult]:
    """`--source ORIGINAL TRANSLATION`: the translation checked with its source lined up."""
    from glossary_check.documents import read_document
    from glossary_check.rules.align import pair_documents
    from glossary_check.workflow.runner import check_file, read_input

    options = session.options
    assert options.source is not None
    if len(paths) != 1 or paths[0] == "-":
        raise UsageError("--source ORIGINAL takes exactly one TRANSLATION file")
    try:
        source = read_document(options.source, read_input(options.source))
        data = read_input(paths[0])
        translation = read_document(paths[0], data)
    except OSError as exc:
        raise UsageError(f"{exc.filename}: {exc.strerror}") from None
    language = options.source_language
    if not language:
        from glossary_check.engine import languages

        language = languages.identify(source.view)
    translator = None
    if options.translate:
        from glossary_check.workflow.annotate import open_or_notice

        translator, _ = open_or_notice(options.threads, options.use_cache)
    pairing = pair_documents(source, translation, session.compiled, translator, language)
    return [check_file(paths[0], session.compiled, session.settings, data=data, pairing=pairing)]


def _workflow(
    session: Session, paths: list[str], results: list[FileResult]
) -> tuple[list[FileResult], FixRun | None]:
    """--changed-lines, then --fix / --diff (which re-check what they change)."""
    options = session.options

    def keep(_path: str, result: FileResult) -> FileResult:
        return result

    if options.changed_lines:
        from glossary_check.workflow.changed import LineFilter

        keep = LineFilter(options.changed_lines, paths)  # type: ignore[assignment]
        results = [keep(p, r) for p, r in zip(paths, results, strict=True)]
    if not (options.fix or options.diff):
        return results, None
    from glossary_check.documents import format_for
    from glossary_check.workflow.fixes import fix_results
    from glossary_check.workflow.runner import check_file

    def recheck(path: str, result: FileResult) -> Callable[[bytes], FileResult]:
        def check(data: bytes) -> FileResult:
            return keep(path, check_file(path, session.compiled, session.settings,
                                         shown=result.path, data=data))

        return check

    named = {p for p in options.paths if p != "-" and not os.path.isdir(p)}
    fixing = fix_results(paths, results, recheck, fmt=format_for, unsafe=options.unsafe_fixes,
                         write=not options.diff, named=named)
    return fixing.results, fixing


def _config(argv: Sequence[str]) -> int:
    """`glossary-check config [FLAGS]`: the effective configuration and where each value is from."""
    from glossary_check.commands.config import describe
    from glossary_check.commands.session import glossary_paths

    parser = build_parser("glossary-check config", "Print the configuration a check with the "
                          "same flags would use, as TOML, each value with where it came from "
                          "(default, FILE:LINE or command line).")
    options = resolve(parser.parse_args(argv))
    fallback = None
    if not options.glossaries:
        found = glossary_paths(options)[0]
        bundled = "glossary_check" in found.parts
        fallback = ([str(found)], "default (bundled)" if bundled else "default (found upwards)")
    sys.stdout.write(escape(describe(options, fallback), keep="\n"))
    return ExitCode.OK


def _subcommand(name: str) -> Callable[[Sequence[str]], int]:
    if name == "explain":
        return _explain
    if name == "config":
        return _config
    if name == "archive":
        from glossary_check.commands.archive import main as archive

        return archive
    if name == "serve":
        from glossary_check.commands.serve import main as serve

        return serve
    if name == "lsp":
        from glossary_check.commands.lsp import main as lsp

        return lsp
    if name == "compile":
        from glossary_check.commands.compile_command import main as compile_glossary

        return compile_glossary
    if name == "test":
        from glossary_check.commands.testing import main as selftest

        return selftest
    if name == "audit":
        from glossary_check.commands.audit import main as audit

        return audit
    if name == "learn":
        from glossary_check.commands.learn import main as learn

        return learn
    if name == "models":
        from glossary_check.commands.models import main as models

        return models
    from glossary_check.commands.cache_command import main as cache_command

    return cache_command


def main(argv: Sequence[str] | None = None) -> int:
    """The command; a report that cannot be written is an error (exit 2), and a reader that
    went away (`| head`) ends the run quietly, with exit 2 as the report was not delivered.

    Run as the program (no `argv`), a check ends the process here (see `_leave`).
    """
    status = _main_status(argv)
    if argv is None and not (sys.argv[1:2] and sys.argv[1] in COMMANDS):
        _leave(status)
    return status


def _leave(status: int) -> None:
    """End the process now, without the interpreter's teardown: everything a check writes
    is written by now (the report flushed by `_emit`, cache files closed and renamed), and
    freeing the glossary's, the indexes' and the analysers' objects one by one takes longer
    than checking a few articles (0.2 s of a warm run over 1,000 entries, 0.5 s over
    50,000). What the interpreter runs before its teardown runs first (exit handlers:
    multiprocessing's clean-up among them). Returns, for the usual exit, where standard
    output cannot be flushed, a thread other than this one still runs, or a profiler or
    tracer (cProfile, coverage) has what it measured still to write."""
    import atexit
    import threading

    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace(
            ) is not None:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return  # the interpreter reports it as it does
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):  # what an exit handler may have said
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(status)


def _main_status(argv: Sequence[str] | None) -> int:
    try:
        status = _main(argv)
        if sys.stdout is not None:
            _emit(sys.stdout, "")
        return status
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.ERROR
    except OutputError as exc:
        _silence_stdout()
        print_error(str(exc))
        return ExitCode.ERROR


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            return int(_subcommand(argv[0])(argv[1:]))
        _tune_gc()  # before the check loads anything
        args = build_parser().parse_args(argv)
        if args.list_rules:
            return _list_rules()
        return int(_check(resolve(args)))
    except OutputError:
        raise
    except GlossaryCheckError as exc:
        for line in exc.lines():  # one line per error, for a glossary with several
            print_error(line)
        return ExitCode.ERROR
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED

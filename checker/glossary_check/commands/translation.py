"""Machine translation on the command line: `models`, `audit`, `cache` and a run's translations."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_check.commands.options import SUPPRESS, positive
from glossary_check.core.errors import ExitCode
from glossary_check.core.visible import escape, print_error

if TYPE_CHECKING:
    from glossary_check.core.findings import FileResult
    from glossary_check.engine.compiled import Compiled
    from glossary_check.translate import Translator

_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}


def _byte_size(text: str) -> int:
    """A size in bytes, or with a binary K, M or G suffix: 500M, 2G."""
    number, unit = text.strip(), ""
    if number[-1:].upper() in _UNITS:
        number, unit = number[:-1], number[-1].upper()
    try:
        value = int(number) * _UNITS.get(unit, 1)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a size such as 500M or 2G, got {text!r}")
    return value


def _fail(message: str) -> int:
    print_error(message)
    return ExitCode.ERROR


def open_or_notice(threads: int | None, use_cache: bool) -> tuple[Translator | None, str | None]:
    """A translator, or the one-line reason there is none (said once per run)."""
    from glossary_check.cache.translations import open_translator
    from glossary_check.translate import TranslationUnavailable

    try:
        return open_translator(threads=threads, use_cache=use_cache), None
    except TranslationUnavailable as exc:
        return None, str(exc)


def translate_results(
    results: list[FileResult], compiled: Compiled, *, threads: int | None, use_cache: bool
) -> list[str]:
    """Translate every untranslated span of the run in one batch per language pair."""
    if not any(f.rule == "untranslated" for r in results for f in r.findings):
        return []
    from glossary_check.cache.translations import CachedTranslator
    from glossary_check.workflow.annotate import annotate

    translator, notice = open_or_notice(threads, use_cache)
    if translator is None:
        return [notice] if notice else []
    notices = annotate(results, compiled, translator, compiled.glossary.language)
    if isinstance(translator, CachedTranslator):
        notices += translator.notices
    return notices


def models_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check models",
        description="Argos Translate packages used for machine translation.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="installed packages and their language pairs")
    install = sub.add_parser(
        "install", help="install a package from a file, or from the online index"
    )
    install.add_argument("path", nargs="?", help="a .argosmodel file")
    install.add_argument(
        "--from", dest="source", metavar="LANG", help="from argos's index: source language"
    )
    install.add_argument(
        "--to", dest="target", metavar="LANG", help="from argos's index: target language"
    )
    install.add_argument(
        "--max-size", type=_byte_size, default=None, metavar="SIZE",
        help="refuse a package that unpacks to more than SIZE bytes (K, M, G suffixes; "
        "default: 2G)",
    )
    install.add_argument(
        "--max-files", type=positive, default=None, metavar="N",
        help="refuse a package of more than N files and folders (default: 10000)",
    )
    remove = sub.add_parser(
        "remove", help="remove a package by name (translate-ru_en) or pair (ru-en)"
    )
    remove.add_argument("name")
    args = parser.parse_args(argv)

    from glossary_check.translate import TranslationUnavailable, models

    try:
        if args.action == "list":
            packages = models.list_packages()
            if not packages:
                print(
                    "no translation models installed "
                    "(glossary-check models install PATH.argosmodel)"
                )
            for pkg in packages:
                pair = pkg.pair
                shown = f"{pair[0]}→{pair[1]}" if pair else "?"
                # metadata.json is the archive's word: shown escaped, like any input
                print(escape(
                    f"{pkg.argospm_name:<24} {shown:<8} {pkg.version or '':<8} {pkg.path}"))
            return ExitCode.OK
        if args.action == "install":
            max_bytes: int = args.max_size or models.MAX_UNPACKED_BYTES
            max_members: int = args.max_files or models.MAX_MEMBERS
            if args.path:
                pkg = models.install_from_path(
                    Path(args.path), max_bytes=max_bytes, max_members=max_members)
            elif args.source and args.target:
                pkg = models.install_from_index(
                    args.source, args.target, max_bytes=max_bytes, max_members=max_members)
            else:
                return _fail("models install takes a PATH.argosmodel, or --from LANG --to LANG")
            print(escape(f"installed {pkg.argospm_name} ({pkg.path})"))
            return ExitCode.OK
        for pkg in models.remove(args.name):
            print(escape(f"removed {pkg.argospm_name} ({pkg.path})"))
        return ExitCode.OK
    except (TranslationUnavailable, models.InvalidPackage, models.PackageNotFound, OSError) as exc:
        return _fail(str(exc))


def cache_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check cache",
        description="The on-disk caches (translations, compiled glossaries).",
    )
    parser.add_argument("action", choices=("clear", "info"))
    args = parser.parse_args(argv)
    from glossary_check.cache import compiled as cache
    from glossary_check.cache import fileformat as cachefile
    from glossary_check.cache.translations import TranslationCache, default_cache_path

    path = default_cache_path()
    if args.action == "info":
        try:
            if path.exists():
                with TranslationCache(path) as tc:
                    print(f"translations: {path}: {tc.stats()}")
            else:
                print(f"translations: {path}: empty")
        except sqlite3.DatabaseError as exc:
            print(f"translations: {path}: unreadable ({exc}); 'cache clear' removes it")
        except cachefile.Untrusted as exc:
            print(f"translations: {exc}")
        print(f"compiled glossaries: {cache.default_dir()}")
        return ExitCode.OK
    refused = cachefile.refusal(path.parent)
    if refused is not None:
        return _fail(f"{refused}: not cleared")
    if path.exists():
        try:
            with TranslationCache(path) as tc:
                tc.clear()
        except (sqlite3.DatabaseError, cachefile.Untrusted):  # nothing in it to keep
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
    removed = 0
    for item in cache.default_dir().glob("*.bin"):  # compiled glossaries, nothing else
        if cachefile.ours(item.name):
            item.unlink(missing_ok=True)
            removed += 1
    print(
        f"cleared the translation cache and {removed} compiled "
        f"glossar{'y' if removed == 1 else 'ies'}"
    )
    return ExitCode.OK


def audit_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check audit",
        description="Translate every entry's source forms and list the entries whose machine "
        "rendering differs from the desk's term.",
    )
    parser.add_argument("glossary", help="the glossary YAML")
    parser.add_argument("-f", "--format", choices=("text", "json"), default="text")
    parser.add_argument("--all", action="store_true", help="list agreeing entries too")
    parser.add_argument("--threads", type=positive, default=SUPPRESS, metavar="N",
                        help="translation workers (default: the machine's cores, at most 4)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write cached translations"
    )
    args = parser.parse_args(argv)
    from glossary_check.commands.audit import audit, render_json, render_text
    from glossary_check.commands.options import resolve
    from glossary_check.commands.session import open_session

    args.no_config = True  # the glossary's entries as they are, whatever a project configures
    options = resolve(args)
    compiled = open_session(options, cached=False).compiled
    translator, notice = open_or_notice(options.threads, options.use_cache)
    if translator is None:
        return _fail(notice or "machine translation is not available")
    rows = audit(compiled, translator, compiled.glossary.language)
    sys.stdout.write(
        render_json(rows) if args.format == "json" else render_text(rows, show_all=args.all)
    )
    disagree = any(r.status in ("variant", "differs") for r in rows)
    return ExitCode.FINDINGS if disagree else ExitCode.OK

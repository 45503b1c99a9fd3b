"""Machine translation on the command line: `models`, `audit`, `cache` and a run's translations."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glossary_check.compiled import Compiled
    from glossary_check.findings import FileResult
    from glossary_check.translate import Translator

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> int:
    print(f"glossary-check: {message}", file=sys.stderr)
    return EXIT_ERROR


def open_or_notice(threads: int | None, use_cache: bool) -> tuple[Translator | None, str | None]:
    """A translator, or the one-line reason there is none (said once per run)."""
    from glossary_check.translate import TranslationUnavailable, open_translator

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
    from glossary_check.annotate import annotate
    from glossary_check.translate.cache import CachedTranslator

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
                print(f"{pkg.argospm_name:<24} {shown:<8} {pkg.version or '':<8} {pkg.path}")
            return EXIT_OK
        if args.action == "install":
            if args.path:
                pkg = models.install_from_path(Path(args.path))
            elif args.source and args.target:
                pkg = models.install_from_index(args.source, args.target)
            else:
                return _fail("models install takes a PATH.argosmodel, or --from LANG --to LANG")
            print(f"installed {pkg.argospm_name} ({pkg.path})")
            return EXIT_OK
        for pkg in models.remove(args.name):
            print(f"removed {pkg.argospm_name} ({pkg.path})")
        return EXIT_OK
    except (TranslationUnavailable, models.InvalidPackage, models.PackageNotFound, OSError) as exc:
        return _fail(str(exc))


def cache_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check cache",
        description="The on-disk caches (translations, compiled glossaries).",
    )
    parser.add_argument("action", choices=("clear", "info"))
    args = parser.parse_args(argv)
    from glossary_check import cache, cachefile
    from glossary_check.translate.cache import TranslationCache, default_cache_path

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
        return EXIT_OK
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
    return EXIT_OK


def audit_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check audit",
        description="Translate every entry's source forms and list the entries whose machine "
        "rendering differs from the desk's term.",
    )
    parser.add_argument("glossary", help="the glossary YAML")
    parser.add_argument("-f", "--format", choices=("text", "json"), default="text")
    parser.add_argument("--all", action="store_true", help="list agreeing entries too")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write cached translations"
    )
    args = parser.parse_args(argv)
    from glossary_check.audit import audit, render_json, render_text
    from glossary_check.compiled import compile_all
    from glossary_check.glossary import GlossaryError, load_glossary

    try:
        compiled = compile_all(load_glossary(args.glossary))
    except GlossaryError as exc:
        return _fail(str(exc))
    translator, notice = open_or_notice(args.threads, not args.no_cache)
    if translator is None:
        return _fail(notice or "machine translation is not available")
    rows = audit(compiled, translator, compiled.glossary.language)
    sys.stdout.write(
        render_json(rows) if args.format == "json" else render_text(rows, show_all=args.all)
    )
    return EXIT_FINDINGS if any(r.status in ("variant", "differs") for r in rows) else EXIT_OK

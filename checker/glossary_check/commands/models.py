"""`glossary-check models`: the offline translation models (list, install, remove)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from glossary_check.commands.options import file_size, positive
from glossary_check.core.errors import ExitCode
from glossary_check.core.visible import escape, print_error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check models",
        description="Argos Translate packages used for machine translation. Installing "
        "from a file needs no network; --from/--to downloads from Argos's index.",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", help="installed packages and their language pairs",
                   description="List the installed packages and their language pairs.")
    install = sub.add_parser(
        "install", help="install a package from a file, or from the online index",
        description="Install a .argosmodel file, or download a pair's package from Argos's "
        "online index (--from LANG --to LANG).",
    )
    install.add_argument("path", nargs="?", metavar="FILE",
                         help="a .argosmodel file (downloaded on any connected machine)")
    install.add_argument(
        "--from", dest="source", metavar="LANG",
        help="download from Argos's index: the source language (e.g. uk)"
    )
    install.add_argument(
        "--to", dest="target", metavar="LANG",
        help="download from Argos's index: the target language (e.g. en)"
    )
    install.add_argument(
        "--max-size", type=file_size, default=None, metavar="SIZE",
        help="refuse a package that unpacks to more than SIZE bytes (K, M, G suffixes; "
        "default: 2G)",
    )
    install.add_argument(
        "--max-files", type=positive, default=None, metavar="N",
        help="refuse a package of more than N files and folders (default: 10000)",
    )
    remove = sub.add_parser(
        "remove", help="remove a package by name (translate-ru_en) or pair (ru-en)",
        description="Remove an installed package.",
    )
    remove.add_argument("name", metavar="NAME",
                        help="a package name (translate-ru_en) or a language pair (ru-en)")
    return parser


def _list() -> int:
    from glossary_check.translate import models

    packages = models.list_packages()
    if not packages:
        print("no translation models installed (glossary-check models install FILE.argosmodel)")
    for pkg in packages:
        pair = pkg.pair
        shown = f"{pair[0]}→{pair[1]}" if pair else "?"
        # metadata.json is the archive's word: shown escaped, like any input
        print(escape(f"{pkg.argospm_name:<24} {shown:<8} {pkg.version or '':<8} {pkg.path}"))
    return ExitCode.OK


def _install(args: argparse.Namespace) -> int:
    from glossary_check.translate import models

    max_bytes: int = args.max_size or models.MAX_UNPACKED_BYTES
    max_members: int = args.max_files or models.MAX_MEMBERS
    if args.path:
        pkg = models.install_from_path(
            Path(args.path), max_bytes=max_bytes, max_members=max_members)
    elif args.source and args.target:
        pkg = models.install_from_index(
            args.source, args.target, max_bytes=max_bytes, max_members=max_members)
    else:
        print_error("models install takes a FILE.argosmodel, or --from LANG --to LANG")
        return ExitCode.ERROR
    print(escape(f"installed {pkg.argospm_name} ({pkg.path})"))
    return ExitCode.OK


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    from glossary_check.translate import TranslationUnavailable, models

    try:
        if args.action == "list":
            return _list()
        if args.action == "install":
            return _install(args)
        for pkg in models.remove(args.name):
            print(escape(f"removed {pkg.argospm_name} ({pkg.path})"))
        return ExitCode.OK
    except (TranslationUnavailable, models.InvalidPackage, models.PackageNotFound, OSError) as exc:
        print_error(str(exc))
        return ExitCode.ERROR

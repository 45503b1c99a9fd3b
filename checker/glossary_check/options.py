"""Command-line options the main command and `archive` share, so they cannot drift apart."""

from __future__ import annotations

import argparse


def csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def is_positive(value: object) -> bool:
    """A whole number >= 1: the one test for counts, on the command line and in a config file."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def positive(text: str) -> int:
    """A whole number >= 1 (processes, threads, workers, batch sizes)."""
    try:
        value: object = int(text)
    except ValueError:
        value = None
    if not is_positive(value):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def file_size(text: str) -> int:
    """A size in bytes, or with K, M or G (powers of 1024): `--max-file-size 64M`."""
    from glossary_check.files import parse_size

    value = parse_size(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 16777216, 512K or 64M, got {text!r}")
    return value


def add_selection(parser: argparse.ArgumentParser) -> None:
    """Which rules run, what fails the run, and which files a directory walk takes."""
    parser.add_argument("--select", type=csv_list, metavar="RULES",
                        help="only these rules (comma-separated)")
    parser.add_argument("--ignore", type=csv_list, default=[], metavar="RULES",
                        help="skip these rules")
    parser.add_argument("--fail-on", default="error", choices=("error", "warning", "info", "never"),
                        help="lowest severity that makes the exit status 1 (default: error)")
    parser.add_argument("--include", type=csv_list, default=[], metavar="GLOBS",
                        help="file globs picked up in directories "
                        "(default: *.txt,*.md,*.html,...)")
    parser.add_argument("--exclude", type=csv_list, default=[], metavar="GLOBS",
                        help="file globs to skip")

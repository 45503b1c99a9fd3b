"""Command-line options the main command and `archive` share, so they cannot drift apart."""

from __future__ import annotations

import argparse


def csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def positive(text: str) -> int:
    """A whole number >= 1 (processes, workers, batch sizes)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
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

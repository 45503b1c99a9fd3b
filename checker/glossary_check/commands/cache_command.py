"""`glossary-check cache`: what the on-disk caches hold (info) and emptying them (clear)."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from glossary_check.core.errors import ExitCode
from glossary_check.core.visible import escape, print_error


def human_size(n: int) -> str:
    """Bytes as a person reads them: 1007 bytes, 12.4 KiB, 3.0 MiB."""
    if n < 1024:
        return f"{n} byte{'s' if n != 1 else ''}"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def _compiled_files(folder: Path) -> list[Path]:
    """The compiled glossaries in the cache folder; anything else there is not ours."""
    from glossary_check.cache import fileformat as cachefile

    try:
        items = sorted(folder.glob("*.bin"))
    except OSError:
        return []
    return [item for item in items if cachefile.ours(item.name) and item.is_file()]


def _on_disk(database: Path) -> int:
    """A file's size with its SQLite write-ahead log, if any (0 for one removed meanwhile)."""
    total = 0
    for suffix in ("", "-wal"):
        try:
            total += database.with_name(database.name + suffix).stat().st_size
        except OSError:
            continue
    return total


def _translation_lines(path: Path) -> list[str]:
    from glossary_check.cache import fileformat as cachefile
    from glossary_check.cache.translations import TranslationCache

    lines = [f"  file:         {path}"]
    try:
        if not path.exists():
            return [*lines, "  translations: 0 (no cache yet)"]
        with TranslationCache(path) as tc:
            stats = tc.stats()
    except sqlite3.DatabaseError as exc:
        return [*lines, f"  unreadable ({exc}); 'glossary-check cache clear' removes it"]
    except cachefile.Untrusted as exc:
        return [*lines, f"  not used: {exc}"]
    return [*lines, f"  translations: {stats.entries}",
            f"  size:         {human_size(stats.bytes)} of text, "
            f"{human_size(_on_disk(path))} on disk"]


def _info() -> int:
    from glossary_check.cache import compiled as cache
    from glossary_check.cache.translations import default_cache_path

    folder = cache.default_dir()
    files = _compiled_files(folder)
    total = sum(_on_disk(item) for item in files)
    lines = ["translation cache", *_translation_lines(default_cache_path()),
             "compiled glossaries", f"  directory:    {folder}", f"  files:        {len(files)}",
             f"  size:         {human_size(total)}"]
    print(escape("\n".join(lines), keep="\n"))
    return ExitCode.OK


def _clear() -> int:
    from glossary_check.cache import compiled as cache
    from glossary_check.cache import fileformat as cachefile
    from glossary_check.cache.translations import TranslationCache, default_cache_path

    path = default_cache_path()
    refused = cachefile.refusal(path.parent)
    if refused is not None:
        print_error(f"{refused}: not cleared")
        return ExitCode.ERROR
    if path.exists():
        try:
            with TranslationCache(path) as tc:
                tc.clear()
        except (sqlite3.DatabaseError, cachefile.Untrusted):  # nothing in it to keep
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
    removed = 0
    for item in _compiled_files(cache.default_dir()):
        item.unlink(missing_ok=True)
        removed += 1
    print(
        f"cleared the translation cache and {removed} compiled "
        f"glossar{'y' if removed == 1 else 'ies'}"
    )
    return ExitCode.OK


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check cache",
        description="The on-disk caches: machine translations and compiled glossaries, kept "
        "in the user cache directory (or $GLOSSARY_CHECK_CACHE_DIR).",
    )
    parser.add_argument("action", choices=("info", "clear"), metavar="ACTION",
                        help="info: where the caches are, how many entries and how large; "
                        "clear: delete both")
    args = parser.parse_args(argv)
    return _info() if args.action == "info" else _clear()

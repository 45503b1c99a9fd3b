"""Which files a run reads: paths, directories (recursive, filtered by globs) and stdin."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

#: What a directory walk picks up unless `--include` says otherwise.
DEFAULT_INCLUDE = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm")
SKIP_DIRS = {".git", ".hg", ".svn", ".tox", ".venv", "venv", "node_modules", "__pycache__"}


def _matches(path: str, globs: Iterable[str]) -> bool:
    """A glob matches the path, or its trailing part from any folder on: `drafts/*` skips
    articles/drafts/a.md, and `*.md` matches by name wherever the file is."""
    parts = os.path.normpath(path).split(os.sep)
    tails = [path, *("/".join(parts[i:]) for i in range(len(parts)))]
    return any(fnmatch.fnmatch(tail, g) for g in globs for tail in tails)


def collect(
    paths: Iterable[str], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> Iterator[str]:
    """Named files always (unless excluded); directories walked in sorted order."""
    include = tuple(include) or DEFAULT_INCLUDE
    exclude = tuple(exclude)
    seen: set[str] = set()
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        if os.path.isdir(raw):
            for root, dirs, names in os.walk(raw):
                dirs[:] = sorted(
                    d for d in dirs
                    if d not in SKIP_DIRS and not _matches(os.path.join(root, d), exclude)
                )
                for name in sorted(names):
                    full = os.path.join(root, name)
                    rel = os.path.normpath(full)
                    if rel in seen or not _matches(rel, include) or _matches(rel, exclude):
                        continue
                    seen.add(rel)
                    yield rel
        elif not _matches(raw, exclude):
            norm = os.path.normpath(raw)
            if norm not in seen:
                seen.add(norm)
                yield raw


def find_glossary(start: Path) -> Path | None:
    """The nearest glossary-check.yaml or glossary.yaml from `start` upwards."""
    for folder in (start, *start.parents):
        for name in ("glossary-check.yaml", "glossary.yaml"):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def bundled_glossary() -> Path:
    from importlib.resources import files

    return Path(str(files("glossary_check.glossaries").joinpath("newsroom.yaml")))

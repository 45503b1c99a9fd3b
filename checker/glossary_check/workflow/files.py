"""Which files a run reads: paths, directories (recursive, filtered by globs) and stdin."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
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


def inside(path: str, folders: Iterable[str]) -> bool:
    """`path` is one of `folders` or below one (all resolved: no link, no `..`)."""
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _link_notice(path: str, roots: Iterable[str]) -> str | None:
    """Why a symbolic link met in a walk is not followed, or None if it may be read.

    A link may point anywhere, so one committed into a checked folder
    (`articles/x.txt -> ../../deploy.sh`) must not make a walk read, print or
    fix what lies outside the folders it was given.
    """
    try:
        target = os.path.realpath(path, strict=True)
    except OSError:  # dangling, or a loop
        return f"skipped symbolic link {path}: it leads nowhere (broken, or a loop)"
    if inside(target, roots):
        return None
    kind = "a directory" if os.path.isdir(target) else "a file"
    return f"skipped symbolic link {path}: it points to {kind} outside the checked directories"


def collect(
    paths: Iterable[str], include: Iterable[str] = (), exclude: Iterable[str] = (),
    notice: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """Named files always (unless excluded); directories walked in sorted order.

    A walk never follows a symbolic link to a directory, and reads a linked file
    only where it lies inside the walked directories; `notice` hears one line for
    each link skipped for pointing outside them (or nowhere).
    """
    include = tuple(include) or DEFAULT_INCLUDE
    exclude = tuple(exclude)
    seen: set[str] = set()
    paths = list(paths)
    roots = [os.path.realpath(p) for p in paths if p != "-" and os.path.isdir(p)]

    def skipped(message: str | None) -> bool:
        if message is not None and notice is not None:
            notice(message)
        return message is not None

    for raw in paths:
        if raw == "-":
            yield raw
            continue
        if os.path.isdir(raw):
            for root, dirs, names in os.walk(raw):
                kept = []
                for d in sorted(dirs):
                    full = os.path.join(root, d)
                    if d in SKIP_DIRS or _matches(full, exclude):
                        continue
                    if os.path.islink(full):  # never walked into: os.walk does not follow
                        skipped(_link_notice(os.path.normpath(full), roots))
                        continue
                    kept.append(d)
                dirs[:] = kept
                for name in sorted(names):
                    full = os.path.join(root, name)
                    rel = os.path.normpath(full)
                    if rel in seen or not _matches(rel, include) or _matches(rel, exclude):
                        continue
                    if os.path.islink(full) and skipped(_link_notice(rel, roots)):
                        continue
                    seen.add(rel)
                    yield rel
        elif not _matches(raw, exclude):
            norm = os.path.normpath(raw)
            if norm not in seen:
                seen.add(norm)
                yield raw


def work_tree() -> str:
    """The git work tree around the current directory, else the directory itself (resolved)."""
    here = os.path.realpath(os.getcwd())
    folder = here
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


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

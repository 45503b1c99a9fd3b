"""Which files a run reads: paths, directories (recursive, filtered by globs) and stdin."""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

#: What a directory walk picks up unless `--include` says otherwise.
DEFAULT_INCLUDE = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm")
SKIP_DIRS = {".git", ".hg", ".svn", ".tox", ".venv", "venv", "node_modules", "__pycache__"}
#: Build output a walk leaves alone: copies of the articles, not the articles.
SKIP_DIR_GLOBS = ("build", "dist", "*.egg-info")
#: Seconds git may take to list what a work tree ignores before the walk goes without.
GIT_TIMEOUT = 60.0


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


def git_ignored(root: str) -> frozenset[str]:
    """What git ignores below the directory `root` (paths relative to it), in one call.

    Outside a git work tree, or without git, nothing: a walk then skips only
    the usual folders. A root that is itself ignored was named on purpose, so
    nothing in it is left out either. The fsmonitor hook is switched off: a
    repository's own configuration must not run a program because it was checked.
    """
    import subprocess  # only a walk of a directory asks git

    git = shutil.which("git")
    if git is None:
        return frozenset()
    command = [git, "-c", "core.fsmonitor=false", "ls-files", "--others", "--ignored",
               "--exclude-standard", "--directory", "-z", "--", "."]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, timeout=GIT_TIMEOUT,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if done.returncode != 0:
        return frozenset()
    ignored = frozenset(os.path.normpath(os.fsdecode(p)) for p in done.stdout.split(b"\0") if p)
    return frozenset() if "." in ignored else ignored


def _skip_dir(name: str, full: str, exclude: tuple[str, ...]) -> bool:
    return (name in SKIP_DIRS or any(fnmatch.fnmatch(name, g) for g in SKIP_DIR_GLOBS)
            or _matches(full, exclude))


def _walk(
    top: str, include: tuple[str, ...], exclude: tuple[str, ...], roots: list[str],
    skipped: Callable[[str | None], bool],
) -> Iterator[str]:
    """The files a walk of `top` checks, in sorted order (see `collect`)."""
    ignored = git_ignored(top)
    for root, dirs, names in os.walk(top):
        kept = []
        for d in sorted(dirs):
            full = os.path.join(root, d)
            if _skip_dir(d, full, exclude) or os.path.relpath(full, top) in ignored:
                continue
            if os.path.islink(full):  # never walked into: os.walk does not follow
                skipped(_link_notice(os.path.normpath(full), roots))
                continue
            kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            full = os.path.join(root, name)
            rel = os.path.normpath(full)
            if not _matches(rel, include) or _matches(rel, exclude):
                continue
            if os.path.relpath(full, top) in ignored:
                continue
            if os.path.islink(full) and skipped(_link_notice(rel, roots)):
                continue
            yield rel


def collect(
    paths: Iterable[str], include: Iterable[str] = (), exclude: Iterable[str] = (),
    notice: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """Named files always (unless excluded); directories walked in sorted order.

    A walk leaves out version-control and tool folders, build output (build,
    dist, *.egg-info) and, in a git work tree, what git ignores. It never
    follows a symbolic link to a directory, and reads a linked file only where
    it lies inside the walked directories; `notice` hears one line for each
    link skipped for pointing outside them (or nowhere).
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
            for rel in _walk(raw, include, exclude, roots, skipped):
                if rel not in seen:
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

"""The compiled glossary kept on disk, so that a warm run neither parses YAML nor compiles.

Parsing a 50,000-entry glossary takes half a minute, compiling it seconds
more, while one article touches a few hundred of its words. A cache file (see
`cachefile`) is therefore mapped and read a record at a time: the trie a node
at a time, the near-miss keys and known words a key at a time, the entries a
chunk at a time.

What a cache file depends on, and how a warm run checks it:

* its key: the cache format, the tool and Python versions, the source of the
  modules whose objects it stores, the glossary path as given and the working
  directory (report paths are relative to it). The key names the file.
* the glossary's contents: the include list lives in the YAML, so the header
  keeps the files the loader read and their digest (`Glossary.digest`); a
  warm run re-hashes those files instead of parsing them, and any change
  means a rebuild. The cache is written only if the files still hash to what
  the loader read, so an edit during a cold run is never cached as current.
* its integrity: magic, format, key, length and a CRC-32 of the payload;
  a file that fails any check, or later fails to decode, is rebuilt.

The morphology index is a second artefact, kept the same way under its own
key (the glossary digest and `morphology.fingerprint()`), loaded only when a
document first needs it. Other artefacts can be kept alike with `Artefact`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import marshal
import os
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from glossary_check import __version__
from glossary_check.cachefile import (
    FORMAT,
    Array,
    CacheError,
    Dumper,
    LazyMapping,
    LazySet,
    LazyTuple,
    Opened,
    Table,
    build_table,
    codec_for,
    decode,
    encode,
    key_parts,
    loads,
    mapping_section,
    open_file,
    restore,
    touch,
    tuple_section,
    write_file,
)
from glossary_check.compiled import Compiled, compile_all
from glossary_check.files import read_bounded
from glossary_check.glossary import Entry, Glossary, load_glossary
from glossary_check.matching import Kind, Matcher, Target

ENV = "GLOSSARY_CHECK_CACHE_DIR"


def default_dir() -> Path:
    """`$GLOSSARY_CHECK_CACHE_DIR`, else the platform's per-user cache directory."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("glossary-check"))


# --- keys -----------------------------------------------------------------------------


def code_fingerprint() -> str:
    """Format, tool, Python, and the source of the modules whose objects the cache holds."""
    from glossary_check import cachefile, compiled, glossary, matching

    h = hashlib.sha256(
        f"{FORMAT}|{__version__}|{sys.implementation.cache_tag}|{sys.version}".encode()
    )
    for module in (glossary, matching, compiled, cachefile, sys.modules[__name__]):
        where = getattr(module, "__file__", None)
        if where:
            with contextlib.suppress(OSError):
                h.update(Path(where).read_bytes())
    return h.hexdigest()


def files_digest(files: Iterable[str]) -> str:
    """`Glossary.digest` recomputed from the files' bytes alone; OSError if one is unreadable."""
    h = hashlib.sha256()
    for name in files:
        h.update(name.encode() + b"\0" + read_bounded(name) + b"\0")
    return h.hexdigest()


def _file(directory: Path, kind: str, key: str) -> Path:
    return directory / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.bin"


# --- the trie -------------------------------------------------------------------------

_TARGET_FIELDS = ("entry", "kind", "form", "fix", "language")
_KINDS = {int(k): k for k in Kind}


def encode_targets(targets: list[Target], dump: Dumper) -> bytes:
    """A node's targets as plain tuples in marshal's format (b"T"), else generically."""
    if tuple(f.name for f in dataclasses.fields(Target)) == _TARGET_FIELDS:
        plain = tuple((t.entry, int(t.kind), t.form, t.fix, t.language) for t in targets)
        return b"T" + marshal.dumps(plain)
    return encode(targets, dump)


def decode_targets(raw: bytes | memoryview) -> list[Target]:
    if len(raw) and raw[0] == 0x54:  # T
        try:
            return [Target(e, _KINDS[k], f, x, lang) for e, k, f, x, lang in marshal.loads(raw[1:])]
        except Exception as exc:
            raise CacheError(f"bad trie node: {exc!r}") from exc
    return cast(list[Target], decode(raw))


def _address(parent: str, part: str) -> str:
    return f"{parent}{len(part)}:{part}"


def trie_nodes(root: Mapping[str, object]) -> Iterator[tuple[str, list[Target] | None]]:
    """Every node below the root: its address (its path of keys) and the targets ending there."""
    stack: list[tuple[str, Mapping[str, object]]] = [("", root)]
    while stack:
        address, node = stack.pop()
        for part, child in node.items():
            if part == "" or not isinstance(child, dict):
                continue
            here = _address(address, part)
            targets = child.get("")
            yield here, cast(list[Target], targets) if targets else None
            stack.append((here, child))


class LazyNode(dict[str, object]):
    """A trie node whose children are read from the cache one at a time; read-only.

    A dict, so that the matcher walks it like any other node. Every node is a
    record of its own (a first name starts thousands of full names, too many
    to decode for one look-up): its targets are decoded with it, its children
    on first look-up; iterating loads the whole subtree first.
    """

    __slots__ = ("_address", "_complete", "_missing", "_table")

    def __init__(self, table: Table, address: str, targets: list[Target] | None) -> None:
        super().__init__()
        self._table = table
        self._address = address
        self._missing: set[str] = set()
        self._complete = False
        if targets:
            dict.__setitem__(self, "", targets)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            pass
        if self._complete or key == "" or key in self._missing:
            return default
        address = _address(self._address, key)
        raw = self._table.get(address)
        if raw is None:
            self._missing.add(key)
            return default
        child = LazyNode(self._table, address, decode_targets(raw) if len(raw) else None)
        dict.__setitem__(self, key, child)
        return child

    def __getitem__(self, key: str) -> object:
        value = self.get(key, _NOTHING)
        if value is _NOTHING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _NOTHING) is not _NOTHING

    def _load_all(self) -> None:
        """The whole subtree (as plain dicts below what was already read), in one scan."""
        if self._complete:
            return
        prefix = self._address
        for address, raw in self._table.items():
            if not address.startswith(prefix) or address == prefix:
                continue
            node: dict[str, object] = self
            for part in key_parts(address[len(prefix) :]):
                child = dict.get(node, part)
                if child is None:
                    child = {}
                    dict.__setitem__(node, part, child)
                node = cast(dict[str, object], child)
            if len(raw) and not dict.__contains__(node, ""):
                dict.__setitem__(node, "", decode_targets(raw))
        self._complete = True

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load_all()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._load_all()
        return dict.keys(self)

    def values(self) -> Any:
        self._load_all()
        return dict.values(self)

    def items(self) -> Any:
        self._load_all()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        self._load_all()
        return dict.__eq__(self, other)

    __hash__ = None

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a cached trie is read-only")

    __setitem__ = __delitem__ = setdefault = pop = popitem = update = clear = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self.items()),)


_NOTHING: Any = object()


# --- the compiled glossary ------------------------------------------------------------

#: Fields kept as sections of their own; every other field is pickled in `meta`.
_LAZY = {
    "glossary": ("entries",),
    "matcher": ("root",),
    "compiled": ("glossary", "matcher", "near", "known", "sources", "source_store"),
}


def _rest(obj: Any, skip: Iterable[str]) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def compiled_sections(compiled: Compiled) -> dict[str, bytes]:
    """The sections of a compiled glossary's cache file."""
    dump = Dumper()
    glossary, matcher = compiled.glossary, compiled.matcher
    meta = {
        "glossary": _rest(glossary, _LAZY["glossary"]),
        "matcher": _rest(matcher, _LAZY["matcher"]),
        "compiled": _rest(compiled, _LAZY["compiled"]),
        "entries": len(glossary.entries),
    }
    return {
        "meta": dump(meta),
        "entries": tuple_section(glossary.entries, dump),
        "trie": build_table(
            (a, encode_targets(t, dump) if t else b"") for a, t in trie_nodes(matcher.root)
        ),
        "near": mapping_section(compiled.near, dump),
        "known": build_table((k, b"") for k in compiled.known),
    }


def compiled_from(opened: Opened) -> Compiled:
    """A Compiled whose big parts are read from the mapped file on demand."""
    payload = opened.payload
    meta = loads(opened.blob("meta"))
    array = Array(payload, opened.section("entries"))
    entries: LazyTuple[Entry] = LazyTuple(array, meta["entries"])
    # The entries are a lazy sequence where a tuple is declared: read-only, indexable, sized.
    glossary = Glossary(entries=cast(tuple[Entry, ...], entries), **meta["glossary"])
    root = LazyNode(Table(payload, opened.section("trie")), "", None)
    return Compiled(
        glossary=glossary,
        matcher=Matcher(root=root, **meta["matcher"]),
        near=LazyMapping(Table(payload, opened.section("near"))),
        known=LazySet(Table(payload, opened.section("known"))),
        **meta["compiled"],
    )


# --- other artefacts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Artefact:
    """One more thing compiled from a glossary, kept in its own file under its own key.

    The package's dataclasses are stored field by field, their long tuples and
    dicts read lazily like the compiled glossary's; anything else is pickled.
    """

    directory: Path
    kind: str
    key: str

    def _where(self) -> tuple[Path, str]:
        key = f"{code_fingerprint()}|{self.key}"
        return _file(self.directory, self.kind, key), key

    def load(self) -> Any | None:
        path, key = self._where()
        try:
            value = restore(open_file(path, self.kind, key))
        except CacheError:
            return None
        touch(path)
        return value

    def save(self, value: Any) -> bool:
        path, key = self._where()
        try:
            sections, extra = codec_for(value)
        except (pickle.PicklingError, TypeError, AttributeError, ValueError):
            return False  # not storable: built again next time
        return write_file(path, self.kind, key, sections, extra)


@dataclass(frozen=True, slots=True)
class SourceStore:
    """Where a glossary's morphology index is kept between runs (see `Compiled.source_store`)."""

    directory: Path
    digest: str

    def _artefact(self) -> Artefact:
        from glossary_check import morphology

        # the module's source too: its index may change shape without a new FORMAT
        source = hashlib.sha256(Path(morphology.__file__).read_bytes()).hexdigest()
        key = f"{self.digest}|{morphology.fingerprint()}|{source}"
        return Artefact(self.directory, "sources", key)

    def load(self) -> Any | None:
        return self._artefact().load()

    def save(self, index: Any) -> None:
        self._artefact().save(index)


# --- loading --------------------------------------------------------------------------


def load_cached(path: str | Path, directory: Path) -> Compiled:
    """The compiled glossary at `path`: from the cache if its files are unchanged, else built.

    Raises GlossaryError for a broken glossary, as `load_glossary` does; a cache
    that cannot be read or written only costs time.
    """
    path = Path(path)
    key = f"{code_fingerprint()}|{path}|{os.getcwd()}"
    file = _file(directory, "compiled", key)
    try:
        opened = open_file(file, "compiled", key)
        if files_digest(opened.header["files"]) != opened.header["digest"]:
            raise CacheError("the glossary changed")
        compiled = compiled_from(opened)
        if len(compiled.glossary.entries):
            compiled.glossary.entries[0]  # decodes the first chunk, or fails here
    except (CacheError, OSError, KeyError, TypeError, ValueError):
        pass
    else:
        touch(file)
        return _with_store(compiled, directory)
    compiled = compile_all(load_glossary(path))
    glossary = compiled.glossary
    with contextlib.suppress(OSError):
        if files_digest(glossary.files) == glossary.digest:
            write_file(file, "compiled", key, compiled_sections(compiled),
                       {"files": list(glossary.files), "digest": glossary.digest})
    return _with_store(compiled, directory)


def _with_store(compiled: Compiled, directory: Path) -> Compiled:
    compiled.source_store = SourceStore(directory, compiled.glossary.digest)
    return compiled


def load(path: str | Path, directory: Path | None) -> Compiled:
    """The compiled glossary, through the cache in `directory` unless that is None."""
    if directory is None:
        return compile_all(load_glossary(path))
    return load_cached(path, directory)

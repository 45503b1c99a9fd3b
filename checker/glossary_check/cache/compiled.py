"""The compiled glossary kept on disk, so that a warm run neither parses YAML nor compiles.

Parsing a 50,000-entry glossary takes half a minute, compiling it seconds
more, while one article touches a few hundred of its words. A cache file (see
`cachefile`) is therefore mapped and read a record at a time: the trie a node
at a time, the known words a key at a time, the near-miss index by bisecting its
columns in place, the entries (and near-miss targets) a chunk at a time. A cold run
writes the file a section at a time and then checks with the trie, near-miss index
and known words read back from it (`_read_in_place`).

What a cache file depends on, and how a warm run checks it:

* its key: the cache format, the tool and Python versions, the source of the
  modules whose objects it stores, the glossary path as given and the working
  directory (report paths are relative to it). The key names the file.
* the glossary's contents: the include list lives in the YAML, so the header
  keeps the files the loader read and their digest (`Glossary.digest`); a
  warm run re-hashes those files instead of parsing them, and any change
  means a rebuild. The cache is written only if the files still hash to what
  the loader read, so an edit during a cold run is never cached as current.
* who wrote it: a file not the user's own, or that others can write, and a
  directory others can write that is not the user's, are not used (a notice
  says so); see `cachefile.refusal`.
* its integrity: magic, format, key, length and a CRC-32 of the payload;
  a file that fails any check is rebuilt, and one whose records fail to
  decode later, mid-run, falls back on the glossary compiled afresh
  (`cachefile.Rescue`).

The morphology index is kept beside it under its own key (the glossary digest
and `morphology.fingerprint()`), loaded only when a document first needs it:
the keys of the source forms, and what runs have analysed (`SourceStore`),
which each run that analysed something new merges with what is on disk and
rewrites whole, one run at a time. Other artefacts can be kept alike with
`Artefact`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import operator
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from glossary_check import __version__
from glossary_check.cache.fileformat import (
    FORMAT,
    MAGIC,
    NOTHING,
    Array,
    CacheError,
    Codec,
    LazySet,
    LazyTuple,
    Opened,
    Rescue,
    Section,
    Table,
    Untrusted,
    checked,
    codec,
    columns_section,
    fallback,
    key_parts,
    open_file,
    pack,
    packer,
    read_columns,
    refusal,
    rescued,
    restore,
    sections_for,
    stored_fields,
    streamed_table,
    table_section,
    touch,
    tuple_section,
    unpack,
    write_file,
)
from glossary_check.core.errors import GlossaryCheckError, display_path
from glossary_check.core.inputs import read_bounded
from glossary_check.core.processes import aside
from glossary_check.engine.compiled import Compiled, NearIndex, compile_all
from glossary_check.engine.glossary import Entry, Glossary, load_glossary, merge_glossaries
from glossary_check.engine.matching import Matcher, Target, TrieItems, nest, word_key

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
    from glossary_check.cache import fileformat as cachefile
    from glossary_check.engine import compiled, glossary, matching

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


def cache_file(directory: Path, kind: str, key: str) -> Path:
    return directory / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.bin"


# --- the trie -------------------------------------------------------------------------


def _indexed(base: Codec, indices: Any, limit: int) -> Codec:
    """`base`, refusing a decoded value that names an entry the glossary does not have."""
    load = base.load

    def checked_load(plain: Any) -> Any:
        value = load(plain)
        if not all(0 <= i < limit for i in indices(value)):
            raise CacheError("an entry number out of range")
        return value

    return Codec(base.dump, checked_load, base.plain)


def targets_codec(entries: int) -> Codec:
    """A trie node's targets, each naming one of the glossary's `entries`."""
    return _indexed(codec(list[Target]), lambda ts: (t.entry for t in ts), entries)


def near_codec(entries: int) -> Codec:
    """A near-miss target: (glossary word, entry number, the word's key)."""
    return _indexed(codec(tuple[str, int, str]), lambda pair: (pair[1],), entries)


class LazyNear(Mapping[str, tuple[tuple[str, int], ...]]):
    """The near-miss index read in place from a cache file (`NearIndex` over its mapped
    columns, its targets decoded a chunk at a time); should a record fail to decode, or a
    row name a target the file does not have, it answers from the rebuilt index."""

    __slots__ = ("_index", "_real", "_rescue")

    def __init__(self, index: NearIndex, rescue: Rescue | None) -> None:
        self._index = index
        self._rescue = rescue
        self._real: Mapping[str, tuple[tuple[str, int], ...]] | None = None

    def _answering(self) -> Mapping[str, tuple[tuple[str, int], ...]]:
        if self._real is None and rescued(self._rescue):
            self._real = fallback(self._rescue, _near, CacheError("the file was rebuilt"))
        return self._real or self._index

    def _fall_back(self, error: Exception) -> Mapping[str, tuple[tuple[str, int], ...]]:
        failure = error if isinstance(error, CacheError) else CacheError(f"bad row: {error!r}")
        self._real = fallback(self._rescue, _near, failure)
        return self._real

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self._answering().get(key, default)
        except (CacheError, IndexError) as exc:
            return self._fall_back(exc).get(key, default)

    def __getitem__(self, key: str) -> tuple[tuple[str, int], ...]:
        found = self.get(key, NOTHING)
        if found is NOTHING:
            raise KeyError(key)
        return cast(tuple[tuple[str, int], ...], found)

    def __contains__(self, key: object) -> bool:
        return self.get(key, NOTHING) is not NOTHING

    def _whole(self) -> dict[str, tuple[tuple[str, int], ...]]:
        try:
            answering = self._answering()
            return {key: answering[key] for key in answering}
        except (CacheError, IndexError) as exc:
            real = self._fall_back(exc)
            return {key: real[key] for key in real}

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __reduce__(self) -> tuple[Any, ...]:
        try:
            index = near_parts(self._answering())
            return index.__reduce__()  # a spawned worker's copy: the columns and all targets
        except (CacheError, IndexError) as exc:
            return near_parts(self._fall_back(exc)).__reduce__()


def _near(compiled: Compiled) -> Mapping[str, tuple[tuple[str, int], ...]]:
    return compiled.near


def near_parts(near: Mapping[str, tuple[tuple[str, int], ...]]) -> NearIndex:
    """The index to write: the compiled one as it is, else one built from a mapping's
    buckets (their pairs, in the order their keys first name them)."""
    if isinstance(near, NearIndex):
        return near
    if isinstance(near, LazyNear):
        near = near._answering()
        if isinstance(near, NearIndex):
            return near
    seen: dict[tuple[str, int], None] = {}
    for bucket in near.values():
        seen.update(dict.fromkeys(bucket))
    return NearIndex.build([(word, entry, word_key(word)) for word, entry in seen])


def _address(parent: str, part: str) -> str:
    return f"{parent}{len(part)}:{part}"


def listed_trie(items: TrieItems) -> Iterator[tuple[str, list[Target] | None]]:
    """What `walk_trie` gives for the trie of `items` (see `compile_glossary`), in another
    order, without making the trie: every node once, with the targets ending there in the
    order they were added (None where none does). `items` is rewritten in place to
    (address, target), sorted by address (stably): no address is the start of another
    but its descendants' (each part is written after its length), so a node's descendants
    follow it, and a node on the way to one is there already if the address before
    starts with it."""
    listed = cast(list[tuple[str, Target]], items)
    for i, (key, target) in enumerate(items):
        listed[i] = (_address("", key[0]) if len(key) == 1 else "".join(
            [_address("", part) for part in key]), target)
    listed.sort(key=operator.itemgetter(0))
    previous = ""
    for address, group in itertools.groupby(listed, operator.itemgetter(0)):
        targets: list[Target] = []
        for _, target in group:
            if target not in targets:
                targets.append(target)
        colon = address.index(":")
        start = colon + 1 + int(address[:colon])
        while start != len(address):  # the nodes on the way, each address a start of this one
            if not previous.startswith(address[:start]):
                yield address[:start], None
            colon = address.index(":", start)
            start = colon + 1 + int(address[start:colon])
        yield address, targets
        previous = address


def walk_trie(root: Mapping[str, object]) -> Iterator[tuple[str, list[Target] | None]]:
    """Every node below the root: its address (its path of keys) and the targets ending
    there (None where none does)."""
    stack: list[tuple[str, Mapping[str, object]]] = [("", root)]
    while stack:
        address, node = stack.pop()
        for part, child in node.items():
            if part == "" or not isinstance(child, dict):
                continue
            here = f"{address}{len(part)}:{part}"
            yield here, child.get("") or None
            stack.append((here, child))


class LazyNode(dict[str, object]):
    """A trie node whose children are read from the cache one at a time; read-only.

    A dict, so that the matcher walks it like any other node. Every node is a
    record of its own (a first name starts thousands of full names, too many
    to decode for one look-up): its targets are decoded with it, its children
    on first look-up; iterating loads the whole subtree first.
    """

    __slots__ = ("_address", "_complete", "_missing", "_rescue", "_table", "_targets")

    def __init__(
        self, table: Table, address: str, targets: list[Target] | None, decoder: Codec,
        rescue: Rescue | None = None,
    ) -> None:
        super().__init__()
        self._table = table
        self._targets = decoder
        self._rescue = rescue
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
        try:
            if rescued(self._rescue):
                raise CacheError("the trie was rebuilt")
            raw = self._table.get(address)
            if raw is None:
                self._missing.add(key)
                return default
            targets = self._targets.decode(raw) if len(raw) else None
        except CacheError as exc:
            return self._real(exc).get(key, default)
        child = LazyNode(self._table, address, targets, self._targets, self._rescue)
        dict.__setitem__(self, key, child)
        return child

    def _real(self, error: CacheError) -> dict[str, object]:
        """This node in the rebuilt trie (see `cachefile.Rescue`); empty if it has none."""
        node: object = fallback(self._rescue, _trie_root, error)
        for part in key_parts(self._address):
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    def __getitem__(self, key: str) -> object:
        value = self.get(key, NOTHING)
        if value is NOTHING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, NOTHING) is not NOTHING

    def _load_all(self) -> None:
        """The whole subtree (as plain dicts below what was already read), in one scan."""
        if self._complete:
            return
        try:
            if rescued(self._rescue):
                raise CacheError("the trie was rebuilt")
            self._scan()
        except CacheError as exc:
            real = self._real(exc)
            dict.clear(self)
            dict.update(self, real)
        self._complete = True

    def _scan(self) -> None:
        prefix = self._address
        for address, raw in self._table.items():
            if not address.startswith(prefix) or address == prefix:
                continue
            node: dict[str, object] = self
            try:
                parts = list(key_parts(address[len(prefix) :]))
            except ValueError as exc:
                raise CacheError("a bad trie address") from exc
            for part in parts:
                child = dict.get(node, part)
                if child is None:
                    child = {}
                    dict.__setitem__(node, part, child)
                elif not isinstance(child, dict):
                    raise CacheError("a trie address through a leaf")
                node = cast(dict[str, object], child)
            if len(raw) and not dict.__contains__(node, ""):
                dict.__setitem__(node, "", self._targets.decode(raw))

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




def _trie_root(compiled: Compiled) -> dict[str, object]:
    return compiled.matcher.root


# --- the compiled glossary ------------------------------------------------------------

#: Fields kept as sections of their own (or not kept); every other field is in `meta`.
_LAZY = {
    Glossary: ("entries",),
    Matcher: ("root",),
}


def _meta_codecs(cls: type) -> dict[str, Codec]:
    return {name: codec(tp) for name, tp in stored_fields(cls) if name not in _LAZY[cls]}


def _meta_dump(obj: Any) -> dict[str, Any]:
    return {name: c.dump(getattr(obj, name)) for name, c in _meta_codecs(type(obj)).items()}


def _meta_load(cls: type, plain: Any) -> dict[str, Any]:
    codecs = _meta_codecs(cls)
    if type(plain) is not dict or set(plain) != set(codecs):
        raise CacheError(f"bad {cls.__name__} fields")
    return {name: checked(c.load, plain[name]) for name, c in codecs.items()}


def compiled_sections(compiled: Compiled, items: TrieItems | None = None) -> dict[str, Section]:
    """The sections of a compiled glossary's cache file, each made when `write_file` comes
    to it (and let go once written), so that no two are held at once. `items`: the trie
    as `compile_all` listed it, where its matcher's is not made."""
    glossary, matcher = compiled.glossary, compiled.matcher
    entries = len(glossary.entries)
    near = near_parts(compiled.near)
    meta = {
        "glossary": _meta_dump(glossary),
        "matcher": _meta_dump(matcher),
        "entries": entries,
        "near": len(near.pairs),
    }

    def trie() -> bytes:
        dump_targets, pack_targets = targets_codec(entries).dump, packer()
        nodes = walk_trie(matcher.root) if items is None else listed_trie(items)
        return streamed_table(
            (address, pack_targets(dump_targets(targets)) if targets else b"")
            for address, targets in nodes)

    return {
        "meta": pack(meta),
        "entries": lambda: tuple_section(glossary.entries, codec(Entry)),
        "trie": trie,
        "near-pairs": lambda: tuple_section(near.pairs, near_codec(entries)),
        "near": lambda: columns_section([near.crcs, near.rows]),
        "known": lambda: table_section(sorted(compiled.known)),
    }


def compiled_from(opened: Opened, rescue: Rescue | None = None) -> Compiled:
    """A Compiled whose big parts are read from the mapped file on demand (and from what
    `rescue` builds, should a record fail to decode)."""
    meta = unpack(opened.blob("meta"))
    if type(meta) is not dict or type(meta.get("entries")) is not int:
        raise CacheError("bad meta")
    size: int = meta["entries"]
    entries: LazyTuple[Entry] = LazyTuple(opened.array("entries"), size, codec(Entry), rescue,
                                          lambda c: c.glossary.entries)
    # The entries are a lazy sequence where a tuple is declared: read-only, indexable, sized.
    glossary = Glossary(entries=cast(tuple[Entry, ...], entries),
                        **_meta_load(Glossary, meta.get("glossary")))
    rest = _meta_load(Matcher, meta.get("matcher"))
    if not all(0 <= i < size for i, _ in rest["patterns"]):
        raise CacheError("a pattern of an entry out of range")
    root = LazyNode(opened.table("trie"), "", None, targets_codec(size), rescue)
    return Compiled(
        glossary=glossary,
        matcher=Matcher(root=root, **rest),
        near=LazyNear(_near_index(opened, meta, size), rescue),
        known=LazySet(opened.table("known"), rescue, lambda c: c.known),
    )


def _near_index(opened: Opened, meta: Mapping[str, Any], entries: int) -> NearIndex:
    pairs = meta.get("near")
    if type(pairs) is not int:
        raise CacheError("bad meta")
    crcs, rows = read_columns(opened.blob("near"), 2)
    # a target decoded when a look-up first needs it; a bad one makes the whole index rebuilt
    return NearIndex(LazyTuple(opened.array("near-pairs"), pairs, near_codec(entries)),
                     crcs, rows)


# --- other artefacts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Artefact:
    """One more thing compiled from a glossary, kept in its own file under its own key.

    `type` is what is stored: the package's dataclasses field by field, their
    long tuples and dicts read lazily like the compiled glossary's; any other
    type `cachefile.codec` knows as one record. `notices` collects a one-line
    notice when a file is refused as someone else's.
    """

    directory: Path
    kind: str
    key: str
    type: Any
    notices: list[str] = field(default_factory=list)

    def _where(self) -> tuple[Path, str]:
        key = f"{code_fingerprint()}|{self.key}"
        return cache_file(self.directory, self.kind, key), key

    def path(self) -> Path:
        """Where the artefact is kept."""
        return self._where()[0]

    def load(self, build: Callable[[], Any] | None = None) -> Any | None:
        """The stored value, or None; its lazy parts fall back on `build` should a record
        fail to decode later (without it, that raises CacheError)."""
        if refusal(self.directory) is not None:
            return None
        path, key = self._where()
        rescue = Rescue(build, path, self.notices) if build is not None else None
        try:
            value = restore(open_file(path, self.kind, key), self.type, rescue)
        except Untrusted as exc:
            self.notices.append(str(exc))
            return None
        except CacheError:
            return None
        touch(path)
        return value

    def save(self, value: Any) -> bool:
        path, key = self._where()
        try:
            sections, extra = sections_for(value, self.type)
        except (TypeError, ValueError, AttributeError, OverflowError):
            return False  # not storable: built again next time
        return write_file(path, self.kind, key, sections, extra)


@functools.cache
def _morphology_key() -> str:
    """What the morphology's artefacts depend on besides the glossary: the analyser's
    versions, and the module's source (its index may change shape without a new FORMAT)."""
    from glossary_check.engine import morphology

    source = hashlib.sha256(Path(morphology.__file__).read_bytes()).hexdigest()
    return f"{morphology.fingerprint()}|{source}"


@dataclass(frozen=True, slots=True)
class SourceStore:
    """Where a glossary's morphology index is kept between runs (see `Compiled.source_store`):
    the keys of its source forms (`morphology.FormKeys`), and the forms runs have analysed
    with the words and keys they reached (`morphology.Analysed`), merged run after run."""

    directory: Path
    digest: str
    #: the run's notices, where a refused file is reported
    notices: list[str] = field(default_factory=list)
    #: the glossary was found compiled in this cache: it is used again, so what is built
    #: once for every later run (wordfreq's indexes, `cache.wordlists`) is worth building
    seen: bool = False
    #: a compiled glossary (`--compiled`) that holds the keys too, read where the cache has
    #: none (a CI runner that restores the file alone); its path: a spawned worker gets it
    artefact: Path | None = None

    def _artefact(self, kind: str, tp: Any) -> Artefact:
        return Artefact(self.directory, kind, f"{self.digest}|{_morphology_key()}", tp,
                        self.notices)

    def _keys(self) -> Artefact:
        from glossary_check.engine import morphology

        return self._artefact("sources", morphology.FormKeys)

    def _analysed(self) -> Artefact:
        from glossary_check.engine import morphology

        return self._artefact("analyses", morphology.Analysed)

    def load(self, build: Callable[[], Any]) -> Any | None:
        keys = self._keys().load(build)
        if keys is None and self.artefact is not None:
            keys = _artefact_keys(self.artefact, self.digest, build, self.notices)
        return keys

    def save(self, index: Any) -> None:
        self._keys().save(index)

    def load_analysed(self) -> Any | None:
        """The kept analyses, or None if there are none. Read whole (a run looks at every
        part, and a part missing would leave the rest wrong), but for the analyses of
        document words, read as a run needs them. A record that fails to decode (a forged
        file) costs the file: deleted with a notice, and what it held is analysed afresh."""
        from glossary_check.engine import morphology

        artefact = self._analysed()
        value = artefact.load()
        if value is None:
            return None
        try:
            return morphology.Analysed(
                tuple(value.numbers), tuple(value.patterns), dict(value.starts),
                tuple(value.done), tuple(value.firsts), tuple(value.seconds),
                tuple(value.words), value.fingerprint,
                _Forgiving(value.analyses, artefact, self.notices))
        except CacheError:
            _bad_record(artefact, self.notices)
            return None

    def save_analysed(self, update: Callable[[Any | None], Any | None]) -> None:
        artefact = self._analysed()
        with turn(self.directory):
            value = update(self.load_analysed())
            if value is not None:
                artefact.save(value)


def _bad_record(artefact: Artefact, notices: list[str]) -> None:
    path = artefact.path()
    with contextlib.suppress(OSError):
        path.unlink()
    notices.append(f"cache file {path} has a bad record: analysed afresh")


class _Forgiving(Mapping[Any, Any]):
    """A lazily read mapping whose records, should one fail to decode, all count as missing
    (the file is deleted, with a notice: see `SourceStore.load_analysed`)."""

    __slots__ = ("_artefact", "_mapping", "_notices")

    def __init__(self, mapping: Mapping[Any, Any], artefact: Artefact, notices: list[str]
                 ) -> None:
        self._mapping, self._artefact, self._notices = mapping, artefact, notices

    def _failed(self) -> None:
        self._mapping = {}
        _bad_record(self._artefact, self._notices)

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self._mapping.get(key, default)
        except CacheError:
            self._failed()
            return default

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, NOTHING)
        if value is NOTHING:
            raise KeyError(key)
        return value

    def _all(self) -> Mapping[Any, Any]:
        try:
            return dict(self._mapping.items())
        except CacheError:
            self._failed()
            return self._mapping

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


#: How long a run waits for another to finish updating a shared file before going ahead.
TURN_WAIT = 10.0


@contextlib.contextmanager
def turn(directory: Path) -> Iterator[None]:
    """Runs sharing a cache directory take turns to read, merge and rewrite a file in it (an
    advisory lock on the directory): neither loses what the other added. Where there is no
    such lock, or it is held too long, the run goes ahead: a file is still replaced whole,
    and what is lost is analysed again by a later run."""
    try:
        import fcntl
    except ImportError:  # not on POSIX
        yield
        return
    fd = -1
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
        deadline = time.monotonic() + TURN_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
    except OSError:
        pass
    try:
        yield
    finally:
        if fd >= 0:
            os.close(fd)  # releases the lock


# --- loading --------------------------------------------------------------------------


def load_cached(path: str | Path, directory: Path,
                prepare: Callable[[Glossary], None] | None = None) -> Compiled:
    """The compiled glossary at `path`: from the cache if its files are unchanged, else built.

    Raises GlossaryError for a broken glossary, as `load_glossary` does; a cache
    that cannot be read or written only costs time. A directory or file another
    user could have written is not used, and the compiled glossary says so in
    its `notices`.

    `prepare(glossary)`: what the run will need that the glossary alone decides, made and
    kept in the cache by a forked child while this process compiles a large glossary
    (from `ASIDE_MIN` entries) and writes it, and waited for; where no child is forked
    (one CPU, no safe fork) or it fails, the run makes what it needs when it needs it,
    as ever.
    """
    path = Path(path)
    refused = refusal(directory)
    if refused is not None:
        compiled = compile_all(load_glossary(path))
        compiled.notices.append(f"{refused}: not used (the glossary is compiled in memory)")
        return compiled
    key = f"{code_fingerprint()}|{path}|{os.getcwd()}"
    file = cache_file(directory, "compiled", key)
    notices: list[str] = []
    try:
        opened = open_file(file, "compiled", key)
        files, digest = opened.header.get("files"), opened.header.get("digest")
        if type(files) is not list or not all(type(f) is str for f in files):
            raise CacheError("bad file list")
        if files_digest(files) != digest:
            raise CacheError("the glossary changed")
        rescue = Rescue(lambda: compile_all(load_glossary(path)), file, notices)
        compiled = compiled_from(opened, rescue)
        if len(compiled.glossary.entries):
            compiled.glossary.entries[0]  # decodes the first chunk, or fails here
    except Untrusted as exc:
        notices.append(str(exc))
    except (CacheError, OSError, KeyError, TypeError, ValueError):
        pass
    else:
        touch(file)
        compiled.notices = notices  # where the rescue reports, should it be needed
        return _with_store(compiled, directory, seen=True)
    glossary = load_glossary(path)
    beside = aside(functools.partial(prepare, glossary)) if prepare is not None and len(
        glossary.entries) >= ASIDE_MIN else None
    try:
        compiled = _compiled_cold(glossary, path, file, key)
    except BaseException:
        if beside is not None:
            beside.wait(0)  # stopped at once: nothing of it is needed now
        raise
    if beside is not None:  # what it kept, the run reads from the cache as later runs do
        beside.wait(ASIDE_WAIT)
    compiled.notices.extend(notices)
    return _with_store(compiled, directory)


def _compiled_cold(glossary: Glossary, path: str | Path, file: Path, key: str) -> Compiled:
    """The glossary compiled, written to `file` and read back in place where it can be."""
    items: TrieItems = []  # the trie is written from these, and read back from the file
    compiled = compile_all(glossary, items)
    read = False
    with contextlib.suppress(OSError):
        if files_digest(glossary.files) == glossary.digest and write_file(
            file, "compiled", key, compiled_sections(compiled, items),
            {"files": list(glossary.files), "digest": glossary.digest},
        ):
            read = _read_in_place(compiled, file, key, lambda: compile_all(load_glossary(path)))
    if not read:  # made after all, from the items (by address if the trie was written)
        for i, (written, target) in enumerate(cast(list[tuple[object, Target]], items)):
            if isinstance(written, str):
                items[i] = (tuple(key_parts(written)), target)
        nest(compiled.matcher, items)
    return compiled


#: A glossary with fewer entries is compiled sooner than a child would load the analysers.
ASIDE_MIN = 5_000
#: Seconds a run waits for what is made aside once it has compiled (some at 50,000 entries):
#: past this the child is stopped and the run makes what it needs itself.
ASIDE_WAIT = 120.0


def keep_form_keys(glossary: Glossary, directory: Path) -> None:
    """The morphology's keys of the glossary's source forms (`morphology.FormKeys`), made and
    kept in the cache, where the run's `SourceStore` finds them as a later run does."""
    from glossary_check.engine import morphology

    SourceStore(directory, glossary.digest).save(morphology.build_form_keys(glossary))


def _read_in_place(compiled: Compiled, file: Path, key: str, build: Callable[[], Any]) -> bool:
    """The trie (never made here: see `compile_glossary`), the near-miss index and the known
    words of the file just written, read in place as a warm run reads them: the ones built
    are let go, so the check makes its own objects where they were, and worker processes
    share the file's pages instead of each copying the pages of the objects as it touches
    them. The glossary's entries stay as they are (the morphology reads them all on a
    first run). Nothing changes (False) if the file cannot be read back, or another run
    has since written one of another glossary under the same name."""
    try:
        opened = open_file(file, "compiled", key, checksum=False)
        if opened.header.get("digest") != compiled.glossary.digest:
            return False
        lazy = compiled_from(opened, Rescue(build, file, compiled.notices))
    except (CacheError, OSError, KeyError, TypeError, ValueError):
        return False
    compiled.matcher.root = lazy.matcher.root
    compiled.near = lazy.near
    compiled.known = lazy.known
    return True


def _with_store(compiled: Compiled, directory: Path, *, seen: bool = False,
                artefact: Path | None = None) -> Compiled:
    compiled.source_store = SourceStore(directory, compiled.glossary.digest, compiled.notices,
                                        seen, artefact)
    return compiled


# --- a compiled glossary as a build artefact ------------------------------------------

#: The `kind` of a compiled glossary written by `glossary-check compile`.
ARTEFACT = "glossary"


class ArtefactError(GlossaryCheckError):
    """A compiled glossary that cannot be written; str() is one line."""


def _groups(loaded: Sequence[Glossary]) -> list[dict[str, Any]]:
    """What each glossary named was read from: its path as shown, its files and their digest."""
    return [{"glossary": g.path, "files": list(g.files), "digest": g.digest} for g in loaded]


def _unchanged(groups: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every group's files still hash to its digest (False if one cannot be read)."""
    try:
        return all(files_digest(g["files"]) == g["digest"] for g in groups)
    except OSError:
        return False


def _build(paths: Sequence[str | Path]) -> tuple[Compiled, list[dict[str, Any]]]:
    loaded = [load_glossary(p) for p in paths]
    return compile_all(merge_glossaries(loaded)), _groups(loaded)


def write_artefact(paths: Sequence[str | Path], file: Path) -> Compiled:
    """`glossary-check compile`: compile the glossaries and write them to `file`.

    Raises GlossaryError for a broken glossary and ArtefactError when the file
    cannot be written, or when a glossary file changed while it was compiled
    (what was compiled would not be what the file claims).
    """
    compiled, groups = _build(paths)
    problem = _write(file, compiled, groups)
    if problem is not None:
        raise ArtefactError(f"{display_path(file)}: {problem}")
    return compiled


#: The sections of the morphology's keys (`morphology.FormKeys`) in a compiled glossary
#: are named with this before their own names; the header's MORPHOLOGY field says what
#: made them, and holds the fields `restore` reads from a header.
_KEYS = "keys:"
MORPHOLOGY = "morphology"


class _Within:
    """One value's sections inside another's file (the keys in a compiled glossary): what
    `restore` reads of an `Opened`, from the sections named `prefix` + its names and the
    header fields kept apart in `header`."""

    __slots__ = ("_opened", "_prefix", "header")

    def __init__(self, opened: Opened, prefix: str, header: dict[str, Any]) -> None:
        self._opened, self._prefix, self.header = opened, prefix, header

    def blob(self, name: str) -> memoryview:
        return self._opened.blob(self._prefix + name)

    def array(self, name: str) -> Array:
        return self._opened.array(self._prefix + name)

    def table(self, name: str) -> Table:
        return self._opened.table(self._prefix + name)


def _artefact_keys(file: Path, digest: str, build: Callable[[], Any],
                   notices: list[str]) -> Any | None:
    """The morphology's keys a compiled glossary holds, read in place like the cache's own;
    None unless they were made by this very code and analysers, for this very glossary
    (the file is opened and checked again: it may have changed since the run read it)."""
    from glossary_check.engine import morphology

    try:
        opened = open_file(file, ARTEFACT, code_fingerprint())
    except CacheError:  # Untrusted too: said once already, where the glossary was read
        return None
    held = opened.header.get(MORPHOLOGY)
    if type(held) is not dict or held.get("key") != _morphology_key() or held.get(
            "digest") != digest:
        return None
    try:
        return restore(cast(Opened, _Within(opened, _KEYS, held)), morphology.FormKeys,
                       Rescue(build, file, notices))
    except CacheError:
        return None


def _write(file: Path, compiled: Compiled, groups: list[dict[str, Any]]) -> str | None:
    """Write a compiled glossary, with the keys of its source forms (so that a run which
    has the file, but not the cache, analyses no more than a run with both); None, or why
    it was not written."""
    from glossary_check.engine import morphology

    if not _unchanged(groups):
        return "not written: a glossary file changed while it was compiled"
    keys, held = sections_for(morphology.build_form_keys(compiled.glossary),
                              morphology.FormKeys)
    sections: dict[str, Section] = dict(compiled_sections(compiled))
    sections.update((_KEYS + name, section) for name, section in keys.items())
    header = {"version": __version__, "glossaries": groups,
              MORPHOLOGY: {**held, "key": _morphology_key(), "digest": compiled.glossary.digest}}
    if not write_file(file, ARTEFACT, code_fingerprint(), sections, header, cache_dir=False):
        return ("cannot write it there (a missing or read-only folder, or one other users can "
                "write)")
    return None


def _label(value: Any) -> str:
    """A header value fit for a message (the file is untrusted): short and printable."""
    if type(value) is str and len(value) <= 40 and value.isprintable():
        return value
    return "an unknown version"


def _groups_in(header: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    groups = header.get("glossaries")
    if type(groups) is not list or not groups:
        return None
    for g in groups:
        if not (type(g) is dict and type(g.get("glossary")) is str
                and type(g.get("digest")) is str and type(g.get("files")) is list
                and all(type(f) is str for f in g["files"])):
            return None
    return groups


def open_artefact(file: Path, paths: Sequence[str | Path], notices: list[str]) -> Compiled | None:
    """The compiled glossary in `file` if it was compiled by this very glossary-check from the
    glossary files named, as they are now; else None, and a one-line notice says why."""
    shown = display_path(file)
    try:
        opened = open_file(file, ARTEFACT, None)
    except Untrusted as exc:
        notices.append(str(exc))
        return None
    except CacheError as exc:
        notices.append(f"{shown}: " + ("no compiled glossary there yet: compiled and written"
                                       if str(exc) == "no file" else
                                       "not a compiled glossary this version can read (another "
                                       "version's, or damaged): rebuilt"))
        return None
    header = opened.header
    version = header.get("version")
    if version != __version__:
        notices.append(f"{shown}: compiled by glossary-check {_label(version)}, this is "
                       f"{__version__}: rebuilt")
        return None
    if header.get("key") != code_fingerprint():
        notices.append(f"{shown}: compiled by another build of glossary-check {__version__} "
                       "(or under another Python): rebuilt")
        return None
    groups = _groups_in(header)
    wanted = [display_path(Path(p)) for p in paths]
    if groups is None or [g["glossary"] for g in groups] != wanted:
        notices.append(f"{shown}: compiled from other glossary files than "
                       f"{' + '.join(wanted)}: rebuilt")
        return None
    if not _unchanged(groups):
        notices.append(f"{shown}: the glossary changed since it was compiled: rebuilt")
        return None
    rescue = Rescue(lambda: _build(paths)[0], file, notices)
    try:
        compiled = compiled_from(opened, rescue)
        if len(compiled.glossary.entries):
            compiled.glossary.entries[0]  # decodes the first chunk, or fails here
    except (CacheError, KeyError, TypeError, ValueError):
        notices.append(f"{shown}: a damaged compiled glossary: rebuilt")
        return None
    touch(file)
    compiled.notices = notices
    return compiled


def _replaceable(file: Path) -> bool:
    """Whether `--compiled` may write `file`: nothing is there yet, or a compiled glossary is
    (a mistyped `--compiled glossary.yaml` must not cost the glossary)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # no link followed, no FIFO waited on
    try:
        fd = os.open(file, flags)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        return os.read(fd, len(MAGIC)) == MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def load_artefact(paths: Sequence[str | Path], file: Path, directory: Path | None) -> Compiled:
    """`--compiled FILE`: the compiled glossary kept in `file`, or, when that is missing, stale,
    another version's or another glossary's, the glossaries compiled afresh and written there
    (a notice says which). The morphology index is kept in the cache `directory`, if any."""
    notices: list[str] = []
    compiled = open_artefact(file, paths, notices)
    if compiled is None:
        compiled, groups = _build(paths)
        problem = _write(file, compiled, groups) if _replaceable(file) else (
            "not replaced: a file there that is not a compiled glossary")
        if problem is not None:
            notices.append(f"{display_path(file)}: {problem}: compiled in memory")
        compiled.notices = notices
    return compiled if directory is None else _with_store(compiled, directory, artefact=file)


def load(path: str | Path, directory: Path | None,
         prepare: Callable[[Glossary], None] | None = None) -> Compiled:
    """The compiled glossary, through the cache in `directory` unless that is None (see
    `load_cached` for `prepare`)."""
    if directory is None:
        return compile_all(load_glossary(path))
    return load_cached(path, directory, prepare)

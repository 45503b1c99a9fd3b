"""The cache file format: sections read in place from a mapped file, decoded on first use.

A big compiled artefact is read one small record at a time rather than
unpickled whole: a 50,000-entry glossary takes seconds to unpickle, while one
article needs a few hundred of its records. So a file holds sections:

* a hash table (str -> bytes) answers a look-up with a CRC-32 of the key, two
  offsets and a comparison, straight from the mapped file;
* an array of byte strings holds a long sequence in small pickled chunks;
* `meta` holds whatever is small, pickled once.

File layout (integers little-endian)::

    b"GLCKCACH" | u32 FORMAT | u32 header length | header (JSON) | payload

The header names the artefact and its key, gives the payload's length and
CRC-32 and where each section lies. `open_file` refuses (CacheError) a file
whose magic, format, kind, key, length or checksum is off, and every decoding
failure later is a CacheError too. `write_file` writes a temporary file in
the same directory, fsyncs and renames it over the old one: readers see the
old file or the new one, never half of one, and a reader keeps the file it
mapped even after it is replaced.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import importlib
import io
import json
import marshal
import mmap
import os
import pickle
import re
import struct
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

#: Bump when the layout changes.
FORMAT = 2
MAGIC = b"GLCKCACH"
_HEAD = struct.Struct("<8sII")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_SPAN = struct.Struct("<II")
_PAIR64 = struct.Struct("<QQ")
#: Items per pickled chunk of a sequence: a look-up decodes few, chunks share pickle overhead.
CHUNK = 16
#: Dicts and sequences shorter than this go into `meta` whole.
LAZY_MIN = 256
#: Cache files unused for this long are deleted when another one is written.
MAX_AGE = 60 * 86400

T = TypeVar("T")
V = TypeVar("V")


class CacheError(Exception):
    """A cache file that cannot be trusted; the caller rebuilds it."""


# --- values ---------------------------------------------------------------------------


def _plain_dataclass(cls: type) -> tuple[str, ...] | None:
    """Field names when instances can be rebuilt by calling the class with them, else None."""
    own = vars(cls)
    if not dataclasses.is_dataclass(cls) or "__reduce__" in own or "__reduce_ex__" in own:
        return None
    getstate = getattr(cls, "__getstate__", None)
    if getstate is not None and getstate is not getattr(object, "__getstate__", None) and not (
        getattr(getstate, "__qualname__", "").startswith("_dataclass_getstate")
    ):
        return None
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields) or any(f.kw_only for f in fields):
        return None
    return tuple(f.name for f in fields)


class _Pickler(pickle.Pickler):
    """Dataclasses are pickled as a call of their constructor: about twice as fast to load
    as the default slot-by-slot state of a slotted, frozen dataclass."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = dict(copyreg.dispatch_table)
        self._plain: dict[type, tuple[str, ...] | None] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls in self._plain:
            names = self._plain[cls]
        elif isinstance(obj, type):
            return NotImplemented
        else:
            names = self._plain[cls] = _plain_dataclass(cls)
        if names is None:
            return NotImplemented
        return cls, tuple(getattr(obj, name) for name in names)


class Dumper:
    """One pickler reused for many small values (its memo cleared between them)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.pickler = _Pickler(self.buffer)

    def __call__(self, obj: object) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.pickler.clear_memo()
        self.pickler.dump(obj)
        return self.buffer.getvalue()


def loads(data: bytes | memoryview) -> Any:
    try:
        return pickle.loads(data)
    except Exception as exc:  # any unpickling failure means the file cannot be trusted
        raise CacheError(f"bad pickle: {exc!r}") from exc


def encode(value: object, dump: Dumper) -> bytes:
    """Plain data in marshal's format (several times faster to decode), anything else pickled."""
    try:
        return b"M" + marshal.dumps(cast(Any, value))
    except ValueError:
        return b"P" + dump(value)


def decode(raw: bytes | memoryview) -> Any:
    tag = raw[0] if len(raw) else 0
    if tag == 0x4D:  # M
        try:
            return marshal.loads(raw[1:])
        except Exception as exc:
            raise CacheError(f"bad record: {exc!r}") from exc
    if tag == 0x50:  # P
        return loads(raw[1:])
    raise CacheError("bad record tag")


# --- sections -------------------------------------------------------------------------


def key_text(key: str | tuple[str, ...]) -> str:
    """A table key: a string as it is, a tuple of strings each prefixed with its length."""
    if isinstance(key, str):
        return key
    return "\0" + "".join(f"{len(part)}:{part}" for part in key)


def key_parts(text: str) -> Iterator[str]:
    """The parts of a length-prefixed key (as written by `key_text` after its first byte)."""
    at = 0
    while at < len(text):
        colon = text.index(":", at)
        size = int(text[at:colon])
        yield text[colon + 1 : colon + 1 + size]
        at = colon + 1 + size


def build_table(items: Iterable[tuple[str, bytes]]) -> bytes:
    """u32 buckets | u32 bucket starts (buckets + 1) | records: u16 size, key, u32 size, value."""
    pairs = [(k.encode("utf-8", "surrogatepass"), v) for k, v in items]
    buckets = 1
    while buckets < len(pairs):
        buckets *= 2
    mask = buckets - 1
    grouped: list[list[tuple[bytes, bytes]]] = [[] for _ in range(buckets)]
    for kb, value in pairs:
        if len(kb) > 0xFFFF:
            raise ValueError("table key too long")
        grouped[zlib.crc32(kb) & mask].append((kb, value))
    starts = bytearray()
    records: list[bytes] = []
    at = 0
    for group in grouped:
        starts += _U32.pack(at)
        for kb, value in group:
            record = _U16.pack(len(kb)) + kb + _U32.pack(len(value)) + value
            records.append(record)
            at += len(record)
    starts += _U32.pack(at)
    return _U32.pack(buckets) + bytes(starts) + b"".join(records)


class Table:
    """Read side of `build_table`: look-ups straight from the mapped file."""

    __slots__ = ("buf", "mask", "records", "start")

    def __init__(self, buf: memoryview | bytes, start: int) -> None:
        self.buf = buf
        self.start = start
        (buckets,) = _U32.unpack_from(buf, start)
        if not buckets or buckets & (buckets - 1):
            raise CacheError("bad table")
        self.mask = buckets - 1
        self.records = start + 4 + 4 * (buckets + 1)

    def get(self, key: str) -> memoryview | bytes | None:
        kb = key.encode("utf-8", "surrogatepass")
        buf = self.buf
        at, end = _SPAN.unpack_from(buf, self.start + 4 + 4 * (zlib.crc32(kb) & self.mask))
        at += self.records
        end += self.records
        while at < end:
            (klen,) = _U16.unpack_from(buf, at)
            at += 2
            (vlen,) = _U32.unpack_from(buf, at + klen)
            if buf[at : at + klen] == kb:
                return buf[at + klen + 4 : at + klen + 4 + vlen]
            at += klen + 4 + vlen
        return None

    def items(self) -> Iterator[tuple[str, memoryview | bytes]]:
        buf = self.buf
        (size,) = _U32.unpack_from(buf, self.start + 4 + 4 * (self.mask + 1))
        at, end = self.records, self.records + size
        while at < end:
            (klen,) = _U16.unpack_from(buf, at)
            at += 2
            key = bytes(buf[at : at + klen]).decode("utf-8", "surrogatepass")
            (vlen,) = _U32.unpack_from(buf, at + klen)
            yield key, buf[at + klen + 4 : at + klen + 4 + vlen]
            at += klen + 4 + vlen


def build_array(values: Sequence[bytes]) -> bytes:
    """u64 count | u64 offsets (count + 1) | values."""
    offsets = bytearray(_U64.pack(len(values)))
    at = 0
    for value in values:
        offsets += _U64.pack(at)
        at += len(value)
    offsets += _U64.pack(at)
    return bytes(offsets) + b"".join(values)


class Array:
    __slots__ = ("buf", "count", "data", "start")

    def __init__(self, buf: memoryview | bytes, start: int) -> None:
        self.buf = buf
        self.start = start
        (self.count,) = _U64.unpack_from(buf, start)
        self.data = start + 8 + 8 * (self.count + 1)

    def __len__(self) -> int:
        return int(self.count)

    def __getitem__(self, i: int) -> memoryview | bytes:
        if not 0 <= i < self.count:
            raise IndexError(i)
        a, b = _PAIR64.unpack_from(self.buf, self.start + 8 + 8 * i)
        return self.buf[self.data + a : self.data + b]


# --- lazy views -----------------------------------------------------------------------

_NOTHING: Any = object()


class LazyMapping(Mapping[Any, V]):
    """A read-only mapping decoded a key at a time from a table; keys are str or tuples of str."""

    __slots__ = ("_complete", "_loaded", "_missing", "_table")

    def __init__(self, table: Table) -> None:
        self._table = table
        self._loaded: dict[Any, V] = {}
        self._missing: set[Any] = set()
        self._complete = False

    @overload
    def get(self, key: Any, /) -> V | None: ...
    @overload
    def get(self, key: Any, /, default: V) -> V: ...
    @overload
    def get(self, key: Any, /, default: Any) -> Any: ...

    def get(self, key: Any, default: Any = None) -> Any:
        loaded = self._loaded
        if key in loaded:
            return loaded[key]
        if self._complete or key in self._missing or not isinstance(key, (str, tuple)):
            return default
        raw = self._table.get(key_text(key))
        if raw is None:
            self._missing.add(key)
            return default
        value: V = decode(raw)
        loaded[key] = value
        return value

    def __getitem__(self, key: Any) -> V:
        value = self.get(key, _NOTHING)
        if value is _NOTHING:
            raise KeyError(key)
        return cast(V, value)

    def __contains__(self, key: object) -> bool:
        return self.get(key, _NOTHING) is not _NOTHING

    def _load_all(self) -> dict[Any, V]:
        if not self._complete:
            for text, raw in self._table.items():
                key: Any = tuple(key_parts(text[1:])) if text[:1] == "\0" else text
                if key not in self._loaded:
                    self._loaded[key] = decode(raw)
            self._complete = True
        return self._loaded

    def __iter__(self) -> Iterator[Any]:
        return iter(self._load_all())

    def __len__(self) -> int:
        return len(self._load_all())

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self._load_all(),)


class LazySet(Set[str]):
    """A read-only set of strings answered from a table (keys with empty values)."""

    __slots__ = ("_all", "_answers", "_table")

    def __init__(self, table: Table) -> None:
        self._table = table
        self._answers: dict[str, bool] = {}
        self._all: frozenset[str] | None = None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._table.get(key) is not None
        return answer

    def _load_all(self) -> frozenset[str]:
        if self._all is None:
            self._all = frozenset(key for key, _ in self._table.items())
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._load_all())

    def __len__(self) -> int:
        return len(self._load_all())

    def __reduce__(self) -> tuple[Any, ...]:
        return frozenset, (self._load_all(),)


class LazyTuple(Sequence[T], Generic[T]):
    """A long tuple decoded a chunk at a time from an array of pickled chunks."""

    __slots__ = ("_array", "_chunks", "_size")

    def __init__(self, array: Array, size: int) -> None:
        self._array = array
        self._size = size
        self._chunks: list[tuple[T, ...] | None] = [None] * len(array)

    def _chunk(self, number: int) -> tuple[T, ...]:
        chunk = self._chunks[number]
        if chunk is None:
            chunk = self._chunks[number] = loads(self._array[number])
        return chunk

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._size)))
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("index out of range")
        return self._chunk(index // CHUNK)[index % CHUNK]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[T]:
        for number in range(len(self._chunks)):
            yield from self._chunk(number)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, LazyTuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (tuple(self),)


def tuple_section(values: Sequence[Any], dump: Dumper) -> bytes:
    return build_array([dump(tuple(values[i : i + CHUNK])) for i in range(0, len(values), CHUNK)])


def mapping_section(mapping: Mapping[Any, Any], dump: Dumper) -> bytes:
    return build_table((key_text(k), encode(v, dump)) for k, v in mapping.items())


# --- files ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """A mapped, checked cache file."""

    header: dict[str, Any]
    payload: memoryview

    def section(self, name: str) -> int:
        """Where a section starts in the payload."""
        try:
            start, _ = self.header["sections"][name]
        except (KeyError, TypeError, ValueError) as exc:
            raise CacheError(f"no section {name!r}") from exc
        return int(start)

    def blob(self, name: str) -> memoryview:
        try:
            start, length = self.header["sections"][name]
        except (KeyError, TypeError, ValueError) as exc:
            raise CacheError(f"no section {name!r}") from exc
        return self.payload[int(start) : int(start) + int(length)]


def open_file(path: Path, kind: str, key: str) -> Opened:
    """Map a cache file and check its header and checksum; CacheError if anything is off."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _HEAD.size:
                raise CacheError("truncated")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise CacheError(f"cannot read: {exc}") from exc
    buf = memoryview(mapped)
    magic, fmt, hlen = _HEAD.unpack_from(buf, 0)
    if magic != MAGIC or fmt != FORMAT or _HEAD.size + hlen > size:
        raise CacheError("not a cache file of this format")
    try:
        header = json.loads(bytes(buf[_HEAD.size : _HEAD.size + hlen]))
    except ValueError as exc:
        raise CacheError("bad header") from exc
    if not isinstance(header, dict) or header.get("kind") != kind or header.get("key") != key:
        raise CacheError("another key")
    payload = buf[_HEAD.size + hlen :]
    if len(payload) != header.get("length") or zlib.crc32(payload) != header.get("crc32"):
        raise CacheError("payload truncated or corrupt")
    return Opened(header, payload)


def touch(path: Path) -> None:
    """Mark a file as used, at most once a day, so that pruning keeps it."""
    with contextlib.suppress(OSError):
        if path.stat().st_mtime < time.time() - 86400:
            os.utime(path)


#: Names `write_file` gives (`kind-<hash>.bin`, and `.kind-<hash>-<random>.tmp` while
#: writing); pruning touches nothing else in the directory.
_OURS = re.compile(r"[a-z]+-[0-9a-f]{32}\.bin|\.[a-z]+-[0-9a-f]{32}-\w+\.tmp")


def ours(name: str) -> bool:
    """True for a name `write_file` gives: the cache directory may be shared with other files."""
    return _OURS.fullmatch(name) is not None


def prune(directory: Path) -> None:
    """Delete cache files unused for MAX_AGE and temporary files a crashed writer left."""
    now = time.time()
    with contextlib.suppress(OSError):
        for item in directory.iterdir():
            if not ours(item.name):
                continue
            age = MAX_AGE if item.suffix == ".bin" else 86400
            with contextlib.suppress(OSError):
                if item.stat().st_mtime < now - age:
                    item.unlink()


def write_file(path: Path, kind: str, key: str, sections: Mapping[str, bytes],
               extra: Mapping[str, Any] | None = None) -> bool:
    """Write a cache file atomically; False (and nothing left behind) if the directory refuses."""
    parts: list[bytes] = []
    where: dict[str, list[int]] = {}
    at = 0
    for name, data in sections.items():
        where[name] = [at, len(data)]
        parts.append(data)
        at += len(data)
        if at % 8:
            parts.append(b"\0" * (-at % 8))
            at += -at % 8
    payload = b"".join(parts)
    header = {**(extra or {}), "kind": kind, "key": key, "length": len(payload),
              "crc32": zlib.crc32(payload), "sections": where}
    head = json.dumps(header, ensure_ascii=False).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prune(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_HEAD.pack(MAGIC, FORMAT, len(head)))
            out.write(head)
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


# --- any dataclass, its big fields lazy -----------------------------------------------


def _lazy_kind(value: Any) -> str | None:
    if isinstance(value, (tuple, list)) and len(value) >= LAZY_MIN:
        return "tuple"
    if isinstance(value, dict) and len(value) >= LAZY_MIN and all(
        isinstance(k, str) or (isinstance(k, tuple) and all(isinstance(p, str) for p in k))
        for k in value
    ):
        return "mapping"
    return None


def dataclass_sections(obj: Any) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Sections for a dataclass instance: long tuples and dicts lazy, the rest in `meta`.

    Returns the sections and the header fields that say how to rebuild it.
    """
    cls = type(obj)
    if not dataclasses.is_dataclass(obj) or not cls.__module__.startswith("glossary_check."):
        raise TypeError("only the package's own dataclasses are stored field by field")
    dump = Dumper()
    meta: dict[str, Any] = {}
    lazy: dict[str, list[Any]] = {}
    sections: dict[str, bytes] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        kind = _lazy_kind(value)
        if kind == "tuple":
            sections[f"field:{f.name}"] = tuple_section(value, dump)
            lazy[f.name] = [kind, len(value)]
        elif kind == "mapping":
            sections[f"field:{f.name}"] = mapping_section(value, dump)
            lazy[f.name] = [kind, len(value)]
        else:
            meta[f.name] = value
    sections = {"meta": dump(meta), **sections}
    return sections, {"class": [cls.__module__, cls.__qualname__], "lazy": lazy}


def dataclass_from(opened: Opened) -> Any:
    """Rebuild what `dataclass_sections` stored, its big fields as lazy views of the file."""
    try:
        module, qualname = opened.header["class"]
        if not module.startswith("glossary_check."):
            raise CacheError("a class outside the package")
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        fields: dict[str, Any] = loads(opened.blob("meta"))
        for name, (kind, size) in opened.header["lazy"].items():
            start = opened.section(f"field:{name}")
            if kind == "tuple":
                fields[name] = LazyTuple(Array(opened.payload, start), int(size))
            else:
                fields[name] = LazyMapping(Table(opened.payload, start))
        return cls(**fields)
    except CacheError:
        raise
    except Exception as exc:
        raise CacheError(f"cannot rebuild the stored object: {exc!r}") from exc


def plain_sections(obj: Any) -> dict[str, bytes]:
    return {"value": Dumper()(obj)}


def plain_from(opened: Opened) -> Any:
    return loads(opened.blob("value"))


def codec_for(obj: Any) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Field-by-field sections for the package's dataclasses, one pickle for anything else."""
    try:
        return dataclass_sections(obj)
    except TypeError:
        return plain_sections(obj), {}


def restore(opened: Opened) -> Any:
    return dataclass_from(opened) if "class" in opened.header else plain_from(opened)


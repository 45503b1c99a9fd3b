"""The cache file format: sections read in place from a mapped file, decoded on first use.

A big compiled artefact is read one small record at a time rather than
decoded whole: a 50,000-entry glossary takes seconds to decode, while one
article needs a few hundred of its records. So a file holds sections:

* a hash table (str -> bytes) answers a look-up with a CRC-32 of the key, two
  offsets and a comparison, straight from the mapped file;
* an array of byte strings holds a long sequence in small chunks;
* columns of unsigned 32-bit integers (`columns_section`) are indexed in place;
* `meta` holds whatever is small, encoded once.

Records are plain data (MessagePack: strings, numbers, arrays), turned into
the package's objects by a `Codec` made from the type hints of what is stored:
every value is checked against its type, and nothing in a file names code to
run or a class to build. Cache files are untrusted input: anyone who can write
the cache directory can write one. So a file is read only if the current user
owns it and nobody else can write it, and a directory only if it is the
user's own or nobody else can write it (`refusal`); every offset is checked
against the file's bounds, and any inconsistency is a CacheError, after which
the caller rebuilds.

File layout (integers little-endian)::

    b"GLCKCACH" | u32 FORMAT | u32 header length | header (JSON) | payload

The header names the artefact and its key, gives the payload's length and
CRC-32 and where each section lies. `open_file` refuses (CacheError) a file
whose owner, mode, magic, format, kind, key, length or checksum is off, and
every decoding failure later is a CacheError too. `write_file` writes a
temporary file (mode 0600) in the same directory, fsyncs and renames it over
the old one: readers see the old file or the new one, never half of one, and
a reader keeps the file it mapped even after it is replaced.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import dataclasses
import enum
import errno
import itertools
import json
import mmap
import operator
import os
import re
import stat
import struct
import sys
import tempfile
import time
import types
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

import msgpack
import regex

#: Bump when the layout changes.
FORMAT = 5
MAGIC = b"GLCKCACH"
_HEAD = struct.Struct("<8sII")
_U32 = struct.Struct("<I")
_SPAN = struct.Struct("<II")
#: Items per chunk of a sequence: a look-up decodes few, chunks share framing overhead.
CHUNK = 16
#: Dicts and sequences shorter than this go into `meta` whole.
LAZY_MIN = 256
#: Cache files unused for this long are deleted when another one is written.
MAX_AGE = 60 * 86400
#: Permission bits that let someone other than the owner write.
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH

T = TypeVar("T")
V = TypeVar("V")


class CacheError(Exception):
    """A cache file that cannot be trusted; the caller rebuilds it."""


class Untrusted(CacheError):
    """A cache file or directory someone else could have written; str() is a one-line notice."""


# --- who may have written it ----------------------------------------------------------


def _me() -> int | None:
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def refusal(directory: Path) -> str | None:
    """Why a cache directory must not be used (one line, for a notice), or None when it may be.

    Another user who can write the directory could plant files in it; a
    directory of the user's own, or one nobody else can write, is fine (files
    in it are still checked one by one). A directory not made yet is fine too:
    `make_dir` makes it private.
    """
    me = _me()
    try:
        st = os.stat(directory)
    except OSError:
        return None  # missing, or unreachable: making or writing it fails on its own
    if me is not None and st.st_uid != me and st.st_mode & _OTHERS_WRITE:
        return f"cache directory {directory} is writable by other users and not yours"
    return None


def file_refusal(st: os.stat_result) -> str | None:
    """Why a cache file must not be read, from its status: not a regular file of the user's
    own that only they can write."""
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    me = _me()
    if me is not None and st.st_uid != me:
        return "belongs to another user"
    if st.st_mode & _OTHERS_WRITE:
        return "is writable by other users"
    return None


def make_dir(directory: Path) -> None:
    """Make a cache directory and any missing parents private (0700); OSError if it fails."""
    missing: list[Path] = []
    here = directory
    while not here.exists() and here.parent != here:
        missing.append(here)
        here = here.parent
    for item in reversed(missing):
        with contextlib.suppress(FileExistsError):
            item.mkdir(mode=0o700)
    if not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(directory))


# --- values ---------------------------------------------------------------------------

Convert = Callable[[Any], Any]
_NONE = type(None)


@dataclass(frozen=True, slots=True)
class Codec:
    """Plain data and back for one type: `dump` makes what MessagePack stores, `load` checks
    a decoded value against the type (TypeError, ValueError ... if it does not fit).

    Two facts let containers skip a call per item: `plain`, the value is stored as it is
    (`dump` is the identity: strings, numbers, tuples and lists of these); `exact`, the
    types a decoded value may have when checking its type is all `load` does.
    """

    dump: Convert
    load: Convert
    plain: bool = False
    exact: frozenset[type] = frozenset()

    def encode(self, value: Any) -> bytes:
        return pack(self.dump(value))

    def decode(self, raw: bytes | memoryview) -> Any:
        return checked(self.load, unpack(raw))


def pack(plain: Any) -> bytes:
    return cast(bytes, msgpack.packb(plain, use_bin_type=True))


def packer() -> Callable[[Any], bytes]:
    """`pack` for many records: one packer, not one per record (not shared between threads)."""
    return cast(Callable[[Any], bytes], msgpack.Packer(use_bin_type=True).pack)


def unpack(raw: bytes | memoryview) -> Any:
    """A record's plain data: arrays as tuples, no map keys but strings, no extension types."""
    try:
        return msgpack.unpackb(raw, raw=False, use_list=False, strict_map_key=True)
    except Exception as exc:  # the decoder's errors are many: all mean a bad record
        raise CacheError(f"bad record: {exc!r}") from exc


def checked(load: Convert, plain: Any) -> Any:
    try:
        return load(plain)
    except CacheError:
        raise
    except Exception as exc:  # a value of another type or shape than the one stored
        raise CacheError(f"bad record: {exc!r}") from exc


def _same(value: Any) -> Any:
    return value


def _exactly(cls: type) -> Convert:
    def load(value: Any) -> Any:
        if type(value) is not cls:
            raise TypeError(f"{cls.__name__} expected, not {type(value).__name__}")
        return value

    return load


def _one_of(allowed: frozenset[type]) -> Convert:
    def load(value: Any) -> Any:
        if type(value) not in allowed:
            raise TypeError(f"{type(value).__name__} not expected")
        return value

    return load


def _tuple_of(value: Any) -> tuple[Any, ...]:
    if type(value) is not tuple:
        raise TypeError("an array expected")
    return value


def _all_of(value: Any, allowed: frozenset[type]) -> tuple[Any, ...]:
    """An array whose items all have one of the `allowed` types (checked in one pass)."""
    if type(value) is not tuple or not set(map(type, value)) <= allowed:
        raise TypeError("an array of other items expected")
    return value


_CODECS: dict[Any, Codec] = {}


def codec(tp: Any) -> Codec:
    """The codec of a type: str, int, float, bool, bytes, None, an IntEnum, a regex pattern,
    tuples, lists, frozensets, dicts and mappings of these, X | None, and the package's own
    dataclasses. TypeError for anything else: it is not stored."""
    found = _CODECS.get(tp)
    if found is None:
        found = _CODECS[tp] = _make(tp)
    return found


def _make(tp: Any) -> Codec:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    for build in (_scalar_codec, _optional_codec, _tuple_codec, _collection_codec):
        found = build(tp, origin, args)
        if found is not None:
            return found
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_codec(tp)
    raise TypeError(f"not storable: {tp!r}")


def _scalar_codec(tp: Any, origin: Any, args: tuple[Any, ...]) -> Codec | None:
    """str, int, float, bool, bytes, None, an IntEnum, a regex pattern."""
    if tp in (str, int, float, bool, bytes):
        return Codec(_same, _exactly(tp), True, frozenset({tp}))
    if tp is _NONE or tp is None:
        return Codec(_same, _exactly(_NONE), True, frozenset({_NONE}))
    if isinstance(tp, type) and issubclass(tp, enum.IntEnum):
        members = {int(m): m for m in tp}

        def load_member(v: Any) -> Any:
            if type(v) is not int:
                raise TypeError(f"int expected, not {type(v).__name__}")
            return members[v]

        # an IntEnum is an int: MessagePack stores it as one
        return Codec(_same, load_member, True)
    if tp is regex.Pattern or origin is regex.Pattern:
        return Codec(lambda p: (p.pattern, p.flags), _load_pattern)
    return None


def _optional_codec(tp: Any, origin: Any, args: tuple[Any, ...]) -> Codec | None:
    """X | None; any other union is not stored."""
    if origin not in (typing.Union, types.UnionType):
        return None
    others = [a for a in args if a is not _NONE]
    if len(others) != 1 or len(args) != 2:
        raise TypeError(f"not storable: {tp!r}")
    inner = codec(others[0])
    if inner.exact:
        allowed = inner.exact | {_NONE}
        return Codec(_same, _one_of(allowed), True, allowed)
    dump_inner, load_inner = inner.dump, inner.load
    return Codec(_same if inner.plain else lambda v: None if v is None else dump_inner(v),
                 lambda v: None if v is None else load_inner(v), inner.plain)


def _tuple_codec(tp: Any, origin: Any, args: tuple[Any, ...]) -> Codec | None:
    """tuple[X, ...], and tuple[X, Y, ...] of a fixed size."""
    if origin is not tuple or not args:
        return None
    if len(args) == 2 and args[1] is Ellipsis:
        item = codec(args[0])
        dump_item, load_item = item.dump, item.load
        if item.exact:
            allowed = item.exact
            return Codec(_same, lambda v: _all_of(v, allowed), True)
        return Codec(_same if item.plain else lambda v: tuple(map(dump_item, v)),
                     lambda v: tuple(map(load_item, _tuple_of(v))), item.plain)
    items = [codec(a) for a in args]
    size = len(items)
    if all(len(c.exact) == 1 for c in items):
        expected = tuple(next(iter(c.exact)) for c in items)

        def load_exact(v: Any) -> tuple[Any, ...]:
            if type(v) is not tuple or tuple(map(type, v)) != expected:
                raise TypeError(f"an array of {size} items of other types expected")
            return v

        return Codec(_same, load_exact, True)

    def load_fixed(v: Any) -> tuple[Any, ...]:
        if len(_tuple_of(v)) != size:
            raise ValueError(f"{size} items expected")
        return tuple(c.load(x) for c, x in zip(items, v, strict=True))

    plain = all(c.plain for c in items)
    return Codec(
        _same if plain else lambda v: tuple(c.dump(x) for c, x in zip(items, v, strict=True)),
        load_fixed, plain)


def _collection_codec(tp: Any, origin: Any, args: tuple[Any, ...]) -> Codec | None:
    """list[X], frozenset[X] (or a Set), dict[K, V] (or a Mapping)."""
    if origin is list and len(args) == 1:
        item = codec(args[0])
        dump_item, load_item = item.dump, item.load
        if item.exact:
            allowed = item.exact
            return Codec(_same, lambda v: list(_all_of(v, allowed)), True)
        return Codec(_same if item.plain else lambda v: list(map(dump_item, v)),
                     lambda v: list(map(load_item, _tuple_of(v))), item.plain)
    if origin in (frozenset, Set) and len(args) == 1:
        return _set_codec(codec(args[0]))
    if origin in (dict, Mapping) and len(args) == 2:
        return _dict_codec(codec(args[0]), codec(args[1]))
    return None


#: Items a set of which is stored sorted as they are.
_SORTABLE = (frozenset({str}), frozenset({int}), frozenset({bytes}))


def _set_codec(item: Codec) -> Codec:
    # in a fixed order: a set's own differs between processes, the file must not
    dump_item, load_item = item.dump, item.load
    if item.exact in _SORTABLE:
        allowed = item.exact
        return Codec(sorted, lambda v: frozenset(_all_of(v, allowed)))
    return Codec(lambda v: sorted(map(dump_item, v), key=repr),
                 lambda v: frozenset(map(load_item, _tuple_of(v))))


def _dict_codec(key: Codec, value: Codec) -> Codec:
    if key.exact and value.exact:
        keys, values = key.exact, value.exact

        def load_exact(v: Any) -> dict[Any, Any]:
            out = dict(_all_of(v, _PAIRS))  # ValueError for an item that is not a pair
            if len(out) != len(v):
                raise ValueError("a key twice")
            if not (set(map(type, out)) <= keys and set(map(type, out.values())) <= values):
                raise TypeError("a key or value of another type")
            return out

        return Codec(_dict_pairs, load_exact)

    def load_dict(v: Any) -> dict[Any, Any]:
        out = {key.load(k): value.load(x) for k, x in map(_pair, _tuple_of(v))}
        if len(out) != len(v):
            raise ValueError("a key twice")
        return out

    if key.plain and value.plain:
        return Codec(_dict_pairs, load_dict)
    return Codec(lambda v: [(key.dump(k), value.dump(x)) for k, x in v.items()], load_dict)


_PAIRS = frozenset({tuple})


def _dict_pairs(v: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    return list(v.items())


def _pair(v: Any) -> tuple[Any, Any]:
    if len(_tuple_of(v)) != 2:
        raise ValueError("a pair expected")
    return v[0], v[1]


def _load_pattern(v: Any) -> regex.Pattern[str]:
    text, flags = _tuple_of(v)
    return regex.compile(_exactly(str)(text), _exactly(int)(flags))


def stored_fields(cls: type) -> list[tuple[str, Any]]:
    """A dataclass's fields and their types, if it is the package's own and is rebuilt by
    calling it with them; TypeError otherwise."""
    if not cls.__module__.startswith("glossary_check."):
        raise TypeError("only the package's own dataclasses are stored")
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields) or any(f.kw_only for f in fields):
        raise TypeError(f"{cls.__qualname__} is not rebuilt from its fields")
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in fields]


#: How many distinct rows of field types a dataclass's loader remembers as checked.
_SIGNATURES = 4096


def _dataclass_codec(cls: type) -> Codec:
    """Fields in order, as an array. Dumping reads them all in one call and converts only the
    fields that are not plain; loading checks the fields whose type is all there is to check
    by the row of their types (remembered once seen), and loads the others one by one."""
    fields = stored_fields(cls)
    codecs = [codec(tp) for _, tp in fields]
    size = len(fields)
    get: Callable[[Any], Any] = operator.attrgetter(*(name for name, _ in fields))
    if size == 1:
        one = get

        def get(obj: Any) -> tuple[Any, ...]:
            return (one(obj),)

    fixes = tuple((i, c.dump) for i, c in enumerate(codecs) if not c.plain)

    def dump(obj: Any) -> Any:
        values = list(get(obj))
        for i, fix in fixes:
            values[i] = fix(values[i])
        return values

    checks = tuple((i, c.exact) for i, c in enumerate(codecs) if c.exact)
    loads = tuple((i, c.load) for i, c in enumerate(codecs) if not c.exact)
    seen: set[tuple[type, ...]] = set()

    def load(v: Any) -> Any:
        if type(v) is not tuple or len(v) != size:
            raise ValueError(f"{size} fields expected")
        row = tuple(map(type, v))
        if row not in seen:
            for i, allowed in checks:
                if row[i] not in allowed:
                    raise TypeError(f"{cls.__qualname__}: a field of another type")
            if len(seen) < _SIGNATURES:
                seen.add(row)
        if not loads:
            return cls(*v)
        values = list(v)
        for i, load_field in loads:
            values[i] = load_field(values[i])
        return cls(*values)

    # fields all plain: read in one C call (what is not a `cls` fails to load, not to dump)
    return Codec(dump if fixes else get, load)


# --- sections -------------------------------------------------------------------------


def _read(fmt: struct.Struct, buf: memoryview | bytes, at: int) -> tuple[Any, ...]:
    """Integers at `at`, which must lie inside the buffer."""
    if at < 0 or at + fmt.size > len(buf):
        raise CacheError("an offset outside the file")
    return fmt.unpack_from(buf, at)


def key_text(key: str | tuple[str, ...]) -> str:
    """A table key: a string as it is, a tuple of strings each prefixed with its length."""
    if isinstance(key, str):
        return key
    return "\0" + "".join(f"{len(part)}:{part}" for part in key)


def key_parts(text: str) -> Iterator[str]:
    """The parts of a length-prefixed key (as written by `key_text` after its first byte);
    ValueError if it is not one."""
    at = 0
    while at < len(text):
        colon = text.index(":", at)
        size = int(text[at:colon])
        if size < 0 or colon + 1 + size > len(text):
            raise ValueError("a key part longer than the key")
        yield text[colon + 1 : colon + 1 + size]
        at = colon + 1 + size


_LITTLE = sys.byteorder == "little"


def packed(typecode: str, values: Iterable[int]) -> bytes:
    """Unsigned integers, little-endian, in one C call (OverflowError if one does not fit)."""
    items = array.array(typecode, values)
    if not _LITTLE:
        items.byteswap()
    return items.tobytes()


def unpacked(typecode: typing.Literal["H", "I"], view: memoryview) -> Sequence[int]:
    """What `packed` wrote, indexed in place (a copy on a big-endian machine)."""
    if _LITTLE:
        return view.cast(typecode)
    items = array.array(typecode, bytes(view))
    items.byteswap()
    return items


def build_table(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A hash table (str -> bytes) of the items; see `table_section`."""
    pairs = list(items)
    return table_section([k for k, _ in pairs], [v for _, v in pairs])


def table_section(keys: Sequence[str], values: Sequence[bytes] | None = None) -> bytes:
    """A hash table of keys and their values (empty if None), made in a few C-level passes::

        u32 count | u32 bits | u32 first entry of each bucket (2**bits + 1)
        | u32 CRC-32 of each key, ascending (count) | u32 its record's number (count)
        | u32 record offsets (count + 1) | u16 key sizes (count) | padding to 4 | records

    A record is its key (UTF-8) and then its value, in the order given (give a set's keys
    sorted: the file must not depend on the order a process's string hashes give). A
    bucket holds the entries whose CRC-32 starts with its number's bits; a look-up
    bisects the CRC-32s of its bucket.
    """
    encoded = [k.encode("utf-8", "surrogatepass") for k in keys]
    key_sizes = list(map(len, encoded))
    if values is None:
        records: Iterable[bytes] = encoded
        ends: Iterable[int] = itertools.accumulate(key_sizes, initial=0)
    else:
        records = itertools.chain.from_iterable(zip(encoded, values, strict=True))
        ends = itertools.accumulate(map(operator.add, key_sizes, map(len, values)), initial=0)
    return _table(list(map(zlib.crc32, encoded)), key_sizes, ends, b"".join(records))


def streamed_table(items: Iterable[tuple[str, bytes]]) -> bytes:
    """`table_section` of (key, value) items made one at a time: each record is added to
    the section's bytes as it comes, and nothing else of it is kept but its CRC-32 and
    sizes (a trie of a quarter of a million nodes is walked once, not listed twice)."""
    records = bytearray()
    crcs: list[int] = []
    key_sizes: list[int] = []
    ends = [0]
    crc32 = zlib.crc32
    for key, value in items:
        kb = key.encode("utf-8", "surrogatepass")
        crcs.append(crc32(kb))
        key_sizes.append(len(kb))
        records += kb
        records += value
        ends.append(len(records))
    return _table(crcs, key_sizes, ends, records)


def _table(crcs: list[int], key_sizes: list[int], ends: Iterable[int],
           records: bytes | bytearray) -> bytes:
    """The section `table_section` describes, from its keys' CRC-32s and sizes, the records'
    ends, and the records."""
    count = len(crcs)
    numbers = sorted(range(count), key=crcs.__getitem__)
    ranked = [crcs[i] for i in numbers] if count < 2 else operator.itemgetter(*numbers)(crcs)
    bits = min(16, max(count.bit_length() - 3, 0))
    try:
        sizes = packed("H", key_sizes)
        index = packed("I", itertools.chain(
            (count, bits),
            map(bisect.bisect_left, itertools.repeat(ranked),
                map(operator.lshift, range((1 << bits) + 1), itertools.repeat(32 - bits))),
            ranked,
            numbers,
            ends,
        ))
    except OverflowError as exc:
        raise ValueError("a table key or table too long") from exc
    return b"".join((index, sizes, b"\0" * (-len(sizes) % 4), records))


class Table:
    """Read side of `table_section`: look-ups straight from the mapped file, every offset
    checked."""

    __slots__ = ("count", "crcs", "data", "numbers", "offsets", "shift", "sizes", "starts")

    def __init__(self, buf: memoryview | bytes, start: int = 0) -> None:
        view = memoryview(buf)[start:]
        count, bits = _read(_SPAN, view, 0)
        if bits > 16:
            raise CacheError("bad table")
        crcs = 8 + 4 * ((1 << bits) + 1)
        numbers = crcs + 4 * count
        offsets = numbers + 4 * count
        sizes = offsets + 4 * (count + 1)
        data = sizes + 2 * count
        data += -data % 4
        if data > len(view):
            raise CacheError("a table longer than its file")
        self.count = count
        self.shift = 32 - bits
        self.starts = unpacked("I", view[8:crcs])
        self.crcs = unpacked("I", view[crcs:numbers])
        self.numbers = unpacked("I", view[numbers:offsets])
        self.offsets = unpacked("I", view[offsets:sizes])
        self.sizes = unpacked("H", view[sizes : sizes + 2 * count])
        self.data = view[data:]

    def _key(self, record: int) -> tuple[int, int, int]:
        """Where a record starts, where its key ends, where its value ends."""
        if record >= self.count:
            raise CacheError("a record outside its table")
        at = self.offsets[record]
        end = self.offsets[record + 1]
        key_end = at + self.sizes[record]
        if not key_end <= end <= len(self.data):
            raise CacheError("a record outside its table")
        return at, key_end, end

    def get(self, key: str) -> memoryview | None:
        kb = key.encode("utf-8", "surrogatepass")
        crc = zlib.crc32(kb)
        bucket = crc >> self.shift
        first, last = self.starts[bucket], self.starts[bucket + 1]
        if not first <= last <= self.count:
            raise CacheError("a bucket outside its table")
        crcs = self.crcs
        entry = bisect.bisect_left(crcs, crc, first, last)
        while entry < last and crcs[entry] == crc:
            at, key_end, end = self._key(self.numbers[entry])
            if self.data[at:key_end] == kb:
                return self.data[key_end:end]
            entry += 1
        return None


    def items(self) -> Iterator[tuple[str, memoryview]]:
        data = self.data
        for record in range(self.count):
            at, key_end, end = self._key(record)
            try:
                key = bytes(data[at:key_end]).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError as exc:
                raise CacheError("a key that is not text") from exc
            yield key, data[key_end:end]


def build_array(values: Sequence[bytes]) -> bytes:
    """u32 count | u32 offsets (count + 1) | values."""
    try:
        index = packed("I", itertools.chain(
            (len(values),), itertools.accumulate(map(len, values), initial=0)))
    except OverflowError as exc:
        raise ValueError("an array too long") from exc
    return b"".join((index, *values))


class Array:
    __slots__ = ("count", "data", "offsets")

    def __init__(self, buf: memoryview | bytes, start: int = 0) -> None:
        view = memoryview(buf)[start:]
        (self.count,) = _read(_U32, view, 0)
        data = 4 + 4 * (self.count + 1)
        if data > len(view):
            raise CacheError("an array longer than its file")
        self.offsets = unpacked("I", view[4:data])
        self.data = view[data:]

    def __len__(self) -> int:
        return int(self.count)

    def __getitem__(self, i: int) -> memoryview:
        if not 0 <= i < self.count:
            raise IndexError(i)
        a, b = self.offsets[i], self.offsets[i + 1]
        if not a <= b <= len(self.data):
            raise CacheError("an item outside its array")
        return self.data[a:b]


def columns_section(columns: Sequence[Sequence[int]]) -> bytes:
    """Columns of as many unsigned 32-bit integers each: u32 count | each column in turn."""
    count = len(columns[0]) if columns else 0
    if any(len(column) != count for column in columns):
        raise ValueError("columns of different lengths")
    try:
        return packed("I", [count]) + b"".join(
            column.tobytes() if isinstance(column, array.array) and column.typecode == "I"
            and _LITTLE else packed("I", column)
            for column in columns)
    except OverflowError as exc:
        raise ValueError("a number too large for a column") from exc


def read_columns(buf: memoryview | bytes, columns: int) -> list[Sequence[int]]:
    """What `columns_section` wrote, indexed in place; CacheError if the sizes disagree."""
    view = memoryview(buf)
    (count,) = _read(_U32, view, 0)
    if len(view) != 4 + 4 * count * columns:
        raise CacheError("columns of another length than their count")
    return [unpacked("I", view[4 + 4 * count * i : 4 + 4 * count * (i + 1)])
            for i in range(columns)]


# --- lazy views -----------------------------------------------------------------------

#: What `get` returns for a missing key, where None is a value.
NOTHING: Any = object()


class Rescue:
    """What the lazy views of one cache file fall back on once a record of it fails to decode.

    The file passed every check on opening, so a bad record means a file forged
    to pass them: the artefact is built afresh (once), the file deleted so the
    next run rewrites it, and from then on every view answers from what was
    built, so a run never stops on a bad record.
    """

    __slots__ = ("_build", "_path", "notices", "value")

    def __init__(self, build: Callable[[], Any], path: Path, notices: list[str]) -> None:
        self._build = build
        self._path = path
        self.notices = notices
        self.value: Any = None

    def __call__(self) -> Any:
        if self.value is None:
            with contextlib.suppress(OSError):
                self._path.unlink()
            self.notices.append(f"cache file {self._path} has a bad record: rebuilt")
            self.value = self._build()
        return self.value


def fallback(rescue: Rescue | None, pick: Callable[[Any], Any], error: CacheError) -> Any:
    """A view's counterpart in the rebuilt artefact; the error again if there is no rescue."""
    if rescue is None:
        raise error
    return pick(rescue())


def rescued(rescue: Rescue | None) -> bool:
    """True once a view of the same file has fallen back: the others follow on their next read."""
    return rescue is not None and rescue.value is not None


_REBUILT = CacheError("another view of the file was rebuilt")


class LazyMapping(Mapping[Any, V]):
    """A read-only mapping decoded a key at a time from a table; keys are str or tuples of str."""

    __slots__ = ("_complete", "_key", "_loaded", "_missing", "_pick", "_real", "_rescue",
                 "_table", "_value")

    def __init__(self, table: Table, value: Codec, key: Codec | None = None,
                 rescue: Rescue | None = None, pick: Callable[[Any], Any] = _same) -> None:
        self._table = table
        self._value = value
        self._key = key
        self._loaded: dict[Any, V] = {}
        self._missing: set[Any] = set()
        self._complete = False
        self._rescue = rescue
        self._pick = pick
        self._real: Mapping[Any, V] | None = None

    def _fall_back(self, error: CacheError) -> Mapping[Any, V]:
        real: Mapping[Any, V] = fallback(self._rescue, self._pick, error)
        self._real = real
        return real

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
        if isinstance(key, tuple) and not all(isinstance(part, str) for part in key):
            return default
        real = self._real
        if real is not None:
            return real.get(key, default)
        try:
            if rescued(self._rescue):
                raise _REBUILT
            raw = self._table.get(key_text(key))
            if raw is None:
                self._missing.add(key)
                return default
            value: V = self._value.decode(raw)
        except CacheError as exc:
            return self._fall_back(exc).get(key, default)
        loaded[key] = value
        return value

    def __getitem__(self, key: Any) -> V:
        value = self.get(key, NOTHING)
        if value is NOTHING:
            raise KeyError(key)
        return cast(V, value)

    def __contains__(self, key: object) -> bool:
        return self.get(key, NOTHING) is not NOTHING

    def _load_all(self) -> dict[Any, V]:
        if not self._complete:
            try:
                if self._real is not None or rescued(self._rescue):
                    raise _REBUILT
                for text, raw in self._table.items():
                    try:
                        key: Any = tuple(key_parts(text[1:])) if text[:1] == "\0" else text
                    except ValueError as exc:
                        raise CacheError("a bad key") from exc
                    if self._key is not None:
                        key = checked(self._key.load, key)
                    if key not in self._loaded:
                        self._loaded[key] = self._value.decode(raw)
            except CacheError as exc:
                self._loaded = dict(self._real or self._fall_back(exc))
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

    __slots__ = ("_all", "_answers", "_pick", "_rescue", "_table")

    def __init__(self, table: Table, rescue: Rescue | None = None,
                 pick: Callable[[Any], Any] = _same) -> None:
        self._table = table
        self._answers: dict[str, bool] = {}
        self._all: frozenset[str] | None = None
        self._rescue = rescue
        self._pick = pick

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        answer = self._answers.get(key)
        if answer is None:
            if self._all is not None:
                return key in self._all
            try:
                if rescued(self._rescue):
                    raise _REBUILT
                answer = self._answers[key] = self._table.get(key) is not None
            except CacheError as exc:
                self._all = frozenset(fallback(self._rescue, self._pick, exc))
                return key in self._all
        return answer

    def _load_all(self) -> frozenset[str]:
        if self._all is None:
            try:
                if rescued(self._rescue):
                    raise _REBUILT
                self._all = frozenset(key for key, _ in self._table.items())
            except CacheError as exc:
                self._all = frozenset(fallback(self._rescue, self._pick, exc))
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._load_all())

    def __len__(self) -> int:
        return len(self._load_all())

    def __reduce__(self) -> tuple[Any, ...]:
        return frozenset, (self._load_all(),)


class LazyTuple(Sequence[T], Generic[T]):
    """A long tuple decoded from an array of chunks: an item read alone is decoded alone
    (a run looks at few of a large glossary's entries, scattered over many chunks), a
    whole chunk at once where the tuple is walked."""

    __slots__ = ("_array", "_chunks", "_item", "_items", "_pick", "_plain", "_rescue", "_size")

    def __init__(self, array: Array, size: int, item: Codec, rescue: Rescue | None = None,
                 pick: Callable[[Any], Any] = _same) -> None:
        if type(size) is not int or size < 0 or len(array) != -(-size // CHUNK):
            raise CacheError("a sequence of another length than its chunks")
        self._array = array
        self._size = size
        self._item = item
        self._chunks: list[tuple[T, ...] | None] = [None] * len(array)
        #: chunks read but not decoded whole, and their items decoded alone, by chunk number
        self._plain: dict[int, tuple[Any, ...]] = {}
        self._items: dict[int, dict[int, T]] = {}
        self._rescue = rescue
        self._pick = pick

    def _read(self, number: int) -> tuple[Any, ...]:
        """A chunk's plain records (CacheError for a bad one)."""
        plain = self._plain.get(number)
        if plain is None:
            if rescued(self._rescue):
                raise _REBUILT
            plain = unpack(self._array[number])
            expected = min(CHUNK, self._size - number * CHUNK)
            if type(plain) is not tuple or len(plain) != expected:
                raise CacheError("a chunk of another length")
            self._plain[number] = plain
        return plain

    def _rebuilt(self, number: int, exc: CacheError) -> tuple[T, ...]:
        """Every chunk from the rebuilt sequence (see `cachefile.Rescue`); chunk `number`."""
        real: Sequence[T] = fallback(self._rescue, self._pick, exc)
        self._size = len(real)
        chunks = [tuple(real[i : i + CHUNK]) for i in range(0, len(real), CHUNK)]
        self._chunks = list(chunks)
        self._plain, self._items = {}, {}
        return chunks[number] if number < len(chunks) else ()

    def _chunk(self, number: int) -> tuple[T, ...]:
        chunk = self._chunks[number]
        if chunk is None:
            try:
                chunk = checked(self._decode(number), self._read(number))
            except CacheError as exc:
                return self._rebuilt(number, exc)
            self._chunks[number] = chunk
            self._plain.pop(number, None)
            self._items.pop(number, None)
        return chunk

    def _decode(self, number: int) -> Callable[[tuple[Any, ...]], tuple[T, ...]]:
        load, alone = self._item.load, self._items.get(number)
        if not alone:
            exact = self._item.exact
            if exact:  # loading checks the types alone: all of them in one pass
                return lambda plain: _all_of(plain, exact)
            return lambda plain: tuple(map(load, plain))

        def decode(plain: tuple[Any, ...]) -> tuple[T, ...]:
            # what was decoded alone stays that item
            return tuple(alone[at] if at in alone else load(value)
                         for at, value in enumerate(plain))

        return decode

    def _one(self, index: int) -> T:
        number, at = divmod(index, CHUNK)
        chunk = self._chunks[number]
        if chunk is not None:
            return chunk[at]
        alone = self._items.get(number)
        found: T | Any = NOTHING if alone is None else alone.get(at, NOTHING)
        if found is NOTHING:
            try:
                found = checked(self._item.load, self._read(number)[at])
            except CacheError as exc:
                return self._rebuilt(number, exc)[at]
            self._items.setdefault(number, {})[at] = found
        return found

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
        try:
            return self._one(index)
        except IndexError:  # the rebuilt sequence is shorter than the file said
            raise IndexError("index out of range") from None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[T]:
        number = 0
        while number < len(self._chunks):
            yield from self._chunk(number)
            number += 1

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, LazyTuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (tuple(self),)


def tuple_section(values: Sequence[Any], item: Codec) -> bytes:
    """An array of chunks of CHUNK items, each chunk one MessagePack array."""
    plain = values if item.plain else list(map(item.dump, values))
    pack_chunk = packer()
    return build_array([pack_chunk(plain[i : i + CHUNK]) for i in range(0, len(plain), CHUNK)])


def mapping_section(mapping: Mapping[Any, Any], value: Codec) -> bytes:
    """A table of a mapping's items, str keys as they are and tuple keys as `key_text`."""
    keys = list(mapping)
    if not set(map(type, keys)) <= {str}:
        keys = list(map(key_text, keys))
    values = mapping.values()
    return table_section(keys, list(map(packer(), values if value.plain
                                         else map(value.dump, values))))


# --- files ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """A mapped, checked cache file."""

    header: dict[str, Any]
    payload: memoryview

    def blob(self, name: str) -> memoryview:
        """A section of the payload; CacheError if the header does not place it inside."""
        try:
            start, length = self.header["sections"][name]
        except (KeyError, TypeError, ValueError) as exc:
            raise CacheError(f"no section {name!r}") from exc
        if type(start) is not int or type(length) is not int or not (
            0 <= start <= start + length <= len(self.payload)
        ):
            raise CacheError(f"section {name!r} outside the file")
        return self.payload[start : start + length]

    def table(self, name: str) -> Table:
        return Table(self.blob(name), 0)

    def rfind(self, name: str, needle: bytes, start: int, end: int) -> int:
        """Where `needle` last lies wholly within [start, end) of a section (offsets into
        the section, clamped to it), -1 if nowhere: a substring search of the mapped
        file in place, in one C call."""
        section = self.blob(name)  # CacheError unless the header places it inside
        start, end = max(start, 0), min(end, len(section))
        mapped = section.obj
        if not isinstance(mapped, mmap.mmap) or len(mapped) < len(self.payload):
            return bytes(section).rfind(needle, start, end)
        # the payload runs to the end of the mapped file
        base = len(mapped) - len(self.payload) + self.header["sections"][name][0]
        found = mapped.rfind(needle, base + start, base + end)
        return found - base if found >= 0 else -1

    def array(self, name: str) -> Array:
        return Array(self.blob(name), 0)


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))


def open_file(path: Path, kind: str, key: str | None, *, checksum: bool = True) -> Opened:
    """Map a cache file and check its owner, mode, header and checksum.

    CacheError if anything is off; Untrusted (a CacheError whose message is a
    one-line notice) if another user could have written it. A symbolic link or
    a pipe in its place is not followed or waited on. A `key` of None takes any
    key: the caller compares the header itself, to say what does not match.
    `checksum=False` leaves the payload unread (reading it all would put every page
    of it in memory): for a file this process has just written, whose header the
    caller compares with what it wrote; every record is still checked as it is read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError as exc:
        raise CacheError("no file") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Untrusted(f"cache file {path} is a symbolic link: not read") from exc
        raise CacheError(f"cannot read: {exc}") from exc
    try:
        st = os.fstat(fd)
        reason = file_refusal(st)
        if reason is not None:
            raise Untrusted(f"cache file {path} {reason}: not read (rebuilt)")
        if st.st_size < _HEAD.size:
            raise CacheError("truncated")
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise CacheError(f"cannot read: {exc}") from exc
    finally:
        os.close(fd)
    buf = memoryview(mapped)
    size = len(buf)
    magic, fmt, hlen = _HEAD.unpack_from(buf, 0)
    if magic != MAGIC or fmt != FORMAT or _HEAD.size + hlen > size:
        raise CacheError("not a cache file of this format")
    try:
        header = json.loads(bytes(buf[_HEAD.size : _HEAD.size + hlen]))
    except (ValueError, RecursionError) as exc:
        raise CacheError("bad header") from exc
    if not isinstance(header, dict) or header.get("kind") != kind or (
        key is not None and header.get("key") != key
    ):
        raise CacheError("another key")
    payload = buf[_HEAD.size + hlen :]
    if len(payload) != header.get("length") or (
        checksum and zlib.crc32(payload) != header.get("crc32")
    ):
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
                if item.lstat().st_mtime < now - age:
                    item.unlink()


#: A number as wide as a header's can be: room for the header is made before the payload.
_WIDEST = 1 << 64
#: A section: its bytes, or what makes them when their turn to be written comes.
Section = bytes | Callable[[], bytes]


def write_file(path: Path, kind: str, key: str, sections: Mapping[str, Section],
               extra: Mapping[str, Any] | None = None, *, cache_dir: bool = True) -> bool:
    """Write a cache file (0600) atomically; False, and nothing left behind, if the directory
    refuses or is not safe to write (see `refusal`). Old files are pruned from a cache
    directory, never from another (`cache_dir=False`: a build artefact's own folder).

    The sections are written one at a time, each made (where it is a function) only when
    its turn comes, and let go once written: a large artefact is never held whole in
    memory. The header goes first in the file, so room for it is left, as wide as its
    numbers can be, and filled with blanks after it once the payload is written.
    """
    names = list(sections)
    widest = {**(extra or {}), "kind": kind, "key": key, "length": _WIDEST, "crc32": _WIDEST,
              "sections": {name: [_WIDEST, _WIDEST] for name in names}}
    room = len(json.dumps(widest, ensure_ascii=False).encode())
    try:
        if cache_dir:
            make_dir(path.parent)
        if refusal(path.parent) is not None:
            return False
        if cache_dir:
            prune(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.seek(_HEAD.size + room)
            where: dict[str, list[int]] = {}
            crc = at = 0
            for name in names:
                made = sections[name]
                data = made() if callable(made) else made
                where[name] = [at, len(data)]
                padding = b"\0" * (-len(data) % 8)
                for part in (data, padding):
                    out.write(part)
                    crc = zlib.crc32(part, crc)
                at += len(data) + len(padding)
                del data, made
            header = {**(extra or {}), "kind": kind, "key": key, "length": at, "crc32": crc,
                      "sections": where}
            head = json.dumps(header, ensure_ascii=False).encode()
            if len(head) > room:
                raise ValueError("a header longer than the room made for it")
            out.seek(0)
            out.write(_HEAD.pack(MAGIC, FORMAT, room))
            out.write(head.ljust(room))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


# --- stored values: a dataclass with its big fields lazy, or any storable type -------


def _lazy_kind(tp: Any, value: Any) -> str | None:
    """How a field is kept: a long tuple or dict (str or str-tuple keys) in a section."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and len(value) >= LAZY_MIN:
        return "tuple"
    if origin in (dict, Mapping) and len(value) >= LAZY_MIN:
        key = args[0]
        key_args = typing.get_args(key)
        if key is str or (typing.get_origin(key) is tuple and key_args
                          and all(a is str for a in key_args)):
            return "mapping"
    return None


def dataclass_sections(obj: Any) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Sections for one of the package's dataclasses: long tuples and dicts lazy, the rest in
    `meta`. Returns the sections and the header fields that say which fields are lazy."""
    cls = type(obj)
    meta: dict[str, Any] = {}
    lazy: dict[str, list[Any]] = {}
    sections: dict[str, bytes] = {}
    for name, tp in stored_fields(cls):
        value = getattr(obj, name)
        kind = _lazy_kind(tp, value)
        if kind == "tuple":
            sections[f"field:{name}"] = tuple_section(value, codec(typing.get_args(tp)[0]))
        elif kind == "mapping":
            sections[f"field:{name}"] = mapping_section(value, codec(typing.get_args(tp)[1]))
        else:
            meta[name] = codec(tp).dump(value)
            continue
        lazy[name] = [kind, len(value)]
    return {"meta": pack(meta), **sections}, {"lazy": lazy}


def dataclass_from(opened: Opened, cls: type[T], rescue: Rescue | None = None) -> T:
    """Rebuild what `dataclass_sections` stored, its big fields as lazy views of the file."""
    meta = unpack(opened.blob("meta"))
    lazy = opened.header.get("lazy")
    if type(meta) is not dict or type(lazy) is not dict:
        raise CacheError("bad meta")
    fields: dict[str, Any] = {}
    for name, tp in stored_fields(cls):
        args = typing.get_args(tp)
        if name in lazy:
            kind, size = lazy[name] if isinstance(lazy[name], list) and len(lazy[name]) == 2 else (
                None, -1)
            pick = _field(name)
            if kind == "tuple" and typing.get_origin(tp) is tuple:
                fields[name] = LazyTuple(opened.array(f"field:{name}"), size, codec(args[0]),
                                         rescue, pick)
            elif kind == "mapping" and typing.get_origin(tp) in (dict, Mapping):
                fields[name] = LazyMapping(opened.table(f"field:{name}"), codec(args[1]),
                                           codec(args[0]), rescue, pick)
            else:
                raise CacheError(f"bad lazy field {name!r}")
        elif name in meta:
            fields[name] = checked(codec(tp).load, meta[name])
        else:
            raise CacheError(f"no field {name!r}")
    built: T = checked(lambda f: cls(**f), fields)
    return built


def _field(name: str) -> Callable[[Any], Any]:
    return lambda value: getattr(value, name)


def sections_for(value: Any, tp: Any) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Field-by-field sections for the package's dataclasses, one record for anything else.

    TypeError if the value is not of the type, or the type cannot be stored.
    """
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if type(value) is not tp:
            raise TypeError(f"{tp.__qualname__} expected")
        return dataclass_sections(value)
    return {"value": codec(tp).encode(value)}, {}


def restore(opened: Opened, tp: Any, rescue: Rescue | None = None) -> Any:
    """What `sections_for` stored as a value of type `tp`; CacheError if it is not one.

    Its lazy parts fall back on `rescue` if a record fails to decode later.
    """
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return dataclass_from(opened, tp, rescue)
    return codec(tp).decode(opened.blob("value"))

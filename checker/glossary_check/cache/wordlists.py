"""wordfreq's frequency lists as indexes kept in the cache, read in place by bisection.

A list as wordfreq stores it is compressed MessagePack: to look up a word a process
decompresses and unpacks all of it (the Russian "large" list: 13 MB, 713,000 words, a
tenth of a second), although an article asks for a few dozen words. So the list is kept a
second way, derived from the installed file and exact: every word with the bucket it is
in (its frequency in centibels below 1), sorted. Opening one is a checksum over the mapped
file; a look-up is some twenty comparisons.

Sections (integers little-endian): `words`, the entries end to end, each a word's UTF-8
bytes, NUL and its bucket in two bytes of 1-255 (so a word's entries sort together, by
bucket, and the last, the one wordfreq's dictionary keeps, comes last); `offsets`, u32
each entry's start and, last, the end of the last. The key is the list file's path, size,
modification time and CRC-32, so an upgraded wordfreq is indexed again. Like every cache
file it is untrusted: `open_file` refuses one of another owner, writable by others, or
with a wrong checksum; the offsets' bounds are checked on opening and every offset, the
entries' order along a search and each entry's shape on reading; anything off and the list
is read whole and indexed again.

An index is built where it pays: when one is already there or the run is one of several
(the glossary was found in the cache), not in a one-off run with an empty cache, which
would pay three times what reading the list whole costs.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from glossary_check.cache.compiled import cache_file
from glossary_check.cache.fileformat import (
    CacheError,
    Untrusted,
    open_file,
    packed,
    refusal,
    touch,
    unpacked,
    write_file,
)
from glossary_check.engine.english import WordIndex, Wordlist, read_wordlist

KIND = "wordfreq"
#: Bump when the sections change.
VERSION = 2
#: A list smaller than this (compressed: the "small" lists, a few hundred KB) is read whole
#: in milliseconds: not worth a file.
INDEXED_MIN = 1_000_000


def list_key(path: str) -> str | None:
    """What an index of the list at `path` is keyed by; None if the file cannot be read."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            crc = zlib.crc32(f.read())
    except OSError:
        return None
    return f"{VERSION}|{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}|{crc:08x}"


#: After each word: NUL, then its bucket in two bytes of 1-255 (no NUL), high first, so
#: that a word's entries sort together, by bucket, and the last is the one that counts.
TAG = 3


def _tag(bucket: int) -> bytes:
    return bytes((1 + bucket // 255, 1 + bucket % 255))


def _bucket(tag: bytes) -> int:
    return (tag[0] - 1) * 255 + tag[1] - 1


def index_sections(words: Wordlist) -> dict[str, bytes] | None:
    """The sections of an index of a list read whole; None for a list it cannot hold (a
    word with a NUL in it, a bucket past 254 * 255, more than 4 GB of words)."""
    buckets = [bucket for bucket, _ in words.buckets]
    if buckets and max(buckets) >= 254 * 255:
        return None
    tags = {bucket: b"\0" + _tag(bucket) for bucket in buckets}
    entries = [word + tags[bucket] for bucket, members in words.buckets for word in members]
    entries.sort()  # each bucket sorted already: a merge of runs
    blob = b"".join(entries)
    if blob.count(b"\0") != len(entries) or len(blob) >= 2**32:
        return None
    return {"words": blob, "offsets": packed("I", list(accumulate(map(len, entries),
                                                                   initial=0)))}


class IndexedList:
    """A list's index, mapped; `index` answers as `Wordlist.index` does. A file found
    inconsistent while being read is replaced by the list read whole (and indexed again)."""

    def __init__(self, words: memoryview, offsets: Sequence[int], source: str, where: Path,
                 key: str) -> None:
        self._words = words
        self._offsets = offsets
        self._whole: Wordlist | None = None
        self._source, self._where, self._key = source, where, key

    @classmethod
    def open(cls, where: Path, key: str, source: str) -> IndexedList:
        """The index in `where`; CacheError (Untrusted: someone else's) if it is not one of
        `source`'s, intact."""
        opened = open_file(where, KIND, key)
        words, offsets = opened.blob("words"), opened.blob("offsets")
        if len(offsets) % 4 or not offsets:
            raise CacheError("offsets of odd length")
        numbers = unpacked("I", offsets)
        if numbers[0] != 0 or numbers[-1] != len(words):
            raise CacheError("offsets outside the words")
        return cls(words, numbers, source, where, key)

    def _entry(self, i: int) -> bytes:
        start, end = self._offsets[i], self._offsets[i + 1]
        if not 0 <= start <= end - TAG <= len(self._words) - TAG:
            raise CacheError("an offset outside the words")
        entry = bytes(self._words[start:end])
        if entry.find(b"\0") != len(entry) - TAG or not entry[-1] or not entry[-2]:
            raise CacheError("an entry of another shape")
        return entry

    def index(self, word: str) -> int | None:
        if self._whole is None:
            try:
                return self._lookup(word.encode("utf-8", "surrogatepass"))
            except CacheError:
                self._whole = self._rebuild()
        return self._whole.index(word)

    def _lookup(self, word: bytes) -> int | None:
        if b"\0" in word:
            return None  # no word of a list has one: the index is not made otherwise
        key = word + b"\0"
        count = len(self._offsets) - 1
        lo, hi = 0, count
        below = b""  # the entries met on the way must rise: a file out of order is refused
        above: bytes | None = None
        while lo < hi:
            mid = (lo + hi) // 2
            probe = self._entry(mid)
            if probe < below or (above is not None and probe > above):
                raise CacheError("words out of order")
            if probe < key:
                lo, below = mid + 1, probe
            else:
                hi, above = mid, probe
        found = None
        while lo < count:  # the word's entries, one a bucket; the last counts
            entry = self._entry(lo)
            if not entry.startswith(key):
                break
            found = _bucket(entry[-2:])
            lo += 1
        return found

    def _rebuild(self) -> Wordlist:
        whole = read_wordlist(self._source)
        if whole is None:
            raise ValueError(f"{self._source}: not a list this reads")  # wordfreq's own
        _write(self._where, self._key, whole)
        return whole


def _write(where: Path, key: str, words: Wordlist) -> bool:
    sections = index_sections(words)
    if sections is None:
        return False
    return write_file(where, KIND, key, sections, {"entries": len(sections["offsets"]) // 4 - 1})


@dataclass(frozen=True, slots=True)
class CachedLists:
    """`english.WordlistSource`: each list through its index in `directory`, built where
    `build` says a run is worth it. Plain data, so a spawned worker gets it too."""

    directory: Path
    build: bool
    #: one-line notices of files refused as someone else's
    notices: list[str] = field(default_factory=list, compare=False)

    def __call__(self, path: str) -> WordIndex | None:
        try:
            if os.path.getsize(path) < INDEXED_MIN or refusal(self.directory) is not None:
                return None
        except OSError:
            return None
        key = list_key(path)
        if key is None:
            return None
        where = cache_file(self.directory, KIND, key)
        try:
            found = IndexedList.open(where, key, path)
        except Untrusted as exc:
            self.notices.append(str(exc))
        except CacheError:
            if not self.build and not os.path.lexists(where):
                return None  # read whole by the caller, as a one-off run does
        else:
            touch(where)
            return found
        whole = read_wordlist(path)
        if whole is not None:
            _write(where, key, whole)
        return whole

"""wordfreq's frequency lists as indexes kept in the cache, read in place by bisection.

A list as wordfreq stores it is compressed MessagePack: to look up a word a process
decompresses and unpacks all of it (the Russian "large" list: 13 MB, 713,000 words, a
tenth of a second), although an article asks for a few dozen words. So the list is kept a
second way, derived from the installed file and exact: every word once, sorted, with the
bucket wordfreq's dictionary gives it (the last it is in). Opening one is a checksum over
the mapped file; a look-up is some twenty comparisons.

Sections (integers little-endian): `words`, the words' UTF-8 bytes end to end; `offsets`,
u32 each word's start and, last, the end of the last; `buckets`, u16 each word's bucket.
The key is the list file's path, size, modification time and CRC-32, so an upgraded
wordfreq is indexed again. Like every cache file, it is untrusted: `open_file` refuses
one of another owner, writable by others, or with a wrong checksum; the sections' sizes
are checked on opening and every offset on reading; anything off and the list is read
whole and indexed again.

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

from glossary_check.cache.compiled import _file
from glossary_check.cache.fileformat import (
    CacheError,
    Untrusted,
    _numbers,
    _packed,
    open_file,
    refusal,
    touch,
    write_file,
)
from glossary_check.engine.english import WordIndex, Wordlist, read_wordlist

KIND = "wordfreq"
#: Bump when the sections change.
VERSION = 1
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


def index_sections(words: Wordlist) -> dict[str, bytes]:
    """The sections of an index of a list read whole."""
    # in the lists' order: a word in two keeps the last, as wordfreq's dictionary does
    last = {word: bucket for bucket, members in words.buckets for word in members}
    ordered = sorted(last)
    return {
        "words": b"".join(ordered),
        "offsets": _packed("I", list(accumulate(map(len, ordered), initial=0))),
        "buckets": _packed("H", list(map(last.__getitem__, ordered))),
    }


class IndexedList:
    """A list's index, mapped; `index` answers as `Wordlist.index` does. A file found
    inconsistent while being read is replaced by the list read whole (and indexed again)."""

    def __init__(self, words: memoryview, offsets: Sequence[int], buckets: Sequence[int],
                 source: str, where: Path, key: str) -> None:
        self._words = words
        self._offsets = offsets
        self._buckets = buckets
        self._whole: Wordlist | None = None
        self._source, self._where, self._key = source, where, key

    @classmethod
    def open(cls, where: Path, key: str, source: str) -> IndexedList:
        """The index in `where`; CacheError (Untrusted: someone else's) if it is not one of
        `source`'s, intact."""
        opened = open_file(where, KIND, key)
        words, offsets, buckets = (opened.blob(n) for n in ("words", "offsets", "buckets"))
        if len(offsets) % 4 or len(buckets) % 2 or len(offsets) // 4 != len(buckets) // 2 + 1:
            raise CacheError("sections of different lengths")
        numbers = _numbers("I", offsets)
        if numbers[0] != 0 or numbers[-1] != len(words):
            raise CacheError("offsets outside the words")
        return cls(words, numbers, _numbers("H", buckets), source, where, key)

    def _word(self, i: int) -> bytes:
        start, end = self._offsets[i], self._offsets[i + 1]
        if not 0 <= start <= end <= len(self._words):
            raise CacheError("an offset outside the words")
        return bytes(self._words[start:end])

    def index(self, word: str) -> int | None:
        if self._whole is None:
            try:
                return self._lookup(word.encode("utf-8", "surrogatepass"))
            except CacheError:
                self._whole = self._rebuild()
        return self._whole.index(word)

    def _lookup(self, key: bytes) -> int | None:
        lo, hi = 0, len(self._buckets)
        below = b""  # the words met on the way must rise: a file out of order is refused
        above: bytes | None = None
        while lo < hi:
            mid = (lo + hi) // 2
            probe = self._word(mid)
            if probe < below or (above is not None and probe > above):
                raise CacheError("words out of order")
            if probe < key:
                lo, below = mid + 1, probe
            else:
                hi, above = mid, probe
        if lo < len(self._buckets) and self._word(lo) == key:
            return self._buckets[lo]
        return None

    def _rebuild(self) -> Wordlist:
        whole = read_wordlist(self._source)
        if whole is None:
            raise ValueError(f"{self._source}: not a list this reads")  # wordfreq's own
        _write(self._where, self._key, whole)
        return whole


def _write(where: Path, key: str, words: Wordlist) -> bool:
    try:
        sections = index_sections(words)
    except (OverflowError, ValueError):  # a list too big for u32 offsets: never indexed
        return False
    return write_file(where, KIND, key, sections, {"words": len(sections["buckets"]) // 2})


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
        where = _file(self.directory, KIND, key)
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

"""wordfreq's frequency lists as indexes kept in the cache, searched in place.

A list as wordfreq stores it is compressed MessagePack: to look up a word a process
decompresses and unpacks all of it (the Russian "large" list: 13 MB, 713,000 words, a
tenth of a second), although an article asks for a few dozen words. So the list is kept a
second way, derived from the installed file and exact: its words uncompressed, grouped by
their first character and, within a group, by bucket (a word's frequency in centibels
below 1), in the order the list has them. Each bucket of the list is sorted already, so a
group of it is one slice: writing the index costs about what reading the list does. A
look-up is one substring search of the word's group (some hundreds of KB at most) in the
mapped file, and a bisection of the group's bucket boundaries; the last bucket the word is
in counts, as in wordfreq's dictionary.

Sections (integers little-endian): `words`, NUL, then every word followed by NUL, group
after group, each group's buckets in the list's order; `prefixes`, the groups' first
characters (UTF-8; a byte that starts no character stands for itself), sorted, joined by
NUL; `groups`, u32 each group's first slice and, last, the number of slices; `starts`,
u32 each slice's first word and, last, the end of `words`; `buckets`, u16 each slice's
bucket. The key is the list file's path, size, modification time and CRC-32, so an
upgraded wordfreq is indexed again. Like every cache file it is untrusted: `open_file`
refuses one of another owner, writable by others, or with a wrong checksum; the sections'
shapes, order and bounds are checked on opening; anything off and the list is read whole
and indexed again.

An index is built where it pays: when one is already there or the run is one of several
(the glossary was found in the cache), not in a one-off run with an empty cache, which
would pay twice what reading the list whole costs (and whose words' frequencies a run
over the same words again finds kept: `engine.remembered`).
"""

from __future__ import annotations

import bisect
import operator
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glossary_check.cache.compiled import cache_file
from glossary_check.cache.fileformat import (
    CacheError,
    Opened,
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
VERSION = 3
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


def _width(lead: int) -> int:
    """The length of a UTF-8 character from its first byte (1 for a byte that starts none)."""
    return 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def prefix(word: bytes) -> bytes:
    """A word's group: its first character (a word shorter than that character: itself)."""
    return word[: _width(word[0])]


def _after(start: bytes) -> bytes | None:
    """The least byte string above every one that starts with `start` (None: there is none)."""
    kept = start.rstrip(b"\xff")
    return kept[:-1] + bytes((kept[-1] + 1,)) if kept else None


def _slices(words: Wordlist) -> dict[bytes, list[tuple[int, list[bytes]]]] | None:
    """Each group's words, bucket by bucket in the list's order (None: an empty word, or a
    bucket past u16). A bucket is sorted, so a group of it is one slice, found by bisection."""
    groups: dict[bytes, list[tuple[int, list[bytes]]]] = {}
    above: dict[bytes, bytes | None] = {}  # a group -> `_after` it
    for bucket, members in words.buckets:
        if bucket >= 1 << 16 or not members[0]:
            return None
        i, count = 0, len(members)
        while i < count:
            word = members[i]
            width = _width(word[0])
            group = word[:width]
            if len(word) < width:
                j = bisect.bisect_right(members, word, i)  # a cut character: the word alone
            else:
                bound = above[group] if group in above else above.setdefault(
                    group, _after(group))
                j = count if bound is None else bisect.bisect_left(members, bound, i)
            runs = groups.get(group)
            if runs is None:
                groups[group] = [(bucket, members[i:j])]
            else:
                runs.append((bucket, members[i:j]))
            i = j
    return groups


def index_sections(words: Wordlist) -> dict[str, bytes] | None:
    """The sections of an index of a list read whole; None for a list it cannot hold (a
    word empty or with a NUL in it, a bucket past 65,535, more than 4 GB of words)."""
    groups = _slices(words)
    if groups is None:
        return None
    prefixes = sorted(groups)
    parts = [b""]  # joined by NUL: NUL first
    firsts: list[int] = []
    starts: list[int] = []
    buckets: list[int] = []
    at = 1
    for group in prefixes:
        firsts.append(len(starts))
        for bucket, members in groups[group]:
            part = b"\0".join(members)
            starts.append(at)
            buckets.append(bucket)
            parts.append(part)
            at += len(part) + 1
    firsts.append(len(starts))
    starts.append(at)
    blob = b"\0".join(parts) + b"\0"
    if len(blob) != at or blob.count(b"\0") != 1 + sum(len(m) for _, m in words.buckets) or (
            at >= 2**32):
        return None
    return {"words": blob, "prefixes": b"\0".join(prefixes), "groups": packed("I", firsts),
            "starts": packed("I", starts), "buckets": packed("H", buckets)}


def _rising(items: Sequence[Any]) -> bool:
    return all(map(operator.lt, items[:-1], items[1:]))


class IndexedList:
    """A list's index, mapped; `index` answers as `Wordlist.index` does. A file found
    inconsistent while being read is replaced by the list read whole (and indexed again)."""

    def __init__(self, opened: Opened, groups: dict[bytes, int], firsts: Sequence[int],
                 starts: Sequence[int], buckets: Sequence[int], source: str, where: Path,
                 key: str) -> None:
        self._opened = opened
        self._groups, self._firsts, self._starts, self._buckets = (
            groups, firsts, starts, buckets)
        self._whole: Wordlist | None = None
        self._source, self._where, self._key = source, where, key

    @classmethod
    def open(cls, where: Path, key: str, source: str) -> IndexedList:
        """The index in `where`; CacheError (Untrusted: someone else's) if it is not one of
        `source`'s, intact."""
        opened = open_file(where, KIND, key)
        words = opened.blob("words")
        prefixes = bytes(opened.blob("prefixes")).split(b"\0")
        raw = [opened.blob(name) for name in ("groups", "starts", "buckets")]
        if len(raw[0]) % 4 or len(raw[1]) % 4 or len(raw[2]) % 2:
            raise CacheError("numbers of odd length")
        firsts, starts = unpacked("I", raw[0]), unpacked("I", raw[1])
        buckets = unpacked("H", raw[2])
        if not (
            len(firsts) == len(prefixes) + 1 and len(starts) == len(buckets) + 1
            and firsts[0] == 0 and firsts[-1] == len(buckets) and _rising(firsts)
            and starts[0] == 1 and starts[-1] == len(words) and _rising(starts)
            and words[0] == 0 and words[-1] == 0 and all(prefixes) and _rising(prefixes)
        ):
            raise CacheError("sections that do not fit together")
        return cls(opened, {p: i for i, p in enumerate(prefixes)}, firsts, starts, buckets,
                   source, where, key)

    def index(self, word: str) -> int | None:
        if self._whole is None:
            try:
                return self._lookup(word.encode("utf-8", "surrogatepass"))
            except CacheError:
                self._whole = self._rebuild()
        return self._whole.index(word)

    def _lookup(self, word: bytes) -> int | None:
        if not word or b"\0" in word:
            return None  # no word of a list is so: the index is not made otherwise
        group = self._groups.get(prefix(word))
        if group is None:
            return None
        first, last = self._firsts[group], self._firsts[group + 1]
        # the group's words, with the NUL before the first and after the last
        found = self._opened.rfind("words", b"\0" + word + b"\0",
                                   self._starts[first] - 1, self._starts[last])
        if found < 0:
            return None
        # the last place is in the last bucket the word is in; it is this slice's
        return self._buckets[bisect.bisect_right(self._starts, found + 1, first, last) - 1]

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
    return write_file(where, KIND, key, sections, {"slices": len(sections["buckets"]) // 2})


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

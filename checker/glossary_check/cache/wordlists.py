"""wordfreq's frequency lists as indexes kept in the cache, searched in place.

A list as wordfreq stores it is compressed MessagePack: to look up a word a process
decompresses and unpacks all of it (the Russian "large" list: 13 MB, 713,000 words, a
tenth of a second), although an article asks for a few dozen words. A list read whole is
held grouped (`english.Wordlist`: its words uncompressed, grouped by their first
character and, within a group, by bucket, a word's frequency in centibels below 1, in
the order the list has them), and those very sections are kept here as a file, derived
from the installed file and exact. A look-up is one substring search of the word's group
(some hundreds of KB at most) in the mapped file, and a bisection of the group's bucket
boundaries; the last bucket the word is in counts, as in wordfreq's dictionary.

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
(the glossary was found in the cache), or by the child that prepares a cold run over a
large glossary while it compiles (`index_lists`; the run then reads the lists in place at
once), not in a one-off run with an empty cache otherwise, which would write 25 MB it
never reads (and whose words' frequencies a run over the same words again finds kept:
`engine.remembered`).
"""

from __future__ import annotations

import functools
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
from glossary_check.engine.english import (
    WordIndex,
    Wordlist,
    grouped_bucket,
    list_path,
    read_wordlist,
)

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


def index_sections(words: Wordlist) -> dict[str, bytes]:
    """The sections of an index of a list read whole: the list as it is held in memory."""
    return {"words": bytes(words.words), "prefixes": b"\0".join(words.prefixes),
            "groups": packed("I", words.firsts), "starts": packed("I", words.starts),
            "buckets": packed("H", words.buckets)}


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
        return grouped_bucket(word, self._groups, self._firsts, self._starts, self._buckets,
                              functools.partial(self._opened.rfind, "words"))

    def _rebuild(self) -> Wordlist:
        whole = read_wordlist(self._source)
        if whole is None:
            raise ValueError(f"{self._source}: not a list this reads")  # wordfreq's own
        _write(self._where, self._key, whole)
        return whole


def _write(where: Path, key: str, words: Wordlist) -> bool:
    return write_file(where, KIND, key, index_sections(words), {"slices": len(words.buckets)})


#: The lists a check of names reads (the `inconsistent` and `source-form` rules).
NAME_LISTS = ("ru", "uk", "en")


def index_lists(directory: Path, languages: Sequence[str] = NAME_LISTS) -> None:
    """wordfreq's large lists of `languages` indexed in `directory`, where they are not yet."""
    lists = CachedLists(directory, True)
    for language in languages:
        path = list_path(language, "large")
        if path is not None:
            lists(path)


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

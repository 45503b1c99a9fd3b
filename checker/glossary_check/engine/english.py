"""What English usage says of a word, from wordfreq's frequency lists (loaded on first use).

wordfreq folds case, so "an ordinary English word" is read from how much
more often English writes the word than other languages that write names in
Latin letters: a name (Paris, Kiev, Vladimir) is spelled alike across them
and about as frequent in all, while a common word (luck, hope) is frequent in
English alone.
"""

from __future__ import annotations

import array
import bisect
import functools
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from glossary_check.engine.remembered import number, remembered

#: Languages whose texts write foreign names in Latin letters as English does.
_OTHERS = ("de", "fr", "es", "it", "nl", "pt", "pl", "sv")
#: Once a million words: below this no word is common (the small lists stop here too).
COMMON_ZIPF = 3.0
#: Ten times more frequent in English than in any of the others.
ENGLISH_LIFT = 1.0
#: Three times in ten million words: a spelling English writing has settled on.
ESTABLISHED_ZIPF = 2.5
#: Seen in English text at all (the large list reaches down to 1.0).
ATTESTED_ZIPF = 1.5


class WordIndex(Protocol):
    """What a word's look-up needs of a list: the word's bucket (its frequency in centibels
    below 1), the last it is in, or None where the list does not have it."""

    def index(self, word: str) -> int | None: ...


#: Where a list is read from, given the path of wordfreq's file: a `WordIndex`, or None
#: for the file read whole here. The session installs one that keeps an index in the cache.
WordlistSource = Callable[[str], WordIndex | None]


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


def grouped_bucket(word: bytes, groups: Mapping[bytes, int], firsts: Sequence[int],
                   starts: Sequence[int], buckets: Sequence[int],
                   rfind: Callable[[bytes, int, int], int]) -> int | None:
    """The bucket of `word` in a list grouped as `Wordlist` groups it (None if absent):
    one search of its group's words, `rfind(needle, start, end)` over the words."""
    if not word or b"\0" in word:
        return None  # no word of a list is so: `Wordlist` refuses a list that has one
    group = groups.get(prefix(word))
    if group is None:
        return None
    first, last = firsts[group], firsts[group + 1]
    # the group's words, with the NUL before the first and after the last
    found = rfind(b"\0" + word + b"\0", starts[first] - 1, starts[last])
    if found < 0:
        return None
    # the last place is in the last bucket the word is in; it is this slice's
    return buckets[bisect.bisect_right(starts, found + 1, first, last) - 1]


class Wordlist:
    """One of wordfreq's lists, its words grouped by their first character and, within a
    group, by bucket (a word's frequency in centibels below 1), in the list's order:
    `words` is NUL, then every word followed by NUL, group after group; `prefixes` the
    groups' first characters, sorted; `firsts` each group's first slice (a group's words of
    one bucket) and, last, the number of slices; `starts` each slice's first word and, last,
    the end of `words`; `buckets` each slice's bucket. A look-up is one substring search of
    the word's group, and the last bucket the word is in counts, as in wordfreq's
    dictionary. The list is unpacked a bucket at a time, each added to its groups' buffers:
    the 713,000 words of the Russian list are held as 13 MB, not as 45 MB of objects, and the
    cache keeps the same sections as a file (`cache.wordlists`). ValueError for a list this
    cannot hold exactly (a word empty or with a NUL in it, a bucket past 65,535): wordfreq
    itself reads that one."""

    def __init__(self, path: str) -> None:
        import msgpack

        try:
            self._read(path)
        except (msgpack.UnpackException, OverflowError) as exc:  # cut short, or too long
            raise ValueError(f"{path}: {exc}") from exc

    def _read(self, path: str) -> None:
        import io
        import zlib

        import msgpack

        with open(path, "rb") as f:
            data = zlib.decompress(f.read(), 16 + zlib.MAX_WBITS)
        unpacker = msgpack.Unpacker(io.BytesIO(data), raw=True, max_buffer_size=len(data))
        count = unpacker.read_array_header()
        header = unpacker.unpack() if count else None
        if not isinstance(header, dict) or header.get(b"format") != b"cB" or header.get(
                b"version") != 1:
            raise ValueError(f"unexpected word list header in {path}: {header!r}")
        # a group -> its words so far (each slice's words, each followed by NUL), and each
        # slice's bucket and start in them: a few growing buffers, not a part per slice
        groups: dict[bytes, tuple[bytearray, list[tuple[int, int]]]] = {}
        above: dict[bytes, bytes | None] = {}  # a group -> `_after` it
        for bucket in range(count - 1):
            members = unpacker.unpack()
            if type(members) is not list:
                raise ValueError(f"a bucket that is not a list in {path}")
            if not members:
                continue
            if bucket >= 1 << 16:
                raise ValueError(f"more buckets than an index holds in {path}")
            members.sort()  # sorted as stored: a pass over each to be sure
            i, size = 0, len(members)
            while i < size:
                word = members[i]
                if type(word) is not bytes or not word:
                    raise ValueError(f"a word this cannot hold in {path}")
                width = _width(word[0])
                group = word[:width]
                if len(word) < width:
                    j = bisect.bisect_right(members, word, i)  # a cut character: alone
                else:
                    bound = above[group] if group in above else above.setdefault(
                        group, _after(group))
                    j = size if bound is None else bisect.bisect_left(members, bound, i)
                found = groups.get(group)
                if found is None:
                    found = groups[group] = (bytearray(), [])
                words, slices = found
                start = len(words)
                slices.append((bucket, start))
                words += b"\0".join(members[i:j])
                if words.count(b"\0", start) != j - i - 1:  # a word with a NUL in it
                    raise ValueError(f"a word this cannot hold in {path}")
                words += b"\0"
                i = j
        del data, unpacker
        self.prefixes = sorted(groups)
        firsts, starts, buckets = array.array("I"), array.array("I"), array.array("H")
        out = bytearray(b"\0")
        for group in self.prefixes:
            firsts.append(len(starts))
            words, slices = groups.pop(group)
            for bucket, start in slices:
                starts.append(len(out) + start)
                buckets.append(bucket)
            out += words
            del words, slices
        firsts.append(len(starts))
        starts.append(len(out))
        self.words = out  # not copied to bytes: 13 MB for the Russian list
        self.firsts, self.starts, self.buckets = firsts, starts, buckets
        self._groups = {p: i for i, p in enumerate(self.prefixes)}

    def index(self, word: str) -> int | None:
        """The word's bucket (the last, as in wordfreq's dictionary), None if absent."""
        return grouped_bucket(word.encode("utf-8", "surrogatepass"), self._groups,
                              self.firsts, self.starts, self.buckets, self.words.rfind)


#: Languages whose lists are read here: wordfreq tokenizes them all alike (NFC, case
#: folded, split by its regular expression), so a plain word is its own one token.
_READ_HERE = frozenset({"en", "ru", "uk", *_OTHERS})
#: A word of basic Latin or Cyrillic letters alone: wordfreq's one token is its lower case.
_PLAIN = re.compile(r"[A-Za-z]+|[а-яёіїєґА-ЯЁІЇЄҐ]+")
#: wordfreq's `zipf_to_freq(0.0)`: the frequency of a word a list does not have.
_MINIMUM = 10**0.0 / 1e9


#: What a list stored otherwise than `Wordlist` knows raises (zlib.error is a ValueError's
#: sibling: named where zlib is imported).
_UNREADABLE = (OSError, ValueError, TypeError, KeyError, IndexError)

_SOURCE: list[WordlistSource] = []


def read_lists_with(source: WordlistSource | None) -> None:
    """Have the lists read through `source` from now on (None: each read whole here). The
    answers are the same either way; only what a process pays for them differs."""
    _SOURCE[:] = [source] if source is not None else []
    _table.cache_clear()


def lists_source() -> WordlistSource | None:
    """The source installed by `read_lists_with`, for a worker process to install too."""
    return _SOURCE[0] if _SOURCE else None


def list_path(language: str, wordlist: str) -> str | None:
    """The file wordfreq reads for the list, where it is one `Wordlist` may read."""
    from importlib.util import find_spec

    spec = find_spec("wordfreq")  # its data, without importing it (langcodes, ftfy...)
    if language not in _READ_HERE or spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(spec.submodule_search_locations[0], "data",
                        f"{wordlist}_{language}.msgpack.gz")
    return path if os.path.isfile(path) else None


def read_wordlist(path: str) -> Wordlist | None:
    """The list in wordfreq's file, read whole (None: stored otherwise than this knows)."""
    import zlib

    try:
        return Wordlist(path)
    except (*_UNREADABLE, zlib.error):
        return None  # wordfreq itself reads it


@functools.cache
def _wordlist(language: str, wordlist: str) -> Wordlist | None:
    """The list wordfreq reads for the language, read whole (None: one left to wordfreq)."""
    path = list_path(language, wordlist)
    return None if path is None else read_wordlist(path)


@functools.cache
def _table(language: str, wordlist: str) -> WordIndex | None:
    """Where the list's words are looked up: the installed source's index, else the list read
    whole (None: left to wordfreq itself)."""
    if _SOURCE:
        path = list_path(language, wordlist)
        found = _SOURCE[0](path) if path is not None else None
        if found is not None:
            return found
    return _wordlist(language, wordlist)


def _tokens(word: str, language: str) -> list[tuple[str, float]]:
    """wordfreq's tokens of a word, each with the factor a digit sequence in it adds."""
    if _PLAIN.fullmatch(word):
        return [(word.lower(), 1.0)]
    from wordfreq.numbers import digit_freq, smash_numbers
    from wordfreq.tokens import lossy_tokenize

    out = []
    for token in lossy_tokenize(word, language):
        smashed = smash_numbers(token)
        out.append((smashed, 1.0 if smashed == token else digit_freq(token)))
    return out


@functools.cache
@remembered("zipf", __file__, number)
def _zipf(word: str, language: str, wordlist: str) -> float:
    """wordfreq's `zipf_frequency(word, language, wordlist=wordlist)`, to the last digit,
    without importing wordfreq for a plain word."""
    table = _table(language, wordlist)
    if table is None:
        return _wordfreqs(word, language, wordlist)
    freq = _MINIMUM
    tokens = _tokens(word, language)
    one_over = 0.0
    for token, factor in tokens:
        try:
            index = table.index(token)
        except _UNREADABLE:  # an index that fails and cannot be read again: wordfreq's own
            return _wordfreqs(word, language, wordlist)
        if index is None:  # any token missing: the minimum
            break
        token_freq = 10 ** (-index / 100)  # wordfreq's cB_to_freq
        if factor != 1.0:
            token_freq *= factor
        one_over += 1.0 / token_freq
    else:
        if tokens:
            unrounded = max(1.0 / one_over, _MINIMUM)
            freq = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return float(round(math.log(freq, 10) + 9, 2))


def _wordfreqs(word: str, language: str, wordlist: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language, wordlist=wordlist))


def ordinary_word(word: str) -> bool:
    """A common English word (luck, hope, march), not a name that English shares (Kiev)."""
    key = word.casefold()
    english = _zipf(key, "en", "small")
    if english < COMMON_ZIPF:
        return False
    # A word missing from another language's small list is below its floor there.
    elsewhere = max(max(_zipf(key, lang, "small") for lang in _OTHERS), COMMON_ZIPF)
    return english - elsewhere >= ENGLISH_LIFT


def established(word: str) -> bool:
    """A spelling English text uses in its own right (Stevens, Stephens; Smith, Smyth)."""
    return _zipf(word.casefold(), "en", "large") >= ESTABLISHED_ZIPF


def attested(word: str) -> bool:
    """A word English text writes at all: a misspelling of a name is not one (Zelenksy)."""
    return _zipf(word.casefold(), "en", "large") >= ATTESTED_ZIPF


def frequency(word: str, language: str) -> float:
    """The word's Zipf frequency in `language` (0 for a word the lists do not have)."""
    return _zipf(word.casefold(), language, "large")

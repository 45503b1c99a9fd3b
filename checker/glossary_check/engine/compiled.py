"""A glossary compiled for matching: the trie, the near-miss index and (lazily) morphology."""

from __future__ import annotations

import array
import bisect
import contextlib
import itertools
import operator
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import (
    Matcher,
    Token,
    TrieItems,
    compile_glossary,
    split_words,
    word_key,
)

if TYPE_CHECKING:
    from glossary_check.engine.matching import SourceHit

#: Names shorter than this are not checked for near misses: too many ordinary words are one
#: edit apart.
NEAR_MIN = 5
#: Entry kinds whose one-word renderings are not near-miss targets: `other` holds given
#: names in the bundled lists (Viktor, Mariia), one edit from names in every language.
NEAR_SKIP_KINDS = frozenset({"other", "given-name"})


def deletions(key: str) -> Iterable[str]:
    """The key with one letter left out, each way (symmetric-delete spelling correction)."""
    return (key[:i] + key[i + 1 :] for i in range(len(key)))


class SourceStore(Protocol):
    """Keeps a morphology index between runs (the on-disk cache): the keys of the source
    forms, and what runs have analysed of them."""

    @property
    def seen(self) -> bool:
        """The glossary was found compiled in this cache: it is used again."""

    def load(self, build: Callable[[], Any]) -> Any | None:
        """The kept keys; `build` makes them afresh should a damaged file need it mid-run."""

    def save(self, index: Any) -> None: ...

    def load_analysed(self) -> Any | None:
        """What earlier runs analysed (`morphology.Analysed`), if any run kept it."""

    def save_analysed(self, update: Callable[[Any | None], Any | None]) -> None:
        """Replace what is kept with `update(what is kept now)`, unless that is None; runs
        sharing the store take turns."""


@dataclass(slots=True)
class Compiled:
    glossary: Glossary
    matcher: Matcher
    #: delete-key -> (glossary word as written, entry index) it comes from
    near: Mapping[str, tuple[tuple[str, int], ...]]
    #: every word of an accepted rendering (case-folded), to tell known words from near misses
    known: AbstractSet[str]
    sources: Any = field(default=None)
    #: where the morphology index is loaded from and saved to; None builds it every run
    source_store: SourceStore | None = field(default=None)
    #: analyses of the run's distinct Cyrillic words, shared by all its documents
    morph_cache: dict[Any, Any] = field(default_factory=dict)
    #: one-line notices for the run's report (a cache that was not used, and why)
    notices: list[str] = field(default_factory=list)
    #: `sources` was read from the cache: if it turns out not to fit, it is built afresh
    sources_kept: bool = False

    def inflected_sources(
        self, view: str, tokens: list[Token], exact: list[SourceHit]
    ) -> list[SourceHit]:
        """Exact source forms plus every inflected form; the morphology loads on first use.

        Only the forms the documents reach are analysed (see `morphology.FormKeys`), and
        what earlier runs analysed is taken from `source_store`: a run analyses only forms
        no run before it has reached (`keep_analyses` keeps them).
        """
        from glossary_check.engine import morphology

        def build() -> morphology.FormKeys:
            return morphology.build_form_keys(self.glossary)

        self._load_sources()
        try:
            found = morphology.find_source_forms(self.sources, view, tokens, self.morph_cache)
            if not all(0 <= hit.entry < len(self.glossary.entries) for hit in found):
                raise IndexError("a source form of an entry the glossary does not have")
            merged = morphology.merge_hits(exact, found)
            return morphology.judge_hits(self.sources, view, tokens, merged, self.morph_cache)
        except (IndexError, KeyError, TypeError, ValueError, AttributeError):
            if not self.sources_kept:
                raise
            # kept keys whose records decode but do not fit together: a forged file
            self.notices.append("the kept morphology index does not fit its glossary: rebuilt")
            self.sources = morphology.LazySourceIndex(build(), self.glossary.entries)
            self.sources_kept = False
            found = morphology.find_source_forms(self.sources, view, tokens, self.morph_cache)
        merged = morphology.merge_hits(exact, found)
        return morphology.judge_hits(self.sources, view, tokens, merged, self.morph_cache)

    def _load_sources(self) -> Any:
        """The lazy morphology index, made on first use with what earlier runs kept."""
        from glossary_check.engine import morphology

        if self.sources is not None:
            return self.sources

        def build() -> morphology.FormKeys:
            return morphology.build_form_keys(self.glossary)

        store = self.source_store
        keys = store.load(build) if store is not None else None
        self.sources_kept = keys is not None
        if keys is None:
            keys = build()
            if store is not None:
                store.save(keys)
        self.sources = morphology.LazySourceIndex(keys, self.glossary.entries)
        kept = store.load_analysed() if store is not None else None
        if kept is not None:
            try:
                self.sources.absorb(kept, new=False)
                self.sources_kept = True
            except (IndexError, KeyError, TypeError, ValueError, AttributeError):
                # records that decode but do not fit the glossary: a forged file
                self.notices.append("the kept morphology analyses do not fit their "
                                    "glossary: analysed afresh")
                self.sources = morphology.LazySourceIndex(keys, self.glossary.entries)
        return self.sources

    def take_analyses(self) -> Any | None:
        """What this process analysed since the last call (a worker's share of a run, for
        the parent to `absorb_analyses`), or None."""
        from glossary_check.engine import morphology

        if isinstance(self.sources, morphology.LazySourceIndex):
            return self.sources.take()
        return None

    def absorb_analyses(self, analysed: Any | None) -> None:
        """Take in what a worker process analysed (see `take_analyses`)."""
        from glossary_check.engine import morphology

        if analysed is None or self.source_store is None:
            return  # nothing to keep, nowhere to keep it
        index = self._load_sources()  # a parent that has checked no file itself yet
        if isinstance(index, morphology.LazySourceIndex):
            # what does not fit is not kept: a later run analyses it again
            with contextlib.suppress(IndexError, KeyError, TypeError, ValueError,
                                     AttributeError):
                index.absorb(analysed)

    def keep_analyses(self) -> None:
        """At the end of a run: keep what it analysed in `source_store`, together with what
        other runs kept meanwhile, so that no later run analyses those forms again."""
        from glossary_check.engine import morphology

        index, store = self.sources, self.source_store
        if store is None or not isinstance(index, morphology.LazySourceIndex) or not index.grew:
            return

        def update(kept: Any | None) -> Any | None:
            if kept is not None:
                # what another run kept since this one started; a misfit is dropped
                with contextlib.suppress(IndexError, KeyError, TypeError, ValueError,
                                         AttributeError):
                    index.absorb(kept, new=False)
            return index.kept()

        store.save_analysed(update)


class NearIndex(Mapping[str, tuple[tuple[str, int], ...]]):
    """delete-key -> (glossary word as written, entry index) pairs, in the order the entries
    and their words come; read-only.

    Half a million delete-keys of a large glossary would each be a string, a dict slot
    and a tuple. Here each is one row of two integer arrays instead, sorted: the CRC-32
    of the key (UTF-8) and the number of its pair in `pairs`, (word, entry, word's key).
    A look-up bisects the CRC-32s and keeps the pairs whose key the asked key really is
    or is one letter short of, so a CRC-32 shared by two keys changes nothing. The arrays
    are what the cache file keeps, read in place.
    """

    __slots__ = ("_count", "crcs", "pairs", "rows")

    def __init__(self, pairs: Sequence[tuple[str, int, str]], crcs: Sequence[int],
                 rows: Sequence[int]) -> None:
        if len(crcs) != len(rows):
            raise ValueError("as many rows as keys expected")
        self.pairs = pairs
        self.crcs = crcs
        self.rows = rows
        self._count: int | None = None

    @classmethod
    def build(cls, pairs: Sequence[tuple[str, int, str]]) -> NearIndex:
        """The index of each pair's key and its deletions."""
        crcs: list[int] = []
        numbers: list[int] = []
        crc32, encode = zlib.crc32, str.encode
        for number, (_, _, key) in enumerate(pairs):
            # dict.fromkeys: a doubled letter gives one deletion twice
            found = dict.fromkeys((key, *deletions(key)))
            try:
                crcs += list(map(crc32, map(encode, found)))
            except UnicodeEncodeError:  # a lone surrogate, kept as the cache keeps one
                crcs += list(map(crc32, map(_ENCODE, found)))
            numbers += itertools.repeat(number, len(found))
        # sorted by CRC-32, each CRC-32's pairs in their order (the sort is stable)
        order = sorted(range(len(crcs)), key=crcs.__getitem__)
        if len(order) < 2:
            return cls(pairs, array.array("I", crcs), array.array("I", numbers))
        pick = operator.itemgetter(*order)
        return cls(pairs, array.array("I", pick(crcs)), array.array("I", pick(numbers)))

    def get(self, key: Any, default: Any = None) -> Any:
        if type(key) is not str:
            return default
        crcs = self.crcs
        crc = zlib.crc32(_ENCODE(key))
        at = bisect.bisect_left(crcs, crc)
        end = len(crcs)
        found: list[tuple[str, int]] = []
        last = -1
        while at < end and crcs[at] == crc:
            number = self.rows[at]
            at += 1
            if number == last:
                continue
            word, entry, word_key_ = self.pairs[number]
            if key == word_key_ or _one_short(key, word_key_):
                found.append((word, entry))
                last = number
        return tuple(found) if found else default

    def __getitem__(self, key: str) -> tuple[tuple[str, int], ...]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return cast(tuple[tuple[str, int], ...], found)

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def _keys(self) -> dict[str, None]:
        """Every key, in the order a dict built entry by entry would have them."""
        keys: dict[str, None] = {}
        for _, _, key in self.pairs:
            keys.update(dict.fromkeys((key, *deletions(key))))
        return keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        if self._count is None:
            self._count = len(self._keys())
        return self._count

    def __reduce__(self) -> tuple[Any, ...]:
        return NearIndex, (tuple(self.pairs), array.array("I", self.crcs),
                           array.array("I", self.rows))


_ENCODE = operator.methodcaller("encode", "utf-8", "surrogatepass")


def _one_short(short: str, key: str) -> bool:
    """Whether `short` is `key` with one letter left out."""
    if len(short) != len(key) - 1:
        return False
    at = 0
    while at < len(short) and short[at] == key[at]:
        at += 1
    return short[at:] == key[at + 1 :]


def near_pairs(
    glossary: Glossary, keys: Mapping[str, tuple[tuple[str, ...], str] | None] | None = None
) -> tuple[list[tuple[str, int, str]], frozenset[str]]:
    """The near-miss targets, (word as written, entry index, its key), in the order the
    entries and their words come, and every word key of a rendering, variant or except
    phrase (see `Compiled`).

    `keys`: texts' `phrase_key`s already made (by `compile_glossary`); their word keys
    are the ones wanted here.
    """
    pairs: list[tuple[str, int, str]] = []
    known: set[str] = set()
    keys = keys or {}

    def word_keys(text: str) -> tuple[str, ...] | list[str]:
        parsed = keys.get(text)
        if parsed is not None:
            return parsed[0][::2]
        return [word_key(w) for w in split_words(text)[1::2]]

    for index, entry in enumerate(glossary.entries):
        # A near miss is judged against a whole one-word name or a person's surname; first
        # names (Maria, Marina) and common words inside longer names are too close to others.
        skip = entry.kind in NEAR_SKIP_KINDS
        person = entry.kind == "person"
        targets: dict[str, str] = {}  # word as written -> its key, each once
        for rendering in entry.accepted:
            found = word_keys(rendering)
            known.update(found)
            if skip or not (len(found) == 1 or person) or not found:
                continue
            word = split_words(rendering)[-2]
            if len(word) < NEAR_MIN or not word[0].isupper() or word.isupper():
                continue
            targets.setdefault(word, found[-1])
        pairs.extend((word, index, key) for word, key in targets.items())
        for variant in entry.variants:
            known.update(word_keys(variant.wrong))
        for text in entry.excepts:
            known.update(word_keys(text))
    return pairs, frozenset(known)


def near_index(
    glossary: Glossary, keys: Mapping[str, tuple[tuple[str, ...], str] | None] | None = None
) -> tuple[NearIndex, frozenset[str]]:
    """delete-key -> (word, entry index), in the order the entries and their words come,
    and every word key of a rendering, variant or except phrase (see `near_pairs`)."""
    pairs, known = near_pairs(glossary, keys)
    return NearIndex.build(pairs), known


def compile_all(glossary: Glossary, items: TrieItems | None = None) -> Compiled:
    """The glossary compiled; `items`: its trie listed there rather than made (see
    `compile_glossary`)."""
    keys: dict[str, tuple[tuple[str, ...], str] | None] = {}
    matcher = compile_glossary(glossary, keys, items)
    pairs, known = near_pairs(glossary, keys)
    del keys  # every rendering's key: not kept while the near-miss index is built
    return Compiled(glossary, matcher, NearIndex.build(pairs), known)

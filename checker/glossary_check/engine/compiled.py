"""A glossary compiled for matching: the trie, the near-miss index and (lazily) morphology."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import (
    Matcher,
    Token,
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


def near_index(
    glossary: Glossary, keys: Mapping[str, tuple[tuple[str, ...], str] | None] | None = None
) -> tuple[dict[str, tuple[tuple[str, int], ...]], frozenset[str]]:
    """delete-key -> (word, entry index), in the order the entries and their words come,
    and every word key of a rendering, variant or except phrase (see `Compiled`).

    `keys`: texts' `phrase_key`s already made (by `compile_glossary`); their word keys
    are the ones wanted here.
    """
    near: dict[str, tuple[tuple[str, int], ...]] = {}
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
        for word, key in targets.items():
            item = ((word, index),)
            # dict.fromkeys: a doubled letter gives one deletion twice
            for k in dict.fromkeys((key, *deletions(key))):
                near[k] = near.get(k, ()) + item
        for variant in entry.variants:
            known.update(word_keys(variant.wrong))
        for text in entry.excepts:
            known.update(word_keys(text))
    return near, frozenset(known)


def compile_all(glossary: Glossary) -> Compiled:
    keys: dict[str, tuple[tuple[str, ...], str] | None] = {}
    matcher = compile_glossary(glossary, keys)
    near, known = near_index(glossary, keys)
    return Compiled(glossary, matcher, near, known)

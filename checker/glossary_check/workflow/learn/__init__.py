"""Learning a glossary from the archive: entries proposed from past originals and translations.

`extract` reads one pair (or one English article) into plain data, which is what a
Dask worker does; `propose` links names to renderings over the whole archive and
makes the entries; this module puts the steps together, compares them with the
desk's current glossary and finds spellings of one name in the English alone (the
`inconsistent` rule's same-name logic, archive-wide); `render` writes the proposals
as a glossary file and the evidence as text, JSON or HTML.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from glossary_check.workflow.learn.extract import PairNames, TooLong
from glossary_check.workflow.learn.propose import (
    Archive,
    Cooccurrence,
    GlossaryNote,
    Learned,
    Mention,
    Proposal,
    Thresholds,
    fold,
    fold_full_names,
    link_cooccurrences,
    link_transliterations,
    propose_from_pairs,
    resolve_conflicts,
)

if TYPE_CHECKING:
    from glossary_check.engine.glossary import Entry, Glossary
    from glossary_check.engine.matching import Matcher
    from glossary_check.translate import Translator

__all__ = ["EnglishNames", "Learned", "Proposal", "Thresholds", "learn", "read_english",
           "read_pair"]


@dataclass(frozen=True, slots=True)
class EnglishNames:
    """One English article's capitalised words (see `extract.english_names`)."""

    path: str
    words: tuple[tuple[str, str | None, bool, int, int], ...]
    #: glossary entries the article names (term, alias or variant), by index
    entries: frozenset[int] = frozenset()
    error: str | None = None


def read_pair(original: str, translation: str, data: bytes, translated: bytes,
              language: str | None) -> PairNames:
    """One pair from its bytes; a file that cannot be read, or a pair too long to line up,
    is the pair's error."""
    from glossary_check.documents import read_document
    from glossary_check.workflow.learn.extract import pair_names

    try:
        source = read_document(original, data)
        target = read_document(translation, translated)
    except Exception as exc:  # DocumentError, or the reader's own failure: said, not raised
        return PairNames(original, translation, language or "", (), {}, error=str(exc))
    if language is None:
        from glossary_check.engine.languages import identify

        language = identify(source.view[:4000], ("ru", "uk"))
    try:
        return pair_names(source, target, language)
    except TooLong as exc:
        return PairNames(original, translation, language, (), {}, error=f"{original}: {exc}")


def read_english(path: str, data: bytes, matcher: Matcher | None = None) -> EnglishNames:
    """One English article's names, and the glossary entries it names when given a matcher."""
    from glossary_check.documents import read_document
    from glossary_check.workflow.learn.extract import english_names

    try:
        doc = read_document(path, data)
    except Exception as exc:
        return EnglishNames(path, (), error=str(exc))
    entries: frozenset[int] = frozenset()
    if matcher is not None:
        from glossary_check.engine.matching import find_matches, tokenize

        found = find_matches(matcher, doc.view, tokenize(doc.view))
        entries = frozenset(t.entry for m in found for t in m.targets)
    return EnglishNames(path, tuple(english_names(doc)), entries)


def _machine(pairs: Sequence[PairNames], translator: Translator | None) -> dict[tuple[str, str],
                                                                               str]:
    """Every source name of the archive translated once, a batch per language."""
    if translator is None:
        return {}
    out: dict[tuple[str, str], str] = {}
    available = translator.pairs()
    for language in sorted({p.language for p in pairs}):
        if (language, "en") not in available:
            continue
        texts = sorted({u.text for p in pairs if p.language == language
                        for para in p.paragraphs for u in para.source})
        for text, rendered in zip(texts, translator.translate_batch(texts, language, "en"),
                                  strict=True):
            if rendered:
                out[(language, text)] = rendered.strip().rstrip(".")
    return out


#: An English name as the archive spells it: (word, the next name word's key or None).
Spelling = tuple[str, str | None]


def _spelling_order(unit: Spelling) -> tuple[str, str]:
    return unit[0], unit[1] or ""


@dataclass(slots=True)
class _Spellings:
    """Every English spelling of the archive: how often, whether it stands mid-sentence
    somewhere (a name, not a sentence's first word), and where it is first seen."""

    counts: Counter[Spelling] = field(default_factory=Counter)
    named: set[str] = field(default_factory=set)
    first: dict[Spelling, tuple[str, int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, articles: Sequence[EnglishNames]) -> _Spellings:
        found = cls()
        for article in articles:
            for word, after, mid, line, column in article.words:
                found.counts[(word, after)] += 1
                if mid:
                    found.named.add(word)
                found.first.setdefault((word, after), (article.path, line, column))
        return found


def _name_groups(spellings: _Spellings) -> Iterator[tuple[Spelling, ...]]:
    """Each group of two or more spellings of one name, once; only names: a spelling seen
    mid-sentence somewhere, or one of such a spelling's group."""
    from glossary_check.rules.inconsistent import spelling_groups

    groups = spelling_groups(sorted(spellings.counts, key=_spelling_order))
    seen: set[tuple[Spelling, ...]] = set()
    for unit in sorted(groups, key=_spelling_order):
        group = tuple(sorted(groups[unit], key=_spelling_order))
        if len(group) < 2 or group in seen:
            continue
        seen.add(group)
        if any(w in spellings.named for w, _ in group):
            yield group


def _cluster(group: tuple[Spelling, ...], spellings: _Spellings, thresholds: Thresholds,
             systems: Mapping[str, str]) -> Proposal | None:
    """One name's spellings as a term and its variants, if they pass the thresholds."""
    from glossary_check.rules.inconsistent import desk_score

    counts = spellings.counts
    total = sum(counts[u] for u in group)
    if total < thresholds.min_count:
        return None
    main = max(group, key=lambda u: (desk_score(u[0], systems), counts[u],
                                     u[0] in spellings.named,
                                     tuple(-x for x in spellings.first[u][1:]), u[0]))
    kept = [u for u in group if u != main and counts[u] / total + 1e-9 >= thresholds.min_share]
    if not kept:
        return None
    why = (f"the desk's transliteration of a name the archive spells {len(group)} ways"
           if desk_score(main[0], systems) >= 0 else
           f"the commonest of {len(group)} spellings of one name ({counts[main]} of {total})")
    where = spellings.first[main]
    return Proposal(
        term=main[0], kind=None,
        variants=tuple(dict.fromkeys(u[0] for u in sorted(
            kept, key=lambda u: (-counts[u], u[0])))),
        sources={}, count=total, reason=f"{why}; first seen {where[0]}:{where[1]}:{where[2]}",
        origin="english",
        spellings=tuple(sorted(((u[0], counts[u]) for u in group), key=lambda x: (-x[1], x[0]))),
    )


def english_clusters(articles: Sequence[EnglishNames], thresholds: Thresholds,
                     systems: Mapping[str, str]) -> list[Proposal]:
    """Spellings of one name across the English archive, as a term and its variants: the
    `inconsistent` rule's grouping and its choice of spelling (the desk's transliteration,
    then the commoner, then the one seen mid-sentence, then the first seen)."""
    spellings = _Spellings.of(articles)
    clusters = (_cluster(group, spellings, thresholds, systems)
                for group in _name_groups(spellings))
    return [c for c in clusters if c is not None]


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _by_source(glossary: Glossary) -> dict[tuple[str, str], int]:
    """(language, folded source name) -> the index of the first entry that lists it."""
    by_source: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(glossary.entries):
        for lang, forms in entry.sources.items():
            for form in forms:
                by_source.setdefault((lang, fold(form)), index)
    return by_source


@dataclass(slots=True)
class _Usage:
    """How the archive renders the glossary's source names: each entry's renderings, the
    articles of each (entry, rendering), and the (language:folded name) keys met."""

    renderings: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    articles_of: dict[tuple[int, str], set[str]] = field(
        default_factory=lambda: defaultdict(set))
    known: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, by_source: Mapping[tuple[str, str], int], mentions: Sequence[Mention]
           ) -> _Usage:
        usage = cls()
        for m in mentions:
            index = by_source.get((m.language, fold(m.name)))
            if index is None:
                continue
            usage.known.add(f"{m.language}:{fold(m.name)}")
            usage.renderings[index][m.rendering] += 1
            usage.articles_of[(index, m.rendering)].add(m.translation)
        return usage


def _by_count(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))


def _rendered_notes(index: int, entry: Entry, usage: _Usage) -> list[GlossaryNote]:
    """What the archive's renderings of an entry's sources say of it: contradicted (another
    rendering is commoner than the entry's own), lacking (renderings it does not list as
    variants), or known (the archive agrees)."""
    location = str(entry.location)
    seen = usage.renderings[index]
    accepted = {entry.term.casefold(), *(a.casefold() for a in entry.aliases)}
    listed = {v.wrong.casefold() for v in entry.variants}
    right = sum(n for t, n in seen.items() if t.casefold() in accepted)
    top = _by_count((t, n) for t, n in seen.items() if t.casefold() not in accepted)
    ordered = tuple(_by_count(seen.items()))
    notes = []
    if top and top[0][1] > right:
        text, n = top[0]
        n_articles = len(usage.articles_of[(index, text)])
        notes.append(GlossaryNote(
            "contradicted", entry.term, location,
            f"the archive renders {entry.term}'s source as {text} {_times(n)} in "
            f"{n_articles} article{'s' if n_articles != 1 else ''}, and as "
            f"{entry.term} {_times(right)}", ordered))
    lacking = [(t, n) for t, n in top if t.casefold() not in listed]
    if lacking:
        notes.append(GlossaryNote(
            "lacking", entry.term, location,
            "renderings the entry does not list: " + ", ".join(f"{t} ({n})" for t, n in lacking),
            tuple(lacking)))
    if not top:
        notes.append(GlossaryNote("known", entry.term, location,
                                  f"the archive agrees: {entry.term} {_times(right)}", ordered))
    return notes


def compare(glossary: Glossary, mentions: Sequence[Mention], articles: Sequence[EnglishNames],
            source_names: Iterable[tuple[str, str]]) -> tuple[list[GlossaryNote], set[str]]:
    """Entries the archive contradicts, renderings they lack, entries never used; and the
    (language, folded name) keys the glossary already has."""
    by_source = _by_source(glossary)
    usage = _Usage.of(by_source, mentions)
    used: set[int] = {i for a in articles for i in a.entries}
    used |= {by_source[k] for k in ((lang, fold(n)) for lang, n in source_names) if k in by_source}
    notes = []
    for index, entry in enumerate(glossary.entries):
        if usage.renderings.get(index):
            notes += _rendered_notes(index, entry, usage)
        elif index not in used:
            notes.append(GlossaryNote("unused", entry.term, str(entry.location),
                                      "neither the entry's renderings nor its sources are in "
                                      "the archive"))
    return notes, usage.known


def _systems(systems: Mapping[str, str] | None, glossary: Glossary | None) -> dict[str, str]:
    """The romanisation systems: as given, else the glossary's, each language's default
    where neither names one."""
    from glossary_check.engine.transliteration import DEFAULTS

    chosen = dict(systems if systems is not None else
                  (glossary.transliteration if glossary is not None else {}))
    for lang in ("ru", "uk"):
        chosen.setdefault(lang, DEFAULTS[lang])
    return chosen


def _mentions(ordered: Sequence[PairNames], translator: Translator | None) -> list[Mention]:
    """Every linked name of the archive: transliterations (and machine translations) first,
    then co-occurrences over what they left."""
    archive = Archive(ordered)
    machine = _machine(ordered, translator)
    linkings = [link_transliterations(archive, pair, machine) for pair in ordered]
    cooc = Cooccurrence(item for linking in linkings for item in linking.residue(archive))
    mentions: list[Mention] = []
    for linking in linkings:
        mentions.extend(link_cooccurrences(archive, cooc, linking))
    return mentions


def _with_clusters(proposals: list[Proposal], clusters: Sequence[Proposal]) -> list[Proposal]:
    """The English-alone clusters added where no proposal from the pairs covers a spelling
    (a term, alias or variant, or one of their words)."""
    covered = {w.casefold() for p in proposals for t in (p.term, *p.aliases, *p.variants)
               for w in (t, *t.split())}
    return proposals + [c for c in clusters
                        if not any(s.casefold() in covered for s, _ in c.spellings)]


def _sources_note(entry: Entry, p: Proposal) -> GlossaryNote | None:
    """The source names the archive renders as an entry's term that the entry lacks."""
    listed = {(lang, fold(f)) for lang, forms in entry.sources.items() for f in forms}
    missing = sorted({(n.language, n.name) for n in p.names
                      if (n.language, fold(n.name)) not in listed})
    if not missing:
        return None
    return GlossaryNote(
        "sources", entry.term, str(entry.location),
        "the archive renders " + ", ".join(f"{name} ({lang})" for lang, name in missing)
        + f" as {p.term}; the entry does not list "
        + ("it" if len(missing) == 1 else "them") + " among its sources",
        tuple((r.text, r.count) for n in p.names for r in n.renderings))


@dataclass(slots=True)
class _Against:
    """The proposals weighed against the current glossary: what the archive says of its
    entries, the proposals it does not already hold, and its terms and aliases."""

    notes: list[GlossaryNote]
    proposals: list[Proposal]
    taken: set[str]


def _against_glossary(glossary: Glossary, proposals: list[Proposal],
                      ordered: Sequence[PairNames], mentions: Sequence[Mention],
                      articles: Sequence[EnglishNames]) -> _Against:
    """A proposal whose names the glossary has is dropped (what differs is in the notes);
    one whose term is an entry's is dropped too, with the sources the entry lacks."""
    source_names = {(p.language, u.text) for p in ordered for para in p.paragraphs
                    for u in para.source}
    source_names |= {(m.language, m.name) for m in mentions}
    notes, known = compare(glossary, mentions, articles, source_names)
    taken: set[str] = set()
    owners: dict[str, Entry] = {}
    for held in glossary.entries:
        taken |= {held.term, *held.aliases}
        for text in (held.term, *held.aliases):
            owners.setdefault(text.casefold(), held)
    kept: list[Proposal] = []
    for p in proposals:
        keys = {f"{n.language}:{fold(n.name)}" for n in p.names}
        if keys and keys <= known:
            continue
        entry = owners.get(p.term.casefold())
        if entry is None:
            kept.append(p)
        elif (note := _sources_note(entry, p)) is not None:
            notes.append(note)
    return _Against(notes, kept, taken)


def learn(
    pairs: Sequence[PairNames],
    *,
    thresholds: Thresholds | None = None,
    systems: Mapping[str, str] | None = None,
    translator: Translator | None = None,
    glossary: Glossary | None = None,
    english: Sequence[EnglishNames] = (),
    progress: Callable[[str], None] | None = None,
) -> Learned:
    """The proposals and the evidence, from pairs already read (in any order: the result
    depends on the set of pairs only) and, for spellings alone, English articles."""
    thresholds = thresholds or Thresholds()
    systems = _systems(systems, glossary)
    errors = sorted({p.error for p in pairs if p.error} | {a.error for a in english if a.error})
    ordered = sorted((p for p in pairs if p.error is None),
                     key=lambda p: (p.original, p.translation))
    if progress is not None:
        progress(f"{len(ordered)} pairs read; linking names")
    mentions = _mentions(ordered, translator)
    result = Learned(pairs=len(ordered), paragraphs=sum(len(p.paragraphs) for p in ordered),
                     mentions=len(mentions), errors=errors, systems=systems,
                     thresholds=thresholds)
    articles = sorted((a for a in english if a.error is None), key=lambda a: a.path)
    proposals = _with_clusters(fold_full_names(propose_from_pairs(mentions, thresholds, systems)),
                               english_clusters(articles, thresholds, systems))
    taken: set[str] = set()
    if glossary is not None:
        against = _against_glossary(glossary, proposals, ordered, mentions, articles)
        result.glossary, proposals, taken = against.notes, against.proposals, against.taken
    result.proposals = resolve_conflicts(proposals, taken)
    return result

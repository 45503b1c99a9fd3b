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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from glossary_check.workflow.learn.extract import PairNames
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
    """One pair from its bytes; a file that cannot be read is the pair's error."""
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
    return pair_names(source, target, language)


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


def english_clusters(articles: Sequence[EnglishNames], thresholds: Thresholds,
                     systems: Mapping[str, str]) -> list[Proposal]:
    """Spellings of one name across the English archive, as a term and its variants: the
    `inconsistent` rule's grouping and its choice of spelling (the desk's transliteration,
    then the commoner, then the one seen mid-sentence, then the first seen)."""
    from glossary_check.rules.inconsistent import desk_score, spelling_groups

    counts: Counter[tuple[str, str | None]] = Counter()
    named: set[str] = set()
    first: dict[tuple[str, str | None], tuple[str, int, int]] = {}
    for article in articles:
        for word, after, mid, line, column in article.words:
            counts[(word, after)] += 1
            if mid:
                named.add(word)
            first.setdefault((word, after), (article.path, line, column))
    # only names: a spelling seen mid-sentence somewhere, or one of such a spelling's group
    groups = spelling_groups(sorted(counts, key=lambda u: (u[0], u[1] or "")))
    seen: set[tuple[tuple[str, str | None], ...]] = set()
    out = []
    for unit in sorted(groups, key=lambda u: (u[0], u[1] or "")):
        group = tuple(sorted(groups[unit], key=lambda u: (u[0], u[1] or "")))
        if len(group) < 2 or group in seen:
            continue
        seen.add(group)
        if not any(w in named for w, _ in group):
            continue
        total = sum(counts[u] for u in group)
        if total < thresholds.min_count:
            continue
        main = max(group, key=lambda u: (desk_score(u[0], systems), counts[u], u[0] in named,
                                         tuple(-x for x in first[u][1:]), u[0]))
        kept = [u for u in group if u != main and counts[u] / total + 1e-9 >= thresholds.min_share]
        if not kept:
            continue
        score = desk_score(main[0], systems)
        why = (f"the desk's transliteration of a name the archive spells {len(group)} ways"
               if score >= 0 else
               f"the commonest of {len(group)} spellings of one name ({counts[main]} of {total})")
        where = first[main]
        out.append(Proposal(
            term=main[0], kind=None,
            variants=tuple(dict.fromkeys(u[0] for u in sorted(
                kept, key=lambda u: (-counts[u], u[0])))),
            sources={}, count=total, reason=f"{why}; first seen {where[0]}:{where[1]}:{where[2]}",
            origin="english",
            spellings=tuple(sorted(((u[0], counts[u]) for u in group),
                                   key=lambda x: (-x[1], x[0]))),
        ))
    return out


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def compare(glossary: Glossary, mentions: Sequence[Mention], articles: Sequence[EnglishNames],
            source_names: Iterable[tuple[str, str]]) -> tuple[list[GlossaryNote], set[str]]:
    """Entries the archive contradicts, renderings they lack, entries never used; and the
    (language, folded name) keys the glossary already has."""
    by_source: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(glossary.entries):
        for lang, forms in entry.sources.items():
            for form in forms:
                by_source.setdefault((lang, fold(form)), index)
    renderings: dict[int, Counter[str]] = defaultdict(Counter)
    articles_of: dict[tuple[int, str], set[str]] = defaultdict(set)
    known: set[str] = set()
    for m in mentions:
        index_or_none = by_source.get((m.language, fold(m.name)))
        if index_or_none is None:
            continue
        known.add(f"{m.language}:{fold(m.name)}")
        renderings[index_or_none][m.rendering] += 1
        articles_of[(index_or_none, m.rendering)].add(m.translation)
    used: set[int] = {i for a in articles for i in a.entries}
    used |= {by_source[k] for k in ((lang, fold(n)) for lang, n in source_names) if k in by_source}
    notes = []
    for index, entry in enumerate(glossary.entries):
        location = str(entry.location)
        accepted = {entry.term.casefold(), *(a.casefold() for a in entry.aliases)}
        listed = {v.wrong.casefold() for v in entry.variants}
        seen = renderings.get(index, Counter())
        if seen:
            right = sum(n for t, n in seen.items() if t.casefold() in accepted)
            wrong = {t: n for t, n in seen.items() if t.casefold() not in accepted}
            top = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))
            ordered = tuple(sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])))
            if top and top[0][1] > right:
                text, n = top[0]
                n_articles = len(articles_of[(index, text)])
                notes.append(GlossaryNote(
                    "contradicted", entry.term, location,
                    f"the archive renders {entry.term}'s source as {text} {_times(n)} in "
                    f"{n_articles} article{'s' if n_articles != 1 else ''}, and as "
                    f"{entry.term} {_times(right)}", ordered))
            lacking = [(t, n) for t, n in top if t.casefold() not in listed]
            if lacking:
                notes.append(GlossaryNote(
                    "lacking", entry.term, location,
                    "renderings the entry does not list: " + ", ".join(
                        f"{t} ({n})" for t, n in lacking), tuple(lacking)))
            if not top:
                notes.append(GlossaryNote("known", entry.term, location,
                                          f"the archive agrees: {entry.term} "
                                          f"{_times(right)}",
                                          ordered))
        elif index not in used:
            notes.append(GlossaryNote("unused", entry.term, location,
                                      "neither the entry's renderings nor its sources are in "
                                      "the archive"))
    return notes, known


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
    from glossary_check.engine.transliteration import DEFAULTS

    thresholds = thresholds or Thresholds()
    systems = dict(systems if systems is not None else
                   (glossary.transliteration if glossary is not None else {}))
    for lang in ("ru", "uk"):
        systems.setdefault(lang, DEFAULTS[lang])
    errors = sorted({p.error for p in pairs if p.error} | {a.error for a in english if a.error})
    ordered = sorted((p for p in pairs if p.error is None),
                     key=lambda p: (p.original, p.translation))
    archive = Archive(ordered)
    if progress is not None:
        progress(f"{len(ordered)} pairs read; linking names")
    machine = _machine(ordered, translator)
    linkings = [link_transliterations(archive, pair, machine) for pair in ordered]
    cooc = Cooccurrence(item for linking in linkings for item in linking.residue(archive))
    mentions: list[Mention] = []
    for linking in linkings:
        mentions.extend(link_cooccurrences(archive, cooc, linking))
    result = Learned(pairs=len(ordered), paragraphs=sum(len(p.paragraphs) for p in ordered),
                     mentions=len(mentions), errors=errors, systems=systems,
                     thresholds=thresholds)
    proposals = fold_full_names(propose_from_pairs(mentions, thresholds, systems))
    articles = sorted((a for a in english if a.error is None), key=lambda a: a.path)
    clusters = english_clusters(articles, thresholds, systems)
    covered = {w.casefold() for p in proposals for t in (p.term, *p.aliases, *p.variants)
               for w in (t, *t.split())}
    proposals += [c for c in clusters
                  if not any(s.casefold() in covered for s, _ in c.spellings)]
    taken: set[str] = set()
    if glossary is not None:
        source_names = {(p.language, u.text) for p in ordered for para in p.paragraphs
                        for u in para.source}
        source_names |= {(m.language, m.name) for m in mentions}
        notes, known = compare(glossary, mentions, articles, source_names)
        owners: dict[str, Entry] = {}
        for held in glossary.entries:
            taken |= {held.term, *held.aliases}
            for text in (held.term, *held.aliases):
                owners.setdefault(text.casefold(), held)
        kept: list[Proposal] = []
        for p in proposals:
            keys = {f"{n.language}:{fold(n.name)}" for n in p.names}
            if keys and keys <= known:
                continue  # the glossary has the name: what differs is in the notes
            entry = owners.get(p.term.casefold())
            if entry is None:
                kept.append(p)
                continue
            listed = {(lang, fold(f)) for lang, forms in entry.sources.items() for f in forms}
            missing = sorted({(n.language, n.name) for n in p.names
                              if (n.language, fold(n.name)) not in listed})
            if missing:
                notes.append(GlossaryNote(
                    "sources", entry.term, str(entry.location),
                    "the archive renders " + ", ".join(f"{name} ({lang})"
                                                       for lang, name in missing)
                    + f" as {p.term}; the entry does not list "
                    + ("it" if len(missing) == 1 else "them") + " among its sources",
                    tuple((r.text, r.count) for n in p.names for r in n.renderings)))
        result.glossary = notes
        proposals = kept
    result.proposals = resolve_conflicts(proposals, taken)
    return result

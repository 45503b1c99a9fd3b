"""Lining up a source article's paragraphs with its translation's.

Equal paragraph counts pair one to one. Otherwise a monotonic dynamic
programme (1-1, 2-1, 1-2, 1-0, 0-1) maximises similarity, in the spirit of
Bleualign: with a model, the similarity of the source paragraph's machine
translation to the translated paragraph (word unigrams and bigrams);
without one, the glossary entries both paragraphs name and their lengths.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from glossary_check.documents import Document

if TYPE_CHECKING:
    from glossary_check.engine.compiled import Compiled
    from glossary_check.engine.matching import SourceHit
    from glossary_check.translate import Translator

_PARAGRAPH_BREAK = regex.compile(r"\n[^\S\n]*\n\s*")
_WORDS = regex.compile(r"[\p{L}\p{N}]+")
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Pairing:
    """A source document lined up with the translation being checked."""

    source: Document
    language: str
    links: tuple[tuple[Span, Span], ...]
    hits: tuple[SourceHit, ...] = ()
    #: a source form as written -> its machine translation, where a model ran
    renderings: Mapping[str, str] = field(default_factory=dict)


def paragraphs(view: str) -> list[Span]:
    """Non-empty stretches of the view between blank lines (block breaks included)."""
    out, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(view):
        if view[start : m.start()].strip():
            out.append(_trimmed(view, start, m.start()))
        start = m.end()
    if view[start:].strip():
        out.append(_trimmed(view, start, len(view)))
    return out


def _trimmed(view: str, start: int, end: int) -> Span:
    while start < end and view[start].isspace():
        start += 1
    while end > start and view[end - 1].isspace():
        end -= 1
    return start, end


def overlap(a: str, b: str) -> float:
    """F1 of word unigrams and bigrams, case-folded: a cheap, symmetric BLEU stand-in."""
    wa = [w.casefold() for w in _WORDS.findall(a)]
    wb = [w.casefold() for w in _WORDS.findall(b)]
    if not wa or not wb:
        return 0.0
    grams_a = set(wa) | set(itertools.pairwise(wa))
    grams_b = set(wb) | set(itertools.pairwise(wb))
    common = len(grams_a & grams_b)
    if not common:
        return 0.0
    precision, recall = common / len(grams_b), common / len(grams_a)
    return 2 * precision * recall / (precision + recall)


def align(
    n: int, m: int, similarity: Callable[[Sequence[int], Sequence[int]], float]
) -> list[tuple[list[int], list[int]]]:
    """Monotonic alignment of n source to m target units maximising summed similarity."""
    if n == m:
        return [([i], [i]) for i in range(n)]
    moves = ((1, 1), (2, 1), (1, 2), (1, 0), (0, 1))
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == neg:
                continue
            for di, dj in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                gain = similarity(range(i, ni), range(j, nj)) if di and dj else -0.05
                if best[i][j] + gain > best[ni][nj]:
                    best[ni][nj] = best[i][j] + gain
                    back[ni][nj] = (di, dj)
    out: list[tuple[list[int], list[int]]] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj = step
        out.append((list(range(i - di, i)), list(range(j - dj, j))))
        i, j = i - di, j - dj
    out.reverse()
    return out


def link(
    source_paras: list[Span],
    target_paras: list[Span],
    similarity: Callable[[Sequence[int], Sequence[int]], float],
) -> tuple[tuple[Span, Span], ...]:
    links = []
    for src, tgt in align(len(source_paras), len(target_paras), similarity):
        if src and tgt:
            links.append(
                (
                    (source_paras[src[0]][0], source_paras[src[-1]][1]),
                    (target_paras[tgt[0]][0], target_paras[tgt[-1]][1]),
                )
            )
    return tuple(links)


def _entries_by_paragraph(spans: list[Span], located: Sequence[tuple[int, int]]) -> list[set[int]]:
    """The glossary entries named in each paragraph, from (view offset, entry index) pairs."""
    out: list[set[int]] = [set() for _ in spans]
    starts = [s for s, _ in spans]
    for offset, entry in located:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < spans[i][1]:
            out[i].add(entry)
    return out


def pair_documents(
    source: Document,
    translation: Document,
    compiled: Compiled,
    translator: Translator | None,
    language: str,
) -> Pairing:
    """Line the source up with the translation; the model helps only where counts differ."""
    from glossary_check.engine.matching import find_matches, tokenize
    from glossary_check.rules import Context

    tokens = tokenize(source.view)
    context = Context(source, compiled, tokens, find_matches(compiled.matcher, source.view, tokens))
    hits = tuple(context.source_hits)
    target = compiled.glossary.language
    source_paras, target_paras = paragraphs(source.view), paragraphs(translation.view)
    usable = translator is not None and (language, target) in translator.pairs()

    similarity: Callable[[Sequence[int], Sequence[int]], float]
    if usable and len(source_paras) != len(target_paras):
        assert translator is not None
        machine = translator.translate_batch(
            [source.view[s:e] for s, e in source_paras], language, target
        )

        def similarity(a: Sequence[int], b: Sequence[int]) -> float:
            left = " ".join(machine[i] or "" for i in a)
            right = " ".join(translation.view[target_paras[j][0] : target_paras[j][1]] for j in b)
            return overlap(left, right)
    else:
        t_tokens = tokenize(translation.view)
        named = [
            (m.start, t.entry)
            for m in find_matches(compiled.matcher, translation.view, t_tokens)
            for t in m.targets
        ]
        src_entries = _entries_by_paragraph(source_paras, [(h.start, h.entry) for h in hits])
        tgt_entries = _entries_by_paragraph(target_paras, named)

        def similarity(a: Sequence[int], b: Sequence[int]) -> float:
            ea = set().union(*(src_entries[i] for i in a))
            eb = set().union(*(tgt_entries[j] for j in b))
            la = sum(source_paras[i][1] - source_paras[i][0] for i in a)
            lb = sum(target_paras[j][1] - target_paras[j][0] for j in b)
            names = len(ea & eb) / len(ea | eb) if ea | eb else 0.0
            return 0.6 * names + 0.4 * (min(la, lb) / max(la, lb, 1))

    renderings: dict[str, str] = {}
    if usable and hits:
        assert translator is not None
        forms = sorted({source.view[h.start : h.end] for h in hits})
        for form, out in zip(
            forms, translator.translate_batch(forms, language, target), strict=True
        ):
            if out:
                renderings[form] = out
    return Pairing(source, language, link(source_paras, target_paras, similarity), hits, renderings)

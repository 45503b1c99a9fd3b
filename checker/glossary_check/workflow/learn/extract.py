"""One pair of articles, reduced to the names each paragraph holds (what a worker does).

The original's names are capitalised Cyrillic words (a sentence's first word only
where the analyser knows it as a name, place or organisation) and runs of them;
each word comes with every nominative the analyser can make of it, from every
parse (`Києві` is the locative of Київ and of the given name Кий): which one is
meant is decided later, with the whole archive and the translation in view. The
translation's are capitalised Latin words that are not ordinary English words at
a sentence's start, and runs of them, possessives off. Paragraphs are lined up
with the aligner of `--source`. Everything here is plain data, so a pair can be
read on a Dask worker and the rest done once on the client.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex

from glossary_check.core.positions import LineIndex
from glossary_check.documents import Document
from glossary_check.engine.matching import (
    Token,
    at_sentence_start,
    possessive,
    tokenize,
    word_key,
)
from glossary_check.rules.align import link, paragraphs

#: Words a name may have; longer capitalised runs are headlines or lists, not one name.
MAX_WORDS = 4
#: Name units a paragraph may have on either side (ntrex-dev's most is 32): linking costs
#: the product of the two sides, so a paragraph with more, a list or a table, is left out.
MAX_NAMES = 100
#: Paragraph pairs the aligner may weigh when the counts differ (its cost is their product):
#: 500 paragraphs against 500. An article pair over it is not read, and says so.
MAX_ALIGN = 250_000
_CYRILLIC_WORD = regex.compile(r"^\p{Lu}[\p{Cyrillic}\p{M}'’ʼ]*$")
_LATIN_WORD = regex.compile(r"^\p{Lu}[\p{Latin}\p{M}'’ʼ]*$")
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")
_DIGITS = regex.compile(r"\p{N}+")
#: What may stand between two words of one name: a space, a no-break space or a hyphen.
_JOIN = frozenset({" ", "\u00a0", "-", "\u2010", "\u2011"})
_NOUNS = frozenset({"NOUN", "ADJF", "PRTF"})
_KIND_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Trad")


@dataclass(frozen=True, slots=True)
class Reading:
    """A nominative a source word can be taken back to, and what the analyser said of it."""

    form: str
    #: the proper-noun tags of the parses that give it (Name, Surn, Geox, Orgn ...)
    tags: tuple[str, ...]
    #: from the dictionary, not guessed from the ending
    known: bool
    #: the summed likelihood of the parses that give it
    score: float


@dataclass(frozen=True, slots=True)
class Unit:
    """A name or a run of name words in one paragraph: its words and where it stands."""

    text: str
    words: tuple[str, ...]
    #: token positions in the paragraph's word list, [first, last + 1)
    first: int
    last: int
    line: int
    column: int
    #: the longest run it is part of, or that run itself (co-occurrence counts only these)
    maximal: bool
    #: the whole run of capitalised words, not a part of one
    whole: bool = True
    #: the run's next word after this unit, if the run goes on (Mexico [City], Red [Cross])
    after: str | None = None


@dataclass(frozen=True, slots=True)
class Linked:
    """Two aligned paragraphs: the original's name units and the translation's."""

    source: tuple[Unit, ...]
    target: tuple[Unit, ...]


@dataclass(frozen=True, slots=True)
class PairNames:
    """Everything the archive-wide steps need from one pair of articles."""

    original: str
    translation: str
    language: str
    paragraphs: tuple[Linked, ...]
    #: every source word seen -> the nominatives it can be read as
    readings: dict[str, tuple[Reading, ...]]
    error: str | None = None


class TooLong(ValueError):
    """An article pair whose paragraphs are too many to line up (see MAX_ALIGN)."""


@functools.lru_cache(maxsize=200_000)
def readings(word: str, language: str) -> tuple[Reading, ...]:
    """Every nominative the analyser makes of `word` (nouns and adjectives, any parse, its
    gender and number kept), the word itself among them, in a stable order."""
    from glossary_check.engine.morphology import analyzer, spelling

    morph = analyzer(language)
    found: dict[str, tuple[set[str], bool, float]] = {}
    if morph is not None and not (len(word) > 1 and word.isupper()):  # НАТО, ЄС: as written
        for parse in morph.parse(spelling(word)):
            if parse.tag.POS not in _NOUNS or parse.tag.case is None:
                continue
            inflected = parse.inflect({"nomn"})
            if inflected is None:
                continue
            form = _cased(str(inflected.word), word)
            tags, known, score = found.get(form, (set(), False, 0.0))
            tags |= {t for t in _KIND_TAGS if t in parse.tag.grammemes}
            found[form] = (tags, known or _is_known(parse), score + float(parse.score))
    if word not in found:
        found[word] = (set(), False, 0.0)
    return tuple(
        Reading(form, tuple(sorted(tags)), known, round(score, 6))
        for form, (tags, known, score) in sorted(found.items())
    )


def _is_known(parse: object) -> bool:
    stack: Any = getattr(parse, "methods_stack", ())
    return bool(stack) and type(stack[0][0]).__name__ == "DictionaryAnalyzer"


def _cased(form: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return form.upper()
    if like[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def proper(word: str, language: str) -> bool:
    """Whether the dictionary knows the word as a name, place or organisation (or it is an
    abbreviation in capitals): such a word is a name even where a sentence starts."""
    if len(word) > 1 and word.isupper():
        return True
    return any(r.tags and r.known for r in readings(word, language))


@functools.lru_cache(maxsize=200_000)
def _ordinary(word: str) -> bool:
    from glossary_check.engine.english import ordinary_word

    return ordinary_word(word)


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """One paragraph of a document's view, tokenised: what finding its names needs."""

    view: str
    start: int
    tokens: list[Token]
    doc: Document
    lines: LineIndex

    def at_start(self, token: Token) -> bool:
        return at_sentence_start(self.view, self.start + token.start)


def _english_word(para: _Paragraph, token: Token) -> str | None:
    """A translation's name word, possessive off: capitalised Latin, two letters or more,
    not an ordinary English word at a sentence's start."""
    text = possessive(token.text)
    if not _LATIN_WORD.match(text) or len(text) < 2:
        return None
    if para.at_start(token) and _ordinary(text):
        return None
    return text


def _source_word(para: _Paragraph, token: Token, language: str) -> str | None:
    """An original's name word: capitalised Cyrillic, two letters or more, at a sentence's
    start only where the analyser knows it as a name."""
    text = token.text
    if not _CYRILLIC_WORD.match(text) or len(text) < 2:
        return None
    if para.at_start(token) and not proper(text, language):
        return None
    return text


#: A run of name words: (token index, the word as it counts), one after another.
Run = list[tuple[int, str]]


def _continues(para: _Paragraph, run: Run, i: int, language: str | None) -> bool:
    """Whether word i goes on the run: it is the next token, one joining character apart,
    and (in English) the run's last word was not cut at a possessive."""
    last, text = run[-1]
    return (last == i - 1 and _joined(para.view, para.start, para.tokens[i - 1], para.tokens[i])
            and not (language is None and para.tokens[i - 1].text != text))


def _runs(para: _Paragraph, language: str | None) -> list[Run]:
    """The paragraph's name words, grouped into runs."""
    runs: list[Run] = []
    for i, token in enumerate(para.tokens):
        text = (_english_word(para, token) if language is None
                else _source_word(para, token, language))
        if text is None:
            continue
        if runs and _continues(para, runs[-1], i, language):
            runs[-1].append((i, text))
        else:
            runs.append([(i, text)])
    return runs


def _unit(para: _Paragraph, run: Run, a: int, b: int) -> Unit:
    """The unit of words run[a:b], placed in the file as written."""
    first, last = run[a][0], run[b - 1][0]
    text_start = para.start + para.tokens[first].start
    text_end = para.start + para.tokens[last].start + len(run[b - 1][1])
    raw_start, _ = para.doc.raw_span(text_start, text_start + 1)
    line, column = para.lines.line_col(raw_start)
    size = len(run)
    return Unit(
        para.view[text_start:text_end].replace("\u00a0", " "),
        tuple(t for _, t in run[a:b]), first, last + 1,
        line, column, maximal=(a == 0 and b == size) or b - a == 1,
        whole=a == 0 and b == size, after=run[b][1] if b < size else None,
    )


def _names(
    view: str, span: tuple[int, int], doc: Document, lines: LineIndex, language: str | None
) -> tuple[Unit, ...]:
    """The name units of the paragraph view[span], every stretch of up to MAX_WORDS words of
    each run: language None for the English side."""
    start, end = span
    para = _Paragraph(view, start, tokenize(view[start:end]), doc, lines)
    return tuple(_unit(para, run, a, b)
                 for run in _runs(para, language)
                 for a in range(len(run))
                 for b in range(a + 1, min(len(run), a + MAX_WORDS) + 1))


def _joined(view: str, offset: int, left: Token, right: Token) -> bool:
    gap = view[offset + left.end : offset + right.start]
    return len(gap) == 1 and gap in _JOIN


def _anchors(text: str, language: str | None) -> set[str]:
    """What two paragraphs that translate each other share: figures, and the first letters
    of their names romanised (Македония, Macedonia: mak)."""
    from glossary_check.engine.transliteration import transliterate

    out = set(_DIGITS.findall(text))
    for token in tokenize(text):
        word = token.text
        if not word[:1].isupper():
            continue
        if language is not None and _CYRILLIC.search(word):
            word = transliterate(word, language)
        out.add(word_key(word)[:3])
    return out


def line_up(original: Document, translation: Document, language: str
            ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The aligner's paragraph links; where the counts differ, by shared figures and names
    and by length (no glossary, no model: a name's transliteration is the anchor)."""
    src, tgt = paragraphs(original.view), paragraphs(translation.view)
    if len(src) != len(tgt) and len(src) * len(tgt) > MAX_ALIGN:
        raise TooLong(f"{len(src)} paragraphs against {len(tgt)} in {translation.path}: too "
                      f"many to line up (at most {MAX_ALIGN:,} pairs to weigh)")
    if len(src) != len(tgt):
        src_anchors = [_anchors(original.view[s:e], language) for s, e in src]
        tgt_anchors = [_anchors(translation.view[s:e], None) for s, e in tgt]

        def similarity(a: Sequence[int], b: Sequence[int]) -> float:
            ea = set().union(*(src_anchors[i] for i in a))
            eb = set().union(*(tgt_anchors[j] for j in b))
            la = sum(src[i][1] - src[i][0] for i in a)
            lb = sum(tgt[j][1] - tgt[j][0] for j in b)
            shared = len(ea & eb) / len(ea | eb) if ea | eb else 0.0
            return 0.6 * shared + 0.4 * (min(la, lb) / max(la, lb, 1))
    else:
        def similarity(a: Sequence[int], b: Sequence[int]) -> float:
            return 1.0
    return list(link(src, tgt, similarity))


def pair_names(
    original: Document, translation: Document, language: str
) -> PairNames:
    """The names of every aligned paragraph pair of one article and its translation."""
    src_lines, tgt_lines = LineIndex(original.text), LineIndex(translation.text)
    out = []
    words: dict[str, tuple[Reading, ...]] = {}
    for src_span, tgt_span in line_up(original, translation, language):
        source = _names(original.view, src_span, original, src_lines, language)
        target = _names(translation.view, tgt_span, translation, tgt_lines, None)
        if not source or not target or max(len(source), len(target)) > MAX_NAMES:
            continue
        for unit in source:
            for word in unit.words:
                if word not in words:
                    words[word] = readings(word, language)
        out.append(Linked(source, target))
    return PairNames(original.path, translation.path, language, tuple(out), words)


def english_names(doc: Document) -> list[tuple[str, str | None, bool, int, int]]:
    """Capitalised Latin words of an English article, for spellings of one name across an
    archive: (word, the next name word's key or None, whether it stands mid-sentence, line,
    column). Capitals (NATO) and words shorter than the rule's minimum are left out."""
    from glossary_check.engine.compiled import NEAR_MIN

    lines = LineIndex(doc.text)
    tokens = tokenize(doc.view)
    out = []
    for i, token in enumerate(tokens):
        word = possessive(token.text)
        if len(word) < NEAR_MIN or not _LATIN_WORD.match(word) or word.isupper():
            continue
        following: str | None = None
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            gap = doc.view[token.end : nxt.start]
            if not gap.strip(" \u00a0") and nxt.text[:1].isupper():
                following = word_key(possessive(nxt.text))
        mid = not at_sentence_start(doc.view, token.start)
        line, column = lines.line_col(doc.raw_span(token.start, token.start + 1)[0])
        out.append((word, following, mid, line, column))
    return out

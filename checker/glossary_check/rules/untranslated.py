"""`untranslated`: a span in another script than the article's that no entry explains."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.remembered import remembered, truth
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc
from glossary_check.rules.source_form import LANGUAGE_NAMES

DOC = RuleDoc(
    what="""Flags text left in another script than the article's (a rubric left in
    Cyrillic, a byline, a quotation), cut into natural units rather than single words,
    with what the glossary explains cut out (those parts are `source-form` findings).
    The finding names the span's language, gives the desk's transliteration of the
    names in it and, where a translation model is installed, what the span says.""",
    why="""An editor who does not read Russian or Ukrainian needs to know what was left in
    and what it means before deciding whether it stays.""",
    flagged=(Example("News · Политика"),),
    clean=(Example("News · Politics"),),
    fix="""Unsafe, and only where a translation model is installed: the suggestion is the
    machine translation with the desk's renderings put in (Новости из Киева → News from
    Kyiv), written only with `--unsafe-fixes`. Without a model there is no fix.""",
)

_EDGE = regex.compile(r"^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$")
_NAME_RUN = regex.compile(r"\p{Lu}[\p{L}\p{M}'’ʼ-]*(?:[ \u00a0]+\p{Lu}[\p{L}\p{M}'’ʼ-]*)*")
_LETTER = regex.compile(r"\p{L}")
_SEPARATOR = regex.compile(r"([ \u00a0]+)")


def trim(view: str, start: int, end: int) -> tuple[int, int]:
    piece = view[start:end]
    lead = _EDGE.match(piece)
    if lead:
        start += lead.end()
        piece = piece[lead.end() :]
    tail = _EDGE.search(piece)
    if tail and tail.end() == len(piece):
        end -= len(piece) - tail.start()
    return start, end


def cut(start: int, end: int, holes: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    for hole_start, hole_end in holes:
        if hole_start > start:
            yield start, min(hole_start, end)
        start = max(start, hole_end)
    if start < end:
        yield start, end


_NAME_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Trad")


@functools.lru_cache(maxsize=8192)
@remembered("common-word", __file__, truth)
def common_word(word: str, language: str) -> bool:
    """A word the dictionary knows, and never as a name: a rubric's Политика, not a surname."""
    from glossary_check.engine.morphology import analyzer

    morph = analyzer(language)
    if morph is None or not morph.word_is_known(word.lower()):
        return False
    return not any(tag in str(p.tag) for p in morph.parse(word) for tag in _NAME_TAGS)


def names(text: str, language: str, system: str | None) -> list[tuple[str, str]]:
    """Capitalised runs that look like names, with the desk's romanisation of each.

    A name is romanised in its dictionary form (Зеленського -> Zelenskyi, not
    Zelenskoho), as English prints it, without the soft-sign marks of BGN/PCGN.
    """
    return list(_names(text, language, system))


@functools.lru_cache(maxsize=4096)
def _names(text: str, language: str, system: str | None) -> tuple[tuple[str, str], ...]:
    """`names`, kept per process: articles repeat their rubrics, bylines and names."""
    from glossary_check.engine.morphology import dictionary_forms
    from glossary_check.engine.transliteration import transliterate

    out = []
    for m in _NAME_RUN.finditer(text):
        parts = _SEPARATOR.split(m.group())
        words = parts[::2]
        if all(common_word(w, language) for w in words):
            continue
        parts[::2] = dictionary_forms(words, language)
        out.append((m.group(), transliterate("".join(parts), language, system, plain=True)))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _language(piece: str, span: str) -> str:
    """A piece's language: its own letters where they decide, else its whole span's.

    A one-letter preposition left beside a source form (у Києві) reads as any
    language alone; its neighbours tell.
    """
    from glossary_check.engine import languages

    if len(languages.letter_candidates(piece)) == 1:
        return languages.identify(piece)
    return languages.identify(span)


def check(ctx: Context) -> Iterator[Hit]:
    for span_start, span_end in ctx.foreign_spans:
        holes = ctx.claims.inside(span_start, span_end)
        for piece_start, piece_end in cut(span_start, span_end, holes):
            start, end = trim(ctx.view, piece_start, piece_end)
            text = ctx.view[start:end]
            if not _LETTER.search(text):
                continue
            language = _language(text, ctx.view[span_start:span_end])
            shown = LANGUAGE_NAMES.get(language, language)
            rendered = names(text, language, ctx.glossary.transliteration.get(language))
            detail = "; ".join(f"{a} → {b}" for a, b in rendered if a != b)
            message = f"'{text}' is untranslated {shown} that no glossary entry explains"
            yield Hit(start, end, message + (f" ({detail})." if detail else "."), language=language)


RULE = Rule("untranslated", Severity.WARNING, "a span in another language that no entry explains",
            DOC, check, Applicability.UNSAFE)

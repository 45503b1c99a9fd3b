"""`source-form`: an entry's source-language form, inflected or not, left in the article."""

from __future__ import annotations

from collections.abc import Iterator

from glossary_check.findings import Applicability, Severity
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, with_note

DOC = RuleDoc(
    what="""Flags a name left in the language the article was translated from: any form
    listed under an entry's `sources`, and every inflected form of it (в Киеве,
    «Новой газеты Европа», Зеленського). Multi-word names match when their words agree;
    derived words (Киевская Русь) and common words that look like a name (света, южное)
    are not forms of it. A preposition governing the name belongs to the finding.""",
    why="""A Cyrillic name in an English article is an unfinished translation: the reader
    cannot read it and the desk's rendering is known.""",
    flagged=(Example("Tom Masters, for «Новой газеты Европа»."),),
    clean=(Example("Tom Masters, for Novaya Gazeta Europe."),),
    fix="""Unsafe (`--unsafe-fixes`): the suggestion is the entry's term, with the
    preposition in English (в Киеве → in Kyiv); the sentence may need rephrasing.""",
)

LANGUAGE_NAMES = {
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "sr": "Serbian",
    "mk": "Macedonian",
    "pl": "Polish",
    "de": "German",
    "fr": "French",
}


def check(ctx: Context) -> Iterator[Hit]:
    for hit in ctx.source_hits:
        entry = ctx.entry(hit.entry)
        text = ctx.view[hit.start : hit.end]
        language = LANGUAGE_NAMES.get(hit.language, hit.language)
        how = "" if text == hit.form else f" (a form of '{hit.form}')"
        yield Hit(
            hit.start,
            hit.end,
            with_note(
                f"'{text}'{how} is {language} for '{entry.term}'; write '{entry.term}'", entry
            ),
            entry=entry,
            suggestion=entry.term,
            language=hit.language,
            applicability=Applicability.UNSAFE,
        )


RULE = Rule(
    "source-form",
    Severity.ERROR,
    "a source-language form of a glossary entry left in",
    DOC,
    check,
    Applicability.UNSAFE,
)

"""`source-form`: an entry's source-language form, inflected or not, left in the article."""

from __future__ import annotations

from collections.abc import Iterator

from glossary_check.findings import Applicability, Severity
from glossary_check.rules import Context, Hit, Rule, with_note

EXPLAIN = """\
Flags a name left in the language the article was translated from: any
form listed under an entry's `sources`, and, where the morphology is
installed, every inflected form of it (в Киеве, «Новой газеты Европа»,
Зеленського). Multi-word names match when their words agree in case;
derived words (Киевская Русь) are not forms of a name. The suggestion is
the entry's term; writing it in may need the sentence around it rephrased,
so the fix is unsafe (`--unsafe-fixes`)."""

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
    EXPLAIN,
    check,
    Applicability.UNSAFE,
)

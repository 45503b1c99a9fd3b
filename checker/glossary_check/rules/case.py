"""`case`: the right term in the wrong letter case."""

from __future__ import annotations

from collections.abc import Iterator

from glossary_check.core.findings import Applicability, Severity
from glossary_check.engine.english import ordinary_word
from glossary_check.engine.matching import WORD, at_sentence_start
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc, Verdict, with_note

DOC = RuleDoc(
    what="""Flags a term or alias written in another letter case than the glossary's (Tass
    for TASS). A lower-case term may take a capital at the start of a sentence (after
    `.`, `!`, `?`, a line break, the start of a heading or list item, also behind an
    opening quote or bracket). A capitalised one-word term written in lower case where
    that is an ordinary English word (a turkey, for Turkey) is that word, not the name.
    Entries with `case: any` are never checked.""",
    why="""Acronyms and house names have one spelling; a wrong case reads as a different
    name or as carelessness.""",
    flagged=(Example("Tass reported the strike."),),
    clean=(Example("TASS reported the strike."),),
    fix="Safe: writes the term in the glossary's case.",
)


def _sentence_capital(written: str, form: str) -> bool:
    return bool(form) and form[0].islower() and written == form[0].upper() + form[1:]


def _common_word(written: str, form: str) -> bool:
    """A capitalised one-word term written in lower case where English has that word:
    a turkey is no Turkey, luck no Luck."""
    return (
        written.islower() and form[:1].isupper() and WORD.fullmatch(form) is not None
        and ordinary_word(written)
    )


def check(ctx: Context) -> Iterator[Hit]:
    for match, verdict, target in ctx.verdicts:
        if verdict is not Verdict.CASE:
            continue
        if _sentence_capital(match.text, target.form) and at_sentence_start(ctx.view, match.start):
            continue
        if _common_word(match.text, target.form):
            continue
        entry = ctx.entry(target.entry)
        yield Hit(
            match.start, match.end,
            with_note(f"'{match.text}' should be written '{target.form}'", entry),
            entry=entry, suggestion=target.form, language=ctx.glossary.language,
            applicability=Applicability.SAFE,
        )


RULE = Rule("case", Severity.ERROR, "the right term in the wrong letter case", DOC, check,
            Applicability.SAFE)

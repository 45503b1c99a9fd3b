"""Machine translation of a run's untranslated spans: one batch per language pair.

Runs after every file is checked, so a run makes one call per language
pair whatever its number of files, and a cached translation costs nothing.
When the translation names a glossary entry, the finding says so and its
suggestion writes the desk's rendering.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING

from glossary_check.core.findings import Applicability, FileResult, Finding
from glossary_check.engine.matching import find_matches, tokenize
from glossary_check.rules import Verdict, classify

if TYPE_CHECKING:
    from glossary_check.engine.compiled import Compiled
    from glossary_check.translate import Translator


def open_or_notice(threads: int | None, use_cache: bool) -> tuple[Translator | None, str | None]:
    """A translator, or the one-line reason there is none (said once per run)."""
    from glossary_check.cache.translations import open_translator
    from glossary_check.translate import TranslationUnavailable

    try:
        return open_translator(threads=threads, use_cache=use_cache), None
    except TranslationUnavailable as exc:
        return None, str(exc)


def translate_results(
    results: list[FileResult], compiled: Compiled, *, threads: int | None, use_cache: bool
) -> list[str]:
    """Translate every untranslated span of the run in one batch per language pair."""
    if not any(f.rule == "untranslated" for r in results for f in r.findings):
        return []
    from glossary_check.cache.translations import CachedTranslator

    translator, notice = open_or_notice(threads, use_cache)
    if translator is None:
        return [notice] if notice else []
    notices = annotate(results, compiled, translator, compiled.glossary.language)
    if isinstance(translator, CachedTranslator):
        notices += translator.notices
    return notices


def desk_rendering(translation: str, compiled: Compiled) -> tuple[str, list[str]]:
    """The translation with variants and wrong-case terms replaced by the glossary's renderings."""
    tokens = tokenize(translation)
    out, notes, last = [], [], 0
    for match in find_matches(compiled.matcher, translation, tokens):
        verdict, target = classify(match, compiled.glossary)
        entry = compiled.glossary.entries[target.entry]
        if verdict is Verdict.VARIANT and target.fix is not None:
            out += [translation[last : match.start], target.fix]
            notes.append(f"'{match.text}' is a variant of '{entry.term}'")
            last = match.end
        elif verdict is Verdict.CASE:
            out += [translation[last : match.start], target.form]
            last = match.end
        elif verdict is Verdict.CORRECT:
            notes.append(f"names '{entry.term}'")
    out.append(translation[last:])
    return "".join(out), notes


def annotate(
    results: list[FileResult], compiled: Compiled, translator: Translator, target: str
) -> list[str]:
    """Fill `translation` on untranslated findings in place; returns notices for the run."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for result in results:
        for finding in result.findings:
            if finding.rule == "untranslated" and finding.language:
                wanted[finding.language].add(_source_text(finding))
    done: dict[tuple[str, str], str] = {}
    notices: list[str] = []
    for language, texts in sorted(wanted.items()):
        if (language, target) not in translator.pairs():
            notices.append(
                f"no {language}→{target} translation model is installed, so untranslated "
                f"{language} text was not translated; install one with "
                f"'glossary-check models install PATH.argosmodel' "
                f"(or 'glossary-check models install --from {language} --to {target}')"
            )
            continue
        ordered = sorted(texts)
        for text, translated in zip(
            ordered, translator.translate_batch(ordered, language, target), strict=True
        ):
            if translated is not None:
                done[(language, text)] = translated
    for result in results:
        result.findings = [_with_translation(f, done, compiled) for f in result.findings]
    return notices


def _source_text(finding: Finding) -> str:
    """What is translated: the span as a reader sees it (entities decoded, lines joined)."""
    return " ".join(finding.text.split())


def _with_translation(
    finding: Finding, done: dict[tuple[str, str], str], compiled: Compiled
) -> Finding:
    if finding.rule != "untranslated" or not finding.language:
        return finding
    translated = done.get((finding.language, _source_text(finding)))
    if translated is None:
        return finding
    rendering, notes = desk_rendering(translated, compiled)
    message = finding.message.rstrip(".") + f"; machine translation: '{translated}'"
    if notes:
        message += " (" + "; ".join(notes) + ")"
    return dataclasses.replace(
        finding,
        translation=translated,
        message=message + ".",
        suggestion=rendering,
        applicability=Applicability.UNSAFE,
    )

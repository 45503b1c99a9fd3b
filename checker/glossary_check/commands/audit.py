"""`glossary-check audit`: what the machine makes of every entry's source forms.

Translators who post-edit machine output inherit its renderings; an entry
whose source form the model renders otherwise than the desk (Киев → Kiev
where the desk writes Kyiv) is a term they will get wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from glossary_check.commands.options import SUPPRESS, positive
from glossary_check.core.errors import ExitCode
from glossary_check.core.visible import escape, print_error
from glossary_check.engine.matching import find_matches, normalise_gaps, tokenize
from glossary_check.rules import Verdict, classify
from glossary_check.workflow.annotate import desk_rendering, open_or_notice

if TYPE_CHECKING:
    from glossary_check.engine.compiled import Compiled
    from glossary_check.translate import Translator


@dataclass(frozen=True, slots=True)
class AuditRow:
    entry: str
    language: str
    source: str
    translation: str | None
    status: str  # agrees | variant | differs | no-model
    detail: str


def _status(translation: str, entry_index: int, compiled: Compiled) -> tuple[str, str]:
    entry = compiled.glossary.entries[entry_index]
    verdicts = []
    for match in find_matches(compiled.matcher, translation, tokenize(translation)):
        verdict, target = classify(match, compiled.glossary)
        if target.entry == entry_index:
            verdicts.append((verdict, match.text))
    if any(v is Verdict.CORRECT for v, _ in verdicts):
        return "agrees", ""
    wrong = [text for v, text in verdicts if v in (Verdict.VARIANT, Verdict.CASE)]
    if wrong:
        return "variant", f"the model writes '{wrong[0]}', a variant of '{entry.term}'"
    fixed, _ = desk_rendering(translation, compiled)
    if normalise_gaps(entry.term).casefold() in normalise_gaps(fixed).casefold():
        return "agrees", ""
    return "differs", f"the model does not write '{entry.term}'"


def audit(compiled: Compiled, translator: Translator, target: str) -> list[AuditRow]:
    """One row per (entry, language, source form), in glossary order; one batch per language."""
    items = [
        (index, lang, form)
        for index, entry in enumerate(compiled.glossary.entries)
        for lang, forms in entry.sources.items()
        for form in forms
    ]
    pairs = translator.pairs()
    translations: dict[tuple[str, str], str | None] = {}
    for lang in sorted({lang for _, lang, _ in items}):
        if (lang, target) not in pairs:
            continue
        forms = sorted({form for _, l2, form in items if l2 == lang})
        for form, out in zip(forms, translator.translate_batch(forms, lang, target), strict=True):
            translations[(lang, form)] = out
    rows = []
    for index, lang, form in items:
        entry = compiled.glossary.entries[index]
        if (lang, target) not in pairs:
            rows.append(
                AuditRow(
                    entry.term, lang, form, None, "no-model", f"no {lang}→{target} model installed"
                )
            )
            continue
        translation = translations.get((lang, form))
        if translation is None:
            rows.append(AuditRow(entry.term, lang, form, None, "no-model", "not translated"))
            continue
        status, detail = _status(translation, index, compiled)
        rows.append(AuditRow(entry.term, lang, form, translation, status, detail))
    return rows


def render_text(rows: list[AuditRow], *, show_all: bool = False) -> str:
    shown = [r for r in rows if show_all or r.status != "agrees"]
    header = ("entry", "lang", "source", "machine translation", "status")
    table = [header] + [
        (r.entry, r.language, r.source, escape(r.translation or "-"), r.status) for r in shown
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = {
        s: sum(1 for r in rows if r.status == s)
        for s in ("agrees", "variant", "differs", "no-model")
    }
    lines.append("")
    lines.append(
        f"{len(rows)} source forms: {counts['agrees']} agree, {counts['variant']} give a variant, "
        f"{counts['differs']} differ, {counts['no-model']} without a model"
    )
    return "\n".join(lines) + "\n"


def render_json(rows: list[AuditRow]) -> str:
    return (
        json.dumps({"version": 1, "rows": [asdict(r) for r in rows]}, ensure_ascii=False, indent=2)
        + "\n"
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="glossary-check audit",
        description="Translate every entry's source forms and list the entries whose machine "
        "rendering differs from the desk's term. Exit status 1 if any differs.",
    )
    parser.add_argument("glossary", metavar="GLOSSARY", help="the glossary YAML")
    parser.add_argument("-f", "--format", choices=("text", "json"), default="text",
                        help="a table for people, or JSON (default: text)")
    parser.add_argument("--all", action="store_true", help="list agreeing entries too")
    parser.add_argument("--threads", type=positive, default=SUPPRESS, metavar="N",
                        help="translation workers (default: the machine's cores, at most 4)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write cached translations"
    )
    args = parser.parse_args(argv)
    from glossary_check.commands.options import resolve
    from glossary_check.commands.session import open_session

    args.no_config = True  # the glossary's entries as they are, whatever a project configures
    options = resolve(args)
    compiled = open_session(options, cached=False).compiled
    translator, notice = open_or_notice(options.threads, options.use_cache)
    if translator is None:
        print_error(notice or "machine translation is not available")
        return ExitCode.ERROR
    rows = audit(compiled, translator, compiled.glossary.language)
    sys.stdout.write(
        render_json(rows) if args.format == "json" else render_text(rows, show_all=args.all)
    )
    disagree = any(r.status in ("variant", "differs") for r in rows)
    return ExitCode.FINDINGS if disagree else ExitCode.OK

"""LanguageTool's HTTP API (v2 `check` and `languages`) over the desk's findings.

LanguageTool counts offsets and lengths in UTF-16 code units (it is Java);
the checker counts code points. Every offset sent is converted, so a client
highlights the same characters for a text with emoji or other characters
beyond the Basic Multilingual Plane. A `data` request's markup is checked as
what its `interpretAs` says (else as nothing), and offsets point into the
whole annotated text, markup included, as LanguageTool's do.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from glossary_check.commands.warm import RequestError
from glossary_check.core.findings import Finding

#: ITS 2.0 localization quality issue types, the vocabulary LanguageTool's issueType uses.
ISSUE_TYPES = {"untranslated": "untranslated", "mistranslation": "mistranslation",
               "omission": "omission", "inconsistent": "inconsistency",
               "mixed-script": "characters", "typography": "typographical",
               "unused-ignore": "other"}
CATEGORY = {"id": "GLOSSARY", "name": "Newsroom glossary"}
CONTEXT = 40  # code points each side, as LanguageTool shows
_NAMES = {"en": "English", "ru": "Russian", "uk": "Ukrainian", "de": "German", "fr": "French"}
_VARIANTS = {"en": ("en-US", "en-GB", "en-AU", "en-CA", "en-NZ", "en-ZA")}


def languages(language: str) -> list[dict[str, str]]:
    """What `/v2/languages` offers: the language articles are published in, with its variants."""
    name = _NAMES.get(language, language)
    return [{"name": name, "code": language, "longCode": code}
            for code in (language, *_VARIANTS.get(language, ()))]


def accepts(requested: str, language: str) -> bool:
    requested = requested.strip().lower()
    return requested == "auto" or requested.split("-")[0] == language.lower()


class Utf16:
    """Code-point offsets of one text as UTF-16 code units."""

    def __init__(self, text: str) -> None:
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)


@dataclass(frozen=True, slots=True)
class Annotated:
    """The whole text (offsets count in it) and the prose checked, with a map between them."""

    whole: str
    prose: str
    #: (prose offset, whole offset) at the start of each piece
    starts: tuple[tuple[int, int], ...]

    def to_whole(self, offset: int, *, end: bool = False) -> int:
        """A start lands in the piece beginning there; an end in the piece it closes."""
        if end:
            i = bisect.bisect_left(self.starts, (offset, -1)) - 1
        else:
            i = bisect.bisect_right(self.starts, (offset, len(self.whole) + 1)) - 1
        prose_at, whole_at = self.starts[max(i, 0)]
        return whole_at + (offset - prose_at)


def _item_text(item: Mapping[str, Any]) -> tuple[str, str]:
    """(what counts for offsets, what is checked) of one annotation item."""
    if "text" in item:
        text = item["text"]
        if not isinstance(text, str):
            raise RequestError("data: an annotation item's text must be a string")
        return text, text
    markup, interpret = item.get("markup"), item.get("interpretAs", "")
    if not isinstance(markup, str) or not isinstance(interpret, str):
        raise RequestError("data: an annotation item needs text, or markup (and interpretAs)")
    return markup, interpret


def parse_data(data: str) -> Annotated:
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        raise RequestError("data: not JSON") from None
    items = parsed.get("annotation") if isinstance(parsed, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RequestError("data: expected {\"annotation\": [{\"text\": ...}, "
                           "{\"markup\": ...}, ...]}")
    whole, prose, starts = [], [], []
    at_whole = at_prose = 0
    for item in items:
        counted, checked = _item_text(item)
        starts.append((at_prose, at_whole))
        whole.append(counted)
        prose.append(checked)
        at_whole += len(counted)
        at_prose += len(checked)
    return Annotated("".join(whole), "".join(prose), tuple(starts) or ((0, 0),))


def plain(text: str) -> Annotated:
    return Annotated(text, text, ((0, 0),))


def _match(finding: Finding, text: Annotated, units: Utf16, summaries: Mapping[str, str],
           ) -> dict[str, Any]:
    start = text.to_whole(finding.offset)
    end = max(start, text.to_whole(finding.end, end=True)) if finding.length else start
    left = max(0, start - CONTEXT)
    right = min(len(text.whole), end + CONTEXT)
    context = text.whole[left:right].replace("\n", " ")
    rule: dict[str, Any] = {
        "id": finding.rule, "description": summaries.get(finding.rule, finding.rule),
        "issueType": ISSUE_TYPES.get(finding.rule, "terminology"), "category": CATEGORY}
    if finding.url:
        rule["urls"] = [{"value": finding.url}]
    message = finding.message  # the glossary's note is already part of it
    if finding.translation:
        message = f"{message} (machine translation: {finding.translation})"
    context_units = Utf16(context)
    return {
        "message": message,
        "shortMessage": f"{finding.severity.label}: {finding.rule}",
        "offset": units(start),
        "length": units(end) - units(start),
        "replacements": [{"value": finding.suggestion}] if finding.suggestion else [],
        "context": {"text": context, "offset": context_units(start - left),
                    "length": context_units(end - left) - context_units(start - left)},
        "sentence": context,
        "type": {"typeName": "Other"},
        "rule": rule,
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }


def response(findings: Sequence[Finding], text: Annotated, language: str,
             summaries: Mapping[str, str], version: str) -> dict[str, Any]:
    units = Utf16(text.whole)
    name = _NAMES.get(language, language)
    return {
        "software": {"name": "glossary-check", "version": version, "apiVersion": 1,
                     "premium": False, "status": ""},
        "language": {"name": name, "code": language,
                     "detectedLanguage": {"name": name, "code": language, "confidence": 1.0}},
        "matches": [_match(f, text, units, summaries) for f in findings],
    }

"""Properties over random documents and random small glossaries: the check never crashes,
and every finding points at exactly its text, with line/column agreeing with its offset."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import regex
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import CORE
from glossary_check.core.positions import LineIndex
from glossary_check.documents import read_document
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import (
    Entry,
    Glossary,
    GlossaryError,
    Location,
    Variant,
    load_glossary,
)
from glossary_check.engine.matching import WORD, Token, tokenize
from glossary_check.rules.pipeline import check_document
from test_positions import naive

#: Fixed examples in CI (a run there must not fail by chance), fresh ones elsewhere.
EXAMPLES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)

#: Words that glossaries and documents share, so random documents do hit random entries.
WORDS = [
    "Kyiv", "Kiev", "Zelensky", "Zelenskyy", "Zelenksy", "TASS", "ITAR", "Élysée",
    "E\u0301lyse\u0301e", "Palace", "Киев", "Київ", "Москва", "kompromat", "Sobyanin", "Sobianin",
    "Chicken", "Volodymyr", "the", "of", "Coalition", "Willing", "Paris", "Pаris", "Ω", "a",
]
LETTERS = (
    "abcdeKyivZTASSélиеКиївМоскваΩαβ"
    "\u0301\u0308"           # combining acute and diaeresis
    "0123456789"
)
SEPARATORS = [" ", "  ", "\u00a0", "\u202f", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\t",
              "-", "'", "’", "ʼ", "'s ", "’s ", ". ", "! ", "? ", ", ", "“", "”", "«", "»",
              "(", ")", "# ", "- ", "* ", "1. ", "\ufeff", "🇺🇦", "…"]

NAMES = [
    "the mayor Sobyanin met Sobianin", "with Zelenksy’s aide", "as Zelenskky said",
    "Later Kyyiv and Parris", "from Mosсow", "and Sobiyanin again",
]

word = st.one_of(st.sampled_from(WORDS), st.text(alphabet=LETTERS, min_size=1, max_size=8))
cased = st.tuples(word, st.sampled_from(["as is", "upper", "lower", "title"])).map(
    lambda p: {"as is": p[0], "upper": p[0].upper(), "lower": p[0].lower(),
               "title": p[0].title()}[p[1]]
)
document = st.lists(st.one_of(cased, st.sampled_from(SEPARATORS)), max_size=60).map("".join)
phrase = st.lists(word, min_size=1, max_size=3).map(" ".join)


@st.composite
def glossaries(draw: st.DrawFn) -> Glossary:
    entries = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        term = draw(phrase)
        where = Location("g.yaml", n + 1, 1)
        variants = tuple(
            Variant(w, draw(st.sampled_from([term, draw(phrase)])), where)
            for w in draw(st.lists(phrase, max_size=3))
        )
        pattern = draw(st.sampled_from([None, r"\bK[iy]e?v\b", r"(?i)zelensk\w*", r"Ω+"]))
        entries.append(Entry(
            term=term, location=where,
            kind=draw(st.sampled_from([None, "person", "place", "other", "term"])),
            aliases=tuple(draw(st.lists(phrase, max_size=2))),
            variants=variants,
            excepts=tuple(draw(st.lists(phrase, max_size=2))),
            case=draw(st.sampled_from(["exact", "any"])),
            pattern=regex.compile(pattern) if pattern else None,
            note=draw(st.sampled_from([None, "a note"])),
        ))
    return Glossary(entries=tuple(entries), path="g.yaml", files=("g.yaml",), digest="0" * 64)


def renderings(glossary: Glossary) -> list[str]:
    out = []
    for e in glossary.entries:
        out += [e.term, *e.aliases, *(v.wrong for v in e.variants), *e.excepts]
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[Glossary, str]:
    """A glossary and a document that uses its renderings: re-cased, re-spaced, possessive."""
    glossary = draw(glossaries())
    texts = renderings(glossary)
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        kind = draw(st.sampled_from(["rendering", "rendering", "filler", "separator", "names"]))
        if kind == "names":  # near misses and two spellings of one name, for `inconsistent`
            parts.append(draw(st.sampled_from(NAMES)))
            continue
        if kind == "rendering":
            text = draw(st.sampled_from(texts))
            text = draw(st.sampled_from([text, text.upper(), text.lower(), text.title()]))
            gap = draw(st.sampled_from([" ", "\n", "\r\n", "\u00a0", "\n\n", "\r"]))
            text = text.replace(" ", gap)
            text += draw(st.sampled_from(["", "", "'s", "’s", "-based", "2"]))
            parts.append(text)
        elif kind == "filler":
            parts.append(draw(cased))
        else:
            parts.append(draw(st.sampled_from(SEPARATORS)))
        parts.append(draw(st.sampled_from([" ", " ", "\n", ". ", ", ", "“", "\r\n", ""])))
    return glossary, "".join(parts)


@EXAMPLES
@given(case=cases(), bom=st.booleans())
def test_findings_point_at_exactly_their_text(case: tuple[Glossary, str], bom: bool) -> None:
    glossary, text = case
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    doc = read_document("article.txt", data)
    # A BOM is not part of the text; only the first one is a BOM.
    assert doc.text == (text if bom else text.removeprefix("\ufeff"))
    findings = check_document(doc, compile_all(glossary), CORE)
    index = LineIndex(doc.text)
    previous_end = 0
    for f in findings:
        assert f.length > 0
        assert f.offset >= 0 and f.offset + f.length <= len(doc.text)
        assert f.text == doc.text[f.offset : f.offset + f.length]
        assert f.offset >= previous_end, "findings overlap"
        previous_end = f.offset + f.length
        pos = index.position(f.offset, f.length)
        assert (pos.line, pos.column) == naive(doc.text, f.offset)
        assert (pos.end_line, pos.end_column) == naive(doc.text, f.offset + f.length)
        assert f.message and f.rule in {"mixed-script", "variant", "case", "inconsistent"}
        if f.suggestion is not None:
            assert f.suggestion != ""


@EXAMPLES
@given(text=document)
def test_line_index_agrees_with_an_independent_count(text: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        assert index.line_col(offset) == naive(text, offset)


@EXAMPLES
@given(text=st.one_of(document, st.text(alphabet="aя1'’ʼ \u0301\u00a0\n-", max_size=40)))
def test_tokens_are_the_word_pattern_s_matches(text: str) -> None:
    assert tokenize(text) == [Token(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


YAML_PIECES = [
    "version: 1\n", "language: en\n", "entries:\n", "  - term: Kyiv\n", "  - term: Kiev\n",
    "    variants: [Kiev, Kyev]\n", "    variants:\n      - Kiev: Kyiv\n",
    "    aliases: Kyiv City\n",
    "    except: [Chicken Kiev]\n", "    case: any\n", "    case: upper\n", "    kind: place\n",
    "    kind: city\n", "    pattern: '\\bKi?ev\\b'\n", "    pattern: '(a'\n",
    "    pattern: 'x*'\n",
    "    sources: {ru: [Киев]}\n", "    sources: [Киев]\n", "    note: n\n", "    examples:\n",
    "      bad: [Kiev]\n", "    colour: red\n", "include: [nowhere.yaml]\n", "- x\n", "  ", ": ",
    "[", "]", "{", "}", "!!python/object:os.system ", "&a ", "*a ", "'", '"', "\t", "\n", "---\n",
    "\x07", "é", "Київ", "#", "term", "-", "?", "|\n", ">\n",
]


@EXAMPLES
@given(pieces=st.lists(st.sampled_from(YAML_PIECES), max_size=25))
def test_the_loader_fails_only_with_a_glossary_error(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.yaml"
        path.write_text("".join(pieces), encoding="utf-8")
        try:
            glossary = load_glossary(path)
        except GlossaryError as exc:
            for message in exc.lines():  # each error of the file: one line, located
                if message.startswith("and ") and message.endswith(" more errors"):
                    continue
                assert "\n" not in message
                line, column, _ = message.removeprefix(f"{path}:").split(":", 2)
                assert line.isdigit() and column.isdigit(), message
            return
    assume(glossary.entries)
    assert all(e.term.strip() for e in glossary.entries)

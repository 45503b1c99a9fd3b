"""`inconsistent`: its documented examples, flagged and not; what it keeps between
documents, and where it looks for names."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import regex
from rule_examples import check_examples

from conftest import check_text
from glossary_check.documents import read_document
from glossary_check.engine.compiled import NEAR_MIN, compile_all
from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import Token, find_matches, tokenize
from glossary_check.rules import Context, inconsistent
from glossary_check.rules.pipeline import Settings

ONLY = Settings(select=frozenset({"inconsistent"}))


def test_documented_examples(tmp_path: Path) -> None:
    check_examples("inconsistent", tmp_path)


def test_near_misses_are_each_glossarys_own(load: Callable[[str], Glossary]) -> None:
    """Near misses are remembered from one document to the next, by glossary: checking
    with two glossaries in turn, a word is a slip of one's term and the other's own term."""
    listed = compile_all(load("version: 1\nentries:\n  - term: Zelensky\n    kind: person\n"))
    written = compile_all(load("version: 1\nentries:\n  - term: Zelenksy\n    kind: person\n"))
    text = "On Monday, Zelenksy met the prime minister.\n"
    for _ in range(2):
        found = check_text(listed, text, ONLY)
        assert [(f.text, f.suggestion) for f in found] == [("Zelenksy", "Zelensky")]
        assert check_text(written, text, ONLY) == []


def test_no_capital_is_lower_case_to_python() -> None:
    """`Context.capitalised` keeps the tokens that do not start with a lower-case letter,
    for patterns that start with a capital (`\\p{Lu}`). `regex` may know a newer Unicode
    than `str` (U+1C89, a Cyrillic capital, is unassigned to Python 3.11's), so
    what holds is that none of its capitals is lower case to `str`."""
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    capitals = regex.findall(r"\p{Lu}", everything)
    assert len(capitals) > 1000
    assert [c for c in capitals if c.islower()] == []


HARD = (
    "\u1c89обянин and \u1c89obianin met İstanbul's Ǆukić, ǅukić and DŽUKIĆ in Észtergom.\n\n"
    "E\u0301lysée, Zelenksy’s aide Zelenskyy, ΑΘΗΝΑ and Αθήνα; 2025 Kyivstar\u00a0Zelensky.\n\n"
    "Собянин и Собянина, ЗЕЛЕНСКИЙ, Ґудзь, Їжакевич, \u0421\u0301обянин; "
    "O'Brien, O’Neill, ʼAli and Nguyễn Văn Thiệu.\n"
)


def _names_as_first_written(ctx: Context) -> list[Token]:
    """`_free_names` looking at every token."""
    spans = [(m.start, m.end) for m in ctx.matches]
    out, j = [], 0
    for token in [t for t in ctx.tokens if len(t.text) >= NEAR_MIN]:
        while j < len(spans) and spans[j][1] <= token.start:
            j += 1
        if j < len(spans) and spans[j][0] < token.end:
            continue
        if inconsistent._LATIN_NAME.match(token.text) and not token.text.isupper():
            out.append(token)
    return out


def test_names_are_found_among_the_capitalised_tokens(load: Callable[[str], Glossary]) -> None:
    """Looking only at `Context.capitalised` finds the names looking at every token does,
    on letters `str` and `regex` see differently (titlecase, new capitals, accents)."""
    compiled = compile_all(load("version: 1\nentries:\n  - term: Zelensky\n    kind: person\n"
                                "    variants: [Zelenskyy]\n"))
    document = read_document("hard.txt", HARD.encode("utf-8"))
    tokens = tokenize(document.view)
    ctx = Context(document, compiled, tokens, find_matches(compiled.matcher, document.view,
                                                           tokens))
    assert inconsistent._free_names(ctx) == _names_as_first_written(ctx)
    capitals = [t for t in tokens if regex.match(r"\p{Lu}", t.text)]
    assert len(capitals) > 20
    assert set(capitals) <= set(ctx.capitalised)

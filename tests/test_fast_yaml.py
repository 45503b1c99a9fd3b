"""The glossary's YAML composed by libyaml gives the nodes the careful composer gives: the
same tags, values and start marks (but an empty value's); anything past a limit, and every
YAML error, goes the careful way, and a glossary with an error is read again the careful
way, so every error names the file:line:column it always named."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import REPO, WriteGlossary
from glossary_check.core import bounded_yaml
from glossary_check.engine.glossary import GlossaryError, load_glossary

pytestmark = pytest.mark.skipif(not bounded_yaml._FAST, reason="PyYAML was built without libyaml")


def _nodes(root: yaml.Node | None) -> Iterator[tuple[str, str, object, int, int]]:
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        yield type(node).__name__, node.tag, value, node.start_mark.line, node.start_mark.column
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(bounded_yaml._children(node))


def _same_as_careful(text: str) -> None:
    ok, fast = bounded_yaml._fast(text)
    assert ok, "composed the fast way"
    assert list(_nodes(fast)) == list(_nodes(bounded_yaml.compose_carefully(text)))


@pytest.mark.parametrize("name", ["newsroom.yaml", "spelling-ukraine.yaml"])
def test_the_bundled_glossaries(name: str) -> None:
    _same_as_careful((REPO / "glossary" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [
    "version: 1\r\nentries:\r\n  - term: Кий\u0301в\r\n    note: é\u0301 x\r\n  - {term: a}",
    "a: «Київ»\u00a0x\nб: [Zelenskyy, \"Зеле\u0301нський\", 'it''s']\n  # c\nd: {e: 1, f: [2]}\n",
    "a: &a [1, 2, {x: y}]\nb: *a\nc: [*a, *a]\n<<: {z: 1}\n",
    "a: |\n  line1\n  line2\nb: >\n  folded\n  text\nc: plain\n  continued\n",
    "yes: no\nnull: ~\nn: 0x1F\nf: 1.5e3\nd: 2002-12-14\ne: ''\ns: !!str 1\nb: !!binary aGk=\n",
    "- 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀: 1\n- \"\\u00e9\\x41\"\n- ? complex\n  : key\n",
])
def test_edge_cases(text: str) -> None:
    _same_as_careful(text)


def test_a_generated_glossary(tmp_path: Path) -> None:
    rng = random.Random(7)
    letters = "абвгдеёжзийклмнопрстуфхцчшщьыэюяіїєґʼ\u0301 abcdefxyz-"
    lines = ["version: 1", "entries:"]
    for i in range(300):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(2, 12))).strip() or "x"
        lines += [f"  - term: \"T{i} {word}\"", "    kind: place",
                  f"    variants: [\"{word}a\", '{word}b']", "    sources:",
                  f"      ru: [\"{word.capitalize()}\"]"]
    _same_as_careful("\n".join(lines) + "\n")


@pytest.mark.parametrize(("text", "why"), [
    ("a:\tb\n", "a tab: libyaml takes what PyYAML does not"),
    ("a: &a [*a]\n", "an alias inside the node it names"),
    ("a: [" * 100 + "]" * 100 + "\n", "nested deeper than FAST_DEPTH"),
    ("a: [1\n", "a YAML error"),
    ("---\na: 1\n---\nb: 2\n", "two documents"),
    ("a: \x07\n", "a control character"),
])
def test_what_goes_the_careful_way(text: str, why: str) -> None:
    assert bounded_yaml._fast(text) == (False, None), why


def test_an_alias_bomb_goes_the_careful_way_and_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    assert bounded_yaml._fast(bomb) == (False, None)
    with pytest.raises(bounded_yaml.AliasError, match="aliases expand"):
        bounded_yaml.compose(bomb, fast=True)


def test_a_few_aliases_within_the_budget_go_the_fast_way() -> None:
    text = "a: &a {x: 1}\nb: [*a, *a, *a]\n"
    ok, node = bounded_yaml._fast(text)
    assert ok and node is not None


@pytest.mark.parametrize(("text", "where"), [
    ("version: 1\nentries:\n  - term: Kyiv\n    aliases: [Kiev\n", "glossary.yaml:5:1"),
    ("version: 1\nentries:\n  - term: Kyiv\n\tkind: place\n", "glossary.yaml:4:1"),
    ("version: 1\nentries:\n  - term: Київ\n    kind: [place\n", "glossary.yaml:5:1"),
    ("version: 1\nentries:\n  - term: «Київ»\n    kindd: place\n", "glossary.yaml:4:5"),
    ("version: 1\nentries:\n  - term: Київ\n    aliases: [a, {b: c}]\n", "glossary.yaml:4:18"),
    # libyaml marks an empty value a column later: the error is located by the careful way
    ("version: 1\nentries:\n  - term: Kyiv\n    variants: [{Kiev: }]\n", "glossary.yaml:4:22"),
])
def test_errors_name_the_same_place(write_glossary: WriteGlossary, text: str, where: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_glossary(text)
    monkeypatch.chdir(path.parent)
    with pytest.raises(GlossaryError) as fast:
        load_glossary(path)
    monkeypatch.setattr(bounded_yaml, "_FAST", False)
    with pytest.raises(GlossaryError) as careful:
        load_glossary(path)
    assert str(fast.value) == str(careful.value)
    assert str(fast.value).startswith(where), str(fast.value)

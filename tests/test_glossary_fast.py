"""A glossary read the fast way (yaml_rs, plain data, places found by a scan of the text) is
the glossary the careful way reads (PyYAML's composer and its marks): the same entries,
locations of entries and variants, files, digest, language and transliteration. Whatever the
fast reader is not sure of, it leaves to the careful way, so every error is located as it
always was; and for a plain block-style glossary it is really the fast reader that reads."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import REPO, WriteGlossary, python_output
from glossary_check.core import bounded_yaml, plain_yaml
from glossary_check.engine import glossary
from glossary_check.engine.glossary import GlossaryError, load_glossary

pytest.importorskip("yaml_rs")


@pytest.fixture(autouse=True)
def _every_file_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short files too: the fast reader is otherwise kept for long ones."""
    monkeypatch.setattr(glossary, "PLAIN_FROM", 0)


def _facts(read: tuple[glossary._Loaded, list[glossary.Entry]]) -> dict[str, Any]:
    acc, entries = read
    return {
        "entries": [_entry_facts(e) for e in entries],
        "files": acc.files,
        "digest": acc.hasher.hexdigest(),
        "language": acc.language,
        "transliteration": acc.transliteration,
    }


def _entry_facts(entry: glossary.Entry) -> tuple[Any, ...]:
    return (entry.term, entry.location, entry.kind, entry.aliases, entry.variants,
            entry.excepts, entry.case, dict(entry.sources),
            entry.pattern.pattern if entry.pattern else None, entry.note, entry.url,
            entry.examples)


def _careful(path: Path) -> dict[str, Any] | str:
    try:
        return _facts(glossary._read(path, "careful"))
    except GlossaryError as exc:
        return str(exc)


def _same(path: Path) -> bool:
    """Whether the fast reader took the file; what it read must be what the careful way
    reads, and what load_glossary gives (or raises) must be too."""
    fast = glossary._read_fast(path)
    careful = _careful(path)
    if fast is not None:
        assert _facts(fast) == careful
    try:
        loaded: Any = load_glossary(path)
    except GlossaryError as exc:
        assert str(exc) == careful
    else:
        assert isinstance(careful, dict)
        assert [_entry_facts(e) for e in loaded.entries] == careful["entries"]
        assert (list(loaded.files), loaded.digest) == (careful["files"], careful["digest"])
        assert loaded.language == (careful["language"] or "en")
        assert dict(loaded.transliteration) == careful["transliteration"]
    return fast is not None


@pytest.mark.parametrize("name", ["newsroom.yaml", "spelling-ukraine.yaml"])
def test_the_bundled_glossaries(name: str) -> None:
    assert _same(REPO / "glossary" / name)


def _gen_scale() -> Path | None:
    for shared in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        script = shared / "bench" / "peer" / "gen_scale.py"
        if script.is_file():
            return script
    return None


def test_a_generated_scale_glossary(tmp_path: Path) -> None:
    script = _gen_scale()
    if script is not None:
        subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--sizes", "400",
                        "--articles", "1", "--words", "20"], check=True, capture_output=True)
        path = tmp_path / "glossary-400.yaml"
    else:
        path = tmp_path / "glossary.yaml"
        path.write_text(_generated(random.Random(3), 400), encoding="utf-8")
    assert _same(path)


def _generated(rng: random.Random, n: int) -> str:
    """A glossary in the scale glossaries' layout, with quoting, comments and one-pair
    variants mixed in."""
    letters = "абвгдежзийклмнопрстуфхцчшщьюяіїєґ\u0301 abcdefghkmxyz-'"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(3, 9))).strip(" -'") or "x"

    def scalar(text: str) -> str:
        return rng.choice([text, f'"{text}"', "'" + text.replace("'", "''") + "'"]) if (
            text[:1] not in "-'" and "'" not in text) else "'" + text.replace("'", "''") + "'"

    out = ["# generated", "version: 1", "language: en", "entries:"]
    for i in range(n):
        term = f"Term{i} {word()}"
        out.append(f"- term: {scalar(term)}")
        out.append(f"  kind: {rng.choice(glossary.KINDS)}")
        if rng.random() < 0.3:
            out.append(f"  aliases: [{scalar(word() + ' A' + str(i))}]")
        if rng.random() < 0.8:
            out.append("  variants:" + rng.choice(["", "  # wrong ones"]))
            for j in range(rng.randint(1, 3)):
                wrong = f"V{i}x{j} {word()}"
                if rng.random() < 0.2:
                    out.append(f"  - {scalar(wrong)}: {scalar(term)}")
                else:
                    out.append(f"  -   {scalar(wrong)}")
        if rng.random() < 0.5:
            out += ["  sources:", f"    ru: [{scalar(word())}]"]
        if rng.random() < 0.2:
            out += ["  note: |", "    - term: not an entry", "    - second line"]
        if rng.random() < 0.1:
            out.append("  # a comment")
    return "\n".join(out) + "\n"


def test_a_generated_glossary_is_read_the_fast_way(tmp_path: Path) -> None:
    for seed in range(4):
        path = tmp_path / f"g{seed}.yaml"
        path.write_text(_generated(random.Random(seed), 150), encoding="utf-8")
        assert _same(path), seed


_BASE = """\
version: 1
entries:
- term: Kyiv
  variants:
  - Kiev
- term: Odesa
"""


# (the text, whether the fast reader takes it: True, False, or None for either)
CASES: list[tuple[str, bool | None]] = [
    (_BASE, True),
    (_BASE.replace("\n", "\r\n"), True),
    ("\ufeff" + _BASE, True),
    (_BASE.rstrip("\n"), True),
    ("version: '1'\nentries:\n  - term: Київ\n    variants: [Кіев, \"Ки\u0301ев\"]\n", True),
    ("version: 1\nentries:\n- term: Kyiv\u00a0City\n  note: «x»\n", True),
    ("version: 1\nentries:\n-   term: Kyiv\n    variants:\n    -    Kiev\n", True),
    ("entries:\n- kind: place\n  term: Kyiv\n  variants: Kiev\n", True),
    ("entries:\n- variants: [Kiev, 'Ky''ev', \"K\\u0069ev\", Kyjiw,]\n  term: Kyiv\n", None),
    ("entries:\n- term: Kyiv\n  variants: [Kiev, 'Ky''ev', \"Kiev, old\"]  # c\n", True),
    ("entries:\n- term: Kyiv\n  variants:\n  - Kiev: Kyiv City\n  - 'Kyev': \"Kyiv\"\n", True),
    ("entries:\n- term: Kyiv\n  variants:\n  - {Kiev: Kyiv}\n", False),
    ("entries:\n- term: Kyiv\n  variants: [{Kiev: Kyiv}]\n", False),
    ("entries: [{term: Kyiv, variants: [Kiev]}]\n", False),
    ("entries:\n  # first\n- term: Kyiv # c\n\n  # x\n  variants:   # c\n    - Kiev\n# c\n", True),
    ("entries:\n- term: Kyiv\n  note: |\n    - term: Fake\n    - variants: x\n  variants: [Kiev]\n",
     True),
    ("entries:\n- term: Kyiv\n  note: >\n    - folded\n\n    more\n- term: Lviv\n", True),
    ("entries:\n- term: Kyiv\n  note: plain\n    - continued\n    more\n- term: Lviv\n", True),
    ("entries:\n- term: Kyiv\n  note: \"quoted\n    - continued\"\n- term: Lviv\n", True),
    ("entries:\n- term: Kyiv\n  note: \"quoted\n- term: Fake\"\n", None),
    ("entries:\n- term: Kyiv\n  variants:\n  - Kiev\n  - \"two\n    lines\"\n", None),
    ("entries:\n- term: 'yes'\n", False),
    ("entries:\n- term: yes\n", False),
    ("entries:\n- term: \"no\"\n  aliases: [\"on\", 'null', \"~\"]\n", False),
    ("entries:\n- term: x\n  aliases: [null]\n", False),
    ("entries:\n- term: '1984'\n", False),
    ("entries:\n- term: 1984\n", False),
    ("entries:\n- term: 1_000\n", False),
    ("entries:\n- term: 0o17\n", False),
    ("entries:\n- term: 2002-12-14\n", False),
    ("entries:\n- term: '2002-12-14'\n", False),
    ("entries:\n- term: 1e3\n", False),
    ("entries:\n- term: .inf\n", False),
    ("entries:\n- term: Kyiv\n  aliases:\n", False),
    ("entries:\n- term: Kyiv\n  case: any\n  except: Kyiv Oblast\n  url: ' https://x '\n", True),
    ("version: 01\nentries:\n- term: Kyiv\n", False),
    ("version: 1.0\nentries:\n- term: Kyiv\n", False),
    ("version: +1\nentries:\n- term: Kyiv\n", False),
    ("version: 2\nentries:\n- term: Kyiv\n", False),
    ("version: \"1\"\nentries:\n- term: Kyiv\n", True),
    ("version: 1 # the format\nentries:\n- term: Kyiv\n", True),
    ("entries:\n- term: Kyiv\n  term: Kiev\n", False),
    ("entries:\n- term: Kyiv\nentries: []\n", False),
    ("entries:\n- term: Kyiv\n  variants:\n\t- Kiev\n", False),
    ("entries:\n- term: Kyiv\n  note:\tx\n", False),
    ("entries:\n- &a term: Kyiv\n", False),
    ("entries:\n- term: &a Kyiv\n  aliases: [*a]\n", False),
    ("base: &b {kind: place}\nentries:\n- <<: *b\n  term: Kyiv\n", False),
    ("entries:\n- term: !!str Kyiv\n", False),
    ("entries:\n- term: Kyiv\n  note: a *b and & and ! inside\n", True),
    ("entries:\n- term: Kyiv\n---\nentries:\n- term: Lviv\n", False),
    ("---\nentries:\n- term: Kyiv\n...\n", True),
    ("%YAML 1.1\n---\nentries:\n- term: Kyiv\n", False),
    ("entries:\n- term: Kyiv\n  note: a\u2028b\n", False),
    ("entries:\n- term: Kyiv\n  note: a\x85b\n", False),
    ("entries:\n- term: Kyiv\n  note: a\x07b\n", False),
    ("entries:\n- term: Kyiv\n  note: a\ufeffb\n", False),
    ("entries:\n- term: Kyiv\r  note: x\n", False),
    ("entries:\n- term: Ky\u200biv\n", False),
    ("entries:\n- term: '---'\n", False),
    ("entries:\n- term: Kyiv\n  pattern: '\\bKyiv\\b'\n  examples:\n    bad: [a Kiev]\n"
     "    good: the Kyiv\n", True),
    ("entries:\n- term: Kyiv\n  pattern: 'a*'\n", False),
    ("entries:\n- term: Kyiv\n  sources: {ru: [Киев], uk: Київ}\n", True),
    ("entries:\n- term: ' Kyiv '\n  aliases: [' Kyiv City ', Kiev]\n", True),
    ("entries:\n- term: Kyiv\n  aliases: [Kyiv City, yes]\n", False),
    ("entries:\n- term: Kyiv\n  aliases: [Kyiv City, '']\n", False),
    ("entries:\n- term: Kyiv\n  aliases: [Kyiv City, ' ']\n", False),
    ("entries:\n- term: Kyiv\n  aliases: [Kyiv City, '--']\n", False),
    ("entries:\n- term: Kyiv\n  aliases: [Kyiv\u200b City]\n", False),
    ("entries:\n- term: Kyiv\n  except: [Kyiv City, [Kyiv]]\n", False),
    ("entries:\n- term: Kyiv\n  sources: {ru: [Киев, 7], uk: [Київ]}\n", False),
    ("entries:\n- term: Kyiv\n  sources: {ru: [], uk: [Київ]}\n", None),
    ("entries:\n- term: Kyiv\n  sources:\n    no: [Kyiv]\n", False),
    ("language: uk\ntransliteration: {uk: national-2010}\nentries:\n- term: Kyiv\n", True),
    ("language: en\ntransliteration: {uk: nosuch}\nentries:\n- term: Kyiv\n", False),
    ("entries:\n- term: Kyiv\n  colour: blue\n", False),
    ("entries:\n- term: Kyiv\n- term: Kyiv\n", False),
    ("entries:\n- term: Kyiv\n  variants: [Kiev]\n- term: Kiev\n", False),
    ("entries:\n-\n  term: Kyiv\n", False),
    ("entries:\n- - term: Kyiv\n", False),
    ("entries:\n  - term: Kyiv\n  - term: Lviv\n", True),
    ("  entries:\n    - term: Kyiv\n", False),
    ("entries:\n- \"term\": Kyiv\n", False),
    ("entries:\n- term : Kyiv\n", False),
    ("entries: []\nversion: 1\n", True),
    ("entries:\n", False),
    ("", False),
    ("- term: Kyiv\n", False),
]


@pytest.mark.parametrize(("text", "fast"), CASES)
def test_edge_cases(write_glossary: WriteGlossary, text: str, fast: bool | None) -> None:
    path = write_glossary("")
    path.write_bytes(text.encode("utf-8"))
    taken = _same(path)
    if fast is not None:
        assert taken == fast


def test_includes(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n- term: Lviv\n  variants: [Lvov]\n", name="inc/cities.yaml")
    write_glossary("entries:\n- term: Kharkiv\n", name="inc/more.yaml")
    path = write_glossary("language: en\ninclude: [inc/cities.yaml, inc/more.yaml]\n"
                          "entries:\n- term: Kyiv\n  variants:\n  - Kiev\n")
    assert _same(path)
    broken = write_glossary("include: inc/missing.yaml\nentries:\n- term: Kyiv\n",
                            name="broken.yaml")
    assert not _same(broken)


def test_the_fast_reader_really_reads_a_block_style_glossary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With composing made impossible, a long plain glossary still loads, to the glossary
    the composed way gives."""
    monkeypatch.setattr(glossary, "PLAIN_FROM", 50_000)
    path = tmp_path / "g.yaml"
    path.write_text(_generated(random.Random(11), 600), encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) >= glossary.PLAIN_FROM
    expected = _careful(path)

    def no_composing(*args: object, **kwargs: object) -> None:
        raise AssertionError("composed")

    monkeypatch.setattr(bounded_yaml, "compose", no_composing)
    loaded = load_glossary(path)
    assert isinstance(expected, dict)
    assert [_entry_facts(e) for e in loaded.entries] == expected["entries"]
    assert loaded.digest == expected["digest"]


def test_a_short_glossary_is_composed_without_importing_yaml_rs(
    write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(glossary, "PLAIN_FROM", 50_000)

    def no_plain(*args: object) -> None:
        raise AssertionError("read by yaml_rs")

    monkeypatch.setattr(plain_yaml, "load", no_plain)
    assert load_glossary(write_glossary(_BASE)).entries[0].term == "Kyiv"


def test_resolvers_are_pyyamls() -> None:
    import yaml

    def pyyaml(value: str) -> bool:
        return any(r.match(value) for _, r in yaml.SafeLoader.yaml_implicit_resolvers.get(
            value[:1], ()))

    rng = random.Random(5)
    values = ["yes", "No", "~", "", "null", "1_000", "0o17", "0x1F", "1e3", "1.5e3", ".inf",
              "2002-12-14", "<<", "=", "on", "1:20", "190:20:30.15", "+12", "New York", "1\n"]
    values += ["".join(rng.choice("0123456789.-+_:eExXoO ynoftNYF~<=") for _ in range(
        rng.randint(1, 7))) for _ in range(5000)]
    assert [plain_yaml.resolves_to_other(v) for v in values] == [pyyaml(v) for v in values]


def _pieces() -> Iterator[str]:
    yield from ["Lviv", "Odesa", "Харків", "Dnipro", "Zaporizhzhia", "Ужгород"] * 6
    yield from ["Kyiv", "Київ", "Ки\u0301їв", "a b", "yes", "No", "1", "0o7", "1_0", "x: y",
                "x #y", "#x", "- x", "[x]", "{x}", "x,y", "'x'", '"x"', "x'y", "&x", "*x", "!x",
                "|", ">", "~", "null", "2002-12-14", "\u00a0x", "é", "@x", "%x", "?x", ":x"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_glossaries(tmp_path: Path, data: st.DataObject) -> None:
    """Glossaries made of awkward pieces, written plain or quoted in a few layouts: whenever
    the fast reader takes one, it reads what the careful way reads."""
    piece = st.sampled_from(list(_pieces()))
    text_ = st.lists(piece, min_size=1, max_size=3).map(" ".join)

    def written(value: str) -> str:
        style = data.draw(st.sampled_from(["plain", "single", "double"]))
        if style == "single":
            return "'" + value.replace("'", "''") + "'"
        if style == "double":
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return value

    lines = ["entries:"]
    indent = data.draw(st.sampled_from(["", "  "]))
    for i in range(data.draw(st.integers(1, 4))):
        lines.append(f"{indent}- term: {written(data.draw(text_) + f' {i}')}")
        pad = indent + "  "
        if data.draw(st.booleans()):
            values = data.draw(st.lists(text_, min_size=1, max_size=3))
            layout = data.draw(st.sampled_from(["block", "flow", "pairs"]))
            if layout == "flow":
                lines.append(f"{pad}variants: [{', '.join(written(v) for v in values)}]")
            else:
                lines.append(f"{pad}variants:")
                for v in values:
                    pair = f": {written('Fix ' + str(i))}" if layout == "pairs" else ""
                    lines.append(f"{pad}- {written(v)}{pair}")
        if data.draw(st.booleans()):
            lines.append(f"{pad}note: {written(data.draw(text_))}")
    path = tmp_path / f"g{random.random()}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    event(f"fast reader took it: {_same(path)}")


def test_without_yaml_rs_the_composed_way_reads(
    write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml_rs", None)  # `import yaml_rs` raises ImportError
    path = write_glossary(_BASE)
    assert glossary._read_fast(path) is None
    assert [e.term for e in load_glossary(path).entries] == ["Kyiv", "Odesa"]


def test_yaml_is_imported_once_a_glossary_is_read_and_then_used_directly(tmp_path: Path) -> None:
    """The glossary module defers PyYAML and its readers to the first glossary read, then
    holds the modules themselves: no indirection left on the path every node takes."""

    glossary = tmp_path / "g.yaml"
    glossary.write_text("version: 1\nlanguage: en\nentries:\n  - term: Kyiv\n    kind: place\n")
    code = ("import sys, types; from glossary_check.engine import glossary as g; "
            "before = 'yaml' in sys.modules; g.load_glossary(sys.argv[1]); "
            "print(before, isinstance(g.yaml, types.ModuleType), "
            "isinstance(g.bounded_yaml, types.ModuleType))")
    assert python_output(code, str(glossary)).split() == ["False", "True", "True"]

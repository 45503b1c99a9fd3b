"""The glossary loader: every field of glossary-format.md, includes, overrides, and every
way a glossary can be broken, each reported as one `file:line:column: message`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import regex

from conftest import CORE, WriteGlossary, check_text, texts
from glossary_check.documents import DocumentError
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import (
    KINDS,
    Glossary,
    GlossaryError,
    Location,
    Variant,
    load_glossary,
)
from glossary_check.workflow.files import bundled_glossary

Load = Callable[[str], Glossary]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in messages are shown relative to the working directory: make that tmp_path."""
    monkeypatch.chdir(tmp_path)


def error_of(write_glossary: WriteGlossary, yaml_text: str, name: str = "glossary.yaml") -> str:
    path = write_glossary(yaml_text, name)
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    message = str(info.value)
    assert "\n" not in message
    return message


FULL = """\
version: 1
language: en
transliteration:
  uk: national-2010
  ru: bgn-pcgn
entries:
  - term: Kyiv
    kind: place
    aliases: [Kyiv City]
    variants:
      - Kiev
      - Kyev
      - Kiev City: Kyiv City
    except: [Chicken Kiev, Dynamo Kiev]
    case: exact
    sources:
      ru: [Киев]
      uk: [Київ]
    pattern: '\\bK[iy]jev\\b'
    note: Ukrainian-derived spelling.
    url: https://example.org/style#kyiv
    examples:
      bad: ["Talks resumed in Kiev."]
      good: ["Talks resumed in Kyiv.", "He ordered the chicken Kiev."]
  - term: kompromat
    kind: term
    case: any
"""


def test_every_field_of_an_entry(load: Load) -> None:
    glossary = load(FULL)
    assert glossary.language == "en"
    assert dict(glossary.transliteration) == {"uk": "national-2010", "ru": "bgn-pcgn"}
    kyiv, kompromat = glossary.entries
    assert kyiv.term == "Kyiv"
    assert kyiv.kind == "place"
    assert kyiv.aliases == ("Kyiv City",)
    assert kyiv.accepted == ("Kyiv", "Kyiv City")
    assert [(v.wrong, v.right) for v in kyiv.variants] == [
        ("Kiev", "Kyiv"), ("Kyev", "Kyiv"), ("Kiev City", "Kyiv City"),
    ]
    assert kyiv.excepts == ("Chicken Kiev", "Dynamo Kiev")
    assert kyiv.case == "exact"
    assert dict(kyiv.sources) == {"ru": ("Киев",), "uk": ("Київ",)}
    assert isinstance(kyiv.pattern, regex.Pattern)
    assert kyiv.pattern.search("in Kijev today") is not None
    assert kyiv.note == "Ukrainian-derived spelling."
    assert kyiv.url == "https://example.org/style#kyiv"
    assert kyiv.examples.bad == ("Talks resumed in Kiev.",)
    assert kyiv.examples.good == ("Talks resumed in Kyiv.", "He ordered the chicken Kiev.")
    assert kompromat.case == "any"
    assert kompromat.kind == "term"
    assert kompromat.variants == () and kompromat.pattern is None and kompromat.note is None


def test_locations_of_entries_and_variants(load: Load) -> None:
    kyiv = load(FULL).entries[0]
    assert kyiv.location == Location("glossary.yaml", 7, 5)
    assert kyiv.variants[0].location == Location("glossary.yaml", 11, 9)
    assert kyiv.variants[2] == Variant("Kiev City", "Kyiv City", Location("glossary.yaml", 13, 9))


def test_defaults_and_a_single_string_for_a_list(load: Load) -> None:
    glossary = load("""
        entries:
          - term: TASS
            variants: ITAR-TASS
            aliases:
    """)
    (tass,) = glossary.entries
    assert glossary.language == "en" and dict(glossary.transliteration) == {}
    assert tass.variants[0].wrong == "ITAR-TASS" and tass.variants[0].right == "TASS"
    assert tass.aliases == ()
    assert tass.case == "exact" and tass.kind is None and dict(tass.sources) == {}


def test_whitespace_around_renderings_is_not_part_of_them(load: Load) -> None:
    (entry,) = load("""
        entries:
          - term: "  Élysée Palace "
            variants: [" Elysee Palace"]
    """).entries
    assert entry.term == "Élysée Palace"
    assert entry.variants[0].wrong == "Elysee Palace"


def test_anchors_aliases_and_merge_keys(load: Load) -> None:
    glossary = load("""
        entries:
          - &kyiv
            term: Kyiv
            kind: place
            note: &rule the desk's rule
            except: [Chicken Kiev]
          - <<: *kyiv
            term: Kharkiv
            variants: [Kharkov]
          - term: Odesa
            note: *rule
    """)
    kyiv, kharkiv, odesa = glossary.entries
    assert (kharkiv.term, kharkiv.kind, kharkiv.note, kharkiv.excepts) == (
        "Kharkiv", "place", "the desk's rule", ("Chicken Kiev",),
    )
    assert kharkiv.variants[0].wrong == "Kharkov" and kyiv.variants == ()
    assert odesa.note == "the desk's rule"


def test_numbers_are_read_as_written(load: Load) -> None:
    (entry,) = load("entries:\n  - term: 1984\n    variants: [1.50]\n").entries
    assert entry.term == "1984" and entry.variants[0].wrong == "1.50"


def test_a_glossary_without_entries_is_valid(load: Load) -> None:
    glossary = load("version: 1\nlanguage: uk\n")
    assert glossary.entries == () and glossary.language == "uk"


def test_files_and_digest(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n", "people.yaml")
    main = write_glossary("include: [people.yaml]\nentries:\n  - term: Odesa\n")
    first = load_glossary(main)
    assert first.files == ("glossary.yaml", "people.yaml")
    assert first.path == "glossary.yaml"
    assert len(first.digest) == 64
    assert load_glossary(main).digest == first.digest
    write_glossary("entries:\n  - term: Kharkiv\n", "people.yaml")
    assert load_glossary(main).digest != first.digest


# --- patterns -------------------------------------------------------------------------------

def test_pattern_uses_regex_syntax_and_matches_as_written(check: Callable[..., list]) -> None:
    yaml_text = r"""
        entries:
          - term: Kyiv
            pattern: '\bK\p{Ll}{1,2}ev\b'
    """
    findings = check(yaml_text, "From Kiev to Kyev and kiev.\n")
    assert [(f.rule, f.text, f.suggestion) for f in findings] == [
        ("variant", "Kiev", "Kyiv"), ("variant", "Kyev", "Kyiv"),
    ]


def test_a_case_insensitive_pattern(check: Callable[..., list]) -> None:
    findings = check("entries:\n  - term: Kyiv\n    pattern: '(?i)\\bkiev\\b'\n", "KIEV, Kiev.")
    assert texts(findings, "variant") == ["KIEV", "Kiev"]


@pytest.mark.parametrize("pattern", [
    "x*", "(?:Kiev)?", "Kiev|", r"\b", "(?=Kiev)", "(?<=K)", r"Kiev|\b", "^", "$",
])
def test_patterns_that_can_match_the_empty_string_are_refused(
    write_glossary: WriteGlossary, pattern: str
) -> None:
    yaml_text = f"entries:\n  - term: Kyiv\n    variants: [Kiev]\n    pattern: '{pattern}'\n"
    message = error_of(write_glossary, yaml_text)
    assert message == "glossary.yaml:4:14: pattern can match the empty string"


def test_a_pattern_that_does_not_compile(write_glossary: WriteGlossary) -> None:
    message = error_of(write_glossary, "entries:\n  - term: Kyiv\n    pattern: '(Kiev'\n")
    assert message.startswith("glossary.yaml:3:14: pattern does not compile: ")


@pytest.mark.parametrize("pattern", [r"(a|aa)+$", r"(aa|a)+c", r"(K|K\w)+c"])
def test_a_catastrophic_pattern_is_refused_where_it_is_written(
    write_glossary: WriteGlossary, pattern: str
) -> None:
    message = error_of(write_glossary, f"entries:\n  - term: Kyiv\n    pattern: '{pattern}'\n")
    assert message.startswith("glossary.yaml:3:14: pattern takes too long on a run of one ")


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+$"])
def test_a_pattern_that_runs_out_of_time_stops_the_check_with_an_error(
    load: Load, pattern: str
) -> None:
    glossary = load(f"""
        entries:
          - term: Kyiv
            variants: [Kiev]
          - term: Aardvark
            pattern: '{pattern}'
    """)
    text = "Kiev " + "a" * 64 + "b\n" + "word " * 40 + "!\n"
    outcome: list[BaseException | list[str]] = []

    def run() -> None:
        try:
            outcome.append(texts(check_text(compile_all(glossary), text, CORE)))
        except DocumentError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)  # a hang guard, not a timing: unguarded, (a|aa)+$ takes ~2**64 steps here
    assert not worker.is_alive(), "the pattern's timeout did not stop it"
    if isinstance(outcome[0], list):  # the engine saw through it: then every finding is there
        assert outcome[0] == ["Kiev"]
    else:  # never a silent gap: the document is reported as not checked, naming the pattern
        assert "the pattern of 'Aardvark'" in str(outcome[0])
        assert str(outcome[0]).startswith("article.txt: ")


# --- includes -------------------------------------------------------------------------------

def test_include_is_relative_to_the_including_file(
    write_glossary: WriteGlossary, tmp_path: Path
) -> None:
    desk = tmp_path / "desk"
    write_glossary("entries:\n  - term: Kyiv\n", "lists/places.yaml", folder=desk)
    write_glossary("include: [../shared/people.yaml]\nentries:\n  - term: Odesa\n",
                   "lists/places2.yaml", folder=desk)
    write_glossary("entries:\n  - term: Zelensky\n", "shared/people.yaml", folder=desk)
    main = write_glossary("include: [lists/places.yaml, lists/places2.yaml]\n"
                          "entries:\n  - term: Kharkiv\n", "glossary.yaml", folder=desk)
    glossary = load_glossary(main)
    assert [e.term for e in glossary.entries] == ["Kyiv", "Zelensky", "Odesa", "Kharkiv"]
    assert glossary.files == (
        "desk/glossary.yaml", "desk/lists/places.yaml", "desk/lists/places2.yaml",
        "desk/shared/people.yaml",
    )


def test_nested_includes_and_the_top_files_settings_win(write_glossary: WriteGlossary) -> None:
    write_glossary("language: de\ntransliteration: {uk: ala-lc}\nentries:\n  - term: Lviv\n",
                   "c.yaml")
    write_glossary("include: c.yaml\ntransliteration: {ru: gost-779}\nentries:\n  - term: Odesa\n",
                   "b.yaml")
    main = write_glossary("language: en\ntransliteration: {uk: national-2010}\n"
                          "include: [b.yaml]\nentries:\n  - term: Kyiv\n")
    glossary = load_glossary(main)
    assert [e.term for e in glossary.entries] == ["Lviv", "Odesa", "Kyiv"]
    assert glossary.language == "en"
    assert dict(glossary.transliteration) == {"uk": "national-2010", "ru": "gost-779"}


def test_an_include_cycle_is_refused_where_it_closes(write_glossary: WriteGlossary) -> None:
    write_glossary("include: [b.yaml]\n", "a.yaml")
    write_glossary("entries:\n  - term: Odesa\ninclude:\n  - a.yaml\n", "b.yaml")
    main = write_glossary("include: [a.yaml]\n")
    with pytest.raises(GlossaryError) as info:
        load_glossary(main)
    assert str(info.value) == (
        "b.yaml:4:5: include cycle: glossary.yaml -> a.yaml -> b.yaml -> a.yaml"
    )


def test_a_file_including_itself(write_glossary: WriteGlossary) -> None:
    assert error_of(write_glossary, "include: [glossary.yaml]\n") == (
        "glossary.yaml:1:11: include cycle: glossary.yaml -> glossary.yaml"
    )


def test_a_file_included_twice_over_two_paths_loads_once(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n", "base.yaml")
    write_glossary("include: [base.yaml]\nentries:\n  - term: Odesa\n", "people.yaml")
    write_glossary("include: [base.yaml]\nentries:\n  - term: Lviv\n", "places.yaml")
    main = write_glossary("include: [people.yaml, places.yaml]\n")
    assert [e.term for e in load_glossary(main).entries] == ["Kyiv", "Odesa", "Lviv"]


def test_a_missing_include(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n", "people.yaml")
    assert error_of(write_glossary, "version: 1\ninclude: [people.yaml, nowhere.yaml]\n") == (
        "glossary.yaml:2:24: included file 'nowhere.yaml' does not exist"
    )


def test_an_error_in_an_included_file_names_that_file(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n    colour: blue\n", "people.yaml")
    message = error_of(write_glossary, "include: [people.yaml]\n")
    assert message.startswith("people.yaml:3:5: unknown field 'colour' in an entry")


def test_a_missing_glossary(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError) as info:
        load_glossary(tmp_path / "nope.yaml")
    assert str(info.value) == "nope.yaml: no such glossary file"


# --- overrides and conflicts ----------------------------------------------------------------

def test_an_including_file_overrides_what_it_includes(write_glossary: WriteGlossary) -> None:
    write_glossary("""
        entries:
          - term: Volodymyr Zelenskyy
            variants: [Volodymyr Zelensky, Zelensky]
          - term: Kyiv
            variants: [Kiev]
    """, "list.yaml")
    main = write_glossary("""
        include: [list.yaml]
        entries:
          - term: Zelensky
            aliases: [Volodymyr Zelensky]
            variants:
              - Zelenskyy
              - Volodymyr Zelenskyy: Volodymyr Zelensky
    """)
    glossary = load_glossary(main)
    assert [e.term for e in glossary.entries] == ["Kyiv", "Zelensky"]
    findings = check_text(compile_all(glossary), "Volodymyr Zelenskyy and Zelensky in Kiev.")
    assert [(f.text, f.suggestion) for f in findings] == [
        ("Volodymyr Zelenskyy", "Volodymyr Zelensky"), ("Kiev", "Kyiv"),
    ]


def test_an_including_file_overrides_a_duplicate_term(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n    note: from the list\n", "list.yaml")
    main = write_glossary("include: [list.yaml]\nentries:\n  - term: Kyiv\n    note: the desk's\n")
    (entry,) = load_glossary(main).entries
    assert entry.note == "the desk's"


def test_an_including_file_settles_a_clash_between_two_lists(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Volodymyr Zelenskyy\n", "a.yaml")
    write_glossary("entries:\n  - term: Volodymyr Zelensky\n    variants: [Volodymyr Zelenskyy]\n",
                   "b.yaml")
    # Alone, the two lists contradict each other ...
    assert error_of(write_glossary, "include: [a.yaml, b.yaml]\n", "both.yaml").startswith(
        "b.yaml:3:16: variant 'Volodymyr Zelenskyy' of 'Volodymyr Zelensky' is the term"
    )
    # ... and a desk glossary that decides overrides the list it disagrees with.
    main = write_glossary("""
        include: [a.yaml, b.yaml]
        entries:
          - term: Zelensky
            aliases: [Volodymyr Zelensky]
            variants: [{Volodymyr Zelenskyy: Volodymyr Zelensky}]
    """)
    assert [e.term for e in load_glossary(main).entries] == ["Zelensky"]


def test_a_conflict_in_one_file_names_both_places(write_glossary: WriteGlossary) -> None:
    message = error_of(write_glossary, """
        entries:
          - term: Kyiv
            variants: [Kiev]
          - term: Chicken Kiev
          - term: KIEV
    """)
    assert message == (
        "glossary.yaml:3:16: variant 'Kiev' of 'Kyiv' is the term or an alias of 'KIEV' "
        "at glossary.yaml:5:5"
    )


def test_a_conflict_between_two_included_files_names_both(write_glossary: WriteGlossary) -> None:
    write_glossary("entries:\n  - term: Kyiv\n    variants: [Kiev]\n", "a.yaml")
    write_glossary("entries:\n  - term: Odesa\n  - term: Kiev\n", "b.yaml")
    message = error_of(write_glossary, "include: [a.yaml, b.yaml]\n")
    assert message == (
        "a.yaml:3:16: variant 'Kiev' of 'Kyiv' is the term or an alias of 'Kiev' at b.yaml:3:5"
    )


def test_duplicate_terms_name_both_places(write_glossary: WriteGlossary) -> None:
    message = error_of(write_glossary, """
        entries:
          - term: Kyiv
          - term: Odesa
            aliases: [Kyiv]
    """)
    assert message == (
        "glossary.yaml:3:5: 'Kyiv' is already the term or an alias of 'Kyiv' at glossary.yaml:2:5"
    )


def test_the_same_text_as_alias_and_variant_of_one_entry(write_glossary: WriteGlossary) -> None:
    message = error_of(write_glossary, "entries:\n  - term: Kyiv\n    variants: [KYIV]\n")
    assert message.startswith(
        "glossary.yaml:3:16: variant 'KYIV' of 'Kyiv' is the term or an alias"
    )


# --- broken glossaries ----------------------------------------------------------------------

@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("entries:\n  - term: Kyiv\n    variants: [Kiev\n",
     "glossary.yaml:4:1: bad YAML: expected ',' or ']', but got '<stream end>' "
     "(while parsing a flow sequence)"),
    ("entries:\n  - term: Kyiv: Kiev\n",
     "glossary.yaml:2:15: bad YAML: mapping values are not allowed here"),
    ("entries:\n\t- term: Kyiv\n",
     "glossary.yaml:2:1: bad YAML: found character '\\t' that cannot start any token "
     "(while scanning for the next token)"),
    ("a: 1\n---\nb: 2\n", "glossary.yaml:2:1: bad YAML: but found another document "
     "(expected a single document in the stream)"),
    ("entries:\n  - term: Kyiv\n    note: \"bell \x07\"\n",
     "glossary.yaml:3:17: bad YAML: special characters are not allowed (character U+0007)"),
])
def test_bad_yaml(write_glossary: WriteGlossary, yaml_text: str, expected: str) -> None:
    assert error_of(write_glossary, yaml_text) == expected


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("- term: Kyiv\n", "1:1: the glossary must be a mapping"),
    ("entries:\n  term: Kyiv\n", "2:3: entries must be a list"),
    ("entries:\n  - Kyiv\n", "2:5: an entry must be a mapping"),
    ("entries:\n  - term: [Kyiv]\n", "2:11: term must be a string"),
    ("entries:\n  - term: Kyiv\n    variants: 5\n", "3:15: variants must be a list"),
    ("entries:\n  - term: Kyiv\n    variants: [[Kiev]]\n", "3:16: a variant must be a string"),
    ("entries:\n  - term: Kyiv\n    variants: [{Kiev: Kyiv, Kyev: Kyiv}]\n",
     "3:16: a variant mapping has exactly one 'wrong: right' pair"),
    ("entries:\n  - term: Kyiv\n    variants: [{Kiev: }]\n",
     "3:22: a variant's fix must be a string"),
    ("entries:\n  - term: Kyiv\n    aliases: [Kyiv City, {a: b}]\n",
     "3:26: an item of aliases must be a string"),
    ("entries:\n  - term: Kyiv\n    sources: [Киев]\n", "3:14: sources must be a mapping"),
    ("entries:\n  - term: Kyiv\n    sources: {ru: 5}\n", "3:19: sources.ru must be a list"),
    ("entries:\n  - term: Kyiv\n    note: yes\n", "3:11: note must be a string"),
    ("entries:\n  - term: Kyiv\n    examples: {bad: [x], ugly: [y]}\n",
     "3:26: unknown field 'ugly' in examples (known: bad, good)"),
    ("entries:\n  - term: Kyiv\n    examples: [x]\n", "3:15: examples must be a mapping"),
    ("entries:\n  - term: Kyiv\n    colour: blue\n", "3:5: unknown field 'colour' in an entry"),
    ("version: 1\nentry: []\n", "2:1: unknown top-level field 'entry'"),
    ("entries:\n  - kind: place\n", "2:5: an entry needs a 'term'"),
    ("entries:\n  - term: ''\n", "2:11: term must not be empty"),
    ("entries:\n  - term: '   '\n", "2:11: term must not be empty"),
    ("entries:\n  - term:\n", "2:10: term must be a string"),
    ("entries:\n  - term: '—'\n", "2:11: term '—' has no letter or digit to match"),
    ("entries:\n  - term: Kyiv\n    variants: ['', Kiev]\n", "3:16: a variant must not be empty"),
    ("entries:\n  - term: Kyiv\n    except: ['...']\n",
     "3:14: an item of except '...' has no letter or digit to match"),
    ("entries:\n  - term: Kyiv\n    kind: city\n",
     "3:11: kind must be one of person, given-name, place, organization, publication, term, "
     "other"),
    ("entries:\n  - term: Kyiv\n    case: upper\n", "3:11: case must be 'exact' or 'any'"),
    ("version: 2\n", "1:10: unsupported glossary version (this checker reads version 1)"),
    ("entries:\n  - term: Kyiv\n    term: Kiev\n", "3:5: duplicate key 'term' in an entry"),
    ("include: 5\n", "1:10: include must be a list"),
    ("language: [en]\n", "1:11: language must be a string"),
    ("transliteration: national\n", "1:18: transliteration must be a mapping"),
])
def test_wrong_types_and_values(
    write_glossary: WriteGlossary, yaml_text: str, expected: str
) -> None:
    assert error_of(write_glossary, yaml_text).startswith(f"glossary.yaml:{expected}")


@pytest.mark.parametrize(("yaml_text", "where"), [
    ("!!python/object/apply:os.system [echo hi]\n", "1:1"),
    ("entries:\n  - !!python/object:glossary_check.engine.glossary.Entry {term: Kyiv}\n", "2:5"),
    ("entries:\n  - term: !!python/name:os.system Kyiv\n", "2:11"),
    ("entries: !!python/tuple [{term: Kyiv}]\n", "1:10"),
    ("entries:\n  - term: Kyiv\n    variants: !local [Kiev]\n", "3:15"),
])
def test_python_and_local_tags_are_refused_as_safe_load_would(
    write_glossary: WriteGlossary, yaml_text: str, where: str
) -> None:
    message = error_of(write_glossary, yaml_text)
    assert message.startswith(f"glossary.yaml:{where}: YAML tag '")
    assert "is not allowed in a glossary" in message


def test_a_set_is_not_a_mapping_though_safe_load_builds_one(write_glossary: WriteGlossary) -> None:
    assert error_of(write_glossary, "entries:\n  - !!set {term}\n") == (
        "glossary.yaml:2:5: an entry must be a mapping"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "\ufeff"])
def test_an_empty_glossary(write_glossary: WriteGlossary, text: str) -> None:
    assert error_of(write_glossary, text) == "glossary.yaml:1:1: the glossary is empty"


def test_a_glossary_that_is_not_utf8(write_glossary: WriteGlossary, tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes("entries:\n  - term: Київ\n    note: caf".encode() + b"\xe9 noir\n")
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value) == "glossary.yaml:3:14: not valid UTF-8 (byte 0xe9)"


def test_a_bom_and_crlf_glossary_loads(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes(b"\xef\xbb\xbfentries:\r\n  - term: Kyiv\r\n    variants: [Kiev]\r\n")
    (entry,) = load_glossary(path).entries
    assert entry.variants[0].location == Location("glossary.yaml", 3, 16)


def test_an_error_after_a_bom_counts_columns_without_it(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes(b"\xef\xbb\xbfentries:\n  - term: \xd0\x9a\xff\n")
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value) == "glossary.yaml:2:12: not valid UTF-8 (byte 0xff)"


def test_deep_nesting_is_an_error_not_a_crash(write_glossary: WriteGlossary) -> None:
    message = error_of(write_glossary, "entries: " + "[" * 5000 + "]" * 5000 + "\n")
    assert message.startswith("glossary.yaml:1:")


def test_a_glossary_error_is_location_colon_message() -> None:
    error = GlossaryError(Location("a/b.yaml", 3, 7), "term must not be empty")
    assert str(error) == "a/b.yaml:3:7: term must not be empty"
    assert error.location == Location("a/b.yaml", 3, 7)


# --- the bundled glossaries -----------------------------------------------------------------

def test_the_bundled_spelling_ukraine_list_loads() -> None:
    glossary = load_glossary(bundled_glossary().with_name("spelling-ukraine.yaml"))
    assert len(glossary.entries) >= 500
    assert len({e.term for e in glossary.entries}) == len(glossary.entries)
    assert all(e.kind in KINDS for e in glossary.entries)
    assert sum(e.kind == "given-name" for e in glossary.entries) == 54
    licence = bundled_glossary().with_name("spelling-ukraine.LICENSE.txt").read_text("utf-8")
    assert "MIT" in licence or "Permission is hereby granted" in licence


@pytest.mark.parametrize("name", ["spelling-ukraine.yaml", "newsroom.yaml"])
def test_chicken_kiev_keeps_its_spelling_in_either_bundled_list(name: str) -> None:
    """Either bundled file used alone: the dish is not the city, the city alone still is."""
    compiled = compile_all(load_glossary(bundled_glossary().with_name(name)))
    assert texts(check_text(compiled, "He ordered the Chicken Kiev. We ate chicken Kiev.\n")) == []
    flagged = check_text(compiled, "Talks resumed in Kiev on Monday.\n")
    assert [(f.rule, f.text, f.suggestion) for f in flagged] == [("variant", "Kiev", "Kyiv")]


def test_the_bundled_newsroom_glossary_loads() -> None:
    glossary = load_glossary(bundled_glossary())
    assert [Path(f).name for f in glossary.files] == ["newsroom.yaml", "spelling-ukraine.yaml"]
    by_term = glossary.by_term()
    assert by_term["Kyiv"].note and by_term["Kyiv"].excepts
    assert glossary.language == "en"
    assert dict(glossary.transliteration) == {"uk": "national-2010", "ru": "bgn-pcgn"}


def test_the_newsroom_glossary_overrides_the_included_list_where_they_clash() -> None:
    glossary = load_glossary(bundled_glossary())
    by_term = glossary.by_term()
    assert len(glossary.entries) > 800
    assert "Zelensky" in by_term and "Volodymyr Zelenskyy" not in by_term
    assert "Lviv" in by_term and by_term["Lviv"].location.path.endswith("newsroom.yaml")
    # the list's Romanov (a variant of Romaniv) is a dynasty and a surname: the desk drops it
    assert "Romanov" not in [v.wrong for v in by_term["Romaniv"].variants]
    assert by_term["Oleksandr"].kind == "given-name"


def test_the_newsroom_glossary_is_one_a_desk_could_adopt() -> None:
    """Its own entries, not counting the included list: people, places, institutions, media."""
    glossary = load_glossary(bundled_glossary())
    own = [e for e in glossary.entries if e.location.path.endswith("newsroom.yaml")]
    assert len(own) >= 300
    kinds = {k: sum(e.kind == k for e in own) for k in KINDS}
    assert kinds["person"] >= 100 and kinds["place"] >= 100
    assert kinds["organization"] + kinds["publication"] >= 60
    with_both = [e for e in own if {"ru", "uk"} <= set(e.sources)]
    assert len(with_both) >= 380
    # the rest leave out a form that is also a common word or another name, and say which
    assert all(e.note and ("not listed" in e.note or "left out" in e.note)
               for e in own if e not in with_both)
    assert all(e.url for e in own)
    rada = glossary.by_term()["Verkhovna Rada"]
    assert rada.sources["ru"] == ("Верховная рада",) and rada.sources["uk"] == ("Верховна Рада",)


def test_an_unknown_transliteration_system_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("version: 1\ntransliteration:\n  uk: national-2010\n  ru: nope\nentries: []\n",
                    encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.column) == (4, 7)
    assert "nope" in caught.value.message and "bgn-pcgn" in caught.value.message

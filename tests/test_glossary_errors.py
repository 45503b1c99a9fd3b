"""A broken glossary is reported whole: every error at once, each one line
`file:line:column: message` in reading order, a guess for a misspelt name, and
at most `MAX_ERRORS_SHOWN` lines before "and N more errors"."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import RunCli, WriteGlossary
from glossary_check.core.errors import MAX_ERRORS_SHOWN, ErrorList, did_you_mean, hint
from glossary_check.engine.glossary import (
    GlossaryError,
    GlossaryErrors,
    load_glossaries,
    load_glossary,
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in messages are shown relative to the working directory: make that tmp_path."""
    monkeypatch.chdir(tmp_path)


def errors_of(path: Path | list[Path]) -> list[str]:
    """The lines a broken glossary is reported in."""
    with pytest.raises(GlossaryError) as info:
        if isinstance(path, list):
            load_glossaries(path)
        else:
            load_glossary(path)
    lines = list(info.value.lines())
    assert str(info.value) == "\n".join(lines)
    return lines


#: Several errors in one file written with a BOM and CRLF line ends, Cyrillic before some of
#: them on their line: columns count code points, the BOM is not one, CRLF ends a line once.
BROKEN = (
    "\ufeffversion: 1\r\n"
    "entries:\r\n"
    "  - term: Київ\r\n"
    "    varaints: [Kiev]\r\n"
    "    sources: {uk: [Київ], ru: [Киев], ук: 5}\r\n"
    "  - term: Одеса\r\n"
    "    kind: persn\r\n"
    "  - {term: Львів, Кінь: x, sorces: {uk: [Львів]}}\r\n"
    "  - term: Kyiv\r\n"
    "    case: exakt\r\n"
    "    variants: ['', Kiev, '—']\r\n"
    "entry: []\r\n"
    "transliteration: {ukr: national-2010, ru: gost779}"  # and no final line end
)


def test_every_error_of_a_file_at_once_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes(BROKEN.encode("utf-8"))
    assert errors_of(path) == [
        "glossary.yaml:4:5: unknown field 'varaints' in an entry (did you mean 'variants'?)",
        "glossary.yaml:5:43: sources.ук must be a list",
        "glossary.yaml:7:11: kind must be one of person, given-name, place, organization, "
        "publication, term, other (did you mean 'person'?)",
        "glossary.yaml:8:19: unknown field 'Кінь' in an entry (known: aliases, case, examples, "
        "except, kind, note, pattern, sources, term, url, variants)",
        "glossary.yaml:8:28: unknown field 'sorces' in an entry (did you mean 'sources'?)",
        "glossary.yaml:10:11: case must be 'exact' or 'any' (did you mean 'exact'?)",
        "glossary.yaml:11:16: a variant must not be empty",
        "glossary.yaml:11:26: a variant '—' has no letter or digit to match",
        "glossary.yaml:12:1: unknown top-level field 'entry' (did you mean 'entries'?)",
        "glossary.yaml:13:24: no transliteration systems for language 'ukr' "
        "(did you mean 'uk'?)",
        "glossary.yaml:13:43: unknown transliteration system 'gost779' for 'ru' "
        "(did you mean 'gost-779'?)",
    ]


def test_the_errors_travel_as_one_glossary_error(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_bytes(BROKEN.encode("utf-8"))
    with pytest.raises(GlossaryErrors) as info:
        load_glossary(path)
    error = info.value
    assert isinstance(error, GlossaryError) and isinstance(error, ErrorList)
    assert len(error.errors) == 11
    assert all(isinstance(e, GlossaryError) for e in error.errors)
    assert error.location == error.errors[0].location  # the first error stands for them all
    assert error.message == "unknown field 'varaints' in an entry (did you mean 'variants'?)"


def test_one_error_is_raised_as_itself(write_glossary: WriteGlossary) -> None:
    with pytest.raises(GlossaryError) as info:
        load_glossary(write_glossary("entries:\n  - term: Kyiv\n    kind: persn\n"))
    assert type(info.value) is GlossaryError
    assert str(info.value) == ("glossary.yaml:3:11: kind must be one of person, given-name, "
                               "place, organization, publication, term, other "
                               "(did you mean 'person'?)")


def test_errors_in_an_included_file_come_in_the_order_the_files_are_read(
    write_glossary: WriteGlossary,
) -> None:
    write_glossary("entries:\n  - term: Kyiv\n    alias: [Kyiv City]\n", "people.yaml")
    main = write_glossary(
        "entries:\n  - term: Odesa\n    note: [a list]\n"
        "include: [people.yaml, nowhere.yaml]\n"
    )
    assert errors_of(main) == [
        "glossary.yaml:3:11: note must be a string",
        "glossary.yaml:4:24: included file 'nowhere.yaml' does not exist",
        "people.yaml:3:5: unknown field 'alias' in an entry (did you mean 'aliases'?)",
    ]


def test_a_broken_included_file_does_not_hide_the_including_files_errors(
    write_glossary: WriteGlossary,
) -> None:
    write_glossary("entries: [\n", "people.yaml")
    main = write_glossary("include: [people.yaml]\nentries:\n  - term: Kyiv\n    exept: Kiev\n")
    lines = errors_of(main)
    assert lines[0] == (
        "glossary.yaml:4:5: unknown field 'exept' in an entry (did you mean 'except'?)")
    assert len(lines) == 2 and lines[1].startswith("people.yaml:2:1: bad YAML: ")


def test_every_item_of_a_list_is_checked(write_glossary: WriteGlossary) -> None:
    path = write_glossary(
        "entries:\n  - term: Kyiv\n    aliases: [Kyiv City, 5.5.5, [x], '...']\n"
        "    examples: {bad: x, godo: [y], good: {a: b}}\n"
    )
    assert errors_of(path) == [
        "glossary.yaml:3:33: an item of aliases must be a string",
        "glossary.yaml:3:38: an item of aliases '...' has no letter or digit to match",
        "glossary.yaml:4:24: unknown field 'godo' in examples (did you mean 'good'?)",
        "glossary.yaml:4:41: examples.good must be a list",
    ]


def test_a_duplicate_key_and_the_errors_after_it(write_glossary: WriteGlossary) -> None:
    path = write_glossary("entries:\n  - term: Kyiv\n    term: Kiev\n    kindd: place\n")
    assert errors_of(path) == [
        "glossary.yaml:3:5: duplicate key 'term' in an entry",
        "glossary.yaml:4:5: unknown field 'kindd' in an entry (did you mean 'kind'?)",
    ]


def test_an_entry_without_a_term_still_has_its_other_fields_checked(
    write_glossary: WriteGlossary,
) -> None:
    path = write_glossary("entries:\n  - kind: place\n    variants: [Kiev, {}]\n")
    assert errors_of(path) == [
        "glossary.yaml:2:5: an entry needs a 'term'",
        "glossary.yaml:3:22: a variant mapping has exactly one 'wrong: right' pair",
    ]


def test_every_clash_between_entries_at_once(write_glossary: WriteGlossary) -> None:
    path = write_glossary("""
        entries:
          - term: Kyiv
            variants: [Kiev]
          - term: Kiev
          - term: Odesa
            variants: [Odessa]
          - term: Odessa
        """)
    assert errors_of(path) == [
        "glossary.yaml:3:16: variant 'Kiev' of 'Kyiv' is the term or an alias of 'Kiev' at "
        "glossary.yaml:4:5",
        "glossary.yaml:6:16: variant 'Odessa' of 'Odesa' is the term or an alias of 'Odessa' "
        "at glossary.yaml:7:5",
    ]


def test_clashes_wait_for_a_glossary_whose_entries_all_loaded(
    write_glossary: WriteGlossary,
) -> None:
    """A desk entry with an error would have overridden the list's: no clash is guessed."""
    write_glossary("entries:\n  - term: Kyiv\n    variants: [Kiev]\n  - term: Kiev\n", "list.yaml")
    main = write_glossary("include: [list.yaml]\nentries:\n  - term: Kiev\n    knd: place\n")
    assert errors_of(main) == [
        "glossary.yaml:4:5: unknown field 'knd' in an entry (did you mean 'kind'?)",
    ]


def test_several_glossaries_report_every_file(write_glossary: WriteGlossary) -> None:
    one = write_glossary("entries:\n  - term: Kyiv\n    kind: plase\n", "one.yaml")
    two = write_glossary("entries:\n  - term: Odesa\n    case: Any\n    url: [x]\n", "two.yaml")
    assert errors_of([one, two]) == [
        "one.yaml:3:11: kind must be one of person, given-name, place, organization, "
        "publication, term, other (did you mean 'place'?)",
        "two.yaml:3:11: case must be 'exact' or 'any' (did you mean 'any'?)",
        "two.yaml:4:10: url must be a string",
    ]


def test_the_errors_shown_are_capped(write_glossary: WriteGlossary) -> None:
    count = MAX_ERRORS_SHOWN + 12
    path = write_glossary("entries:\n" + "".join(
        f"  - term: Term{i}\n    colour: blue\n" for i in range(count)))
    lines = errors_of(path)
    assert len(lines) == MAX_ERRORS_SHOWN + 1
    assert lines[0].startswith("glossary.yaml:3:5: unknown field 'colour' in an entry (known: ")
    assert lines[MAX_ERRORS_SHOWN - 1].startswith(f"glossary.yaml:{2 * MAX_ERRORS_SHOWN + 1}:5: ")
    assert lines[-1] == "and 12 more errors"


def test_the_command_line_prints_one_error_a_line(
    write_glossary: WriteGlossary, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_glossary("entries:\n" + "".join(
        f"  - term: Term{i}\n    varaints: [x{i}]\n" for i in range(MAX_ERRORS_SHOWN + 1)))
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, out, err = run_cli("-g", str(path), "a.txt")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == MAX_ERRORS_SHOWN + 1
    assert lines[0] == ("glossary-check: glossary.yaml:3:5: unknown field 'varaints' in an "
                        "entry (did you mean 'variants'?)")
    assert all(line.startswith("glossary-check: glossary.yaml:") for line in lines[:-1])
    assert lines[-1] == "glossary-check: and 1 more error"


def test_an_error_quoting_a_line_break_stays_on_its_line(
    write_glossary: WriteGlossary, run_cli: RunCli, tmp_path: Path
) -> None:
    path = write_glossary('entries:\n  - term: "Kyiv\\nCity\\u202e"\n    kinds: place\n')
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, _, err = run_cli("-g", str(path), "a.txt")
    assert code == 2
    assert err.splitlines() == [
        "glossary-check: glossary.yaml:2:11: term 'Kyiv\\nCity\\u202e' holds U+000A, "
        "a control or invisible character",
        "glossary-check: glossary.yaml:3:5: unknown field 'kinds' in an entry "
        "(did you mean 'kind'?)",
    ]


# --- rule names: one check, a guess wherever a name is given -----------------------------------

def test_a_misspelt_rule_name_gets_a_guess(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    code, out, err = run_cli("--select", "varient", "a.txt")
    assert (code, out) == (2, "")
    assert err == "glossary-check: unknown rule 'varient' (did you mean 'variant'?)\n"
    code, _, err = run_cli("explain", "mixed_script")
    assert code == 2
    assert err == ("glossary-check: explain: unknown rule 'mixed_script' "
                   "(did you mean 'mixed-script'?)\n")


def test_the_test_command_guesses_rule_names(
    write_glossary: WriteGlossary, run_cli: RunCli
) -> None:
    path = write_glossary("entries:\n  - term: Kyiv\n")
    code, out, err = run_cli("test", str(path), "--ignore", "inconsistant")
    assert (code, out) == (2, "")
    assert err == "glossary-check: unknown rule 'inconsistant' (did you mean 'inconsistent'?)\n"


def test_the_configuration_guesses_rule_names_and_keys(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Kiev\n", encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.glossary-check]\nignore = ['case', 'untranslate']\n", "utf-8")
    code, _, err = run_cli("a.txt")
    assert code == 2
    assert err == ("glossary-check: pyproject.toml:2:1: unknown rule 'untranslate' in ignore "
                   "(did you mean 'untranslated'?)\n")
    config.write_text("[tool.glossary-check]\nfail_on = 'error'\n", "utf-8")
    code, _, err = run_cli("a.txt")
    assert code == 2
    assert err == ("glossary-check: pyproject.toml:2:1: unknown key 'fail_on' "
                   "(did you mean 'fail-on'?)\n")


@pytest.mark.parametrize(("name", "known", "guess"), [
    ("varaints", ["term", "variants", "aliases"], "variants"),
    ("Variants", ["term", "variants"], "variants"),
    ("persn", ["person", "place"], "person"),
    ("nonsense", ["inconsistent", "variant"], None),  # a word like none of them: no far guess
    ("colour", ["term", "kind", "case"], None),
])
def test_did_you_mean(name: str, known: list[str], guess: str | None) -> None:
    assert did_you_mean(name, known) == guess
    expected = f"did you mean {guess!r}?" if guess else f"known: {', '.join(known)}"
    assert hint(name, known) == expected

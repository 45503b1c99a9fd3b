"""The core rules one by one: variant, case, mixed-script, inconsistent; and the pipeline's
one-span-one-finding cut."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from conftest import CORE, EXAMPLE, check_text, spans, texts
from glossary_check.core.findings import Applicability, Finding, Severity
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import Glossary
from glossary_check.engine.transliteration import same_name
from glossary_check.rules import SourceHit, registry
from glossary_check.rules.align import Pairing
from glossary_check.rules.inconsistent import damerau1, ending_only, plausible_slip
from glossary_check.rules.pipeline import Settings, check_document

Check = Callable[..., list[Finding]]

GLOSSARY = """\
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev]
    except: [Chicken Kiev]
    note: Ukrainian-derived spelling
    url: https://example.org/kyiv
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky]
    variants: [Zelenskyy, {Volodymyr Zelenskyy: Volodymyr Zelensky}]
  - term: Maria Zakharova
    kind: person
    aliases: [Zakharova]
  - term: TASS
    kind: organization
  - term: Paris
    kind: place
  - term: Romaniv
    kind: place
  - term: Oster
    kind: place
  - term: Viktor
    kind: other
  - term: Mariia
    kind: other
    variants: [Mariya]
  - term: Dnipro
    kind: place
    pattern: '\\bDni?epr\\b'
  - term: Élysée Palace
    kind: place
    variants: [Elysee Palace]
  - term: kompromat
    kind: term
    case: any
"""


@pytest.fixture
def compiled(load: Callable[[str], Glossary]) -> Compiled:
    return compile_all(load(GLOSSARY))


def run(compiled: Compiled, text: str, settings: Settings = CORE) -> list[Finding]:
    return check_text(compiled, text, settings)


def test_the_registry_in_precedence_order() -> None:
    rules = list(registry())
    core = ["mixed-script", "variant", "case", "source-form", "inconsistent", "untranslated"]
    assert [r for r in rules if r in core] == core
    for rule_id, rule in registry().items():
        assert rule.id == rule_id and rule.summary and rule.explain


# --- variant --------------------------------------------------------------------------------

def test_variant_finding_fields(compiled: Compiled) -> None:
    (finding,) = run(compiled, "Talks in Kiev.")
    assert finding.rule == "variant" and finding.severity is Severity.ERROR
    assert (finding.offset, finding.length, finding.text) == (9, 4, "Kiev")
    assert finding.entry == "Kyiv" and finding.suggestion == "Kyiv"
    assert finding.applicability is Applicability.SAFE
    assert finding.message == "'Kiev' is a variant of 'Kyiv' (Ukrainian-derived spelling)."
    assert finding.note == "Ukrainian-derived spelling" and finding.url == "https://example.org/kyiv"
    assert finding.language == "en" and finding.translation is None


def test_a_variant_with_its_own_fix(compiled: Compiled) -> None:
    (finding,) = run(compiled, "Volodymyr Zelenskyy spoke.")
    assert (finding.text, finding.suggestion, finding.entry) == (
        "Volodymyr Zelenskyy", "Volodymyr Zelensky", "Zelensky",
    )
    assert finding.message == "'Volodymyr Zelenskyy' is a variant of 'Zelensky'."


def test_pattern_findings_but_not_inside_accepted_text(compiled: Compiled) -> None:
    findings = run(compiled, "the Dniepr and the Dnepr, not the Dnipro")
    assert [(f.rule, f.text, f.suggestion) for f in findings] == [
        ("variant", "Dniepr", "Dnipro"), ("variant", "Dnepr", "Dnipro"),
    ]
    assert findings[0].message == "'Dniepr' is a variant of 'Dnipro' (by its pattern)."


def test_a_broad_pattern_skips_every_accepted_rendering(check: Check) -> None:
    yaml_text = """
        entries:
          - term: Dnipro
            aliases: [Dnipro River]
            pattern: '\\bDn\\w+'
    """
    text = "Dnipro, the Dnipro River, Dniepr; Dnipro and Dnepr, Dnipro."
    findings = check(yaml_text, text)
    assert [(f.text, f.offset) for f in findings] == [
        ("Dniepr", text.index("Dniepr")), ("Dnepr", text.index("Dnepr")),
    ]


def test_a_pattern_hit_inside_an_except_phrase_is_not_flagged(check: Check) -> None:
    yaml_text = """
        entries:
          - term: Kyiv
            except: [Chicken Kiev]
            pattern: '(?i)\\bkiev\\b'
    """
    assert texts(check(yaml_text, "Chicken Kiev in Kiev")) == ["Kiev"]
    assert check(yaml_text, "Chicken Kiev in Kiev")[0].offset == 16


def test_the_variant_rule_can_be_ignored_and_severities_changed(compiled: Compiled) -> None:
    assert run(compiled, "Kiev", Settings(ignore=CORE.ignore | {"variant"})) == []
    (finding,) = run(compiled, "Kiev", Settings(
        select=frozenset({"variant"}), severities={"variant": Severity.INFO},
    ))
    assert finding.severity is Severity.INFO


# --- case -----------------------------------------------------------------------------------

def test_case_finding_fields(compiled: Compiled) -> None:
    (finding,) = run(compiled, "the Tass agency")
    assert (finding.rule, finding.text, finding.suggestion) == ("case", "Tass", "TASS")
    assert finding.severity is Severity.ERROR and finding.applicability is Applicability.SAFE
    assert finding.message == "'Tass' should be written 'TASS'."


def test_case_of_an_alias_and_a_phrase(compiled: Compiled) -> None:
    findings = run(compiled, "volodymyr zelensky met maria zakharova")
    assert [(f.text, f.suggestion) for f in findings] == [
        ("volodymyr zelensky", "Volodymyr Zelensky"), ("maria zakharova", "Maria Zakharova"),
    ]


def test_case_any_is_never_checked(compiled: Compiled) -> None:
    assert run(compiled, "the KOMPROMAT and the Kompromat") == []


# --- mixed-script ---------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "fix", "odd"), [
    ("\u041ayiv", "Kyiv", "К (U+041A Cyrillic)"),      # Cyrillic Ka
    ("P\u0430ris", "Paris", "а (U+0430 Cyrillic)"),    # Cyrillic a
    ("\u0391thens", "Athens", "Α (U+0391 Greek)"),      # Greek Alpha
    ("Kyi\u03bd", "Kyiv", "ν (U+03BD Greek)"),          # Greek nu
    ("Zel\u0435nsky", "Zelensky", "е (U+0435 Cyrillic)"),
])
def test_a_latin_word_with_a_look_alike(compiled: Compiled, word: str, fix: str, odd: str) -> None:
    findings = run(compiled, f"Talks in {word} today.")
    assert [(f.rule, f.text, f.suggestion) for f in findings] == [("mixed-script", word, fix)]
    (finding,) = findings
    assert finding.applicability is Applicability.SAFE and finding.severity is Severity.ERROR
    assert odd in finding.message and f"did you mean '{fix}'" in finding.message


def test_a_cyrillic_word_with_a_latin_letter(compiled: Compiled) -> None:
    (finding,) = run(compiled, "в Mосква сегодня")
    assert (finding.text, finding.suggestion) == ("Mосква", "Москва")


def test_a_letter_without_look_alike_gets_no_fix(compiled: Compiled) -> None:
    (finding,) = run(compiled, "the Kyiv\u0416 case")
    assert finding.rule == "mixed-script" and finding.suggestion is None
    assert finding.applicability is Applicability.NONE


def test_single_script_words_are_not_mixed(compiled: Compiled) -> None:
    text = "Київ, Москва, Αθήνα, E\u0301lyse\u0301e, COVID-19, Kyiv2025, naïve, Знам'янка"
    assert [f for f in run(compiled, text) if f.rule == "mixed-script"] == []


def test_a_mixed_word_gets_one_finding_only(compiled: Compiled) -> None:
    # "Kiеv" with a Cyrillic е is a variant too once fixed; the span gets one finding.
    findings = run(compiled, "Kiеv and Zelenksy\u0430")
    assert [f.rule for f in findings] == ["mixed-script", "mixed-script"]


# --- inconsistent ---------------------------------------------------------------------------

def test_a_near_miss_of_a_term(compiled: Compiled) -> None:
    (finding,) = run(compiled, "Yesterday President Zelenksy spoke.")
    assert (finding.rule, finding.text, finding.suggestion, finding.entry) == (
        "inconsistent", "Zelenksy", "Zelensky", "Zelensky",
    )
    assert finding.severity is Severity.WARNING
    assert finding.applicability is Applicability.UNSAFE
    assert finding.message == "'Zelenksy' looks like a misspelling of 'Zelensky'."


def test_a_near_miss_with_a_possessive(compiled: Compiled) -> None:
    (finding,) = run(compiled, "in Zelenksy's office")
    assert (finding.text, finding.length) == ("Zelenksy", 8)


def test_near_misses_of_a_surname_and_an_accent(compiled: Compiled) -> None:
    findings = run(compiled, "said Maria Zakharva, and Zakharowa too")
    assert [(f.text, f.suggestion) for f in findings] == [
        ("Zakharva", "Zakharova"), ("Zakharowa", "Zakharova"),
    ]


def test_one_unknown_name_spelled_two_ways(compiled: Compiled) -> None:
    text = ("Moscow mayor Sergei Sobyanin said so. Critics of Sobianin disagreed, "
            "and Sobyanin's office replied; later Sobyanin left.")
    findings = run(compiled, text)
    assert [(f.rule, f.text, f.suggestion) for f in findings] == [
        ("inconsistent", "Sobianin", "Sobyanin"),
    ]
    assert findings[0].message == (
        "'Sobianin' is spelled 'Sobyanin' elsewhere in this article (3 times)."
    )
    assert findings[0].entry is None


def test_every_occurrence_of_the_less_frequent_spelling(compiled: Compiled) -> None:
    text = "the mayor Sobianin, then Sobyanin, Sobyanin and Sobyanin, and Sobianin again"
    assert texts(run(compiled, text)) == ["Sobianin", "Sobianin"]


@pytest.mark.parametrize("text", [
    # ordinary different words, and names of different people
    "the Reuters and Routers; a Bakery in Baker Street; Mr Johnson and Mr Jonson",
    # ALL-CAPS is typography, not a spelling
    "ZELENKSY and SOBYANIN met Sobianin",
    # short words
    "Kyev? No: the Kyiv Ukr Putn",
    # first names and given names of the list
    "Maria Zakharova met Marina, and Victor met Mario and Marcia",
    # a different ending names someone or something else
    "Zakharov, Romania and Romanians, Parisian Parisians",
    # a changed letter that is no slip of the hand
    "the Outer Hebrides",
    # a capital at a sentence start says nothing about a name
    "In Paris. Pairs of drones flew. Parts were hit. Finish it. Looks bad. Locks held.",
    # the same spelling again, or the accepted text
    "Zelensky and Zelensky's aide; Paris, Paris",
])
def test_guards_against_false_alarms(compiled: Compiled, text: str) -> None:
    assert [f for f in run(compiled, text) if f.rule == "inconsistent"] == []


def test_a_sentence_start_near_miss_that_english_never_writes(compiled: Compiled) -> None:
    """A misspelt lede is a misspelling; an English word at a sentence start needs the
    entry named elsewhere (Pairs, of Paris)."""
    assert texts(run(compiled, "Zelenksy arrived.")) == ["Zelenksy"]
    findings = run(compiled, "Zelenksy arrived. Later Zelensky left.")
    assert texts(findings) == ["Zelenksy"]


def test_a_sentence_start_spelling_joins_one_that_stands_mid_sentence(compiled: Compiled) -> None:
    text = "Sobyanin, the mayor, spoke. Critics of Sobianin disagreed."
    # the desk's transliteration (BGN/PCGN of Собянин) wins over position and counts
    assert [(f.text, f.suggestion) for f in run(compiled, text)] == [("Sobianin", "Sobyanin")]
    assert run(compiled, "Sobyanin spoke. Sobianin left.") == []


def test_edit_helpers() -> None:
    assert damerau1("zelenksy", "zelensky") and damerau1("zakharva", "zakharova")
    assert not damerau1("zelensky", "zelensky") and not damerau1("zelensky", "zelenskiyy")
    assert ending_only("zakharov", "zakharova") and ending_only("romania", "romaniv")
    assert not ending_only("zelenksy", "zelensky")
    assert plausible_slip("zelinsky", "zelensky")  # vowels
    assert plausible_slip("zelemsky", "zelensky")  # keyboard neighbours
    assert plausible_slip("wolkov", "volkov")      # sound-alike
    assert not plausible_slip("outer", "oster")
    assert same_name("Sobyanin", "Sobianin")
    assert same_name("Khodorkovsky", "Hodorkovskiy")  # kh/h and iy/y
    assert same_name("Alexei", "Aleksey")
    assert not plausible_slip("zorica", "zoria")  # an added letter far from its neighbours


# --- realistic text with the bundled glossary -----------------------------------------------

PARAGRAPHS = """\
Russian Foreign Minister Sergey Lavrov told reporters in Moscow that the Kremlin saw no reason to
change course. Kremlin spokesman Dmitry Peskov said President Vladimir Putin had not yet decided
whether to travel to Istanbul for talks with Ukrainian and Turkish officials.

Finnish President Alexander Stubb and Polish Prime Minister Donald Tusk arrived in Kyiv by train on
Friday. Romania and Moldova sent their foreign ministers. Parts of the capital were without power
after overnight strikes on energy infrastructure in Kharkiv, Odesa and the Dnipropetrovsk region.

Marina Ovsyannikova, the former Channel One editor, told Meduza that she had been followed in
Paris. Maria Zakharova dismissed the report. Pairs of drones flew low over the Dnipro River.
Outer districts of Kherson were shelled again, the regional governor said on Telegram.

"Finish the job," said General Valerii Zaluzhnyi. Later, Zaluzhnyi met British Defence Secretary
John Healey and the Estonian prime minister. Viktor Orban of Hungary objected. Boris Johnson,
Emmanuel Macron and Olaf Scholz were quoted in Le Monde, Die Welt and The Guardian.

Navalny's widow Yulia Navalnaya spoke in Munich, where the Munich Security Conference opened on
Friday. The European Commission, the European Parliament and Nato welcomed the statement.
"""


def test_no_false_alarms_on_realistic_paragraphs(bundled: Compiled) -> None:
    findings = check_text(bundled, PARAGRAPHS)
    assert [f for f in findings if f.rule == "inconsistent"] == []
    assert [f for f in findings if f.rule in ("mixed-script", "case")] == []


def test_the_bundled_example_has_no_core_findings(bundled: Compiled) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert check_text(bundled, text) == []
    typo = text.replace("Zelensky said that", "Zelenksy said that", 1)
    assert spans(check_text(bundled, typo)) == [("inconsistent", "Zelenksy")]
    kiev = text.replace("Kyiv had", "Kiev had", 1)
    assert spans(check_text(bundled, kiev)) == [("variant", "Kiev")]


# --- one span, one finding ------------------------------------------------------------------

def test_findings_never_overlap(compiled: Compiled) -> None:
    text = "К\u0430iv, Kiev, Tass, Zelenksy, Chicken Kiev, Volodymyr Zelenskyy, Elysee Palace"
    findings = run(compiled, text)
    ends = [(f.offset, f.offset + f.length) for f in findings]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(ends))
    assert [f.rule for f in findings] == [
        "mixed-script", "variant", "case", "inconsistent", "variant", "variant",
    ]


def test_mistranslation_points_at_the_rendering_after_a_letter_that_folds_longer(
    load: Callable[[str], Glossary],
) -> None:
    """`ß` case-folds to two letters; the span found must still be the view's own."""
    compiled = compile_all(load("""\
        entries:
          - term: Kyiv
            variants: [Kiev]
            sources: {ru: [Киев]}
        """))
    source = read_document("source.txt", "Он поехал в Киев.".encode())
    translation = read_document("article.txt", "Straße: he went to Kyjiw.".encode())
    pairing = Pairing(
        source, "ru", (((0, len(source.view)), (0, len(translation.view))),),
        (SourceHit(12, 16, 0, "ru", "Киев"),), {"Киев": "Kyjiw"},
    )
    found = check_document(
        translation, compiled, Settings(select=frozenset({"mistranslation"})), pairing
    )
    assert [(f.text, f.offset, f.suggestion) for f in found] == [("Kyjiw", 19, "Kyiv")]


def test_mistranslation_looks_for_the_rendering_as_a_whole_word(
    load: Callable[[str], Glossary],
) -> None:
    """The model's rendering inside a longer word (Kyjiwan) is not the wrong rendering:
    the term is missing, an omission pointing at the paragraph's first line."""
    compiled = compile_all(load("""\
        entries:
          - term: Kyiv
            sources: {ru: [Киев]}
        """))
    source = read_document("source.txt", "Он поехал в Киев.".encode())
    translation = read_document("article.txt", b"The Kyjiwan road.\nThe trip was long.")
    pairing = Pairing(
        source, "ru", (((0, len(source.view)), (0, len(translation.view.rstrip()))),),
        (SourceHit(12, 16, 0, "ru", "Киев"),), {"Киев": "Kyjiw"},
    )
    found = check_document(
        translation, compiled, Settings(select=frozenset({"mistranslation", "omission"})), pairing
    )
    assert [(f.rule, f.text, f.offset, f.suggestion) for f in found] == [
        ("omission", "The Kyjiwan road.", 0, None)
    ]


def test_a_source_form_two_entries_share_names_both(load: Callable[[str], Glossary]) -> None:
    """The pairing needs every entry a source form names, not only the first."""
    compiled = compile_all(load("""\
        entries:
          - term: Moscow
            sources: {ru: [Москва]}
          - term: Moscow Oblast
            sources: {ru: [Москва]}
        """))
    document = read_document("a.txt", "Новости: Москва.".encode())
    from glossary_check.engine.matching import find_matches, tokenize
    from glossary_check.rules import Context

    tokens = tokenize(document.view)
    context = Context(document, compiled, tokens, find_matches(compiled.matcher, document.view,
                                                                tokens))
    assert sorted((h.entry, document.view[h.start : h.end]) for h in context.source_hits) == [
        (0, "Москва"), (1, "Москва")]

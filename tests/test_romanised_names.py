"""`inconsistent` across scripts: a name written in Cyrillic and in a Latin spelling that
neither the glossary nor the desk's transliteration gives."""

from __future__ import annotations

from collections.abc import Callable

from glossary_check.core.findings import Finding
from glossary_check.rules.pipeline import Settings

ONLY = Settings(select=frozenset({"inconsistent"}))
GLOSSARY = """\
version: 1
transliteration: {ru: bgn-pcgn, uk: national-2010}
entries:
  - term: Kyiv
    sources: {ru: [Киев], uk: [Київ]}
"""


def test_latin_spelling_that_disagrees_with_the_transliteration(
    check: Callable[..., list[Finding]],
) -> None:
    text = "Мэр Москвы Сергей Собянин заявил.\n\nMayor Sobianin said that Sobianin would stay.\n"
    found = check(GLOSSARY, text, ONLY)
    assert [(f.text, f.suggestion) for f in found] == [("Sobianin", "Sobyanin")] * 2
    assert "Собянин" in found[0].message


def test_an_inflected_cyrillic_name_is_compared_in_its_dictionary_form(
    check: Callable[..., list[Finding]],
) -> None:
    found = check(GLOSSARY, "Заявление Собянина.\n\nSobianin spoke.\n", ONLY)
    assert [(f.text, f.suggestion) for f in found] == [("Sobianin", "Sobyanin")]


def test_the_desks_system_decides(check: Callable[..., list[Finding]]) -> None:
    """Щербухи fits Russian and Ukrainian alike: either system's rendering agrees with it.
    Борщагівка is Ukrainian (і): the national system's Borshchahivka is the suggestion."""
    assert check(GLOSSARY, "Село Щербухи.\n\nThe village of Shcherbukhy.\n", ONLY) == []
    assert check(GLOSSARY, "Село Щербухи.\n\nThe village of Shcherbukhi.\n", ONLY) == []
    differs = check(GLOSSARY, "Борщагівка.\n\nIn Borshchagivka today.\n", ONLY)
    assert [(f.text, f.suggestion) for f in differs] == [("Borshchagivka", "Borshchahivka")]


def test_names_the_glossary_explains_and_unrelated_names_are_left_alone(
    check: Callable[..., list[Finding]],
) -> None:
    text = "Встреча в Киеве с Собяниным.\n\nTalks in Kyiv with Peskov.\n"
    assert check(GLOSSARY, text, ONLY) == []

"""The mixed-script rule reads Unicode's confusables from confusable_homoglyphs' data itself
(without importing the package, whose downloader brings urllib, http and email): its
look-alikes must be the package's own, for every character the data lists."""

from __future__ import annotations

import pytest

from conftest import python_output
from glossary_check.rules import mixed_script


def _by_the_package(ch: str, script: str) -> str | None:
    for glyph in mixed_script._homoglyphs_by_the_package(ch, script):
        if len(glyph["c"]) == 1 and glyph["n"].startswith(script.upper() + " "):
            return glyph["c"]
    return None


@pytest.mark.parametrize("script", ["Latin", "Cyrillic", "Greek"])
def test_lookalikes_are_the_packages(script: str) -> None:
    from confusable_homoglyphs import confusables

    listed = list(confusables.confusables_data)
    chars = [*listed[:: 1 if script == "Latin" else 7], *map(chr, range(0x20, 0x3000, 37)),
             "\U0001d400", "\ud800", '"', "\\", ": ["]
    for ch in chars:
        assert mixed_script.lookalike.__wrapped__(ch, script) == _by_the_package(ch, script), ch


def test_a_mixed_word_is_fixed_without_the_package() -> None:
    code = ("import sys; from glossary_check.rules.mixed_script import lookalike; "
            "print(lookalike('\\u0443', 'Latin'), lookalike('y', 'Cyrillic'), "
            "'confusable_homoglyphs' in sys.modules, 'urllib.request' in sys.modules)")
    assert python_output(code).split() == ["y", "у", "False", "False"]


def test_data_read_otherwise_falls_back_on_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFUSABLE_DATA", "/nonexistent")
    for cached in (mixed_script._ranges, mixed_script._confusables, mixed_script._all):
        cached.cache_clear()
    try:
        with pytest.raises(OSError):
            mixed_script._homoglyphs("\u0443", "LATIN")
    finally:
        for cached in (mixed_script._ranges, mixed_script._confusables, mixed_script._all):
            cached.cache_clear()

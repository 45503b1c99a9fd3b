"""`mixed-script`: its documented examples, flagged and not; every mixed word, whatever
its letters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import regex
from rule_examples import check_examples

from glossary_check.core.findings import Finding
from glossary_check.engine.matching import tokenize
from glossary_check.rules.mixed_script import scripts_of
from glossary_check.rules.pipeline import Settings

ONLY = Settings(select=frozenset({"mixed-script"}))


def test_documented_examples(tmp_path: Path) -> None:
    check_examples("mixed-script", tmp_path)


def test_every_word_of_two_scripts_is_flagged_once_each_time(
    check: Callable[..., list[Finding]],
) -> None:
    """Words repeat (the answer for a word is kept): each occurrence of a mixed word is
    flagged, and none of a word in one script, ASCII, accented, combining or not."""
    text = ("K\u0443iv and Kyiv, K\u0443iv again; Ки\u0457в, Київ, Αθήνα, Aθήνα, Ереван, "
            "Երևան, Eրևան, Nguyễn, Tbilisi, თბილისი, Tბილისი, Zelens\u0301kyi, "
            "Зеленськ\u0443i, 2025, Ки\u0457в.\n")
    expected = [t.text for t in tokenize(text)
                if regex.search(r"[^\x00-\x7f]", t.text) and len(scripts_of(t.text)) >= 2]
    assert len(expected) == 6
    assert [f.text for f in check("version: 1\nentries: []\n", text, ONLY)] == expected

"""`number`: its documented examples, flagged and not."""

from __future__ import annotations

from pathlib import Path

from rule_examples import check_examples


def test_documented_examples(tmp_path: Path) -> None:
    check_examples("number", tmp_path)

"""Precision on real text: bench/real_text.py's measurement against its committed judgements.

The corpus (ntrex-dev) sits beside the clone in ../shared; without it the corpus tests
skip. The bench's own bookkeeping (words, judgement keys, the comparison) is tested on
made-up findings, corpus or not.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "real_text.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_text", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_text"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


rt = _load_bench()
CORPUS = rt.DEFAULT_CORPUS


# --- the measurement on the corpus ----------------------------------------------------------

@pytest.fixture(scope="module")
def measured() -> tuple[object, object]:
    if not (CORPUS / "en").is_dir():
        pytest.skip(f"the ntrex-dev corpus is not at {CORPUS} (a copy of shared/ beside the clone)")
    m = rt.measure(CORPUS)
    return m, rt.compare(m, rt.load_judgements())


@pytest.mark.slow
def test_every_finding_on_real_text_has_been_judged(measured: tuple[object, object]) -> None:
    m, c = measured
    assert m.words > 20_000 and m.pair_counts == {"ru": m.files, "uk": m.files}
    unjudged = [s.show() for s in [*c.unjudged, *c.pending]]
    assert unjudged == [], "judge them: python bench/real_text.py --write-unjudged"


@pytest.mark.slow
def test_false_alarms_in_english_stay_under_the_target(measured: tuple[object, object]) -> None:
    _, c = measured
    assert c.false_per_10k <= rt.MAX_FALSE_PER_10K, [s.show() for s in c.false_english]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ru", "uk"])
def test_false_mistranslations_stay_under_the_target(
    measured: tuple[object, object], language: str
) -> None:
    _, c = measured
    assert c.false_pair_share[language] <= rt.MAX_FALSE_PAIR_SHARE, [
        s.show() for s in c.false_pairs[language]
    ]


@pytest.mark.slow
def test_typography_and_number_stay_within_their_budget(measured: tuple[object, object]) -> None:
    m, c = measured
    assert any(s.rule == "typography" for s in m.english), "typography found nothing to judge"
    assert c.typography_number_per_10k <= rt.MAX_FALSE_TYPOGRAPHY_NUMBER_PER_10K, [
        s.show() for s in [*c.false_typography, *c.false_number]]


# --- the bench's bookkeeping ----------------------------------------------------------------

def test_words_are_runs_of_letters_and_digits_joined_by_inner_apostrophes_and_hyphens() -> None:
    assert rt.count_words("Ivano-Frankivsk isn't far — 10,000 km, they said.") == 8
    assert rt.count_words("Зеленський прибув до Києва.") == 4
    assert rt.count_words(" -- ' ") == 0


def _seen(line: int, rule: str = "variant", language: str | None = None) -> object:
    return rt.Seen("en/a.txt", line, 1, rule, "Kiev", "'Kiev' is a variant", language)


def _judged(*items: tuple[object, object]) -> dict[object, dict[str, object]]:
    return {s.key: {"verdict": v} for s, v in items}


def test_false_verdicts_count_per_10k_words_and_per_pair() -> None:
    m = rt.Measurement(files=2, words=20_000)
    true_en, false_en, unjudged = _seen(1), _seen(2), _seen(3)
    m.english = [true_en, false_en, unjudged]
    ru = _seen(4, "mistranslation", "ru")
    m.pairs = {"ru": [ru], "uk": []}
    m.pair_counts = {"ru": 2, "uk": 2}
    gone = _seen(9)
    c = rt.compare(m, _judged((true_en, True), (false_en, False), (ru, False), (gone, True)))
    assert c.false_english == [false_en]
    assert c.false_per_10k == pytest.approx(0.5)
    assert c.false_pair_share == {"ru": 0.5, "uk": 0.0}
    assert c.unjudged == [unjudged]
    assert c.stale == [gone.key]
    assert any("not judged" in f for f in c.failures)
    assert any("ru->en" in f for f in c.failures)
    assert not any("per 10,000" in f for f in c.failures)  # 0.5 is the target, not over it


def test_false_typography_counts_with_false_number_against_their_own_budget() -> None:
    m = rt.Measurement(files=1, words=10_000)
    typo_true, typo_false = _seen(1, "typography"), _seen(2, "typography")
    m.english = [typo_true, typo_false]
    number = _seen(3, "number", "uk")
    m.pairs = {"ru": [], "uk": [number]}
    m.pair_counts = {"ru": 1, "uk": 1}
    c = rt.compare(m, _judged((typo_true, True), (typo_false, False), (number, False)))
    assert c.false_typography == [typo_false] and c.false_number == [number]
    assert c.typography_number_per_10k == pytest.approx(2.0)
    assert any("typography and number" in f for f in c.failures)


def test_the_same_finding_in_two_languages_or_columns_is_two_judgements() -> None:
    assert _seen(1).key != _seen(1, language="ru").key
    other_column = rt.Seen("en/a.txt", 1, 30, "variant", "Kiev", "", None)
    assert _seen(1).key != other_column.key


def test_written_judgements_read_back_and_unjudged_ones_are_null(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    a, b = _seen(2), _seen(1, "mistranslation", "uk")
    rt.write_judgements(path, [rt._entry(a), {**rt._entry(b), "verdict": False, "reason": "r"}])
    judged = rt.load_judgements(path)
    assert judged[a.key]["verdict"] is None
    assert judged[b.key]["verdict"] is False and judged[b.key]["reason"] == "r"
    c = rt.compare(rt.Measurement(files=1, words=100, english=[a]), judged)
    assert c.pending == [a] and c.unjudged == []


def test_a_finding_judged_twice_or_a_bad_verdict_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    entry = rt._entry(_seen(1))
    rt.write_judgements(path, [entry, entry])
    with pytest.raises(ValueError, match="judged twice"):
        rt.load_judgements(path)
    rt.write_judgements(path, [{**entry, "verdict": "maybe"}])
    with pytest.raises(ValueError, match="verdict must be"):
        rt.load_judgements(path)


def test_the_corpus_is_found_beside_the_main_clone_of_a_linked_worktree(tmp_path: Path) -> None:
    main, linked = tmp_path / "main", tmp_path / "wt" / "branch"
    (main / ".git" / "worktrees" / "branch").mkdir(parents=True)
    (main / ".git" / "worktrees" / "branch" / "commondir").write_text("../..\n")
    linked.mkdir(parents=True)
    (linked / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'branch'}\n")
    assert rt.default_corpus(linked) == tmp_path / "shared" / "corpus" / "ntrex-dev"
    assert rt.default_corpus(main) == tmp_path / "shared" / "corpus" / "ntrex-dev"

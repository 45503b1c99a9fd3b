"""The translation cache: hits across runs, model identity, bounds, concurrent processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from glossary_check.cache.translations import (
    CachedTranslator,
    TranslationCache,
    default_cache_dir,
    default_cache_path,
)
from glossary_check.translate import IdentifiedTranslator, Translator


class CountingTranslator:
    """Upper-cases text; counts every text it is asked to translate."""

    def __init__(self, model: str = "m1") -> None:
        self.model = model
        self.calls: list[list[str]] = []

    def pairs(self) -> set[tuple[str, str]]:
        return {("ru", "en")}

    def model_id(self, source: str, target: str) -> str | None:
        return self.model if (source, target) in self.pairs() else None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        self.calls.append(list(texts))
        if (source, target) not in self.pairs():
            return [None] * len(texts)
        return [t.upper() for t in texts]


def test_protocols_are_satisfied() -> None:
    inner = CountingTranslator()
    assert isinstance(inner, IdentifiedTranslator)
    assert isinstance(CachedTranslator(inner, TranslationCache(Path("unused"))), Translator)


def test_second_run_makes_no_model_call(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    texts = ["мир", "новости", "мир", "экономика"]
    first = CountingTranslator()
    out1 = CachedTranslator(first, TranslationCache(path)).translate_batch(texts, "ru", "en")
    assert out1 == ["МИР", "НОВОСТИ", "МИР", "ЭКОНОМИКА"]
    assert first.calls == [["мир", "новости", "экономика"]]

    second = CountingTranslator()
    out2 = CachedTranslator(second, TranslationCache(path)).translate_batch(texts, "ru", "en")
    assert out2 == out1
    assert second.calls == []


def test_only_new_texts_are_translated(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache)
    translator.translate_batch(["a", "b"], "ru", "en")
    assert translator.translate_batch(["b", "c", "a"], "ru", "en") == ["B", "C", "A"]
    assert inner.calls == [["a", "b"], ["c"]]


def test_new_model_means_new_translations(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    CachedTranslator(CountingTranslator("m1"), TranslationCache(path)).translate_batch(
        ["a"], "ru", "en"
    )
    other = CountingTranslator("m2")
    CachedTranslator(other, TranslationCache(path)).translate_batch(["a"], "ru", "en")
    assert other.calls == [["a"]]


def test_pair_without_model_is_not_cached(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache)
    assert translator.translate_batch(["a", "b"], "de", "en") == [None, None]
    assert translator.translate_batch(["a"], "de", "en") == [None]
    assert len(inner.calls) == 2
    assert cache.stats().entries == 0


def test_bounded_by_entries_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3", max_entries=3)
    for text in ["a", "b", "c"]:
        cache.put_many("m", "ru", "en", {text: text.upper()})
    assert cache.get_many("m", "ru", "en", ["a"]) == {"a": "A"}  # "a" is now the most recent
    cache.put_many("m", "ru", "en", {"d": "D"})
    assert cache.stats().entries == 3
    assert set(cache.get_many("m", "ru", "en", ["a", "b", "c", "d"])) == {"a", "c", "d"}


def test_bounded_by_bytes(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3", max_bytes=100)
    for i in range(10):
        cache.put_many("m", "ru", "en", {f"{i}" * 10: "x" * 10})
    stats = cache.stats()
    assert stats.bytes <= 100
    assert stats.entries == 5
    assert cache.get_many("m", "ru", "en", ["9" * 10]) == {"9" * 10: "x" * 10}


def test_clear(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cache.put_many("m", "ru", "en", {"a": "A", "b": "B"})
    cache.clear()
    assert cache.stats().entries == 0
    assert cache.get_many("m", "ru", "en", ["a"]) == {}


def test_default_location_honours_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    assert default_cache_path().parent == tmp_path / "here"
    monkeypatch.delenv("GLOSSARY_CHECK_CACHE_DIR")
    assert "glossary-check" in str(default_cache_dir())


def test_unreadable_cache_falls_back_to_the_model(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    inner = CountingTranslator()
    translator = CachedTranslator(inner, TranslationCache(path))
    assert translator.translate_batch(["a"], "ru", "en") == ["A"]
    assert inner.calls == [["a"]]
    (notice,) = translator.notices
    assert notice.startswith(f"translation cache {path} unreadable") and "\n" not in notice


def test_cache_directory_that_cannot_be_made_falls_back_to_the_model(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    inner = CountingTranslator()
    translator = CachedTranslator(inner, TranslationCache(blocker / "cache" / "c.sqlite3"))
    assert translator.translate_batch(["a", "b"], "ru", "en") == ["A", "B"]
    assert inner.calls == [["a", "b"]]
    (notice,) = translator.notices
    assert notice.startswith("translation cache") and "\n" not in notice


def _worker(path: str, worker: int, rounds: int) -> int:
    cache = TranslationCache(Path(path), max_entries=150)
    inner = CountingTranslator()
    translator = CachedTranslator(inner, cache)
    for r in range(rounds):
        texts = [f"w{worker}-r{r}-{i}" for i in range(20)] + [f"shared-{i}" for i in range(20)]
        out = translator.translate_batch(texts, "ru", "en")
        assert out == [t.upper() for t in texts]
    cache.close()
    return sum(len(c) for c in inner.calls)


def test_concurrent_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        counts = pool.starmap(_worker, [(str(path), w, 15) for w in range(4)])
    assert all(c > 0 for c in counts)
    cache = TranslationCache(path, max_entries=150)
    assert 0 < cache.stats().entries <= 150
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)

"""Paragraph alignment for `--source`: one to one when counts agree; otherwise the
machine translation of each source paragraph decides where it goes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from glossary_check.documents import read_document
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.align import align, overlap, pair_documents, paragraphs


class Recording:
    """A translator that knows a few sentences and remembers what it was asked."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.asked: list[list[str]] = []

    def pairs(self) -> set[tuple[str, str]]:
        return {("ru", "en")}

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        self.asked.append(list(texts))
        return [self.known.get(t) for t in texts]


def test_equal_counts_pair_one_to_one_without_scoring() -> None:
    def never(a: Sequence[int], b: Sequence[int]) -> float:
        raise AssertionError("no scoring when counts agree")

    assert align(3, 3, never) == [([0], [0]), ([1], [1]), ([2], [2])]


def test_the_programme_merges_and_skips_where_similarity_says() -> None:
    score = {((0,), (0, 1)): 1.0, ((1,), (2,)): 1.0}
    result = align(2, 3, lambda a, b: score.get((tuple(a), tuple(b)), 0.0))
    assert result == [([0], [0, 1]), ([1], [2])]


def test_overlap_is_symmetric_and_bounded() -> None:
    assert overlap("The world waits.", "the world waits") == 1.0
    assert overlap("a b c", "x y z") == 0.0
    assert overlap("a b c d", "a b") == overlap("a b", "a b c d")


def test_the_model_places_source_paragraphs_when_counts_differ(tmp_path: Path) -> None:
    glossary = tmp_path / "g.yaml"
    glossary.write_text("version: 1\nentries:\n  - term: Kyiv\n", encoding="utf-8")
    compiled = compile_all(load_glossary(glossary))
    source = read_document("s.txt", "Мир ждёт новостей.\n\nЭкономика растёт.\n".encode())
    # Without a model, lengths pair the extra first paragraph with the first source one;
    # only the translations say where the source paragraphs went.
    translation = read_document("t.txt", (
        b"Note: this was updated today.\n\n"
        b"The world is waiting for news.\n\n"
        b"The economy is growing.\n"))
    model = Recording({"Мир ждёт новостей.": "The world is waiting for news.",
                       "Экономика растёт.": "The economy is growing."})
    pairing = pair_documents(source, translation, compiled, model, "ru")
    assert model.asked == [["Мир ждёт новостей.", "Экономика растёт."]]
    src, tgt = paragraphs(source.view), paragraphs(translation.view)
    assert pairing.links == ((src[0], tgt[1]), (src[1], tgt[2]))

"""The morphology index built lazily finds exactly what the whole index finds.

Only the forms a document's words can reach are analysed (`morphology.FormKeys`); the
source hits, exact and inflected, judged, must be the same as with every form analysed,
on real text (the bundled glossary, SpellingUkraine included, on NTREX's Russian and
Ukrainian articles) and on a generated glossary whose names the dictionary does not know.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from conftest import REPO, python_output
from glossary_check.documents import read_document
from glossary_check.engine import morphology
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import Glossary, load_glossary
from glossary_check.engine.matching import find_matches, tokenize
from glossary_check.rules import Context


def _corpus() -> Path:
    """Where bench/real_text.py finds ntrex-dev: ../shared beside the clone (or its main one)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("real_text", REPO / "bench" / "real_text.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("real_text", module)
    spec.loader.exec_module(module)
    corpus: Path = module.DEFAULT_CORPUS
    return corpus


CORPUS = _corpus()


def _hits(compiled: Compiled, text: str) -> list[morphology.SourceHit]:
    document = read_document("article.txt", text.encode("utf-8"))
    tokens = tokenize(document.view)
    ctx = Context(document, compiled, tokens, find_matches(compiled.matcher, document.view,
                                                           tokens))
    return ctx.source_hits


def _pair(glossary_path: Path) -> tuple[Compiled, Compiled]:
    """The same glossary compiled twice: one with the whole index, one lazy."""
    glossary = load_glossary(glossary_path)
    eager = compile_all(glossary)
    eager.sources = morphology.build_source_index(glossary)
    return eager, compile_all(glossary)


def _form_keys(glossary_path: Path, text: str) -> tuple[Glossary, morphology.FormKeys]:
    """The glossary written with `text` and the keys of its source forms, for lazy indexes a
    test makes itself."""
    glossary_path.write_text(text, encoding="utf-8")
    glossary = load_glossary(glossary_path)
    return glossary, morphology.build_form_keys(glossary)


def _compare(eager: Compiled, lazy: Compiled, texts: list[str]) -> int:
    found = 0
    for text in texts:
        expected = _hits(eager, text)
        assert _hits(lazy, text) == expected
        found += len(expected)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the NTREX corpus is not beside the clone")
def test_the_bundled_glossary_on_real_russian_and_ukrainian(
    bundled: Compiled,
) -> None:
    from glossary_check.workflow.files import bundled_glossary

    eager, lazy = _pair(bundled_glossary())
    texts = [p.read_text(encoding="utf-8-sig")
             for lang in ("ru", "uk") for p in sorted((CORPUS / lang).glob("*.txt"))]
    assert len(texts) > 100
    assert _compare(eager, lazy, texts) > 100, "the texts name entries to compare"
    assert isinstance(lazy.sources, morphology.LazySourceIndex)
    analysed = len(lazy.sources.patterns)
    total = len(eager.sources.patterns)
    assert 0 < analysed < total, "the lazy index analysed only part of the forms"


_SYLLABLES = ["ва", "ко", "ри", "шен", "да", "лю", "мир", "ост", "чук", "ен", "ко", "ль",
              "ов", "ий", "ая", "ин", "ка", "ра", "ся", "но", "ев", "ич", "на", "ды"]
_ENDINGS = {"ru": ["а", "ой", "е", "у", "ом", "ы", "ам", "ах", "ого", "ому"],
            "uk": ["а", "ої", "і", "у", "ом", "и", "ам", "ах", "ого", "ому", "ові"]}


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))).capitalize()


def test_a_generated_glossary_of_unknown_and_short_names(tmp_path: Path) -> None:
    """Names of one to four syllables the dictionary mostly does not know, and some it does
    (plurals whose lemma starts otherwise, Люди, Сны), inflected in text."""
    rng = random.Random(13)
    known = ["Люди", "Дети", "Сны", "Львы", "Орлы", "Дни", "Генеральний", "Яни", "Новая",
             "Объединённые", "Сумы", "Лев", "Рот"]
    names = sorted({_word(rng) for _ in range(500)} | set(known))
    lines = ["version: 1", "entries:"]
    for i, name in enumerate(names):
        second = _word(rng) if i % 3 == 0 else None
        ru = f"{name} {second}" if second else name
        lines += [f"  - term: Entry{i}", "    kind: " + ("person" if second else "place"),
                  "    sources:", f"      ru: [{ru}]", f"      uk: [{name}]"]
    path = tmp_path / "generated.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    eager, lazy = _pair(path)
    texts = []
    for _ in range(40):
        words = []
        for _ in range(60):
            name = rng.choice(names)
            stem = name[:-1] if name[-1] in "аяыийо" and len(name) > 3 else name
            lang = rng.choice(["ru", "uk"])
            roll = rng.random()
            words.append(name if roll < 0.3 else stem + rng.choice(_ENDINGS[lang])
                         if roll < 0.8 else rng.choice(["в", "и", "на", "людей", "детей",
                                                        "человека", "снов", "львов", "дня"]))
        texts.append(" ".join(words) + ".")
    assert _compare(eager, lazy, texts) > 200
    # a spawned worker gets the index pickled: with what it has analysed, and able to go on
    import pickle

    assert isinstance(lazy.sources, morphology.LazySourceIndex)
    copy = pickle.loads(pickle.dumps(lazy.sources))
    assert copy.patterns == lazy.sources.patterns
    fresh = compile_all(lazy.glossary)
    fresh.sources = copy
    more = [" ".join(rng.choice(names) + "ами" for _ in range(30)) for _ in range(5)]
    assert [_hits(fresh, t) for t in more] == [_hits(eager, t) for t in more]


def test_dictionary_forms_are_the_same_in_every_process() -> None:
    """Readings that score alike are chosen in a fixed order, not in a set's (string hashes,
    and so a set's order, differ between processes: workers would disagree)."""
    import os

    code = ("from glossary_check.engine.morphology import dictionary_forms; "
            "print(dictionary_forms(['Петрі', 'Хомишином'], 'uk'), "
            "dictionary_forms(['Києві'], 'uk'), dictionary_forms(['Гейгера'], 'uk'), "
            "dictionary_forms(['Хорошего', 'Новгорода'], 'ru'))")
    seen = set()
    for seed in range(4):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        seen.add(python_output(code, env=env))
    assert len(seen) == 1, seen


_FIRST = {"ru": ["Андрей", "Виталий", "Мария", "Артём", "Юлия", "Пётр"],
          "uk": ["Андрій", "Віталій", "Марія", "Ґрета", "Юлія", "Петро"]}
_FIXED = [
    # (ru, uk, kind): ё/е, ґ/г, stress marks, fixed and unknown words, abbreviations,
    # adjectival places, three-word names, a second word the dictionary has as fixed
    ("Виталий Кличко", "Віталій Кличко", "person"),
    ("Артём Королёв", "Артем Корольов", "person"),
    ("Зеле\u0301нский", "Зеле\u0301нський", "person"),
    ("Мария Владимировна Захарова", "Марія Володимирівна Захарова", "person"),
    ("Георгий Гонгадзе", "Георгій Ґонґадзе", "person"),
    ("Андрей Руцачук", "Андрій Руцачук", "person"),
    ("Роберт Фицо", "Роберт Фіцо", "person"),
    ("Новая газета Европа", "Нова газета Європа", "publication"),
    ("Монд", "Монд", "publication"),
    ("ТАСС", "ТАСС", "organization"),
    ("МИД России", "МЗС України", "organization"),
    ("Белое", "Біле", "place"),
    ("Южное", "Південне", "place"),
    ("Нижний Новгород", "Нижній Новгород", "place"),
    ("Кривой Рог", "Кривий Ріг", "place"),
    ("Ростов-на-Дону", "Ростов-на-Дону", "place"),
    ("Белый дом", "Білий дім", "place"),
    ("Люди", "Люди", "other"),
    ("Объединённые Арабские Эмираты", "Об'єднані Арабські Емірати", "place"),
    ("Le Monde", "Le Monde", "publication"),
]
_CASES_OF = ("nomn", "gent", "datv", "accs", "ablt", "loct")


def _inflected(word: str, language: str, case: str, rng: random.Random) -> str:
    """The word in `case` where the dictionary can say, else with a likely ending."""
    morph = morphology.analyzer(language)
    assert morph is not None
    for p in morph.parse(morphology.spelling(word)):
        if p.tag.case == "nomn":
            done = p.inflect({case})
            if done is not None:
                out = str(done.word)
                return out.upper() if word.isupper() else (
                    out[:1].upper() + out[1:] if word[:1].isupper() else out)
            break
    if case == "nomn" or not word[-1:].isalpha() or word.isupper():
        return word
    stem = word[:-1] if word[-1] in "аяыийоеь" and len(word) > 3 else word
    return stem + rng.choice(_ENDINGS[language])


def test_a_start_short_names_share_brings_in_only_the_names_a_text_has(tmp_path: Path) -> None:
    """A name of five letters the dictionary does not know is keyed by its first letter
    alone: every document word that starts so reaches it. Its forms are analysed only where
    a document word is, whole, the name or a lemma the analyser reads it as."""
    names = ["Хеичи", "Химяк", "Хюлов", "Хачук", "Хелук", "Хояк", "Хаица", "Хавов", "Хирск",
             "Хяков", "Хашка", "Хочук", "Хулик", "Хемов", "Хыряк"]
    lines = ["version: 1", "entries:"]
    for i, name in enumerate(names):
        lines += [f"  - term: Place{i}", "    kind: place", "    sources:", f"      ru: [{name}]"]
    path = tmp_path / "short.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    eager, lazy = _pair(path)
    texts = ["Хорошо, что в Химяке тихо, а в Хюлове холодно.", "Хор пел о Хачуке."]
    assert _compare(eager, lazy, texts) == 3
    assert isinstance(lazy.sources, morphology.LazySourceIndex)
    analysed = sorted(p.form for p in lazy.sources.patterns.values())
    assert analysed == ["Хачук", "Химяк", "Хюлов"]


def test_forms_of_several_words_are_analysed_once_both_words_are_reached(
        tmp_path: Path) -> None:
    """Hundreds of people share a few first names: a form of several words is analysed only
    once a document has words that reach both its first and its second word, and the hits,
    in every case, are those of the whole index, in the same order (Cyrillic names with ё and
    ґ, stress marks, fixed words, abbreviations, adjectival places, three-word names, a
    second word fixed or unknown to the dictionary)."""
    rng = random.Random(29)
    surnames = sorted({_word(rng) for _ in range(400)})
    lines = ["version: 1", "entries:"]
    rows: list[tuple[str, str, str]] = list(_FIXED)
    for i, surname in enumerate(surnames):
        k = i % len(_FIRST["ru"])
        rows.append((f"{_FIRST['ru'][k]} {surname}", f"{_FIRST['uk'][k]} {surname}", "person"))
        if i % 4 == 0:
            rows.append((surname, surname, "place"))
    for i, (ru, uk, kind) in enumerate(rows):
        lines += [f"  - term: Entry{i}", f"    kind: {kind}", "    sources:",
                  f"      ru: [\"{ru}\"]", f"      uk: [\"{uk}\"]"]
    path = tmp_path / "people.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    eager, lazy = _pair(path)
    fillers = ["в", "и", "с", "на", "сказал", "заявила", "людей", "белого", "дома", "вера",
               "Слава", "Андрею", "Марии", "Петра", "Юлии", "коло", "рука", "сьогодні", "білого"]
    texts = []
    for _ in range(30):
        words = []
        for _ in range(25):
            ru, uk, _kind = rng.choice(rows[: len(_FIXED)] if rng.random() < 0.5 else rows)
            language = rng.choice(["ru", "uk"])
            form = ru if language == "ru" else uk
            case = rng.choice(_CASES_OF)
            parts = form.split(" ")
            if rng.random() < 0.3:  # written in full, ё, ґ and stress as the glossary has them
                words.append(form)
            else:
                words.append(" ".join(_inflected(p, language, case, rng) for p in parts))
            words.append(rng.choice(fillers))
        texts.append(" ".join(words).replace("ё", "е" if rng.random() < 0.5 else "ё") + ".")
    assert _compare(eager, lazy, texts) > 300
    assert isinstance(lazy.sources, morphology.LazySourceIndex)

    # one person of a shared first name brings in that person's forms, not the others'
    few = compile_all(eager.glossary)
    name = f"{_FIRST['uk'][0]} {surnames[0]}"
    assert _hits(few, f"Зустріч з {name}.") == _hits(eager, f"Зустріч з {name}.")
    assert isinstance(few.sources, morphology.LazySourceIndex)
    sharing = sum(1 for ru, _, _ in rows if ru.startswith(_FIRST["ru"][0] + " "))
    analysed = [p.form for p in few.sources.patterns.values()
                if p.form.startswith((_FIRST["ru"][0] + " ", _FIRST["uk"][0] + " "))]
    assert name in analysed
    assert len(analysed) < sharing / 4, analysed


def test_what_indexes_analysed_apart_is_taken_in_whole_and_never_analysed_again(
        tmp_path: Path) -> None:
    """Two runs over different texts keep what they analysed; an index that takes in both
    (a later run, or a parallel run's parent) analyses nothing more for either text, yet
    finds what the whole index finds, a name whose first word one text reached and whose
    second the other did included (analysed as the two are taken in)."""
    path = tmp_path / "people.yaml"
    path.write_text("version: 1\nentries:\n" + "".join(
        f"  - term: Person{i}\n    kind: person\n    sources:\n      ru: [\"{first} {last}\"]\n"
        for i, (first, last) in enumerate(
            [("Андрей", "Березин"), ("Андрей", "Соколов"), ("Мария", "Березина"),
             ("Мария", "Соколова")])) + "  - term: Kyiv\n    kind: place\n"
        "    sources:\n      ru: [Киев]\n  - term: Kharkiv\n    kind: place\n"
        "    sources:\n      ru: [Харьков]\n", encoding="utf-8")
    eager, _ = _pair(path)
    keys = morphology.build_form_keys(eager.glossary)
    one, other = "Андрея и Марию видели в Киеве.", "Соколову и Березину видели в Харькове."
    both = "Андрея Соколова видели, и Марию Березину."

    def run(index: morphology.LazySourceIndex, text: str) -> list[morphology.SourceHit]:
        tokens = tokenize(text)
        return morphology.find_source_forms(index, text, tokens, {})

    first = morphology.LazySourceIndex(keys, eager.glossary.entries)
    second = morphology.LazySourceIndex(keys, eager.glossary.entries)
    run(first, one)
    run(second, other)
    assert first.analysed and second.analysed
    # neither alone analysed a name: one reached first names, the other surnames
    assert {p.form for p in (*first.patterns.values(), *second.patterns.values())} == {
        "Киев", "Харьков"}
    later = morphology.LazySourceIndex(keys, eager.glossary.entries)
    later.absorb(first.kept(), new=False)
    later.absorb(second.kept(), new=False)
    assert later.analysed == 4  # the four names, as the two were taken in
    assert later.grew  # the four names are worth keeping: neither run had them
    for text in (one, other, both):
        expected = morphology.find_source_forms(eager.sources, text, tokenize(text), {})
        assert run(later, text) == expected
    assert later.analysed == 4, "a text both runs' words cover needs no new analysis"
    assert [h.form for h in run(later, both)] == ["Андрей Соколов", "Мария Березина"]

    # what a worker sends back is what it added since it last did
    worker = morphology.LazySourceIndex(keys, eager.glossary.entries)
    worker.absorb(first.kept(), new=False)
    assert worker.take() is None
    run(worker, other)
    sent = worker.take()
    assert sent is not None and worker.take() is None
    assert set(sent.numbers) == set(later.patterns) - set(first.patterns)
    parent = morphology.LazySourceIndex(keys, eager.glossary.entries)
    parent.absorb(first.kept(), new=False)
    parent.absorb(sent)
    assert parent.grew and set(parent.patterns) == set(later.patterns)


def test_kept_words_past_their_bound_start_afresh_and_the_forms_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache shared for months must not grow with every word ever checked: past the
    bound the document words, their analyses and the whole words and lemmas they reached
    are dropped, the analysed forms kept, and a later run finds the same hits without
    analysing a form again."""
    glossary, keys = _form_keys(
        tmp_path / "places.yaml", "version: 1\nentries:\n  - term: Kyiv\n    kind: place\n"
        "    sources:\n      ru: [Киев]\n  - term: Kharkiv\n    kind: place\n"
        "    sources:\n      ru: [Харьков]\n")
    text = "Его видели в Киеве и в Харькове."
    tokens = tokenize(text)
    first = morphology.LazySourceIndex(keys, glossary.entries)
    expected = morphology.find_source_forms(first, text, tokens, {})
    assert [h.form for h in expected] == ["Киев", "Харьков"]
    kept = first.kept()
    assert len(kept.words) > 1 and kept.analyses  # within the bound: all kept
    monkeypatch.setattr(morphology, "KEPT_WORDS", 1)
    bounded = first.kept()
    assert bounded.words == () and not bounded.analyses
    assert kept.done and bounded.done == ()
    assert bounded.numbers == kept.numbers
    later = morphology.LazySourceIndex(keys, glossary.entries)
    later.absorb(bounded, new=False)
    assert morphology.find_source_forms(later, text, tokens, {}) == expected
    assert later.analysed == 0


def test_words_that_are_not_kept_leave_no_keys_behind(tmp_path: Path) -> None:
    """A later run reaches a Latin word again (it is not kept), so the whole key it reached
    is not kept either: an English archive does not grow the cache word by word."""
    glossary, keys = _form_keys(
        tmp_path / "places.yaml", "version: 1\nentries:\n  - term: Le Monde\n"
        "    kind: publication\n    sources:\n      ru: [Le Monde]\n  - term: Kyiv\n"
        "    kind: place\n    sources:\n      ru: [Киев]\n")
    text = "Le Monde wrote that Kyiv, в Киеве, was calm."
    index = morphology.LazySourceIndex(keys, glossary.entries)
    found = morphology.find_source_forms(index, text, tokenize(text), {})
    assert [h.form for h in found] == ["Le Monde", "Киев"]
    kept = index.kept()
    assert kept.done and all(not key.isascii() for key in kept.done), kept.done
    later = morphology.LazySourceIndex(keys, glossary.entries)
    later.absorb(kept, new=False)
    assert morphology.find_source_forms(later, text, tokenize(text), {}) == found
    assert later.analysed == 0


def test_kept_analyses_of_other_forms_are_refused_whole(tmp_path: Path) -> None:
    """An analysis filed under another form's number (a forged or stale cache file), or a
    number past the glossary's forms, is a ValueError and nothing of it is taken in."""
    path = tmp_path / "g.yaml"
    path.write_text("version: 1\nentries:\n  - term: Kyiv\n    sources:\n      ru: [Киев]\n"
                    "  - term: Kharkiv\n    sources:\n      ru: [Харьков]\n", encoding="utf-8")
    glossary = load_glossary(path)
    keys = morphology.build_form_keys(glossary)
    index = morphology.LazySourceIndex(keys, glossary.entries)
    morphology.find_source_forms(index, "В Киеве и Харькове.", tokenize("В Киеве и Харькове."), {})
    kept = index.kept()
    assert kept.numbers == (0, 1)
    swapped = dataclasses.replace(kept, patterns=kept.patterns[::-1])
    past = dataclasses.replace(kept, firsts=(7,))
    for bad in (swapped, past, dataclasses.replace(kept, fingerprint="other")):
        fresh = morphology.LazySourceIndex(keys, glossary.entries)
        with pytest.raises(ValueError):
            fresh.absorb(bad)
        assert not fresh.patterns and not fresh.grew

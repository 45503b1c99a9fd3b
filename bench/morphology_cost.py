"""Cost of inflected source-form matching: index build and seconds per MB of Cyrillic text.

    python bench/morphology_cost.py                      # 1 MB, the SpellingUkraine glossary
    python bench/morphology_cost.py --mb 4 --glossary glossary/newsroom.yaml

The text is generated from the analysers' own dictionaries (seeded): paragraphs of
Russian and Ukrainian word forms drawn with Zipf-like frequencies, sentences capitalised,
one word in twelve a capitalised name-like word, one in a hundred an inflected glossary
name. It is not prose, but its vocabulary grows with its length the way news text does,
which is what the per-run cache of analyses depends on.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from glossary_check.engine import morphology  # noqa: E402
from glossary_check.engine.glossary import load_glossary  # noqa: E402
from glossary_check.engine.matching import tokenize  # noqa: E402

NAMES = {
    "ru": ["Киеве", "Киева", "Зеленского", "Харькове", "Одессы", "Кличко", "Львова",
           "Владимира Зеленского", "Виталия Кличко", "Днепре", "Украины", "Москве"],
    "uk": ["Києві", "Києва", "Зеленського", "Харкові", "Одеси", "Кличка", "Львові",
           "Володимира Зеленського", "Віталія Кличка", "Дніпрі", "України", "Москві"],
}
ALPHABET = {"ru": "абвгдежзиклмнопрстуфхцчшэюя", "uk": "абвгдежзиіклмнопрстуфхцчшюяє"}


def vocabulary(language: str, size: int, rng: random.Random) -> list[str]:
    """Word forms from the analyser's dictionary: a few from each of many random prefixes."""
    morph = morphology.analyzer(language)
    letters = ALPHABET[language]
    prefixes = [a + b + c for a in letters for b in letters for c in letters]
    rng.shuffle(prefixes)
    words: set[str] = set()
    for prefix in prefixes:
        words.update(w for w in islice(morph.dictionary.words.iterkeys(prefix), 40) if w.isalpha())
        if len(words) >= size:
            break
    return sorted(words)[:size]


def vocabularies(seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    vocab = {lang: vocabulary(lang, 40_000, rng) for lang in ("ru", "uk")}
    for words in vocab.values():
        rng.shuffle(words)
    return vocab


def generate(vocab: dict[str, list[str]], megabytes: float, seed: int, capitalised: bool) -> str:
    rng = random.Random(seed)
    weights = {lang: [1.0 / (rank + 1) for rank in range(len(words))]
               for lang, words in vocab.items()}
    target = int(megabytes * 1_000_000)
    paragraphs: list[str] = []
    size = 0
    while size < target:
        lang = rng.choice(("ru", "uk"))
        drawn = rng.choices(vocab[lang], weights[lang], k=rng.randint(60, 160))
        sentence: list[str] = []
        out: list[str] = []
        for i, word in enumerate(drawn):
            roll = rng.random()
            if roll < 0.01:
                word = rng.choice(NAMES[lang])
            elif roll < 0.09 or capitalised:
                word = word.capitalize()
            sentence.append(word.capitalize() if not sentence else word)
            if len(sentence) > rng.randint(8, 20) or i == len(drawn) - 1:
                out.append(" ".join(sentence) + ".")
                sentence = []
        paragraph = " ".join(out)
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(paragraphs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20250904)
    parser.add_argument("--glossary", default=str(ROOT / "glossary" / "spelling-ukraine.yaml"))
    args = parser.parse_args()

    start = time.perf_counter()
    morphology.analyzer("ru")
    morphology.analyzer("uk")
    print(f"analysers loaded (ru, uk):       {time.perf_counter() - start:6.2f} s")

    glossary = load_glossary(args.glossary)
    forms = sum(len(f) for e in glossary.entries for f in e.sources.values())
    start = time.perf_counter()
    index = morphology.build_source_index(glossary)
    built = time.perf_counter() - start
    print(f"index built: {len(glossary.entries)} entries, {forms} forms: {built:6.2f} s")
    blob = pickle.dumps(index)
    start = time.perf_counter()
    pickle.loads(blob)
    loaded = time.perf_counter() - start
    print(f"pickled index: {len(blob) / 1000:.0f} kB, loaded in {loaded:6.3f} s")

    vocab = vocabularies(args.seed)
    print("vocabulary: " + ", ".join(f"{lang} {len(words)} forms" for lang, words in vocab.items()))
    for capitalised in (False, True):
        text = generate(vocab, args.mb, args.seed, capitalised)
        megabytes = len(text.encode("utf-8")) / 1_000_000
        tokens = tokenize(text)
        cache: morphology.MorphCache = {}
        start = time.perf_counter()
        hits = morphology.find_source_forms(index, text, tokens, cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        morphology.find_source_forms(index, text, tokens, cache)
        warm = time.perf_counter() - start
        distinct = len({t.text for t in tokens})
        label = "every word capitalised" if capitalised else "news-like capitals"
        print(f"{label}: {megabytes:.2f} MB, {len(tokens)} words, {distinct} distinct, "
              f"{len(cache)} analysed, {len(hits)} hits")
        print(f"  first run {cold / megabytes:6.2f} s/MB; again with the run's cache "
              f"{warm / megabytes:6.2f} s/MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Precision of `glossary-check learn` on real text: NTREX-128's development half.

    python bench/learn_real.py                    # measure, compare with the judgements
    python bench/learn_real.py --write-unjudged   # append new name pairs with verdict null

The corpus's Russian and Ukrainian articles are read as a desk's originals and the English
ones as their translations (ru→en and uk→en, each an archive of its own, as a desk would
learn from). Every (language, name, rendering) pair of the proposals is a "name pair";
`learn_judgements.yaml` holds a person's verdict on each: `true` when the English is a
right rendering of that name (the dictionary form may be a little off: the pair is what is
judged), `false` when it renders something else. The target: precision at least 0.9 over
the pairs seen twice or more. Exit status 1 when it is missed or a pair is unjudged.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_text import DEFAULT_CORPUS

from glossary_check.workflow.learn import Learned, learn, read_english, read_pair

JUDGEMENTS = Path(__file__).resolve().parent / "learn_judgements.yaml"
LANGUAGES = ("ru", "uk")
#: The target: precision of the name pairs seen twice or more.
MIN_PRECISION = 0.9
SEEN = 2


@dataclass(frozen=True, slots=True)
class NamePair:
    language: str
    name: str
    rendering: str
    count: int

    @property
    def key(self) -> tuple[str, str, str]:
        return self.language, self.name, self.rendering


def learn_language(corpus: Path, language: str) -> Learned:
    pairs, english = [], []
    for original in sorted((corpus / language).iterdir()):
        translation = corpus / "en" / original.name
        data, translated = original.read_bytes(), translation.read_bytes()
        rel_o, rel_t = f"{language}/{original.name}", f"en/{original.name}"
        pairs.append(read_pair(rel_o, rel_t, data, translated, language))
        english.append(read_english(rel_t, translated))
    return learn(pairs, english=english)


def name_pairs(learned: Learned) -> list[NamePair]:
    out = []
    for proposal in learned.proposals:
        for name in proposal.names:
            for r in name.renderings:
                out.append(NamePair(name.language, name.name, r.text, r.count))
    return sorted(set(out), key=lambda p: (p.language, p.name, p.rendering))


def measure(corpus: Path = DEFAULT_CORPUS) -> list[NamePair]:
    found: list[NamePair] = []
    for language in LANGUAGES:
        found += name_pairs(learn_language(corpus, language))
    return found


def load_judgements(path: Path = JUDGEMENTS) -> dict[tuple[str, str, str], dict[str, Any]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return {(j["language"], j["name"], j["rendering"]): j for j in data.get("pairs", [])}


@dataclass(slots=True)
class Comparison:
    judged: int
    right: int
    wrong: list[NamePair]
    unjudged: list[NamePair]

    @property
    def precision(self) -> float:
        return self.right / self.judged if self.judged else 1.0


def compare(found: list[NamePair], judgements: dict[tuple[str, str, str], dict[str, Any]],
            seen: int = SEEN) -> Comparison:
    judged = right = 0
    wrong, unjudged = [], []
    for pair in found:
        if pair.count < seen:
            continue
        verdict = judgements.get(pair.key, {}).get("verdict")
        if verdict is None:
            unjudged.append(pair)
            continue
        judged += 1
        if verdict:
            right += 1
        else:
            wrong.append(pair)
    return Comparison(judged, right, wrong, unjudged)


def write_unjudged(found: list[NamePair], path: Path = JUDGEMENTS) -> int:
    judgements = load_judgements(path)
    new = [p for p in found if p.count >= SEEN and p.key not in judgements]
    rows = [dict(j) for j in judgements.values()]
    rows += [{"language": p.language, "name": p.name, "rendering": p.rendering,
              "count": p.count, "verdict": None, "reason": ""} for p in new]
    rows.sort(key=lambda r: (r["language"], r["name"], r["rendering"]))
    header = ("# Verdicts on the name pairs bench/learn_real.py finds on ntrex-dev (seen twice\n"
              "# or more): true = the English renders that name, false = it renders something\n"
              "# else. New pairs: python bench/learn_real.py --write-unjudged, then judge them.\n")
    path.write_text(header + yaml.safe_dump({"pairs": rows}, allow_unicode=True,
                                            sort_keys=False, width=100), "utf-8")
    return len(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--write-unjudged", action="store_true")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    found = measure(args.corpus)
    took = time.perf_counter() - began
    if args.write_unjudged:
        print(f"{write_unjudged(found)} new name pairs written to {JUDGEMENTS}")
    c = compare(found, load_judgements())
    print(f"{len(found)} name pairs ({sum(p.count >= SEEN for p in found)} seen twice or more) "
          f"in {took:.1f} s")
    print(f"precision (seen >= {SEEN}): {c.right}/{c.judged} = {c.precision:.3f} "
          f"(target {MIN_PRECISION})")
    keys = {p.key for p in found}
    gone = sorted(k for k in load_judgements() if k not in keys)
    if gone:
        print(f"{len(gone)} judged pairs no longer proposed (kept, as a record of what was "
              "fixed): " + ", ".join(f"{lang} {name} -> {r}" for lang, name, r in gone[:12])
              + (" ..." if len(gone) > 12 else ""))
    for p in c.wrong:
        print(f"  false: {p.language} {p.name} -> {p.rendering} ({p.count})")
    for p in c.unjudged:
        print(f"  unjudged: {p.language} {p.name} -> {p.rendering} ({p.count})")
    return 0 if c.precision >= MIN_PRECISION and not c.unjudged else 1


if __name__ == "__main__":
    sys.exit(main())

"""A generated archive for `glossary-check learn`: planted names, inflections, variants.

    python bench/learn_synthetic.py                 # 10,000 pairs, serial and on 2 workers
    python bench/learn_synthetic.py --pairs 500 --no-dask

Seeded. Each planted entry is a Russian name (a person's surname, a place) with its
English term and, for some, a variant rendering a share of the translations use. Each
article is a few paragraphs of Russian filler with names in inflected cases (genitive,
dative, instrumental, prepositional) and its English counterpart with the term or the
variant; some translations run two paragraphs into one, for the aligner. The run
measures recall (planted entries proposed with the right term, source and variant) and
precision (proposals that are planted entries), time and peak memory of reading and
linking, serial and on a local Dask cluster.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (nominative, genitive, dative, instrumental, prepositional, English term, variant or None)
PEOPLE = [
    ("Соболев", "Соболева", "Соболеву", "Соболевым", "Соболеве", "Sobolev", "Sobolyev"),
    ("Кузнецов", "Кузнецова", "Кузнецову", "Кузнецовым", "Кузнецове", "Kuznetsov", None),
    ("Миронов", "Миронова", "Миронову", "Мироновым", "Миронове", "Mironov", None),
    ("Белоусов", "Белоусова", "Белоусову", "Белоусовым", "Белоусове", "Belousov", "Belousow"),
    ("Голиков", "Голикова", "Голикову", "Голиковым", "Голикове", "Golikov", None),
    ("Шувалов", "Шувалова", "Шувалову", "Шуваловым", "Шувалове", "Shuvalov", "Chuvalov"),
    ("Лавров", "Лаврова", "Лаврову", "Лавровым", "Лаврове", "Lavrov", None),
    ("Володин", "Володина", "Володину", "Володиным", "Володине", "Volodin", None),
    ("Собянин", "Собянина", "Собянину", "Собяниным", "Собянине", "Sobyanin", "Sobianin"),
    ("Набиуллина", "Набиуллиной", "Набиуллиной", "Набиуллиной", "Набиуллиной", "Nabiullina",
     None),
    ("Матвиенко", "Матвиенко", "Матвиенко", "Матвиенко", "Матвиенко", "Matviyenko",
     "Matvienko"),
    ("Зеленский", "Зеленского", "Зеленскому", "Зеленским", "Зеленском", "Zelensky",
     "Zelenski"),
]
PLACES = [
    ("Воронеж", "Воронежа", "Воронежу", "Воронежем", "Воронеже", "Voronezh", None),
    ("Калуга", "Калуги", "Калуге", "Калугой", "Калуге", "Kaluga", None),
    ("Тверь", "Твери", "Твери", "Тверью", "Твери", "Tver", None),
    ("Самара", "Самары", "Самаре", "Самарой", "Самаре", "Samara", None),
    ("Ярославль", "Ярославля", "Ярославлю", "Ярославлем", "Ярославле", "Yaroslavl",
     "Jaroslavl"),
    ("Челябинск", "Челябинска", "Челябинску", "Челябинском", "Челябинске", "Chelyabinsk",
     "Tcheliabinsk"),
    ("Саратов", "Саратова", "Саратову", "Саратовым", "Саратове", "Saratov", None),
    ("Новосибирск", "Новосибирска", "Новосибирску", "Новосибирском", "Новосибирске",
     "Novosibirsk", None),
]
#: (Russian sentence with {gen} / {dat} / {ins} / {loc} / {nom}, English with {en})
PERSON_SENTENCES = [
    ("Встреча {gen} с министрами прошла в среду.", "The meeting of {en} with ministers took "
     "place on Wednesday."),
    ("Журналисты задали вопрос {dat} о бюджете.", "Reporters asked {en} about the budget."),
    ("Соглашение подписано {ins} вчера.", "The agreement was signed by {en} yesterday."),
    ("В статье о {loc} много ошибок.", "The article about {en} has many mistakes."),
    ("По словам {gen}, решение уже принято.", "According to {en}, the decision has been "
     "made."),
    ("Вчера {nom} выступил с заявлением.", "Yesterday {en} made a statement."),
]
PLACE_SENTENCES = [
    ("Делегация прибыла в {nom} утром.", "The delegation arrived in {en} in the morning."),
    ("Жители {gen} недовольны ценами.", "Residents of {en} are unhappy with prices."),
    ("В {loc} прошли выборы.", "Elections were held in {en}."),
    ("Дорога к {dat} закрыта на ремонт.", "The road to {en} is closed for repairs."),
]
FILLER = [
    ("Экономика растёт медленнее, чем ожидалось.", "The economy is growing more slowly than "
     "expected."),
    ("Цены на продукты выросли за месяц.", "Food prices rose over the month."),
    ("Погода в выходные будет тёплой.", "The weather will be warm at the weekend."),
]
VARIANT_SHARE = 0.3
#: Translations that run two of the original's paragraphs into one.
MERGED_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class Planted:
    name: str
    term: str
    variant: str | None
    kind: str


def planted() -> list[Planted]:
    return ([Planted(p[0], p[5], p[6], "person") for p in PEOPLE]
            + [Planted(p[0], p[5], p[6], "place") for p in PLACES])


def generate(out: Path, pairs: int, seed: int = 7) -> list[tuple[Path, Path]]:
    """`pairs` article pairs under out/ru and out/en; returns their paths."""
    rng = random.Random(seed)
    (out / "ru").mkdir(parents=True, exist_ok=True)
    (out / "en").mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(pairs):
        ru_paras, en_paras = [], []
        for _ in range(rng.randint(2, 4)):
            ru_sent, en_sent = [], []
            for _ in range(rng.randint(1, 3)):
                kind = rng.random()
                if kind < 0.45:
                    row = rng.choice(PEOPLE)
                    ru, en = rng.choice(PERSON_SENTENCES)
                elif kind < 0.8:
                    row = rng.choice(PLACES)
                    ru, en = rng.choice(PLACE_SENTENCES)
                else:
                    ru, en = rng.choice(FILLER)
                    ru_sent.append(ru)
                    en_sent.append(en)
                    continue
                rendering = row[6] if row[6] and rng.random() < VARIANT_SHARE else row[5]
                forms = dict(zip(("nom", "gen", "dat", "ins", "loc"), row[:5], strict=True))
                ru_sent.append(ru.format(**forms))
                en_sent.append(en.format(en=rendering))
            ru_paras.append(" ".join(ru_sent))
            en_paras.append(" ".join(en_sent))
        if len(en_paras) > 2 and rng.random() < MERGED_SHARE:  # the aligner's 2-1 case
            at = rng.randrange(len(en_paras) - 1)
            en_paras[at : at + 2] = [" ".join(en_paras[at : at + 2])]
        name = f"{n:06d}.txt"
        ru_path, en_path = out / "ru" / name, out / "en" / name
        ru_path.write_text("\n\n".join(ru_paras) + "\n", "utf-8")
        en_path.write_text("\n\n".join(en_paras) + "\n", "utf-8")
        made.append((ru_path, en_path))
    return made


@dataclass(frozen=True, slots=True)
class Score:
    recall: float
    precision: float
    missed: list[str]
    extra: list[str]


def score(proposals: list[object]) -> Score:
    """A planted entry counts when proposed with its term, its Russian name among the
    sources and its variant (where it has one) among the variants."""
    wanted = {p.term: p for p in planted()}
    found = 0
    missed, extra = [], []
    seen = set()
    for proposal in proposals:
        term = proposal.term  # type: ignore[attr-defined]
        p = wanted.get(term)
        if p is None:
            extra.append(term)
            continue
        seen.add(term)
        sources = proposal.sources.get("ru", ())  # type: ignore[attr-defined]
        variants = proposal.variants  # type: ignore[attr-defined]
        if p.name in sources and (p.variant is None or p.variant in variants):
            found += 1
        else:
            missed.append(f"{term}: sources {sources}, variants {variants}")
    missed += [t for t in wanted if t not in seen]
    return Score(found / len(wanted), (len(proposals) - len(extra)) / max(len(proposals), 1),
                 missed, extra)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_peak_mb() -> float:
    import resource as r

    return r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "checker"))
    from glossary_check.commands.archive import connect
    from glossary_check.commands.learn import read_archive, read_on_cluster
    from glossary_check.workflow.learn import learn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "learn")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    made = generate(args.out, args.pairs)
    print(f"generated {len(made)} pairs in {time.perf_counter() - began:.1f} s")
    items: list[tuple[str, str | None]] = [(str(e), str(r)) for r, e in made]
    outputs = []

    def finish(label: str, pairs: list, english: list, read: float) -> None:  # type: ignore[type-arg]
        start = time.perf_counter()
        learned = learn(pairs, english=english)
        link = time.perf_counter() - start
        s = score(learned.proposals)
        outputs.append([(p.term, p.aliases, p.variants, dict(p.sources))
                        for p in learned.proposals])
        print(f"{label}: read {read:.1f} s + link {link:.1f} s = {read + link:.1f} s, "
              f"{len(items) / (read + link):,.0f} pairs/s; peak RSS of this process "
              f"{_peak_mb():,.0f} MB; recall {s.recall:.3f}, precision {s.precision:.3f}, "
              f"{len(learned.proposals)} proposals, {learned.mentions} linked names")
        for m in s.missed:
            print(f"  missed: {m}")
        for e in s.extra:
            print(f"  not planted: {e}")

    start = time.perf_counter()
    pairs, english = read_archive(items, language="ru")
    finish("serial", pairs, english, time.perf_counter() - start)
    start = time.perf_counter()
    alone = learn([], english=english).proposals
    with_variant = {p.term: p.variant for p in planted() if p.variant}
    found = sum(1 for p in alone if with_variant.get(p.term) in p.variants)
    print(f"English alone: {time.perf_counter() - start:.1f} s; {found} of {len(with_variant)} "
          f"planted variant spellings found as term and variant, "
          f"{sum(p.term not in with_variant for p in alone)} other proposals")
    del pairs, english
    if not args.no_dask:
        with connect(None, args.workers) as client:
            start = time.perf_counter()
            pairs, english = [], []
            for p, e in read_on_cluster(client, items, "ru", None, 250):
                pairs += p
                english += e
            read = time.perf_counter() - start
            workers = client.run(_worker_peak_mb)
        finish(f"dask, {args.workers} local workers", pairs, english, read)
        print("  peak RSS of each worker: " + ", ".join(
            f"{mb:,.0f} MB" for mb in sorted(workers.values())))
        print("dask result equals the serial one:", outputs[0] == outputs[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

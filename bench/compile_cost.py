"""Cost of compiling a loaded glossary (`compile_all`: the trie and the near-miss index).

    python bench/compile_cost.py                          # 10,000 and 50,000 entries
    python bench/compile_cost.py --sizes 1000 --profile   # where the time goes, by function

The glossaries are `bench/out/scale/glossary-N.yaml` (written by `bench/run.py`, or
`bench/gen_scale.py`). The collector is tuned as the command line tunes it; each size is
loaded once and compiled `--repeat` times, and the median CPU seconds printed with the
phases' own medians (`compile_glossary`: the trie; `near_index`: the near misses).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from glossary_check.engine.compiled import compile_all, near_index  # noqa: E402
from glossary_check.engine.glossary import Glossary, load_glossary  # noqa: E402
from glossary_check.engine.matching import compile_glossary  # noqa: E402


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one compile_all")
    args = parser.parse_args()
    gc.set_threshold(200_000, 30, 30)
    for size in args.sizes.split(","):
        path = ROOT / "bench" / "out" / "scale" / f"glossary-{size}.yaml"
        if not path.exists():
            print(f"{path}: missing (run bench/run.py or bench/gen_scale.py)", file=sys.stderr)
            return 2
        glossary: Glossary = load_glossary(path)
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(compile_all, glossary)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
            continue
        whole = median_seconds(lambda g=glossary: compile_all(g), args.repeat)
        trie = median_seconds(lambda g=glossary: compile_glossary(g), args.repeat)
        near = median_seconds(lambda g=glossary: near_index(g), args.repeat)
        print(f"{size:>6} entries: compile_all {whole:.3f} s CPU (median of {args.repeat}); "
              f"trie {trie:.3f} s, near-miss index alone {near:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

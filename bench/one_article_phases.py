"""Where one article's check spends its time: CPU seconds per phase, cold, second and later runs.

The start-up target (one article, the bundled glossary, under 0.25 s with the cache cold
and warm) is a sum of many small costs; `bench/run.py` gives the total, this the parts.
Each run is a fresh process with its phases timed from the inside (process time, so a
busy machine blurs less than wall time does); nothing is edited, the functions are wrapped.

    python bench/one_article_phases.py [--runs 5] [ARTICLE]

Runs: "cold" has an empty cache directory; "second" is the next run on it (it takes in what
the cold run analysed and kept); "later" is the run after.
The phases nest: the rules run inside the check, and wordfreq's lists are loaded and read
inside the rules that use them (the line of its own says how much of theirs it is).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "bench" / "out" / "scale" / "corpus" / "art-000.txt"
GLOSSARY = ROOT / "glossary" / "newsroom.yaml"
RUNS = ("cold", "second", "later")


def _child(args: list[str]) -> int:
    """One check with its phases timed; the phases as JSON on stderr's last line."""
    start = time.process_time()
    spent: dict[str, float] = {}

    def timed(label: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - t
        return wrapper

    def timed_hits(label: str, f: Callable[..., Iterable[Any]]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Generator[Any, None, None]:
            it = iter(f(*a, **k))
            while True:
                t = time.process_time()
                try:
                    hit = next(it)
                except StopIteration:
                    return
                finally:
                    spent[label] = spent.get(label, 0.0) + time.process_time() - t
                yield hit
        return wrapper

    from glossary_check.commands import cli, session

    spent["import the command line"] = time.process_time() - start
    from glossary_check.engine import english
    from glossary_check.rules import registry

    spent["import the rules"] = time.process_time() - start - spent["import the command line"]
    cli.resolve = timed("options", cli.resolve)  # type: ignore[attr-defined]
    session.open_session = timed("open the glossary (cache or compile)", session.open_session)
    english._zipf = timed("wordfreq, within the rules", english._zipf)  # type: ignore[assignment]
    for rule in registry().values():
        if rule.check is not None:
            object.__setattr__(rule, "check", timed_hits(f"rule {rule.id}", rule.check))
    cli._check_files = timed("check (all rules)", cli._check_files)  # type: ignore[assignment]
    cli._run = timed("translation of findings", cli._run)  # type: ignore[assignment]
    cli._write_report = timed("report", cli._write_report)  # type: ignore[assignment]
    status = 0
    try:
        status = cli.main(args)
    finally:
        spent["total"] = time.process_time()
        print(json.dumps(spent), file=sys.stderr)
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ARTICLE))
    parser.add_argument("--glossary", default=str(GLOSSARY))
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each (median)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child is not None:
        return _child(a.child)
    check = ["-g", a.glossary, "-f", "json", "--fail-on", "never", a.article]
    seen: dict[str, dict[str, list[float]]] = {run: {} for run in RUNS}
    for _ in range(a.runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "GLOSSARY_CHECK_CACHE_DIR": cache}
            for run in RUNS:
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", *check], env=env, cwd=ROOT,
                    capture_output=True, text=True, check=False,
                )
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
                    return 1
                phases = json.loads(proc.stderr.strip().splitlines()[-1])
                for phase, seconds in phases.items():
                    seen[run].setdefault(phase, []).append(seconds)
    phases = list(dict.fromkeys(p for run in RUNS for p in seen[run]))
    last = ["wordfreq, within the rules", "total"]  # nested in rules; the sum
    phases = [p for p in phases if p not in last] + last
    print(f"CPU seconds, median of {a.runs}: {Path(a.article).name}, {Path(a.glossary).name}")
    print(f"{'phase':40}" + "".join(f"{run:>9}" for run in RUNS))
    for phase in phases:
        cells = [statistics.median(seen[run][phase]) if phase in seen[run] else 0.0
                 for run in RUNS]
        if phase == "total" or max(cells) >= 0.001:
            print(f"{phase:40}" + "".join(f"{c:9.3f}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU time of each rule on a check run, and of the run as a whole.

    python bench/rule_cost.py [--repeat 3] -- -g glossary.yaml --jobs 1 corpus/*

Runs `glossary-check` in this process `--repeat` times (the arguments after `--`;
the report goes nowhere), each time with every rule's `check` wrapped to count the
CPU seconds its generator takes, and prints, per rule, the median over the runs;
then the run's own CPU seconds (process time, start-up imports not included) and
what the rules leave (reading documents, tokens, matches, reports). Use
`--jobs 1`: a worker's time is its own. Run it against another checkout
(`PYTHONPATH=that/checker`) to compare; the first run of a process pays what the
rules load on first use, so `--repeat 1` is what one command costs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from glossary_check import rules as rules_package
from glossary_check.commands import cli


def _timed(check: Callable[[Any], Iterable[Any]], spent: dict[str, float], rule: str
           ) -> Callable[[Any], Iterator[Any]]:
    def run(ctx: Any) -> Iterator[Any]:
        it = iter(check(ctx))
        while True:
            start = time.process_time()
            try:
                hit = next(it)
            except StopIteration:
                spent[rule] += time.process_time() - start
                return
            spent[rule] += time.process_time() - start
            yield hit

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    args = [a for a in ns.args if a != "--"]
    registry = rules_package.registry()
    spent: dict[str, float] = defaultdict(float)
    wrapped = {
        rule_id: dataclasses.replace(rule, check=_timed(rule.check, spent, rule_id))
        for rule_id, rule in registry.items() if rule.check is not None
    }
    from glossary_check.rules import pipeline

    def patched() -> dict[str, Any]:
        return {**registry, **wrapped}

    rules_package.registry = pipeline.registry = patched  # type: ignore[assignment]
    runs: list[dict[str, float]] = []
    for _ in range(ns.repeat):
        spent.clear()
        start = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main([*args, "-f", "json", "--fail-on", "never"])
        runs.append({**spent, "(whole run)": time.process_time() - start})
    names = [*wrapped, "(whole run)"]
    for name in names:
        values = [r.get(name, 0.0) for r in runs]
        print(f"{name:>14}  {statistics.median(values):7.3f} s  "
              f"(runs: {', '.join(f'{v:.3f}' for v in values)})")
    rules_total = statistics.median(sum(r.get(n, 0.0) for n in wrapped) for r in runs)
    print(f"{'(rules)':>14}  {rules_total:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

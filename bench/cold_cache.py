"""What opening a large glossary costs on a fresh CI runner: parse, compile, write the cache.

    python bench/cold_cache.py                    # 10,000 and 50,000 entries
    python bench/cold_cache.py --sizes 1000       # other sizes of bench/out/scale
    PYTHONPATH=other/checker python bench/cold_cache.py   # another checkout, to compare

Each size runs in a process of its own (memory is per process), with the collector tuned
and held off as the command line holds it off while the glossary loads, and an empty
cache directory. Printed per phase of `cache.compiled.load_cached`: CPU seconds and the
resident memory after it and at its peak (sampled every 5 ms), and the cache file's size;
then the same for a warm open of the file just written.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


class _Sampler:
    """The highest resident memory seen since `reset`, sampled on a thread."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.005)

    def reset(self) -> None:
        self.peak = _rss_mb()


def _measure(path: Path) -> dict[str, Any]:
    from glossary_check.cache import compiled as cache
    from glossary_check.cache import fileformat

    sampler = _Sampler()
    phases: dict[str, list[float]] = {}

    def timed(module: Any, name: str) -> None:
        real: Callable[..., Any] | None = getattr(module, name, None)
        if real is None:  # a checkout without that phase (PYTHONPATH=other/checker)
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sampler.reset()
            start = time.process_time()
            value = real(*args, **kwargs)  # type: ignore[misc]
            phases[name] = [round(time.process_time() - start, 3), round(_rss_mb()),
                            round(max(sampler.peak, _rss_mb()))]
            return value

        setattr(module, name, wrapper)

    for name in ("load_glossary", "compile_all", "compiled_sections", "write_file",
                 "_read_in_place"):
        timed(cache, name)
    directory = Path(tempfile.mkdtemp())
    gc.disable()
    start = time.process_time()
    cache.load_cached(path, directory)
    total = time.process_time() - start
    gc.enable()
    size = sum(f.stat().st_size for f in directory.glob("compiled-*.bin"))
    sampler.reset()
    start = time.process_time()
    cache.load_cached(path, directory)
    warm = [round(time.process_time() - start, 3), round(_rss_mb())]
    return {"phases": phases, "total": round(total, 3), "file_mb": round(size / 2**20, 1),
            "warm": warm, "format": fileformat.FORMAT}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process's glossary
    args = parser.parse_args()
    if args.one:
        gc.set_threshold(200_000, 30, 30)
        print(json.dumps(_measure(Path(args.one))))
        return 0
    for size in args.sizes.split(","):
        path = ROOT / "bench" / "out" / "scale" / f"glossary-{size}.yaml"
        if not path.exists():
            print(f"{path}: missing (run bench/run.py or bench/gen_scale.py)", file=sys.stderr)
            return 2
        out = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                             capture_output=True, text=True).stdout
        found = json.loads(out)
        print(f"{size:>6} entries, cold open {found['total']:.2f} s CPU, cache file "
              f"{found['file_mb']} MB (format {found['format']}); warm open "
              f"{found['warm'][0]:.3f} s")
        for name, (cpu, after, peak) in found["phases"].items():
            print(f"    {name:<16} {cpu:6.2f} s CPU   {after:5d} MB after, {peak:5d} MB peak")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

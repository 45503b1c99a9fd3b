"""Files per second: a serial run (the baseline) against `glossary-check archive` on Dask.

    python bench/archive_throughput.py                  # 2,000 and 20,000 files, 2 workers
    python bench/archive_throughput.py --files 5000 --workers 2 --select variant,case

For each archive size, on the same generated files (tests/test_archive.py's generator:
.txt and .md, Cyrillic, CRLF, BOMs):
  - end to end, each in a new process: `glossary-check DIR -f json --jobs 1` (the
    baseline), the same with `--jobs N` (its process pool), and `glossary-check archive DIR
    --workers N` (cluster start-up and lazy models included);
  - steady state, with this process and the workers warmed up on a few files:
    `runner.check_files` plus the JSON report (the baseline) and `archive.check_archive`
    on a running cluster.
Then the peak memory of this process for the largest size (serial results are held until
the report is written; the archive writes each partition as it arrives), and, on the first
size, how the compiled glossary is best shipped to fresh workers: scattered to all of them
once, as a dask.delayed the workers fetch, or loaded and compiled by each worker itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from glossary_check.commands import archive  # noqa: E402
from glossary_check.engine.compiled import Compiled, compile_all  # noqa: E402
from glossary_check.engine.glossary import load_glossary  # noqa: E402
from glossary_check.report import Run  # noqa: E402
from glossary_check.report.json_report import render  # noqa: E402
from glossary_check.rules.pipeline import Settings  # noqa: E402
from glossary_check.workflow.files import bundled_glossary, collect  # noqa: E402
from glossary_check.workflow.runner import check_files  # noqa: E402
from test_archive import make_corpus  # noqa: E402


def timed(work: Callable[..., object], *args: Any) -> float:
    start = time.perf_counter()
    work(*args)
    return time.perf_counter() - start


def command(argv: Sequence[str]) -> float:
    def go() -> None:
        done = subprocess.run([sys.executable, "-m", "glossary_check", *argv],
                              capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1, 2) or "Traceback" in done.stderr:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return timed(go)


def loaded_on_worker(paths: list[str], glossary: str, settings: Settings) -> list[archive.Batch]:
    """The third way: each worker loads and compiles the glossary itself (once, then kept)."""
    from distributed import get_worker

    worker = get_worker()
    compiled = getattr(worker, "_glossary_check_compiled", None)
    if compiled is None:
        compiled = compile_all(load_glossary(Path(glossary)))
        worker._glossary_check_compiled = compiled  # type: ignore[attr-defined]
    return archive.check_batch(paths, compiled, settings)


def ship(workers: int, how: str, paths: list[str], compiled: Compiled, settings: Settings,
         glossary: str, batch: int) -> float:
    """Seconds to check `paths` on a new cluster with the glossary shipped `how`."""
    from distributed import Client

    with archive.local_cluster(workers) as cluster, \
            Client(cluster, set_as_default=False) as client:
        return _shipped(client, how, paths, compiled, settings, glossary, batch)


def _shipped(client: Any, how: str, paths: list[str], compiled: Compiled, settings: Settings,
             glossary: str, batch: int) -> float:
    import dask
    import dask.bag as db
    from distributed import as_completed

    start = time.perf_counter()
    bag = db.from_sequence(paths, partition_size=batch)
    if how == "scatter":
        shared = client.scatter(compiled, broadcast=True, hash=False)
        parts = bag.map_partitions(archive.check_batch, shared, settings)
    elif how == "delayed":
        parts = bag.map_partitions(archive.check_batch, dask.delayed(compiled), settings)
    else:
        parts = bag.map_partitions(loaded_on_worker, glossary, settings)
    for future in as_completed(client.compute(parts.to_delayed()), loop=client.loop):
        future.result()
    return time.perf_counter() - start


def serial_run(paths: list[str], compiled: Compiled, settings: Settings) -> None:
    render(Run("bench", "", 0, check_files(paths, compiled, settings)))


def archive_run(client: Any, paths: list[str], compiled: Compiled, settings: Settings,
                batch: int) -> None:
    with open(os.devnull, "w", encoding="utf-8") as sink:
        archive.check_archive(client, paths, compiled, settings, sink, batch_size=batch)


def peak_mib(work: Callable[..., object], *args: Any) -> float:
    """The most memory Python objects took in this process while `work` ran."""
    tracemalloc.start()
    try:
        work(*args)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def cpu_seconds(client: Any = None) -> float:
    """CPU time used so far by this process (client and local scheduler) and every worker."""
    workers = client.run(time.process_time) if client is not None else {}
    return time.process_time() + sum(workers.values())


def row(name: str, seconds: float, count: int, baseline: float) -> None:
    print(f"  {name:<34} {seconds:7.2f} s {count / seconds:9,.0f} files/s "
          f"{baseline / seconds:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=archive.BATCH_SIZE)
    parser.add_argument("--select", help="only these rules (default: all)")
    args = parser.parse_args()
    glossary = str(bundled_glossary())
    compiled = compile_all(load_glossary(Path(glossary)))
    settings = Settings(select=frozenset(args.select.split(",")) if args.select else None)
    select = ["--select", args.select] if args.select else []
    batch = args.batch_size
    from distributed import Client

    with tempfile.TemporaryDirectory() as tmp, archive.local_cluster(args.workers) as cluster, \
            Client(cluster, set_as_default=False) as client:
        print(f"{args.workers} workers, {os.cpu_count()} CPUs, batch {batch}, "
              f"rules: {args.select or 'all'}, load average {os.getloadavg()[0]:.1f}")
        for count in args.files:
            root = Path(tmp) / f"a{count}"
            make_corpus(root, count)
            paths = list(collect([str(root)]))
            # end to end: new processes, glossary load, lazy models, cluster start-up
            main_cmd = [str(root), "-g", glossary, "-f", "json", "-o", os.devnull,
                        "--no-translate", "--no-cache", *select]
            serial_cmd = command([*main_cmd, "--jobs", "1"])
            jobs_cmd = command([*main_cmd, "--jobs", str(args.workers)])
            archive_cmd = command(["archive", str(root), "-g", glossary, "-o", os.devnull, "-q",
                                   "--workers", str(args.workers), "--batch-size", str(batch),
                                   *select])
            # steady state: this process and the workers have checked a few files already
            serial_run(paths[:50], compiled, settings)
            archive_run(client, paths[:50], compiled, settings, batch)
            cpu = cpu_seconds()
            serial = timed(serial_run, paths, compiled, settings)
            serial_cpu = cpu_seconds() - cpu
            cpu = cpu_seconds(client)
            running = timed(archive_run, client, paths, compiled, settings, batch)
            running_cpu = cpu_seconds(client) - cpu
            print(f"\n{count:,} files, end to end")
            row("main command --jobs 1 (baseline)", serial_cmd, count, serial_cmd)
            row(f"main command --jobs {args.workers}", jobs_cmd, count, serial_cmd)
            row("archive command", archive_cmd, count, serial_cmd)
            print(f"{count:,} files, steady state")
            row("serial, in process (baseline)", serial, count, serial)
            row("archive on a running cluster", running, count, serial)
            print(f"  CPU time: serial {serial_cpu:.2f} s, archive {running_cpu:.2f} s "
                  f"(client, scheduler and workers): {running_cpu / serial_cpu:.2f}x the work")
        count = args.files[-1]
        paths = list(collect([str(Path(tmp) / f"a{count}")]))
        print(f"\npeak memory of this process ({count:,} files, Python objects)")
        serial_peak = peak_mib(serial_run, paths, compiled, settings)
        print(f"  serial, in process                 {serial_peak:7.1f} MiB")
        print(f"  archive on a running cluster       "
              f"{peak_mib(archive_run, client, paths, compiled, settings, batch):7.1f} MiB")
        count = args.files[0]
        paths = list(collect([str(Path(tmp) / f"a{count}")]))
        print(f"\nshipping the glossary ({count:,} files, a new cluster each time, best of 2)")
        results = {how: min(ship(args.workers, how, paths, compiled, settings, glossary, batch)
                            for _ in range(2))
                   for how in ("scatter", "delayed", "worker-load")}
        for how, seconds in results.items():
            row(how, seconds, count, results["scatter"])


if __name__ == "__main__":
    main()

"""`glossary-check serve` under load: N concurrent clients for T seconds on 127.0.0.1.

    python bench/serve_load.py                          # 20 clients, 30 s, 10 KB article
    python bench/serve_load.py --clients 20 --duration 30 --concurrency 20

Bounded: the server (`python -m glossary_check serve`, bundled glossary, no
machine translation) is started on 127.0.0.1 on a free port by this script and
stopped at the end; the clients stop sending at `--duration` and every request
has a time limit (`--request-limit`). Each client is an asyncio task with its
own HTTP connection (httpx), sending the ~10 KB article of `serve_latency.py`
in turn to `/api/check` (the JSON report) and `/v2/check` (LanguageTool's
API) as soon as the previous answer came. The server admits `--concurrency`
checks at once (default: as many as there are clients, so that every request
is admitted and anything but a 200 is an error; with fewer, a 503 is waited
out as its Retry-After says and counted apart).

Reported: throughput, latency percentiles per route and together, errors
(must be 0: the exit status is 1 otherwise), and the server's resident memory
sampled every 0.25 s: after warm-up, at the end and its peak, and the growth
between the first and the last fifth of the run (flat: within --max-growth MB,
else the exit status is 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_latency import CORPUS, ROOT, article, free_port, percentile, start_server

ROUTES = ("/api/check", "/v2/check")


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


async def sample_memory(pid: int, stop: asyncio.Event, out: list[tuple[float, float]]) -> None:
    start = time.monotonic()
    while not stop.is_set():
        value = rss_mb(pid)
        if value is not None:
            out.append((time.monotonic() - start, value))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


async def client(base: str, text: str, until: float, limit: float, index: int,
                 latencies: dict[str, list[float]], outcomes: Counter[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=limit) as http:
        turn = index
        while time.monotonic() < until:
            route = ROUTES[turn % 2]
            turn += 1
            start = time.perf_counter()
            try:
                if route == "/api/check":
                    answer = await http.post(route, json={"text": text, "format": "txt"})
                else:
                    answer = await http.post(route, data={"text": text, "language": "en-US"})
                status = str(answer.status_code)
                if answer.status_code == 200:
                    answer.json()  # a whole, well-formed answer
            except (httpx.HTTPError, ValueError) as exc:
                answer, status = None, type(exc).__name__
            took = time.perf_counter() - start
            outcomes[status] += 1
            if status == "200":
                latencies[route].append(took)
            elif answer is not None and answer.status_code == 503:
                await asyncio.sleep(float(answer.headers.get("retry-after", "1")))


async def load(base: str, text: str, pid: int, clients: int, duration: float, limit: float,
               ) -> tuple[dict[str, list[float]], Counter[str], float, list[tuple[float, float]]]:
    latencies: dict[str, list[float]] = {route: [] for route in ROUTES}
    outcomes: Counter[str] = Counter()
    memory: list[tuple[float, float]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(pid, stop, memory))
    started = time.perf_counter()
    until = time.monotonic() + duration
    tasks = [asyncio.create_task(client(base, text, until, limit, i, latencies, outcomes))
             for i in range(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), duration + limit + 30)
    elapsed = time.perf_counter() - started
    stop.set()
    await sampler
    return latencies, outcomes, elapsed, memory


def describe(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return f"{name:<12} no answers"
    return (f"{name:<12} n={len(ms):<6} p50 {percentile(ms, 50):7.1f} ms  "
            f"p90 {percentile(ms, 90):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  "
            f"max {max(ms):7.1f} ms  mean {statistics.fmean(ms):7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--size", type=int, default=10_000, help="article bytes (10 KB)")
    parser.add_argument("--request-limit", type=float, default=30.0,
                        help="each request's time limit, seconds")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="the server's --concurrency (default: --clients)")
    parser.add_argument("--max-growth", type=float, default=10.0,
                        help="resident memory growth (MB) between the first and the last fifth "
                        "of the run still called flat")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    concurrency = args.concurrency or args.clients

    env = {**os.environ, "PYTHONPATH": str(ROOT / "checker")}
    env.setdefault("GLOSSARY_CHECK_CACHE_DIR", tempfile.mkdtemp(prefix="serve-load-cache-"))
    text = article(args.size, args.corpus)
    port = free_port()
    server = start_server(port, concurrency, env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as http:  # warm-up, outside the numbers
            for _ in range(5):
                http.post("/api/check", json={"text": text}).raise_for_status()
                http.post("/v2/check", data={"text": text, "language": "en-US"}).raise_for_status()
        warm = rss_mb(server.pid)
        latencies, outcomes, elapsed, memory = asyncio.run(
            load(base, text, server.pid, args.clients, args.duration, args.request_limit))
        peak = peak_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except Exception:
            server.kill()

    answered = outcomes.get("200", 0)
    busy = outcomes.get("503", 0) if concurrency < args.clients else 0
    errors = sum(n for status, n in outcomes.items() if status != "200") - busy
    print(f"article {len(text.encode())} bytes; {args.clients} clients for {args.duration:g} s "
          f"(ran {elapsed:.1f} s) on 127.0.0.1; server concurrency {concurrency}; "
          f"{os.cpu_count()} CPUs")
    print(f"answered {answered} checks: {answered / elapsed:.1f} per second "
          f"({answered * len(text.encode()) / elapsed / 1e6:.2f} MB/s)")
    for route in ROUTES:
        print("  " + describe(route, latencies[route]))
    print("  " + describe("both", [s for route in ROUTES for s in latencies[route]]))
    if busy:
        print(f"503 busy (waited out per Retry-After): {busy}")
    print(f"errors: {errors}  (outcomes: {dict(outcomes)})")
    growth = None
    if memory:
        fifth = max(1, len(memory) // 5)
        first = statistics.median(v for _, v in memory[:fifth])
        last = statistics.median(v for _, v in memory[-fifth:])
        growth = last - first
        print(f"server resident memory: {warm or 0:.1f} MB after warm-up, "
              f"{first:.1f} MB in the first fifth of the run (median), {last:.1f} MB in the last, "
              f"{memory[-1][1]:.1f} MB at the end; peak {peak or 0:.1f} MB; "
              f"growth {growth:+.1f} MB over {memory[-1][0]:.0f} s "
              f"({len(memory)} samples): {'flat' if abs(growth) <= args.max_growth else 'GROWS'}")
    ok = errors == 0 and answered > 0 and growth is not None and growth <= args.max_growth
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

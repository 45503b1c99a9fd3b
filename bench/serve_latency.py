"""`glossary-check serve`: warm latency against a process per article, and a bounded load test.

    python bench/serve_latency.py                      # 10 KB article, 20 clients for 30 s
    python bench/serve_latency.py --clients 20 --duration 30 --samples 200 --cli-runs 20

One run, one machine, so the ratios compare numbers taken at the same time:
  1. A server (`python -m glossary_check serve`, bundled glossary, no machine
     translation) is started on 127.0.0.1 on a free port and waited for.
  2. Warm latency: `--samples` requests, one at a time, of a ~10 KB article to
     `/api/check` (the JSON report) and to `/v2/check` (LanguageTool's API), after a
     few to warm up; p50 and p99.
  3. The same article checked by a new `glossary-check -f json` process per article
     (`--cli-runs` times, the compiled-glossary cache warm): p50 and p99.
  4. Load: `--clients` threads post the article to `/api/check` for `--duration`
     seconds, each request with a time limit; a 503 is waited out as its Retry-After
     says, as a client would. Throughput of answered checks, their latency
     percentiles, 503s, errors (anything else), and the server's peak resident memory.
The article is the bundled example (Cyrillic, findings of several rules) followed by
English news text from the corpus, cut at a paragraph to about 10 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus/ntrex-dev/en")


def article(size: int, corpus: Path) -> str:
    parts = [(ROOT / "examples" / "coalition-of-the-willing.txt").read_text(encoding="utf-8")]
    for path in sorted(corpus.glob("*.txt")) if corpus.is_dir() else []:
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            if len("\n\n".join(parts).encode()) + len(paragraph.encode()) > size:
                return "\n\n".join(parts) + "\n"
            parts.append(paragraph.strip())
    return "\n\n".join(parts) + "\n"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def describe(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<34} n={len(ms):<5} p50 {percentile(ms, 50):8.1f} ms   "
            f"p99 {percentile(ms, 99):8.1f} ms   mean {statistics.fmean(ms):8.1f} ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, concurrency: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "glossary_check", "serve", "--no-config", "--no-translate",
         "--port", str(port), "--concurrency", str(concurrency), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
        if server.poll() is not None:
            raise SystemExit(f"the server ended: {server.stderr.read().decode()}"
                             if server.stderr else "the server ended")
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


def warm_latency(base: str, text: str, samples: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"/api/check": [], "/v2/check": []}
    with httpx.Client(base_url=base, timeout=60) as client:
        def api() -> httpx.Response:
            return client.post("/api/check", json={"text": text, "format": "txt"})

        def lt() -> httpx.Response:
            return client.post("/v2/check", data={"text": text, "language": "en-US"})

        for route, call in (("/api/check", api), ("/v2/check", lt)):
            for _ in range(5):
                call().raise_for_status()
            for _ in range(samples):
                start = time.perf_counter()
                call().raise_for_status()
                out[route].append(time.perf_counter() - start)
    return out


def cli_latency(text: str, runs: int, env: dict[str, str]) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "glossary_check", "--no-config", "--no-translate",
                   "-f", "json", str(path)]
        subprocess.run(command, env=env, capture_output=True, check=False)  # the cache, warm
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                raise SystemExit(done.stderr.decode())
    return times


def load(base: str, text: str, clients: int, duration: float, limit: float,
         ) -> tuple[list[float], Counter[str], float]:
    stop = time.monotonic() + duration
    lock = threading.Lock()
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    body = {"text": text, "format": "txt"}

    def client() -> None:
        with httpx.Client(base_url=base, timeout=limit) as http:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    answer = http.post("/api/check", json=body)
                    status = str(answer.status_code)
                except httpx.HTTPError as exc:
                    answer, status = None, type(exc).__name__
                took = time.perf_counter() - start
                with lock:
                    outcomes[status] += 1
                    if status == "200":
                        latencies.append(took)
                if answer is not None and answer.status_code == 503:
                    time.sleep(float(answer.headers.get("retry-after", "1")))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + limit + 30)
    return latencies, outcomes, time.perf_counter() - started


def peak_memory(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="article bytes (10 KB)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--request-limit", type=float, default=30.0,
                        help="each load-test request's time limit, seconds")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="the server's --concurrency (its default)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "checker")}
    env.setdefault("GLOSSARY_CHECK_CACHE_DIR", tempfile.mkdtemp(prefix="serve-bench-cache-"))
    text = article(args.size, args.corpus)
    port = free_port()
    server = start_server(port, args.concurrency, env)
    base = f"http://127.0.0.1:{port}"
    try:
        findings = json.loads(httpx.post(f"{base}/api/check", json={"text": text},
                                         timeout=60).text)["summary"]["findings"]
        print(f"article: {len(text.encode())} bytes, {len(text)} characters, "
              f"{findings} findings; server concurrency {args.concurrency}; "
              f"{os.cpu_count()} CPUs\n")
        warm = warm_latency(base, text, args.samples)
        for route, seconds in warm.items():
            print(describe(f"warm server {route}", seconds))
        cli = cli_latency(text, args.cli_runs, env)
        print(describe("a glossary-check process per article", cli))
        print(f"\nwarm /api/check is {percentile(cli, 50) / percentile(warm['/api/check'], 50):.0f}"
              "x faster than a process per article (p50)\n")
        latencies, outcomes, elapsed = load(base, text, args.clients, args.duration,
                                            args.request_limit)
        answered = outcomes.get("200", 0)
        errors = sum(n for status, n in outcomes.items() if status not in ("200", "503"))
        print(f"load: {args.clients} clients for {args.duration:g} s (ran {elapsed:.1f} s)")
        print(f"  answered {answered} checks: {answered / elapsed:.1f} per second, "
              f"{answered * len(text.encode()) / elapsed / 1e6:.2f} MB/s")
        if latencies:
            print("  " + describe("latency under load", latencies).strip())
            print(f"  p90 {percentile([s * 1000 for s in latencies], 90):.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms")
        print(f"  503 (busy, retried after Retry-After): {outcomes.get('503', 0)}; "
              f"errors: {errors} {dict(outcomes)}")
        print(f"  server peak resident memory: {peak_memory(server.pid)}")
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()

"""The server's counters in Prometheus' text exposition format (no client library needed)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    """Requests by route and status, latency histograms by route, findings by rule."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.findings: Counter[str] = Counter()
        self.buckets: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.in_flight = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            counts = self.buckets.setdefault(route, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self.sums[route] = self.sums.get(route, 0.0) + seconds
            self.counts[route] += 1

    def found(self, rules: Iterable[str]) -> None:
        with self._lock:
            self.findings.update(rules)

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejected[reason] += 1

    def render(self, gauges: dict[str, tuple[str, float]],
               extra: Callable[[], list[str]] | None = None) -> str:
        out = ["# HELP glossary_check_requests_total Requests by route, method and status.",
               "# TYPE glossary_check_requests_total counter"]
        with self._lock:
            for (route, method, status), n in sorted(self.requests.items()):
                out.append(f'glossary_check_requests_total{{route="{_label(route)}",'
                           f'method="{_label(method)}",status="{status}"}} {n}')
            out += ["# HELP glossary_check_request_seconds Time to answer a request.",
                    "# TYPE glossary_check_request_seconds histogram"]
            for route, counts in sorted(self.buckets.items()):
                name = _label(route)
                for bound, n in zip(BUCKETS, counts, strict=True):
                    out.append(f'glossary_check_request_seconds_bucket{{route="{name}",'
                               f'le="{bound}"}} {n}')
                out.append(f'glossary_check_request_seconds_bucket{{route="{name}",le="+Inf"}} '
                           f"{self.counts[route]}")
                out.append(f'glossary_check_request_seconds_sum{{route="{name}"}} '
                           f"{self.sums[route]:.6f}")
                out.append(f'glossary_check_request_seconds_count{{route="{name}"}} '
                           f"{self.counts[route]}")
            out += ["# HELP glossary_check_findings_total Findings reported, by rule.",
                    "# TYPE glossary_check_findings_total counter"]
            for rule, n in sorted(self.findings.items()):
                out.append(f'glossary_check_findings_total{{rule="{_label(rule)}"}} {n}')
            out += ["# HELP glossary_check_rejected_total Requests refused before checking.",
                    "# TYPE glossary_check_rejected_total counter"]
            for reason, n in sorted(self.rejected.items()):
                out.append(f'glossary_check_rejected_total{{reason="{_label(reason)}"}} {n}')
            out += ["# HELP glossary_check_in_flight Checks running now.",
                    "# TYPE glossary_check_in_flight gauge",
                    f"glossary_check_in_flight {self.in_flight}"]
        for name, (help_text, value) in gauges.items():
            out += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(out) + "\n"

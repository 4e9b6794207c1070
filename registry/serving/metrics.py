"""Prometheus metrics: request counts and latency by route template, and publishes.

Requests are labelled by the matched route's *template* (``/v1/apps/{ns}/{name}``), never the
raw path, so the number of series stays bounded; unmatched paths share one label.

Counters live in the process. Under several workers (``serve --workers N``) each worker also
writes its counters to a shared directory every second (``registry.serving.metrics_files``), and a
scrape, whichever worker takes it, answers the sum: its own live counters plus every other
worker's last snapshot. Every series carries ``replica="<NESTRY_REPLICA>"`` (the host name by
default) when one is set, so replicas behind one load balancer stay apart.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "<unmatched>"
SCOPE_KEY = "nestry.metrics"
_PUBLISH_ROUTE = re.compile(r"^/v1/apps/\{[^}]+\}/\{[^}]+\}/versions/\{[^}]+\}$")
_PUBLISH_RESULTS = {201: "created", 200: "unchanged"}
# Clients choose the method string; anything unusual shares one label.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Labels = tuple[tuple[str, str], ...]


@dataclass
class _Histogram:
    # Observations per bucket alone (the last one: beyond every bound); ``cumulative`` gives
    # Prometheus's running totals. One increment per request instead of one per bucket.
    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[int]:
        """Observations at or below each bound of ``BUCKETS``."""
        return list(accumulate(self.counts[:-1]))


@dataclass
class Metrics:
    """One process's counters; ``render`` gives the Prometheus text exposition format."""

    replica: str = ""  # the ``replica`` label of every series, when not empty
    requests: defaultdict[Labels, int] = field(default_factory=lambda: defaultdict(int))
    latency: defaultdict[Labels, _Histogram] = field(
        default_factory=lambda: defaultdict(_Histogram)
    )
    publishes: defaultdict[Labels, int] = field(default_factory=lambda: defaultdict(int))
    # (method, route, status) -> its counter labels, its histogram, its publish labels if any:
    # made once per series, so a request costs lookups, not tuple building.
    _series: dict[tuple[str, str, int], tuple[Labels, _Histogram, Labels | None]] = field(
        default_factory=dict
    )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[(method, route, status)] = self._new_series(method, route, status)
        counter, histogram, publish = series
        self.requests[counter] += 1
        histogram.observe(seconds)
        if publish is not None:
            self.publishes[publish] += 1

    def _new_series(
        self, method: str, route: str, status: int
    ) -> tuple[Labels, _Histogram, Labels | None]:
        counter = (("method", method), ("route", route), ("status", str(status)))
        publish = None
        if method == "PUT" and _PUBLISH_ROUTE.match(route):
            publish = (("result", _PUBLISH_RESULTS.get(status, "refused")),)
        return counter, self.latency[(("method", method), ("route", route))], publish

    def render(self) -> str:
        extra: Labels = (("replica", self.replica),) if self.replica else ()
        lines = [
            *_counter(
                "nestry_http_requests_total", "HTTP requests by route.", self.requests, extra
            ),
            *_histogram("nestry_http_request_duration_seconds", self.latency, extra),
            *_counter(
                "nestry_publishes_total", "Publish attempts by result.", self.publishes, extra
            ),
        ]
        return "\n".join(lines) + "\n"

    def snapshot(self) -> dict[str, list[Any]]:
        """Every counter as JSON-ready lists (``merge`` takes them back)."""
        return {
            "requests": [[list(map(list, k)), v] for k, v in self.requests.items()],
            "latency": [[list(map(list, k)), h.counts, h.total] for k, h in self.latency.items()],
            "publishes": [[list(map(list, k)), v] for k, v in self.publishes.items()],
        }

    def merge(self, snapshot: dict[str, list[Any]]) -> None:
        """Add another worker's ``snapshot`` to these counters."""
        for labels, value in snapshot.get("requests", []):
            self.requests[_tuple(labels)] += int(value)
        for labels, counts, total in snapshot.get("latency", []):
            histogram = self.latency[_tuple(labels)]
            histogram.counts = [a + int(b) for a, b in zip(histogram.counts, counts, strict=True)]
            histogram.total += float(total)
        for labels, value in snapshot.get("publishes", []):
            self.publishes[_tuple(labels)] += int(value)

    def copy(self) -> Metrics:
        combined = Metrics(self.replica)
        combined.merge(self.snapshot())
        return combined


def _tuple(labels: list[list[str]]) -> Labels:
    return tuple((str(key), str(value)) for key, value in labels)


def _counter(name: str, help_text: str, series: dict[Labels, int], extra: Labels) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
    lines += [
        f"{name}{_labels((*labels, *extra))} {value}" for labels, value in sorted(series.items())
    ]
    return lines


def _histogram(name: str, series: dict[Labels, _Histogram], extra: Labels) -> list[str]:
    lines = [f"# HELP {name} Request latency by route.", f"# TYPE {name} histogram"]
    for labels, hist in sorted(series.items()):
        labels = (*labels, *extra)
        for bound, count in zip(BUCKETS, hist.cumulative(), strict=True):
            lines.append(f"{name}_bucket{_labels((*labels, ('le', repr(bound))))} {count}")
        lines.append(f"{name}_bucket{_labels((*labels, ('le', '+Inf')))} {hist.count}")
        lines.append(f"{name}_sum{_labels(labels)} {hist.total!r}")
        lines.append(f"{name}_count{_labels(labels)} {hist.count}")
    return lines


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    body = ",".join(f'{key}="{_escape(value)}"' for key, value in labels)
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsMiddleware:
    """ASGI middleware counting every HTTP request; shares its ``Metrics`` via the scope."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics if metrics is not None else Metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.metrics
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self.metrics.observe(method, route_template(scope), status, elapsed)


def route_template(scope: Scope) -> str:
    # The router records the matched route in the scope it was handed (the same dict).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED

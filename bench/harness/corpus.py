"""The benchmark corpus: the same apps, versions and words for nestry and for Verdaccio.

Descriptions draw from a small vocabulary so that a one-word search matches a known share of the
apps (``SEARCH_WORD`` is in one description out of ``len(WORDS)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

NAMESPACE = "bench"
WORDS = (
    "queue",
    "storage",
    "stream",
    "image",
    "resize",
    "email",
    "webhook",
    "cron",
    "table",
    "cache",
    "metrics",
    "logging",
    "backup",
    "search",
    "upload",
    "notify",
    "token",
    "audit",
    "billing",
    "report",
)
SEARCH_WORD = "stream"


@dataclass(frozen=True)
class App:
    index: int

    @property
    def name(self) -> str:
        return f"app-{self.index:06d}"

    @property
    def description(self) -> str:
        first = WORDS[self.index % len(WORDS)]
        second = WORDS[(self.index * 7 + 3) % len(WORDS)]
        return f"Benchmark application {self.index}: {first} and {second} helpers"

    @property
    def labels(self) -> list[str]:
        return [WORDS[self.index % len(WORDS)], "bench"]


def apps(count: int) -> Iterator[App]:
    return (App(i) for i in range(count))


def versions(count: int) -> list[str]:
    """``count`` ascending versions: 1.0.0 … 1.(count-1).0."""
    return [f"1.{minor}.0" for minor in range(count)]

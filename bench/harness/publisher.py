"""Many publishes at once over HTTP (the contract's multipart PUT), with a concurrency bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Publish:
    namespace: str
    name: str
    version: str
    template: str
    metadata: str


@dataclass(frozen=True)
class Outcome:
    done: int
    failed: int
    seconds: float
    first_error: str | None
    latencies_s: tuple[float, ...] = ()

    def percentile_ms(self, q: float) -> float | None:
        if not self.latencies_s:
            return None
        ordered = sorted(self.latencies_s)
        return 1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


def publish_all(
    base: str, token: str, items: Iterable[Publish], *, concurrency: int, deadline_s: float = 3600.0
) -> Outcome:
    """Publish every item with ``concurrency`` clients; stops early at ``deadline_s``."""
    return asyncio.run(_publish_all(base, token, list(items), concurrency, deadline_s))


async def _publish_all(
    base: str, token: str, items: list[Publish], concurrency: int, deadline_s: float
) -> Outcome:
    queue: asyncio.Queue[Publish] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    counts = {"done": 0, "failed": 0}
    errors: list[str] = []
    latencies: list[float] = []
    start = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=120
    ) as client:

        async def worker() -> None:
            while not queue.empty() and time.monotonic() - start < deadline_s:
                item = queue.get_nowait()
                began = time.monotonic()
                status, text = await _put(client, item)
                latencies.append(time.monotonic() - began)
                if status in (200, 201):
                    counts["done"] += 1
                else:
                    counts["failed"] += 1
                    errors.append(f"{item.name}@{item.version}: {status} {text[:300]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - start
    first_error = errors[0] if errors else None
    return Outcome(counts["done"], counts["failed"], elapsed, first_error, tuple(latencies))


async def _put(client: httpx.AsyncClient, item: Publish) -> tuple[int, str]:
    url = f"/v1/apps/{item.namespace}/{item.name}/versions/{item.version}"
    files = {"template": ("template.yaml", item.template.encode(), "application/yaml")}
    try:
        answer = await client.put(url, files=files, data={"metadata": item.metadata})
    except httpx.HTTPError as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    return answer.status_code, answer.text

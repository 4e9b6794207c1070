"""``/metrics`` summed over a process's workers, through snapshot files in a shared directory.

``serve --workers N`` makes a fresh directory and names it to every worker
(``NESTRY_METRICS_DIR``; set it yourself under another process manager). Each worker writes
``worker-<pid>.json`` there every ``INTERVAL`` seconds and when it stops (atomically: a temp
file renamed); a scrape answers its own live counters plus every other worker's last snapshot,
so the sum lags a busy worker by at most ``INTERVAL``, far under any scrape interval. The files
of workers that died stay: counters never go backwards.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from registry.serving.metrics import Metrics

INTERVAL = 1.0


def _own(directory: Path) -> Path:
    return directory / f"worker-{os.getpid()}.json"


def write(metrics: Metrics, directory: Path) -> None:
    """This worker's counters, replacing its previous snapshot."""
    target = _own(directory)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(metrics.snapshot()))
    os.replace(temporary, target)


async def keep_writing(metrics: Metrics, directory: Path) -> None:
    """``write`` every ``INTERVAL`` seconds until cancelled, and once more then."""
    try:
        while True:
            await asyncio.sleep(INTERVAL)
            write(metrics, directory)
    finally:
        write(metrics, directory)


def combined(metrics: Metrics, directory: Path) -> Metrics:
    """``metrics`` (this worker, live) plus every other worker's last snapshot."""
    total = metrics.copy()
    own = _own(directory).name
    for path in sorted(directory.glob("worker-*.json")):
        if path.name == own:
            continue
        try:
            total.merge(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # a worker gone mid-write leaves at worst its previous file: skip a bad one
    return total

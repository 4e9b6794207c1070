"""A one-line description of the machine, printed with every table."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load avg {one:.2f}/{five:.2f}"


def describe() -> str:
    cores = os.cpu_count() or 1
    return (
        f"machine: {cores} cores ({_cpu_model()}), {_memory_gib():.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{_load()} at start"
    )


def cores() -> int:
    return os.cpu_count() or 1


def short() -> str:
    return f"{cores()} cores, {_memory_gib():.0f} GiB RAM"

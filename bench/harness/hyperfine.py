"""Wall-clock timing of shell commands with ``hyperfine`` (mean, min, stddev per command)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.tools import ensure_binary


@dataclass(frozen=True)
class Timing:
    name: str
    mean_s: float
    stddev_s: float
    min_s: float
    median_s: float
    cpu_s: float  # user + system, mean: robust to other load on the machine, unlike wall time
    runs: int


@dataclass(frozen=True)
class Command:
    name: str
    command: str
    prepare: str = "true"


def time_commands(
    commands: Sequence[Command],
    *,
    runs: int,
    env: Mapping[str, str],
    warmup: int = 0,
    timeout: float = 1800,
) -> list[Timing]:
    """One hyperfine invocation; each command gets its own ``--prepare`` (run before each run)."""
    exe = ensure_binary("hyperfine", "hyperfine")
    with tempfile.TemporaryDirectory(prefix="nestry-hf-") as tmp:
        out = Path(tmp) / "result.json"
        argv = [
            exe,
            "--runs",
            str(runs),
            "--warmup",
            str(warmup),
            "--style",
            "basic",
            "--export-json",
            str(out),
            "--shell",
            "bash",
        ]
        for cmd in commands:
            argv += ["--prepare", cmd.prepare]
        for cmd in commands:
            argv += ["-n", cmd.name, cmd.command]
        subprocess.run(argv, env=dict(env), check=True, timeout=timeout)
        results = json.loads(out.read_text())["results"]
    return [
        Timing(
            r["command"],
            r["mean"],
            r["stddev"] or 0.0,
            r["min"],
            r["median"],
            r["user"] + r["system"],
            len(r["times"]),
        )
        for r in results
    ]

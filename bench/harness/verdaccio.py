"""Verdaccio (the peer): config, start, stop. Local storage only: no uplinks, no outside traffic."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import procs
from harness.tools import ensure_verdaccio


# JSON is valid YAML, so the config needs no YAML writer.
def _config(root: Path, log_level: str) -> dict[str, object]:
    return {
        "storage": str(root / "storage"),
        "auth": {"htpasswd": {"file": str(root / "htpasswd"), "max_users": -1}},
        "uplinks": {},
        "packages": {
            "**": {"access": "$all", "publish": "$authenticated", "unpublish": "$authenticated"}
        },
        # The search endpoint is rate-limited by default; lift it so that we measure search.
        "userRateLimit": {"windowMs": 1000, "max": 1_000_000_000},
        "log": {"type": "stdout", "format": "pretty", "level": log_level},
    }


@contextmanager
def serve(root: Path, *, log_level: str = "warn") -> Iterator[str]:
    """Run Verdaccio on ``root/storage`` (already seeded); yields its base URL."""
    exe = ensure_verdaccio()
    (root / "storage").mkdir(parents=True, exist_ok=True)
    conf = root / "config.yaml"
    conf.write_text(json.dumps(_config(root, log_level), indent=2))
    port = procs.free_port()
    log = root / "verdaccio.log"
    proc: subprocess.Popen[bytes] = procs.start(
        [str(exe), "--config", str(conf), "--listen", f"127.0.0.1:{port}"], log=log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        procs.wait_http(f"{base}/-/ping", proc, log, timeout=60)
        yield base
    finally:
        procs.stop(proc)

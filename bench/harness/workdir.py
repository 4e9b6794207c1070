"""Scratch directories under /tmp/nestry-bench, readable by nginx's unprivileged workers."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.tools import WORK_ROOT


@contextmanager
def scratch(prefix: str, keep: bool = False) -> Iterator[Path]:
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    WORK_ROOT.chmod(0o755)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=WORK_ROOT))
    path.chmod(0o755)
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)

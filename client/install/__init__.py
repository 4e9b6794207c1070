"""``nestry install`` as a pipeline: resolve, fetch, verify, check, build, write, lock.

Public: ``install``, ``update``, ``InstallOptions``, ``InstallReport`` (loaded on first use, so
that importing one stage does not import the whole pipeline).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "install": "client.install.pipeline",
    "update": "client.install.pipeline",
    "InstallOptions": "client.install.pipeline",
    "InstallReport": "client.install.report",
}

__all__ = ["InstallOptions", "InstallReport", "install", "update"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'client.install' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from client.install.pipeline import InstallOptions, install, update
    from client.install.report import InstallReport

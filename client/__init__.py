"""nestry's client library: the public API other programs may rely on.

Everything listed in ``__all__`` is stable within a major version; anything reached by another
path (``client.install.pins``, ``client.flatten.rename``, ...) is internal and may move. Names
load on first use, so ``import client`` costs nothing and ``nestry``'s commands import only
what they need.

- Installing: ``client.install`` (the package) exports ``install``, ``update``,
  ``InstallOptions`` and ``InstallReport``.
- The registry's HTTP API: ``RegistryClient``, ``RegistryError``.
- Names and versions: ``AppId``, ``parse_app_id``, ``parse_version``.
- Ranges: ``Range``, ``satisfies``, ``max_satisfying``, ``sort_versions``.
- Templates: ``Template``, ``parse_template``, ``dump_template``; ``flatten_reference``.
- Errors: ``NestryError`` (the root of every error the library raises on purpose).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "RegistryClient": "client.api.client",
    "RegistryError": "client.api.errors",
    "AppId": "client.names",
    "parse_app_id": "client.names",
    "parse_version": "client.names",
    "Range": "client.ranges",
    "satisfies": "client.ranges",
    "max_satisfying": "client.ranges",
    "sort_versions": "client.ranges",
    "Template": "client.template",
    "parse_template": "client.template",
    "dump_template": "client.template",
    "flatten_reference": "client.flatten",
    "NestryError": "client.errors",
}

__all__ = [
    "AppId",
    "NestryError",
    "Range",
    "RegistryClient",
    "RegistryError",
    "Template",
    "dump_template",
    "flatten_reference",
    "max_satisfying",
    "parse_app_id",
    "parse_template",
    "parse_version",
    "satisfies",
    "sort_versions",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from client.api.client import RegistryClient
    from client.api.errors import RegistryError
    from client.errors import NestryError
    from client.flatten import flatten_reference
    from client.names import AppId, parse_app_id, parse_version
    from client.ranges import Range, max_satisfying, satisfies, sort_versions
    from client.template import Template, dump_template, parse_template

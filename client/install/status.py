"""What the registry says now about the versions a tree pins: yanked (with its reason) or
deprecated (with its message).

A lockfile may pin a yanked version on purpose (yanking keeps existing installs working), but
``nestry yank`` promises that everyone who installs it sees the reason (issue 14, item 3): an
install asks the registry for each pinned version's document (the hot, cached read path) and
turns its state into warnings. ``--offline`` skips the question; the cache cannot know.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from client.install.pins import version_base
from client.install.resolver import Node
from client.install.sources import ClientFactory, call_registry


class VersionStatus(NamedTuple):
    yanked: bool = False
    yanked_reason: str | None = None
    deprecated: str | None = None

    def describe(self) -> str | None:
        """``yanked: leaks logs``, ``deprecated: use 1.8``, or None (in good standing)."""
        if self.yanked:
            return "yanked" + (f": {self.yanked_reason}" if self.yanked_reason else "")
        if self.deprecated:
            return f"deprecated: {self.deprecated}"
        return None


def status_of(document: Any) -> VersionStatus:
    """The status fields of a version document (anything else: in good standing)."""
    if not isinstance(document, dict):
        return VersionStatus()
    reason, message = document.get("yanked_reason"), document.get("deprecated")
    return VersionStatus(
        document.get("yanked") is True,
        reason if isinstance(reason, str) and reason else None,
        message if isinstance(message, str) and message else None,
    )


Key = tuple[str, str, str]  # (registry, application, version)


def statuses(nodes: list[Node], clients: ClientFactory) -> dict[Key, VersionStatus]:
    """(registry, application, version) -> its status, one request per distinct version."""
    found: dict[Key, VersionStatus] = {}
    for node in nodes:
        key = (node.pin.registry, node.pin.application, node.pin.version)
        if key in found:
            continue
        get = clients.client(node.pin.registry).get_bytes
        path = version_base(node.pin.application, node.pin.version)
        data = call_registry(node.pin.registry, "checking versions", lambda: get(path))  # noqa: B023
        try:
            found[key] = status_of(json.loads(data))
        except ValueError:
            found[key] = VersionStatus()  # not a document: nothing to warn about
    return found


def status_warnings(nodes: list[Node], clients: ClientFactory) -> list[str]:
    """One warning per reference whose pinned version is yanked or deprecated."""
    known = statuses(nodes, clients)
    warnings = []
    for node in nodes:
        state = known[(node.pin.registry, node.pin.application, node.pin.version)].describe()
        if state:
            warnings.append(f"{node.path}: {node.pin.application}@{node.pin.version} is {state}")
    return warnings

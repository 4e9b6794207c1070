"""``nestry outdated`` and ``nestry tree``: read-only views of the resolved tree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from client.install.cache import Cache
from client.install.pipeline import InstallOptions, Progress, resolve_tree
from client.install.report import TreeEntry, tree_entries
from client.install.resolver import Node, walk
from client.install.sources import ClientFactory, RegistrySource, call_registry
from client.install.status import statuses


@dataclass(frozen=True)
class OutdatedRow:
    path: str
    application: str
    range: str
    current: str  # what nestry.lock (or a fresh resolve) pins now
    wanted: str | None  # the highest version the range allows; None when none does
    latest: str | None  # the version the dist-tag ``latest`` points at
    # Why ``current`` may be above ``wanted``: ``yanked: <reason>`` or ``deprecated: <message>``.
    note: str | None = None

    @property
    def is_outdated(self) -> bool:
        return self.current != self.wanted or self.current != self.latest or bool(self.note)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "application": self.application,
            "range": self.range,
            "current": self.current,
            "wanted": self.wanted,
            "latest": self.latest,
            "note": self.note,
        }


def tree(
    options: InstallOptions,
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
) -> tuple[TreeEntry, ...]:
    """The resolved tree (lockfile first); nothing is written."""
    return tree_entries(
        resolve_tree(options, clients=clients, cache=cache, progress=progress).roots
    )


def outdated(
    options: InstallOptions,
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
) -> list[OutdatedRow]:
    """One row per reference in the tree: current / wanted / latest versions."""
    nodes = walk(resolve_tree(options, clients=clients, cache=cache, progress=progress).roots)
    standing = statuses(nodes, clients)
    by_registry: dict[str, list[Node]] = defaultdict(list)
    for node in nodes:
        by_registry[node.pin.registry].append(node)
    rows: dict[str, OutdatedRow] = {}
    for registry, group in by_registry.items():
        client = clients.client(registry)
        requests = [(n.pin.application, n.range) for n in group]
        requests += [(n.pin.application, "latest") for n in group]
        results = _resolve_flat(registry, client, requests)
        wanted, latest = results[: len(group)], results[len(group) :]
        for node, want, last in zip(group, wanted, latest, strict=True):
            rows[node.path] = OutdatedRow(
                node.path,
                node.pin.application,
                node.range,
                node.pin.version,
                _version(want),
                _version(last),
                standing[(registry, node.pin.application, node.pin.version)].describe(),
            )
    return [rows[path] for path in sorted(rows)]


def _resolve_flat(
    registry: str, client: RegistrySource, requests: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    return call_registry(
        registry, "checking versions", lambda: client.resolve(requests, recursive=False)
    )


def _version(result: dict[str, Any]) -> str | None:
    version = result.get("version")
    return version if isinstance(version, str) and "error" not in result else None

"""What an install tells its caller: the tree, capabilities, files, and the command to run next."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, NamedTuple

from client.install.lockfile import VersionChange
from client.install.resolver import Node


class TreeEntry(NamedTuple):
    path: str
    application: str
    range: str
    version: str
    digest: str
    registry: str
    children: tuple[TreeEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "application": self.application,
            "range": self.range,
            "version": self.version,
            "digest": self.digest,
            "registry": self.registry,
            "children": [child.to_json() for child in self.children],
        }


def tree_entries(nodes: list[Node]) -> tuple[TreeEntry, ...]:
    return tuple(
        TreeEntry(
            path=node.path,
            application=node.pin.application,
            range=node.range,
            version=node.pin.version,
            digest=node.pin.digest,
            registry=node.pin.registry,
            children=tree_entries(node.children),
        )
        for node in sorted(nodes, key=lambda n: n.path)
    )


def render_tree(entries: tuple[TreeEntry, ...], indent: str = "") -> list[str]:
    """Human lines: ``TweetSource  acme/tweets@2.1.0 (^2.0.0)``, children indented."""
    lines = []
    for entry in entries:
        name = entry.path.rsplit("/", 1)[-1]
        lines.append(f"{indent}{name}  {entry.application}@{entry.version} ({entry.range})")
        lines += render_tree(entry.children, indent + "  ")
    return lines


def next_command(build_dir: Path, capabilities: tuple[str, ...], needs_build: bool) -> str:
    template = shlex.quote(str(build_dir / "template.yaml"))
    caps = f" --capabilities {' '.join(capabilities)}" if capabilities else ""
    if needs_build:
        return f"sam build -t {template} && sam deploy --guided{caps}"
    return f"sam deploy --guided -t {template}{caps}"


def change_json(change: VersionChange) -> dict[str, Any]:
    """One moved pin as ``--json`` shows it (``from``/``to`` null: added/removed)."""
    return {
        "path": change.path,
        "application": change.application,
        "from": change.old,
        "to": change.new,
    }


def change_line(change: VersionChange) -> str:
    """``Backend: acme/db 1.0.0 -> 1.2.0`` (``(new)`` / ``(removed)`` at either end)."""
    return (
        f"{change.path}: {change.application}"
        f" {change.old or '(new)'} -> {change.new or '(removed)'}"
    )


class FlattenReport(NamedTuple):
    """What ``--flatten`` decided beyond its warnings."""

    settled: dict[str, bool]  # prefixed child conditions the passed parameters decide
    dropped: list[str]  # child resources and outputs left out by a false condition

    def to_json(self) -> dict[str, Any]:
        return {"settled": dict(sorted(self.settled.items())), "dropped": sorted(self.dropped)}

    def lines(self) -> list[str]:
        """Human lines: the settled conditions, then what they dropped."""
        settled = [f"{name}={str(value).lower()}" for name, value in sorted(self.settled.items())]
        found = []
        if settled:
            found.append("flatten settled conditions: " + ", ".join(settled))
        if self.dropped:
            found.append("flatten dropped: " + ", ".join(sorted(self.dropped)))
        return found


class InstallReport(NamedTuple):
    tree: tuple[TreeEntry, ...]
    capabilities: tuple[str, ...]
    files: list[str]
    build_dir: Path
    lockfile: Path
    lockfile_changed: bool
    next_command: str
    warnings: list[str]
    changes: list[VersionChange]
    flatten: FlattenReport | None = None  # None: not flattened

    def to_json(self) -> dict[str, Any]:
        return {
            "tree": [entry.to_json() for entry in self.tree],
            "capabilities": list(self.capabilities),
            "files": self.files,
            "build_dir": str(self.build_dir),
            "lockfile": str(self.lockfile),
            "lockfile_changed": self.lockfile_changed,
            "next_command": self.next_command,
            "warnings": self.warnings,
            "changes": [change_json(c) for c in self.changes],
            "flatten": self.flatten.to_json() if self.flatten else None,
        }

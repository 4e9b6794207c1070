"""The ``--flatten`` hook: inline the whole resolved tree into the user's template.

``client.flatten`` does the inlining; this module only feeds it the verified child templates
from the resolved tree, by reference path, and gathers what it reports. Each child's local
paths (``CodeUri``, a local ``Location``, ...) are first rebased from its vendored directory to
the build directory's root, where the flattened template is written (the child's bundle stays
vendored under ``apps/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from client.flatten import flatten_reference
from client.install.build_dir import rebase_vendored
from client.install.resolver import Node, walk


@dataclass(frozen=True)
class Flattened:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    # Prefixed child conditions the passed parameters settle, and the resources they leave out.
    settled: dict[str, bool] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def flatten_tree(
    document: dict[str, Any], roots: list[Node], keep_exports: bool = False
) -> Flattened:
    """``document`` (rebased to the build directory) with every registry reference inlined."""
    by_path = {tuple(node.path.split("/")): node for node in walk(roots)}

    def resolve(path: tuple[str, ...], resource: dict[str, Any]) -> dict[str, Any] | None:
        node = by_path.get(path)
        return rebase_vendored(node) if node else None  # SAR/local children stay nested

    result = Flattened(document)
    for node in sorted(roots, key=lambda n: n.path):
        step = flatten_reference(
            result.document,
            node.reference.logical_id,
            rebase_vendored(node),
            keep_exports=keep_exports,
            resolve_nested=resolve,
        )
        result = Flattened(
            step.template,
            result.warnings + list(step.warnings),
            result.settled | step.settled,
            result.dropped + list(step.dropped),
        )
    return result

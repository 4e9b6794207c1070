"""Bounds on what a document costs to walk: nesting depth and alias expansion."""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from client.errors import TemplateAliasError, TemplateTooDeepError
from client.template.model import Limits


class _Measure:
    """Sizes and heights of a composed node graph, each shared (aliased) node measured once.

    Memoising by node keeps a "billion laughs" document cheap to measure while its expanded
    size, which is what anything walking the loaded document pays, is still counted.
    """

    def __init__(self, limits: Limits, source: str) -> None:
        self.limits = limits
        self.source = source
        self.known: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)
        self.active: set[int] = set()

    def measure(self, node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in self.active:
            raise TemplateAliasError(
                f"line {node.start_mark.line + 1}: an alias refers to a node containing itself",
                source=self.source,
            )
        size, height = self.known.get(key) or self._measure_new(node, depth)
        if depth + height > self.limits.max_depth:
            raise TemplateTooDeepError(
                f"line {node.start_mark.line + 1}: nesting deeper than "
                f"{self.limits.max_depth} levels",
                source=self.source,
            )
        return size, height

    def _measure_new(self, node: Node, depth: int) -> tuple[int, int]:
        if depth > self.limits.max_depth:
            return 1, 1  # measure() reports it with this node's line
        key = id(node)
        self.active.add(key)
        size, height = 1, 1
        for child in _children(node):
            child_size, child_height = self.measure(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
        self.active.discard(key)
        self.known[key] = (size, height)
        return size, height


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_node_graph(root: Node, limits: Limits, source: str) -> bool:
    """Refuse too deep or alias-bombed documents; True when the document used aliases."""
    measure = _Measure(limits, source)
    expanded, _ = measure.measure(root, 1)
    via_aliases = expanded - len(measure.known)
    if via_aliases > limits.max_alias_nodes:
        raise TemplateAliasError(
            f"aliases expand to {via_aliases} more nodes, over the limit of "
            f"{limits.max_alias_nodes}",
            source=source,
        )
    return via_aliases > 0


def check_depth(document: Any, limits: Limits, source: str, depth: int = 1) -> None:
    """The depth limit for documents that did not come through YAML (JSON)."""
    if depth > limits.max_depth:
        raise TemplateTooDeepError(f"nesting deeper than {limits.max_depth} levels", source=source)
    children = document.values() if isinstance(document, dict) else document
    if isinstance(document, dict | list):
        for child in children:
            check_depth(child, limits, source, depth + 1)


def untangle(document: Any) -> Any:
    """Copy shared (aliased) parts so that editing one place never changes another."""
    if isinstance(document, dict):
        return {key: untangle(value) for key, value in document.items()}
    if isinstance(document, list):
        return [untangle(value) for value in document]
    return document

"""One walk over a template fragment that lets a pass decide what intrinsics point at.

A pass subclasses ``Rewriter`` and overrides the hooks it cares about; ``rewrite`` copies the
fragment and asks the hooks about every ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` variable, condition
name (``Fn::If``, ``Fn::And/Or/Not``) and ``Fn::FindInMap`` mapping name. Plain strings are never
touched, however much they look like logical ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from client.flatten.subtext import rewrite_sub

Node = Any


class Rewriter:
    """Identity hooks: each returns the node (or name) that should replace the one given."""

    def ref(self, target: str) -> Node:
        return {"Ref": target}

    def getatt(self, resource: str, attribute: Node) -> Node:
        return {"Fn::GetAtt": [resource, attribute]}

    def condition(self, name: str) -> str:
        return name

    def mapping(self, name: str) -> str:
        return name


def rewrite(node: Node, rw: Rewriter) -> Node:
    """Return a rewritten deep copy of ``node``."""
    if isinstance(node, list):
        return [rewrite(item, rw) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, arg),) = node.items()
        handler = _HANDLERS.get(key)
        if handler is not None:
            return handler(arg, rw)
    return {key: rewrite(value, rw) for key, value in node.items()}


def _ref(arg: Node, rw: Rewriter) -> Node:
    return rw.ref(arg) if isinstance(arg, str) else {"Ref": rewrite(arg, rw)}


def _getatt(arg: Node, rw: Rewriter) -> Node:
    if isinstance(arg, str) and "." in arg:
        resource, attribute = arg.split(".", 1)
        return _keep_string_form(rw.getatt(resource, attribute))
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        return rw.getatt(arg[0], rewrite(arg[1], rw))
    return {"Fn::GetAtt": rewrite(arg, rw)}


def _keep_string_form(node: Node) -> Node:
    """A GetAtt written ``A.B`` stays in that form when it is still a plain GetAtt."""
    if isinstance(node, dict) and list(node) == ["Fn::GetAtt"]:
        target = node["Fn::GetAtt"]
        if isinstance(target, list) and all(isinstance(part, str) for part in target):
            return {"Fn::GetAtt": ".".join(target)}
    return node


def _if(arg: Node, rw: Rewriter) -> Node:
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return {"Fn::If": [rw.condition(arg[0]), *(rewrite(item, rw) for item in arg[1:])]}
    return {"Fn::If": rewrite(arg, rw)}


def _logical(key: str) -> Callable[[Node, Rewriter], Node]:
    def handler(arg: Node, rw: Rewriter) -> Node:
        if not isinstance(arg, list):
            return {key: rewrite(arg, rw)}
        return {key: [_condition_operand(item, rw) for item in arg]}

    return handler


def _condition_operand(item: Node, rw: Rewriter) -> Node:
    if (
        isinstance(item, dict)
        and list(item) == ["Condition"]
        and isinstance(item["Condition"], str)
    ):
        return {"Condition": rw.condition(item["Condition"])}
    return rewrite(item, rw)


def _find_in_map(arg: Node, rw: Rewriter) -> Node:
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return {"Fn::FindInMap": [rw.mapping(arg[0]), *(rewrite(item, rw) for item in arg[1:])]}
    return {"Fn::FindInMap": rewrite(arg, rw)}


def _sub(arg: Node, rw: Rewriter) -> Node:
    return rewrite_sub(arg, lambda node: rewrite(node, rw), rw.ref, rw.getatt)


_HANDLERS: dict[str, Callable[[Node, Rewriter], Node]] = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::If": _if,
    "Fn::And": _logical("Fn::And"),
    "Fn::Or": _logical("Fn::Or"),
    "Fn::Not": _logical("Fn::Not"),
    "Fn::FindInMap": _find_in_map,
    "Fn::Sub": _sub,
}

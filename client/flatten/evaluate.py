"""What a condition evaluates to before deployment, when only literals go into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Node = Any


@dataclass
class Folder:
    conditions: dict[str, Node]
    known: dict[str, bool] = field(default_factory=dict)
    _visiting: set[str] = field(default_factory=set)

    def value(self, name: str) -> bool | None:
        if name in self.known:
            return self.known[name]
        if name not in self.conditions or name in self._visiting:
            return None
        self._visiting.add(name)
        result = self.evaluate(self.conditions[name])
        self._visiting.discard(name)
        if result is not None:
            self.known[name] = result
        return result

    def evaluate(self, expr: Node) -> bool | None:
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        ((key, arg),) = expr.items()
        if key == "Condition" and isinstance(arg, str):
            return self.value(arg)
        if not isinstance(arg, list):
            return None
        if key == "Fn::Equals" and len(arg) == 2:
            return _equals(arg[0], arg[1])
        values = [self.evaluate(item) for item in arg]
        if key == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if key == "Fn::And":
            return False if False in values else (True if None not in values else None)
        if key == "Fn::Or":
            return True if True in values else (False if None not in values else None)
        return None


def _equals(left: Node, right: Node) -> bool | None:
    a, b = static_value(left), static_value(right)
    if not (isinstance(a, str) and isinstance(b, str)):
        return None
    return a == b


def static_value(node: Node) -> str | list[Any] | None:
    """What ``node`` evaluates to before deployment, when only literals go into it."""
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        items = [static_value(item) for item in node]
        return items if all(isinstance(item, str) for item in items) else None
    if not isinstance(node, dict) or len(node) != 1:
        return None
    ((key, arg),) = node.items()
    if not (isinstance(arg, list) and len(arg) == 2):
        return None
    first, second = static_value(arg[0]), static_value(arg[1])
    if key == "Fn::Join" and isinstance(first, str) and isinstance(second, list):
        return first.join(second)
    if key == "Fn::Split" and isinstance(first, str) and isinstance(second, str) and first:
        return second.split(first)
    if key == "Fn::Select" and isinstance(first, str) and isinstance(second, list):
        index = int(first) if first.isdigit() else len(second)
        return str(second[index]) if index < len(second) else None
    return None

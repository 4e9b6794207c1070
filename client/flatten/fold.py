"""Decide the child's conditions that its substituted parameters settle, and apply them.

Once parameters are literals, ``!Equals [literal, literal]`` is known before deployment. Such
conditions leave the template: ``Fn::If`` keeps the branch CloudFormation would take (a branch
of ``AWS::NoValue`` removes the key or item), a resource or output whose condition is false is
dropped, and one whose condition is true loses the attribute. Conditions that stay open (they
read pseudo parameters or the parent's values) are kept, with settled operands simplified away.
"""

from __future__ import annotations

import copy
from typing import Any

from client.flatten.evaluate import Folder

Node = Any
_REMOVED = object()  # a Fn::If that chose AWS::NoValue


def fold(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bool], list[str]]:
    """The folded doc, the settled conditions, and the resources dropped as false."""
    conditions = doc.get("Conditions", {})
    folder = Folder(conditions)
    for name in conditions:
        folder.value(name)
    out = dict(doc)
    out["Conditions"] = {
        name: _simplify(expr, folder)
        for name, expr in conditions.items()
        if name not in folder.known
    }
    resources, dropped = _kept(doc.get("Resources", {}), folder)
    out["Resources"] = {name: _drop_depends(res, dropped) for name, res in resources.items()}
    if "Outputs" in doc:
        out["Outputs"] = _kept(doc["Outputs"], folder)[0]
    if folder.known:
        # Conditions only read on a folded-away branch would be flagged as unused.
        out["Conditions"] = _used_conditions(
            out["Conditions"], [out["Resources"], out.get("Outputs")]
        )
    if not out["Conditions"]:
        del out["Conditions"]
    if "Mappings" in doc:
        # A mapping read only on a branch that was folded away would be flagged as unused.
        used = _mappings_used([out.get(key) for key in ("Resources", "Outputs", "Conditions")])
        out["Mappings"] = {name: m for name, m in doc["Mappings"].items() if name in used}
    return out, folder.known, dropped


def _used_conditions(conditions: dict[str, Node], readers: Node) -> dict[str, Node]:
    used, pending = set(), _conditions_read(readers)
    while pending:
        name = pending.pop()
        if name in conditions and name not in used:
            used.add(name)
            pending |= _conditions_read(conditions[name])
    return {name: expr for name, expr in conditions.items() if name in used}


def _conditions_read(node: Node) -> set[str]:
    """Condition attributes, ``Condition`` operands and ``Fn::If`` conditions under ``node``."""
    if isinstance(node, list):
        return set().union(*(_conditions_read(item) for item in node))
    if not isinstance(node, dict):
        return set()
    read = set().union(*(_conditions_read(value) for value in node.values()))
    if isinstance(node.get("Condition"), str):
        read.add(node["Condition"])
    branch = node.get("Fn::If")
    if isinstance(branch, list) and branch and isinstance(branch[0], str):
        read.add(branch[0])
    return read


def _mappings_used(node: Node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_mappings_used(item) for item in node))
    if not isinstance(node, dict):
        return set()
    used = set().union(*(_mappings_used(value) for value in node.values()))
    find = node.get("Fn::FindInMap")
    if isinstance(find, list) and find and isinstance(find[0], str):
        used.add(find[0])
    return used


def _kept(entries: dict[str, Node], folder: Folder) -> tuple[dict[str, Node], list[str]]:
    kept, dropped = {}, []
    for name, entry in entries.items():
        condition = entry.get("Condition") if isinstance(entry, dict) else None
        settled = folder.value(condition) if isinstance(condition, str) else None
        if settled is False:
            dropped.append(name)
            continue
        entry = _resolve_ifs(entry, folder)
        if settled is True:
            entry = {key: value for key, value in entry.items() if key != "Condition"}
        kept[name] = entry
    return kept, dropped


def _resolve_ifs(node: Node, folder: Folder) -> Node:
    if isinstance(node, list):
        items = (_resolve_ifs(item, folder) for item in node)
        return [item for item in items if item is not _REMOVED]
    if not isinstance(node, dict):
        return node
    branch = node.get("Fn::If") if len(node) == 1 else None
    if isinstance(branch, list) and len(branch) == 3 and isinstance(branch[0], str):
        settled = folder.value(branch[0])
        if settled is not None:
            chosen = branch[1] if settled else branch[2]
            return _REMOVED if chosen == {"Ref": "AWS::NoValue"} else _resolve_ifs(chosen, folder)
    pairs = ((key, _resolve_ifs(value, folder)) for key, value in node.items())
    return {key: value for key, value in pairs if value is not _REMOVED}


def _simplify(expr: Node, folder: Folder) -> Node:
    """An open condition's expression without its settled operands (still a valid function)."""
    if not isinstance(expr, dict) or len(expr) != 1:
        return expr
    ((key, arg),) = expr.items()
    if key not in ("Fn::And", "Fn::Or") or not isinstance(arg, list):
        if key == "Fn::Not" and isinstance(arg, list):
            return {key: [_simplify(item, folder) for item in arg]}
        return expr
    open_items = [_simplify(i, folder) for i in arg if folder.evaluate(i) is None]
    if len(open_items) >= 2:
        return {key: open_items}
    return _as_function(open_items[0], folder)


def _as_function(operand: Node, folder: Folder) -> Node:
    """A lone ``{"Condition": X}`` cannot stand as a condition: use X's own expression."""
    if isinstance(operand, dict) and operand.get("Condition") in folder.conditions:
        return _simplify(copy.deepcopy(folder.conditions[operand["Condition"]]), folder)
    return operand


def _drop_depends(resource: Node, dropped: list[str]) -> Node:
    depends = resource.get("DependsOn") if isinstance(resource, dict) else None
    if isinstance(depends, str) and depends in dropped:
        return {key: value for key, value in resource.items() if key != "DependsOn"}
    if isinstance(depends, list) and set(depends) & set(dropped):
        kept = [d for d in depends if d not in dropped]
        if not kept:
            return {key: value for key, value in resource.items() if key != "DependsOn"}
        return {**resource, "DependsOn": kept}
    return resource

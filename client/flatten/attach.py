"""Carry the reference's ``Condition`` and ``DependsOn`` onto every resource it turned into.

A resource that has its own condition gets a new condition ``<Own>And<ReferenceCondition>``
(``Fn::And`` of both), numbered if that name is already used anywhere in the parent or child.
"""

from __future__ import annotations

from typing import Any

from client.flatten.ids import fresh_id

_ID_SECTIONS = ("Resources", "Parameters", "Conditions", "Mappings")


def attach_reference(
    moved: dict[str, Any], parent: dict[str, Any], condition: Any, depends_on: list[str]
) -> dict[str, Any]:
    """A copy of the moved child sections with the reference's attributes applied."""
    out = dict(moved)
    combined: dict[str, str] = {}
    conditions = dict(moved.get("Conditions", {}))
    taken = {name for doc in (parent, moved) for key in _ID_SECTIONS for name in _section(doc, key)}

    def guarded(entry: Any) -> Any:
        if not isinstance(condition, str) or not isinstance(entry, dict):
            return entry
        own = entry.get("Condition")
        if not isinstance(own, str):
            return {**entry, "Condition": condition}
        if own not in combined:
            combined[own] = fresh_id(f"{own}And{condition}", taken)
            taken.add(combined[own])
            conditions[combined[own]] = {"Fn::And": [{"Condition": own}, {"Condition": condition}]}
        return {**entry, "Condition": combined[own]}

    out["Resources"] = {
        name: _depends(guarded(res), depends_on) for name, res in moved["Resources"].items()
    }
    out["Outputs"] = {name: guarded(o) for name, o in moved.get("Outputs", {}).items()}
    if conditions:
        out["Conditions"] = conditions
    return out


def _depends(resource: Any, extra: list[str]) -> Any:
    if not extra or not isinstance(resource, dict):
        return resource
    own = resource.get("DependsOn", [])
    names = [own] if isinstance(own, str) else list(own)
    return {**resource, "DependsOn": names + [d for d in extra if d not in names]}


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}

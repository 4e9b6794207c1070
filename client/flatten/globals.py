"""SAM ``Globals`` on both sides of an inlining.

The child's Globals are applied to the child's own SAM resources before they move (the section
itself never reaches the parent), with aws-sam-translator's merge rules: dicts merge key by key,
lists concatenate, scalars and intrinsics take the resource's value, and a few properties
(``Function.Architectures``, ``CapacityProvider.ManagedResourceTags``) replace or prune instead.
Afterwards the parent's Globals would apply to the moved resources when SAM transforms the
parent; ``shield`` sets SAM's ``IgnoreGlobals: "*"`` on exactly those so the merge is neutral.
"""

from __future__ import annotations

from typing import Any

from client.flatten.errors import UnsupportedChildError

_SAM = "AWS::Serverless::"
_REPLACE = {
    "Function": {"Architectures"},
    "CapacityProvider": {"InstanceRequirements.Architectures"},
}
_PRUNE = {"CapacityProvider": {"ManagedResourceTags"}}


def apply_globals(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` with its Globals merged into its resources and the section removed."""
    sections = doc.get("Globals")
    out = {key: value for key, value in doc.items() if key != "Globals"}
    if sections is None:
        return out
    if not isinstance(sections, dict):
        raise UnsupportedChildError("the child's Globals section is not a mapping")
    out["Resources"] = {
        name: _with_globals(res, sections) for name, res in doc.get("Resources", {}).items()
    }
    return out


def shield(resources: dict[str, Any], parent_globals: Any) -> dict[str, Any]:
    """Mark moved SAM resources that the parent's Globals would otherwise change."""
    sections = parent_globals if isinstance(parent_globals, dict) else {}
    shielded = {}
    for name, res in resources.items():
        section = _section_of(res)
        if section is not None:
            res = {key: value for key, value in res.items() if key != "IgnoreGlobals"}
            if section in sections:
                res["IgnoreGlobals"] = "*"
        shielded[name] = res
    return shielded


def _with_globals(resource: Any, sections: dict[str, Any]) -> Any:
    section = _section_of(resource)
    if section is None or not isinstance(sections.get(section), dict):
        return resource
    defaults = _minus_ignored(sections[section], resource.get("IgnoreGlobals"))
    local = resource.get("Properties")
    local = local if isinstance(local, dict) else {}
    merged = _merge(defaults, local, "", section)
    return {**resource, "Properties": merged}


def _minus_ignored(defaults: dict[str, Any], ignore: Any) -> dict[str, Any]:
    if ignore == "*":
        return {}
    if isinstance(ignore, list):
        return {key: value for key, value in defaults.items() if key not in ignore}
    return defaults


def _merge(global_value: Any, local_value: Any, path: str, section: str) -> Any:
    kind = _kind(global_value)
    if kind != _kind(local_value) or kind == "scalar":
        return local_value
    if path in _REPLACE.get(section, set()):
        return local_value
    if kind == "list":
        return global_value + local_value
    prune = path in _PRUNE.get(section, set()) and bool(local_value)
    merged = {} if prune else dict(global_value)
    for key, value in local_value.items():
        child = f"{path}.{key}" if path else key
        merged[key] = (
            _merge(global_value[key], value, child, section) if key in global_value else value
        )
    return merged


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict) and not _is_intrinsic(value):
        return "dict"
    return "scalar"


def _is_intrinsic(value: dict[str, Any]) -> bool:
    if len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _section_of(resource: Any) -> str | None:
    kind = resource.get("Type") if isinstance(resource, dict) else None
    if isinstance(kind, str) and kind.startswith(_SAM):
        return kind.removeprefix(_SAM)
    return None

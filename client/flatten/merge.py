"""Put the moved child sections into the rewritten parent, refusing id collisions."""

from __future__ import annotations

from typing import Any

from client.flatten.errors import IdCollisionError

_ID_SECTIONS = ("Resources", "Parameters", "Conditions", "Mappings")
_SINGULAR = {
    "Resources": "resource",
    "Parameters": "parameter",
    "Conditions": "condition",
    "Mappings": "mapping",
    "Outputs": "output",
}
_LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


def check_collisions(
    parent: dict[str, Any], moved: dict[str, Any], reference: str, sections: tuple[str, ...]
) -> None:
    """Every id the child brings must be new in the parent (one namespace, as in CloudFormation)."""
    taken = {
        name: key
        for key in (_ID_SECTIONS if sections != ("Outputs",) else sections)
        for name in _section(parent, key)
        if not (key == "Resources" and name == reference)
    }
    for key in sections:
        for name in _section(moved, key):
            if name in taken:
                own = name.removeprefix(reference) or name
                raise IdCollisionError(
                    f"{reference}'s {_SINGULAR[key]} {own} becomes {name}, which collides"
                    f" with the parent's {_SINGULAR[taken[name]]} {name}"
                )


def merge_sections(
    parent: dict[str, Any], moved: dict[str, Any], reference: str, order: list[str]
) -> dict[str, Any]:
    """``parent`` with the moved resources where the reference stood (``order``: the parent's
    original resource order) and the other moved sections appended."""
    out = dict(parent)
    resources = _section(parent, "Resources")
    out["Resources"] = _resources_in_place(resources, moved.get("Resources", {}), order, reference)
    for key in ("Conditions", "Mappings", "Outputs"):
        added = moved.get(key)
        if added:
            out[key] = {**_section(parent, key), **added}
    return out


def merge_transforms(parent: Any, child: Any) -> Any:
    """The parent's Transform extended by whatever transforms the child needs."""
    have = _as_list(parent)
    wanted = [t for t in _as_list(child) if t not in have]
    if not wanted:
        return parent
    merged = have + wanted
    if _LANGUAGE_EXTENSIONS in merged:
        # LanguageExtensions has to run before the other transforms.
        merged.remove(_LANGUAGE_EXTENSIONS)
        merged.insert(0, _LANGUAGE_EXTENSIONS)
    return merged[0] if len(merged) == 1 else merged


def _resources_in_place(
    resources: dict[str, Any], moved: dict[str, Any], order: list[str], reference: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in order:
        if name == reference:
            out.update(moved)
        elif name in resources:
            out[name] = resources[name]
    return out


def _as_list(transform: Any) -> list[Any]:
    if transform is None:
        return []
    return list(transform) if isinstance(transform, list) else [transform]


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}

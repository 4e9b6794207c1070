"""Inline one nested application of a parent template (issue 6): the steps in order."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from client.flatten import checks, notes
from client.flatten.attach import attach_reference
from client.flatten.errors import UnsupportedChildError
from client.flatten.fold import fold
from client.flatten.globals import apply_globals, shield
from client.flatten.implicit_api import make_apis_explicit
from client.flatten.merge import check_collisions, merge_sections, merge_transforms
from client.flatten.parent import rewrite_parent
from client.flatten.rename import rename_child
from client.flatten.substitute import parameter_values, substitute
from client.resolution import LIMITS

# (path of logical ids down to a nested reference inside a child, its resource) -> the template
# to inline in its place, or None to keep it a nested stack.
NestedResolver = Callable[[tuple[str, ...], dict[str, Any]], dict[str, Any] | None]
MAX_DEPTH = LIMITS.max_depth  # the resolver's: a tree it accepts can be inlined


@dataclass(frozen=True)
class FlattenResult:
    template: dict[str, Any]
    warnings: tuple[str, ...]
    inlined: tuple[str, ...]  # the parent resource ids the reference became
    # Child conditions (prefixed) the passed parameters settle, and resources they leave out.
    settled: dict[str, bool] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()


def flatten_reference(
    parent: dict[str, Any],
    logical_id: str,
    child: dict[str, Any],
    *,
    keep_exports: bool = False,
    resolve_nested: NestedResolver | None = None,
) -> FlattenResult:
    """Return ``parent`` with the reference ``logical_id`` replaced by ``child``'s contents.

    Neither input is modified. Raises a ``FlattenError`` when the result could not behave like
    the nested stack did.
    """
    return _flatten(parent, logical_id, child, keep_exports, resolve_nested, (logical_id,))


def _flatten(
    parent: dict[str, Any],
    logical_id: str,
    child: dict[str, Any],
    keep_exports: bool,
    resolve: NestedResolver | None,
    path: tuple[str, ...],
) -> FlattenResult:
    reference = checks.reference_resource(parent, logical_id)
    checks.check_child(child, logical_id)
    child, warnings = _inline_grandchildren(copy.deepcopy(child), keep_exports, resolve, path)
    moved, settled, dropped = _moved_child(child, reference, logical_id)
    outputs = {
        n: o.get("Value") if isinstance(o, dict) else o for n, o in moved.get("Outputs", {}).items()
    }
    moved = attach_reference(moved, parent, reference.get("Condition"), _depends(reference))
    moved["Outputs"], export_notes = _exports(moved["Outputs"], logical_id, keep_exports)
    check_collisions(parent, moved, logical_id, ("Resources", "Conditions", "Mappings"))
    check_collisions(parent, moved, logical_id, ("Outputs",))
    inlined = list(moved["Resources"])
    declared = set(child.get("Outputs", {}))
    rewritten = rewrite_parent(parent, logical_id, outputs, declared, inlined)
    merged = merge_sections(rewritten, moved, logical_id, list(parent["Resources"]))
    merged["Resources"] = _shielded(merged["Resources"], inlined, parent.get("Globals"))
    _add_transform(merged, child.get("Transform"))
    warnings += notes.dropped_warnings(child, logical_id, reference) + export_notes
    warnings += notes.stack_pseudo_warnings({**moved["Resources"], **moved["Outputs"]})
    return FlattenResult(merged, tuple(warnings), tuple(inlined), settled, tuple(dropped))


def _moved_child(
    child: dict[str, Any], reference: dict[str, Any], logical_id: str
) -> tuple[dict[str, Any], dict[str, bool], list[str]]:
    """The child's sections as they will sit in the parent: renamed, substituted, folded."""
    passed = checks.passed_parameters(reference, logical_id)
    values = parameter_values(child.get("Parameters", {}), passed, reference=logical_id)
    explicit = apply_globals(make_apis_explicit(child, logical_id))
    return fold(substitute(rename_child(explicit, logical_id), values))


def _inline_grandchildren(
    child: dict[str, Any], keep_exports: bool, resolve: NestedResolver | None, path: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    if resolve is None:
        return child, warnings
    for name, res in list(child["Resources"].items()):
        if res.get("Type") not in checks.NESTED_TYPES:
            continue
        grandchild = resolve((*path, name), res)
        if grandchild is None:
            continue
        if len(path) >= MAX_DEPTH:
            raise UnsupportedChildError(f"{'/'.join(path)}: applications nest too deep to inline")
        result = _flatten(child, name, grandchild, keep_exports, resolve, (*path, name))
        child, warnings = result.template, warnings + list(result.warnings)
    return child, warnings


def _depends(reference: dict[str, Any]) -> list[str]:
    depends = reference.get("DependsOn", [])
    names = [depends] if isinstance(depends, str) else depends
    return [d for d in names if isinstance(d, str)] if isinstance(names, list) else []


def _exports(
    outputs: dict[str, Any], logical_id: str, keep: bool
) -> tuple[dict[str, Any], list[str]]:
    exported = {name: o for name, o in outputs.items() if isinstance(o, dict) and "Export" in o}
    if keep:
        return {logical_id + name: o for name, o in exported.items()}, []
    return {}, [
        f"{logical_id}: output {name} is exported; the export is dropped" for name in exported
    ]


def _shielded(resources: dict[str, Any], inlined: list[str], parent_globals: Any) -> dict[str, Any]:
    moved = shield({name: resources[name] for name in inlined}, parent_globals)
    return {name: moved.get(name, res) for name, res in resources.items()}


def _add_transform(merged: dict[str, Any], child_transform: Any) -> None:
    transform = merge_transforms(merged.get("Transform"), child_transform)
    if transform is not None:
        merged["Transform"] = transform

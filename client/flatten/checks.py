"""What must hold of the parent's reference and the child before inlining starts."""

from __future__ import annotations

from typing import Any

from client.flatten.errors import FlattenError, UnsupportedChildError

NESTED_TYPES = ("AWS::Serverless::Application", "AWS::CloudFormation::Stack")


def reference_resource(parent: dict[str, Any], logical_id: str) -> dict[str, Any]:
    resources = parent.get("Resources")
    resource = resources.get(logical_id) if isinstance(resources, dict) else None
    if not isinstance(resource, dict) or resource.get("Type") not in NESTED_TYPES:
        raise FlattenError(
            f"the parent has no nested application {logical_id} to inline",
            hint="Name an AWS::Serverless::Application or AWS::CloudFormation::Stack resource.",
        )
    return resource


def passed_parameters(resource: dict[str, Any], logical_id: str) -> dict[str, Any]:
    props = resource.get("Properties")
    passed = props.get("Parameters", {}) if isinstance(props, dict) else {}
    if not isinstance(passed, dict):
        raise UnsupportedChildError(f"{logical_id}: Parameters must be a mapping to be inlined")
    return passed


def check_child(child: Any, logical_id: str) -> None:
    resources = child.get("Resources") if isinstance(child, dict) else None
    if not isinstance(resources, dict) or not resources:
        raise UnsupportedChildError(f"{logical_id}: the child template has no Resources")
    for key in ("Resources", "Parameters", "Conditions", "Mappings", "Outputs"):
        section = child.get(key, {})
        if not isinstance(section, dict):
            raise UnsupportedChildError(f"{logical_id}: the child's {key} is not a mapping")
        odd = [name for name in section if not isinstance(name, str)]
        if odd:
            # YAML 1.1 reads unquoted On/Yes/No keys as booleans.
            raise UnsupportedChildError(
                f"{logical_id}: the child's {key} has a non-text id {odd[0]!r} (quote it)"
            )
    for kind, section in (("resource", resources), ("output", child.get("Outputs", {}))):
        for name, entry in section.items():
            if not _well_formed(entry):
                raise UnsupportedChildError(f"{logical_id}: the child's {kind} {name} is malformed")


def _well_formed(entry: Any) -> bool:
    """A mapping whose Condition is a name and whose DependsOn is a name or a list of names."""
    if not isinstance(entry, dict):
        return False
    depends = entry.get("DependsOn", [])
    names = [depends] if isinstance(depends, str) else depends
    return (
        isinstance(names, list)
        and all(isinstance(n, str) for n in names)
        and isinstance(entry.get("Condition", ""), str)
    )

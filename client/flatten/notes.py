"""Warnings about what changes meaning, or is left behind, when a child is inlined."""

from __future__ import annotations

from typing import Any

from client.flatten.subtext import sub_variables

_STACK_PSEUDOS = ("AWS::StackName", "AWS::StackId")
_DROPPED_SECTIONS = ("Rules", "Metadata")
_DROPPED_PROPERTIES = ("Tags", "NotificationARNs", "TimeoutInMinutes")
_DROPPED_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")


def stack_pseudo_warnings(resources: dict[str, Any]) -> list[str]:
    return [
        f"{name} uses {pseudo}, which now names the parent stack"
        for name, res in resources.items()
        for pseudo in _STACK_PSEUDOS
        if _mentions(res, pseudo)
    ]


def dropped_warnings(child: dict[str, Any], reference: str, resource: dict[str, Any]) -> list[str]:
    notes = [
        f"{reference}: the child's template-level {key} section is not inlined"
        for key in _DROPPED_SECTIONS
        if child.get(key)
    ]
    props = resource.get("Properties")
    props = props if isinstance(props, dict) else {}
    notes += [
        f"{reference}: {key} applies to a nested stack only and is dropped"
        for key in _DROPPED_PROPERTIES
        if key in props
    ]
    notes += [
        f"{reference}: {key} on the reference is dropped (set it on the inlined resources)"
        for key in _DROPPED_ATTRIBUTES
        if key in resource
    ]
    return notes


def _mentions(node: Any, pseudo: str) -> bool:
    if isinstance(node, list):
        return any(_mentions(item, pseudo) for item in node)
    if not isinstance(node, dict):
        return False
    if node.get("Ref") == pseudo and len(node) == 1:
        return True
    sub = node.get("Fn::Sub") if len(node) == 1 else None
    text = sub[0] if isinstance(sub, list) and sub else sub
    if isinstance(text, str) and pseudo in sub_variables(text):
        return True
    return any(_mentions(value, pseudo) for value in node.values())

"""Prefix a child template's logical ids and every reference to them.

Resources, conditions and mappings move to ``<prefix><Id>``; ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``
variables, ``DependsOn``, ``Condition`` attributes, condition operands and ``Fn::FindInMap``
names follow. Ids SAM derives from a resource's id (``<Function>Role``, ``<Function>.Alias``)
follow too, because SAM derives them from the prefixed id after the merge.
"""

from __future__ import annotations

from typing import Any

from client.flatten.walk import Node, Rewriter, rewrite

_SAM_PREFIX = "AWS::Serverless::"
_CONNECTOR = "AWS::Serverless::Connector"


class Renamer(Rewriter):
    """Hooks that prefix the ids a child template declares (or SAM derives from them)."""

    def __init__(self, prefix: str, doc: dict[str, Any]) -> None:
        self.prefix = prefix
        resources = _section(doc, "Resources")
        self.resources = set(resources)
        self.sam_resources = {
            name for name, res in resources.items() if _type(res).startswith(_SAM_PREFIX)
        }
        self.parameters = set(_section(doc, "Parameters"))
        self.conditions = set(_section(doc, "Conditions"))
        self.mappings = set(_section(doc, "Mappings"))

    def owns(self, name: str) -> bool:
        base = name.split(".", 1)[0]
        if base in self.resources:
            return True
        if base in self.parameters or "::" in base:
            return False
        return any(base.startswith(sam) for sam in self.sam_resources)

    def resource_id(self, name: str) -> str:
        return self.prefix + name if self.owns(name) else name

    def ref(self, target: str) -> Node:
        return {"Ref": self.resource_id(target)}

    def getatt(self, resource: str, attribute: Node) -> Node:
        return {"Fn::GetAtt": [self.resource_id(resource), attribute]}

    def condition(self, name: str) -> str:
        return self.prefix + name if name in self.conditions else name

    def mapping(self, name: str) -> str:
        return self.prefix + name if name in self.mappings else name


def rename_child(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A copy of ``doc`` with its ids prefixed; Parameters are left for substitution."""
    rn = Renamer(prefix, doc)
    out = dict(doc)
    out["Resources"] = {
        prefix + name: _rename_resource(res, rn) for name, res in _section(doc, "Resources").items()
    }
    for key in ("Conditions", "Mappings"):
        if key in doc:
            out[key] = {prefix + name: rewrite(v, rn) for name, v in _section(doc, key).items()}
    if "Outputs" in doc:
        out["Outputs"] = {
            name: _rename_attributes(rewrite(o, rn), rn)
            for name, o in _section(doc, "Outputs").items()
        }
    return out


def _rename_resource(resource: Node, rn: Renamer) -> Node:
    if not isinstance(resource, dict):
        return resource
    renamed = _rename_attributes(rewrite(resource, rn), rn)
    depends = renamed.get("DependsOn")
    if isinstance(depends, str):
        renamed["DependsOn"] = rn.resource_id(depends)
    elif isinstance(depends, list):
        renamed["DependsOn"] = [rn.resource_id(d) if isinstance(d, str) else d for d in depends]
    _rename_connectors(renamed, rn)
    return renamed


def _rename_attributes(entry: Node, rn: Renamer) -> Node:
    if isinstance(entry, dict) and isinstance(entry.get("Condition"), str):
        entry["Condition"] = rn.condition(entry["Condition"])
    return entry


def _rename_connectors(resource: dict[str, Any], rn: Renamer) -> None:
    """SAM connectors name resources by plain ``Id`` strings, not intrinsics."""
    props = resource.get("Properties")
    if _type(resource) == _CONNECTOR and isinstance(props, dict):
        _rename_endpoints(props, rn)
    connectors = resource.get("Connectors")
    if isinstance(connectors, dict):
        for connector in connectors.values():
            if isinstance(connector, dict) and isinstance(connector.get("Properties"), dict):
                _rename_endpoints(connector["Properties"], rn)


def _rename_endpoints(props: dict[str, Any], rn: Renamer) -> None:
    for key in ("Source", "Destination"):
        ends = props.get(key)
        for end in ends if isinstance(ends, list) else [ends]:
            if isinstance(end, dict) and isinstance(end.get("Id"), str):
                end["Id"] = rn.resource_id(end["Id"])


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _type(resource: Node) -> str:
    kind = resource.get("Type") if isinstance(resource, dict) else None
    return kind if isinstance(kind, str) else ""

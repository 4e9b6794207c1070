"""Point the parent's uses of the reference at what replaced it.

``!GetAtt Ref.Outputs.Name`` (either GetAtt form, or ``${Ref.Outputs.Name}`` in a Sub) becomes
the child output's value expression; ``DependsOn: Ref`` becomes the inlined resource ids. The
reference is no stack any more, so ``!Ref Ref`` and other attributes are refused.
"""

from __future__ import annotations

import copy
from typing import Any

from client.flatten.errors import StackReferenceError, UnknownOutputError
from client.flatten.walk import Node, Rewriter, rewrite

_OUTPUTS = "Outputs."


class OutputReader(Rewriter):
    def __init__(self, reference: str, outputs: dict[str, Node], declared: set[str]) -> None:
        self.reference = reference
        self.outputs = outputs
        self.declared = declared  # including outputs whose condition the parameters make false

    def ref(self, target: str) -> Node:
        if target == self.reference:
            raise StackReferenceError(
                f"the parent uses !Ref {target}, the id of a stack that inlining removes"
            )
        return {"Ref": target}

    def getatt(self, resource: str, attribute: Node) -> Node:
        if resource != self.reference:
            return {"Fn::GetAtt": [resource, attribute]}
        if not (isinstance(attribute, str) and attribute.startswith(_OUTPUTS)):
            raise StackReferenceError(
                f"the parent reads {resource}.{attribute!r}; an inlined application only has"
                " Outputs.<Name> attributes"
            )
        name = attribute.removeprefix(_OUTPUTS)
        if name in self.declared and name not in self.outputs:
            raise UnknownOutputError(
                f"the parent reads {resource}.Outputs.{name}, which the child only declares"
                " under a condition that the passed parameters make false"
            )
        if name not in self.outputs:
            known = ", ".join(sorted(self.outputs)) or "none"
            raise UnknownOutputError(
                f"the parent reads {resource}.Outputs.{name}, which the child does not declare"
                f" (its outputs: {known})"
            )
        return copy.deepcopy(self.outputs[name])


def rewrite_parent(
    parent: dict[str, Any],
    reference: str,
    outputs: dict[str, Node],
    declared: set[str],
    inlined: list[str],
) -> dict[str, Any]:
    """A copy of ``parent`` (reference removed) reading the child's outputs directly."""
    reader = OutputReader(reference, outputs, declared)
    return {
        key: _rewrite_resources(value, reader, inlined)
        if key == "Resources"
        else rewrite(value, reader)
        for key, value in parent.items()
    }


def _rewrite_resources(resources: dict[str, Any], reader: OutputReader, inlined: list[str]) -> Any:
    return {
        name: _redirect_depends(rewrite(res, reader), reader.reference, inlined)
        for name, res in resources.items()
        if name != reader.reference
    }


def _redirect_depends(resource: Node, reference: str, inlined: list[str]) -> Node:
    if not isinstance(resource, dict) or "DependsOn" not in resource:
        return resource
    depends = resource["DependsOn"]
    names = [depends] if isinstance(depends, str) else depends
    if not isinstance(names, list) or reference not in names:
        return resource
    redirected: list[Any] = []
    for name in names:
        for new in inlined if name == reference else [name]:
            if new not in redirected:
                redirected.append(new)
    if not redirected:  # everything the reference became was folded away
        return {key: value for key, value in resource.items() if key != "DependsOn"}
    return {**resource, "DependsOn": redirected}

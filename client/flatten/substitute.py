"""Replace a child's parameters by the values its reference passes (or their defaults).

CloudFormation hands a nested stack every parameter as a string, so literals become strings
(``Number`` ones too) and list-typed parameters, which ``Ref`` turns into lists, become
``Fn::Split`` of the comma-joined value. Values written with intrinsics are the parent's own
expressions and are inserted unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

from client.flatten.errors import ChildParameterError, UnsupportedChildError
from client.flatten.walk import Node, Rewriter, rewrite
from client.parameters import check_value

_SSM = "AWS::SSM::Parameter::Value<"


class Substituter(Rewriter):
    def __init__(self, values: dict[str, Node]) -> None:
        self.values = values

    def ref(self, target: str) -> Node:
        # A fresh copy per use: shared objects would come out of the YAML dumper as aliases.
        return copy.deepcopy(self.values.get(target, {"Ref": target}))


def parameter_values(
    declared: dict[str, Any], passed: dict[str, Any], *, reference: str
) -> dict[str, Node]:
    """What ``Ref`` of each child parameter becomes; checks the passed set against ``declared``."""
    unknown = sorted(set(passed) - set(declared))
    if unknown:
        raise ChildParameterError(
            f"{reference} passes {', '.join(unknown)}, which the child does not declare"
        )
    values: dict[str, Node] = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        if name in passed:
            raw = passed[name]
            _check_literal(raw, spec, name, reference)
        elif spec.get("Default") is not None:
            raw = spec["Default"]
        else:
            raise ChildParameterError(f"{reference} does not pass the required parameter {name}")
        value = _as_cfn_string(raw, name, reference)
        values[name] = _as_ref_value(_resolved(value, spec.get("Type"), name), spec.get("Type"))
    return values


def _check_literal(raw: Node, spec: dict[str, Any], name: str, reference: str) -> None:
    """Inlined, nothing checks the value at deploy time any more: check it now."""
    problems = check_value(raw, spec)
    if problems:
        raise ChildParameterError(f"{reference} passes {name} a value that {'; '.join(problems)}")


def substitute(doc: dict[str, Any], values: dict[str, Node]) -> dict[str, Any]:
    """A copy of ``doc`` without Parameters, every ``Ref`` to one replaced by its value."""
    sub = Substituter(values)
    return {key: rewrite(v, sub) for key, v in doc.items() if key != "Parameters"}


def _as_cfn_string(raw: Node, name: str, reference: str) -> Node:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float | str):
        return str(raw)
    if isinstance(raw, list) and all(isinstance(v, str | int | float) for v in raw):
        return ",".join(str(v) for v in raw)
    if isinstance(raw, dict):
        return raw
    raise ChildParameterError(f"{reference} passes {name} a value CloudFormation cannot: {raw!r}")


def _resolved(value: Node, kind: Any, name: str) -> Node:
    """An SSM-typed parameter holds a parameter name; Ref reads the parameter's value."""
    if not (isinstance(kind, str) and kind.startswith(_SSM)):
        return value
    if not isinstance(value, str):
        raise UnsupportedChildError(
            f"{name} is an SSM parameter type; inlining needs its name as a literal string"
        )
    return "{{resolve:ssm:" + value + "}}"


def _as_ref_value(value: Node, kind: Any) -> Node:
    if not _is_list_type(kind):
        return value
    if isinstance(value, str):
        # CloudFormation trims each member of a comma-delimited list parameter.
        value = ",".join(part.strip() for part in value.split(","))
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        joined = value["Fn::Join"]
        # Split(",", Join(",", X)) is X again.
        if isinstance(joined, list) and len(joined) == 2 and joined[0] == ",":
            return joined[1]
    return {"Fn::Split": [",", value]}


def _is_list_type(kind: Any) -> bool:
    return isinstance(kind, str) and (
        kind == "CommaDelimitedList"
        or kind.startswith("List<")
        or kind.startswith(_SSM + "List<")
        or kind == _SSM + "CommaDelimitedList>"
    )

"""The CloudFormation intrinsic functions that have a YAML short form (``!Ref``, ``!Sub``, ...)."""

from __future__ import annotations

# Short tag name -> long-form key. Ref and Condition keep their names; every other one is `Fn::X`.
_FUNCTIONS = (
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "And",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
)
LONG_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{f"!{name}": f"Fn::{name}" for name in _FUNCTIONS},
}
SHORT_TAGS: dict[str, str] = {long: tag for tag, long in LONG_FORMS.items()}

# These two name a single logical id; any other shape is a mistake worth reporting.
SCALAR_ONLY = frozenset({"Ref", "Condition"})
GETATT = "Fn::GetAtt"

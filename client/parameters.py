"""Check the parameters a parent passes to a nested application against the child's definitions.

Pure: works on the child's CloudFormation ``Parameters`` section as a plain dict. Values that
are intrinsics (``{"Ref": ...}``, ``{"Fn::Sub": ...}``) are only known at deploy time and are
not checked literally; their names still must be declared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_LIST_TYPES = ("CommaDelimitedList", "List<")


def check_parameters(
    path: str, passed: Mapping[str, Any], declared: Mapping[str, Any]
) -> list[str]:
    """Every problem found, one sentence each, naming ``path`` and the parameter."""
    problems = [
        f"{path}: parameter {name!r} is not declared by the nested application"
        f" (it declares: {', '.join(sorted(declared)) or 'none'})"
        for name in sorted(set(passed) - set(declared))
    ]
    for name in sorted(declared):
        definition = declared[name] if isinstance(declared[name], dict) else {}
        if name not in passed:
            if "Default" not in definition:
                problems.append(f"{path}: required parameter {name!r} is not passed")
            continue
        problems += [
            f"{path}: parameter {name!r} {p}" for p in check_value(passed[name], definition)
        ]
    return problems


def check_value(value: Any, definition: Mapping[str, Any]) -> list[str]:
    """Problems with one literal value under one parameter definition (empty when fine)."""
    if _is_intrinsic(value):
        return []
    text = _as_text(value)
    if text is None:
        return [f"has value {value!r}, which is neither a string nor an intrinsic function"]
    kind = str(definition.get("Type", "String"))
    if kind.startswith("AWS::SSM::Parameter::"):
        return []  # the value names an SSM parameter; its content is unknown here
    if kind.startswith(_LIST_TYPES):
        items = [item.strip() for item in text.split(",")]
        item_kind = "Number" if kind == "List<Number>" else "String"
        return [p for item in items for p in _check_scalar(item, item_kind, definition)]
    return _check_scalar(text, kind, definition)


def _check_scalar(text: str, kind: str, definition: Mapping[str, Any]) -> list[str]:
    if kind == "Number":
        number = _as_number(text)
        if number is None:
            return [f"must be a number, got {text!r}"]
        return _check_allowed(text, definition, number) + _check_bounds(number, definition)
    return _check_allowed(text, definition, None) + _check_string(text, definition)


def _check_allowed(text: str, definition: Mapping[str, Any], number: float | None) -> list[str]:
    allowed = definition.get("AllowedValues")
    if not isinstance(allowed, list):
        return []
    texts = [_as_text(a) for a in allowed]
    if text in texts:
        return []
    if number is not None and number in [_as_number(t) for t in texts if t is not None]:
        return []
    return [f"has value {text!r}, not one of AllowedValues {texts}"]


def _check_string(text: str, definition: Mapping[str, Any]) -> list[str]:
    problems = []
    low, high = _as_number(definition.get("MinLength")), _as_number(definition.get("MaxLength"))
    if low is not None and len(text) < low:
        problems.append(f"has value {text!r} shorter than MinLength {int(low)}")
    if high is not None and len(text) > high:
        problems.append(f"has value {text!r} longer than MaxLength {int(high)}")
    pattern = definition.get("AllowedPattern")
    if isinstance(pattern, str) and not _full_match(pattern, text):
        problems.append(f"has value {text!r}, which does not match AllowedPattern {pattern!r}")
    return problems


def _check_bounds(number: float, definition: Mapping[str, Any]) -> list[str]:
    low, high = _as_number(definition.get("MinValue")), _as_number(definition.get("MaxValue"))
    if low is not None and number < low:
        return [f"has value {number:g}, below MinValue {low:g}"]
    if high is not None and number > high:
        return [f"has value {number:g}, above MaxValue {high:g}"]
    return []


def _full_match(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return True  # a Java-only construct we cannot evaluate; CloudFormation will


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and _intrinsic_key(next(iter(value)))


def _intrinsic_key(key: Any) -> bool:
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def _as_text(value: Any) -> str | None:
    """The string CloudFormation would receive for a literal, or None when there is none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(_as_text(v) is not None for v in value):
        return ",".join(str(_as_text(v)) for v in value)
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None

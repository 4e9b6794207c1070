"""Plain words for the YAML types a value was read as, for error messages."""

from __future__ import annotations

from typing import Any

_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "null",
}


def kind_of(value: Any) -> str:
    return _NAMES.get(type(value), f"a {type(value).__name__}")

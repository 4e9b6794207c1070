"""The Parameters and Outputs sections as typed values."""

from __future__ import annotations

import contextlib
import math
from typing import Any

from client.errors import TemplateStructureError
from client.template.describe import kind_of
from client.template.model import Output, Parameter


def parse_parameters(section: Any, *, source: str) -> dict[str, Parameter]:
    if section is None:
        return {}
    _require_mapping(section, "Parameters", source)
    return {str(name): _parameter(str(name), body, source=source) for name, body in section.items()}


def _parameter(name: str, body: Any, *, source: str) -> Parameter:
    path = f"Parameters.{name}"
    _require_mapping(body, path, source)
    kind = body.get("Type")
    if not isinstance(kind, str) or not kind:
        raise TemplateStructureError(
            "a parameter needs a Type (String, Number, CommaDelimitedList, ...)",
            source=source,
            path=path,
        )
    allowed = body.get("AllowedValues")
    if allowed is not None and not isinstance(allowed, list):
        raise TemplateStructureError("AllowedValues must be a list", source=source, path=path)
    return Parameter(
        name=name,
        type=kind,
        default=_cfn_string(body.get("Default"), f"{path}.Default", source),
        allowed_values=None
        if allowed is None
        else tuple(_scalar_string(v, f"{path}.AllowedValues", source) for v in allowed),
        allowed_pattern=_text(body.get("AllowedPattern"), f"{path}.AllowedPattern", source),
        min_length=_integer(body.get("MinLength"), f"{path}.MinLength", source),
        max_length=_integer(body.get("MaxLength"), f"{path}.MaxLength", source),
        min_value=_number(body.get("MinValue"), f"{path}.MinValue", source),
        max_value=_number(body.get("MaxValue"), f"{path}.MaxValue", source),
        no_echo=_flag(body.get("NoEcho"), f"{path}.NoEcho", source),
        description=_text(body.get("Description"), f"{path}.Description", source),
        constraint_description=_text(
            body.get("ConstraintDescription"), f"{path}.ConstraintDescription", source
        ),
    )


def _cfn_string(value: Any, path: str, source: str) -> str | None:
    """A Default the way CloudFormation passes it on: text, lists joined with commas."""
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(_scalar_string(item, path, source) for item in value)
    return _scalar_string(value, path, source)


def _scalar_string(value: Any, path: str, source: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TemplateStructureError(
        f"must be a literal value, not {kind_of(value)}",
        source=source,
        path=path,
        hint="Parameter definitions cannot use intrinsic functions.",
    )


def _text(value: Any, path: str, source: str) -> str | None:
    return None if value is None else _scalar_string(value, path, source)


def _integer(value: Any, path: str, source: str) -> int | None:
    number = _number(value, path, source)
    if number is None or isinstance(number, int):
        return number
    raise TemplateStructureError(f"must be a whole number, not {value!r}", source=source, path=path)


def _number(value: Any, path: str, source: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value) if any(c in value for c in ".eE") else int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TemplateStructureError(f"must be a number, not {value!r}", source=source, path=path)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _flag(value: Any, path: str, source: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TemplateStructureError(f"must be true or false, not {value!r}", source=source, path=path)


def parse_outputs(section: Any, *, source: str) -> dict[str, Output]:
    if section is None:
        return {}
    _require_mapping(section, "Outputs", source)
    return {str(name): _output(str(name), body, source=source) for name, body in section.items()}


def _output(name: str, body: Any, *, source: str) -> Output:
    path = f"Outputs.{name}"
    _require_mapping(body, path, source)
    if "Value" not in body:
        raise TemplateStructureError("an output needs a Value", source=source, path=path)
    export = body.get("Export")
    if export is not None and not (isinstance(export, dict) and "Name" in export):
        raise TemplateStructureError("Export needs a Name", source=source, path=f"{path}.Export")
    condition = body.get("Condition")
    if condition is not None and not isinstance(condition, str):
        raise TemplateStructureError(
            "Condition must name a condition", source=source, path=f"{path}.Condition"
        )
    return Output(
        name=name,
        value=body["Value"],
        description=_text(body.get("Description"), f"{path}.Description", source),
        export_name=None if export is None else export["Name"],
        condition=condition,
    )


def _require_mapping(value: Any, path: str, source: str) -> None:
    if not isinstance(value, dict):
        raise TemplateStructureError(
            f"must be a mapping, not {kind_of(value)}", source=source, path=path
        )

"""``nestry add`` for JSON templates: insert the new resource as text.

The new resource goes at the end of the top-level ``Resources`` object, as in YAML. When
``"Resources": {`` ends its line, it is written on lines of its own with the file's
indentation; the only original line that changes is the last resource's closing line, which
gains the comma JSON needs. Compact JSON gets it before the closing brace.
"""

from __future__ import annotations

import json
from typing import Any

from client.editing.add import AddError, NewReference


def add_to_json(text: str, ref: NewReference, *, source: str = "<template>") -> str:
    open_at, close_at = _resources_span(text, source)
    body = _resource_body(ref)
    line_end = text.find("\n", open_at)
    rest_of_line = text[open_at + 1 : line_end if line_end >= 0 else len(text)]
    if line_end >= 0 and not rest_of_line.strip():
        unit, step = _json_indentation(text, line_end + 1, open_at)
        rendered = json.dumps({ref.logical_id: body}, indent=len(step) or 2)
        inner = rendered[1:-1].strip("\n").splitlines()
        newline = "\r\n" if text[line_end - 1 : line_end] == "\r" else "\n"
        shifted = [_reindent(line, unit, len(step) or 2) for line in inner]
        last = len(text[:close_at].rstrip())  # just after the last resource's closing brace
        if last <= open_at + 1:  # an empty object: the entry is its only member
            return text[: line_end + 1] + newline.join(shifted) + newline + text[line_end + 1 :]
        return text[:last] + "," + newline + newline.join(shifted) + text[last:]
    entry = json.dumps(ref.logical_id) + ": " + json.dumps(body)
    before = text[open_at + 1 : close_at].strip()
    return text[:close_at] + (", " if before else "") + entry + text[close_at:]


def _reindent(line: str, unit: str, step: int) -> str:
    """json.dumps indents the entry one step; put it at the file's resource indentation."""
    stripped = line[step:] if line.startswith(" " * step) else line.lstrip(" ")
    return unit + stripped


def _json_indentation(text: str, first_line: int, open_at: int) -> tuple[str, str]:
    """(indent of the resource keys, one step) from the line after ``"Resources": {``."""
    line = text[
        first_line : text.find("\n", first_line) if "\n" in text[first_line:] else len(text)
    ]
    unit = line[: len(line) - len(line.lstrip(" \t"))]
    key_line_start = text.rfind("\n", 0, open_at) + 1
    key_line = text[key_line_start:open_at]
    outer = key_line[: len(key_line) - len(key_line.lstrip(" \t"))]
    step = unit[len(outer) :] if len(unit) > len(outer) else "  "
    if not line.strip() or line.strip().startswith("}"):
        unit = outer + step
    return unit, step


def _resource_body(ref: NewReference) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Location": {"ApplicationId": ref.application_id, "SemanticVersion": ref.version_spec}
    }
    if ref.parameters:
        properties["Parameters"] = dict(ref.parameters)
    return {"Type": "AWS::Serverless::Application", "Properties": properties}


def _resources_span(text: str, source: str) -> tuple[int, int]:
    """Offsets of the ``{`` and matching ``}`` of the top-level Resources object."""
    depth, index, key, open_at = 0, 0, None, -1
    while index < len(text):
        char = text[index]
        if char == '"':
            end = _string_end(text, index)
            if depth == 1:
                key = json.loads(text[index : end + 1])
            index = end + 1
            continue
        if char in "{[":
            depth += 1
            if depth == 2 and char == "{" and key == "Resources" and open_at < 0:
                open_at = index
        elif char in "}]":
            if depth == 2 and open_at >= 0:
                return open_at, index
            depth -= 1
        elif char == "," and depth == 1:
            key = None
        index += 1
    raise AddError(f'{source}: no top-level "Resources" object found')


def _string_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    raise AddError("unterminated string in JSON template")

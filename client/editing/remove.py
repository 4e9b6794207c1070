"""``nestry remove``'s edit: drop resources from a template's ``Resources``, as text.

As with ``nestry add`` (``client.editing.add``), a YAML file is edited as text so that the
comments, key order and quoting of everything else stay byte for byte: a resource's lines are
its key line and every deeper-indented (or blank) line after it. The edit is checked by loading
the result: it must hold exactly the other resources, unchanged, else nothing is written. JSON
has no comments: it is loaded in order and written back with the file's indentation. A removal
that would leave a ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` or ``DependsOn`` pointing at a removed
resource is refused (the template would no longer deploy). Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from client.editing.add import indent_of, indentation, last_block_line, resources_line
from client.errors import NestryError
from client.template import load_template


class RemoveError(NestryError):
    code = "cannot_remove"
    hint = "Edit the template by hand, then run nestry install."


def remove_resources(text: str, logical_ids: Sequence[str], *, source: str = "<template>") -> str:
    """``text`` without the resources ``logical_ids`` (each must exist)."""
    document = load_template(text, source=source)
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not all(i in resources for i in logical_ids):
        raise RemoveError(f"{source}: no resource {', '.join(logical_ids)} to remove")
    kept = {key: value for key, value in resources.items() if key not in logical_ids}
    if not kept:
        raise RemoveError(
            f"{source}: {', '.join(logical_ids)} would leave Resources empty",
            hint="A template needs at least one resource: add another one first.",
        )
    uses = sorted(set(_uses(document, set(logical_ids))))
    if uses:
        raise RemoveError(
            f"{source}: still used by {', '.join(uses)}",
            hint="Remove those uses (Ref, !GetAtt, !Sub, DependsOn) first, then run this again.",
        )
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _remove_from_json(text, set(logical_ids))
    edited = _remove_from_yaml(text, logical_ids, source)
    after = load_template(edited, source=source)
    if after.get("Resources") != kept or _outside_resources(after) != _outside_resources(document):
        raise RemoveError(f"{source}: the resources could not be cut out of the text safely")
    return edited


def _outside_resources(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "Resources"}


def _remove_from_yaml(text: str, logical_ids: Sequence[str], source: str) -> str:
    lines = text.splitlines(keepends=True)
    start = resources_line(lines, source)
    last = last_block_line(lines, start)
    unit, _ = indentation(lines[start + 1 : last + 1])
    for logical_id in logical_ids:
        key = re.compile(rf"^{re.escape(unit)}(['\"]?){re.escape(logical_id)}\1[ \t]*:(\s|$)")
        begin = next((i for i in range(start + 1, last + 1) if key.match(lines[i])), None)
        if begin is None:
            raise RemoveError(f"{source}: cannot find the line `{unit}{logical_id}:`")
        end = begin  # the last line of the resource: deeper-indented lines after its key
        for index in range(begin + 1, len(lines)):
            line = lines[index]
            if not line.strip():
                continue
            if len(indent_of(line)) <= len(unit) or line[0] not in " ":
                break
            end = index
        after = end + 1
        # A blank line on both sides: drop one, so no gap of two is left behind.
        if after < len(lines) and not lines[after].strip() and not lines[begin - 1].strip():
            end = after
        del lines[begin : end + 1]
        last -= end + 1 - begin
    return "".join(lines)


def _remove_from_json(text: str, logical_ids: set[str]) -> str:
    document = json.loads(text)
    document["Resources"] = {
        key: value for key, value in document["Resources"].items() if key not in logical_ids
    }
    indent = next(
        (len(line) - len(line.lstrip(" ")) for line in text.splitlines()[1:] if line.strip()), 2
    )
    newline = "\r\n" if "\r\n" in text else "\n"
    rendered = json.dumps(document, indent=indent or None, ensure_ascii=False)
    return rendered.replace("\n", newline) + (newline if text.endswith(("\n", "\r")) else "")


def _uses(node: Any, ids: set[str], where: str = "") -> Iterator[str]:
    """Where ``node`` (outside the removed resources) names one of ``ids``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if where == "Resources" and key in ids:
                continue  # the removed resources may name each other
            if _names(key, value, ids):
                yield where or here
            else:
                yield from _uses(value, ids, here)
    elif isinstance(node, list):
        for value in node:
            yield from _uses(value, ids, where)


def _names(key: str, value: Any, ids: set[str]) -> bool:
    if key == "Ref":
        return value in ids
    if key == "Fn::GetAtt":
        target = value[0] if isinstance(value, list) and value else value
        return isinstance(target, str) and target.split(".")[0] in ids
    if key == "DependsOn":
        return any(v in ids for v in (value if isinstance(value, list) else [value]))
    if key == "Fn::Sub":
        template = value[0] if isinstance(value, list) and value else value
        found = re.findall(r"\$\{([^}!.]+)", template) if isinstance(template, str) else []
        return any(name in ids for name in found)
    return False

"""``nestry add``'s edit: append an ``AWS::Serverless::Application`` to a template, as text.

The user's file is edited as text so that comments, key order and quoting stay byte for byte:
the new resource goes at the end of the top-level ``Resources:`` block, indented the way the
file already indents. JSON templates are handled by ``client.editing.add_json``. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from client.errors import NestryError, TemplateStructureError
from client.template import load_template

LOGICAL_ID_RE = re.compile(r"[A-Za-z0-9]{1,255}")
_RESOURCES_RE = re.compile(r"^Resources[ \t]*:[ \t]*(#.*)?$")
_TOP_LEVEL_RE = re.compile(r"^[^\s#]")
PLACEHOLDER = "<REQUIRED>"


class AddError(NestryError):
    code = "cannot_add"
    hint = "Pick another logical id with --as, or add the resource by hand."


@dataclass(frozen=True)
class NewReference:
    logical_id: str
    application_id: str
    version_spec: str
    parameters: dict[str, str] = field(default_factory=dict)  # name -> placeholder value


def default_logical_id(app_name: str) -> str:
    """``twitter-event-source`` -> ``TwitterEventSource``."""
    return "".join(part[:1].upper() + part[1:] for part in app_name.split("-") if part)


def add_reference(text: str, ref: NewReference, *, source: str = "<template>") -> str:
    """``text`` with ``ref`` appended to its Resources; refuses a logical id already in use."""
    if not LOGICAL_ID_RE.fullmatch(ref.logical_id):
        raise AddError(f"{ref.logical_id!r} is not a logical id (1-255 of A-Z, a-z, 0-9)")
    document = load_template(text, source=source)
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        raise TemplateStructureError("has no Resources mapping to add to", source=source)
    if ref.logical_id in resources:
        raise AddError(f"{source} already has a resource named {ref.logical_id}")
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        from client.editing.add_json import add_to_json

        return add_to_json(text, ref, source=source)
    return _add_to_yaml(text, ref, source)


def _add_to_yaml(text: str, ref: NewReference, source: str) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    start = resources_line(lines, source)
    last = last_block_line(lines, start)
    unit, step = indentation(lines[start + 1 : last + 1])
    new = [line + newline for line in render_yaml(ref, unit, step)]
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline  # the file ended without one; the line itself is unchanged
    return "".join(lines[: last + 1] + new + lines[last + 1 :])


def resources_line(lines: list[str], source: str) -> int:
    for index, line in enumerate(lines):
        if _RESOURCES_RE.match(line.rstrip("\r\n")):
            return index
    raise AddError(
        f"{source}: no top-level block-style `Resources:` line found",
        hint="nestry add and remove edit block-style YAML (`Resources:` on its own line).",
    )


def last_block_line(lines: list[str], start: int) -> int:
    """The last indented, non-blank line of the block after ``start`` (its own line if empty)."""
    last = start
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if _TOP_LEVEL_RE.match(line):
            break
        if line.strip() and line[0] in " \t":
            last = index
    return last


def indentation(block: list[str]) -> tuple[str, str]:
    """(indent of resource keys, one nesting step), from the first lines that show them."""
    indents = [
        indent_of(line) for line in block if line.strip() and not line.lstrip().startswith("#")
    ]
    if not indents:
        return "  ", "  "
    unit = indents[0]
    deeper = [i for i in indents if len(i) > len(unit)]
    step = deeper[0][len(unit) :] if deeper else unit
    return unit, step


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def render_yaml(ref: NewReference, unit: str, step: str) -> list[str]:
    """The resource's lines (without line ends) at resource indentation ``unit``."""
    one, two, three = unit + step, unit + step * 2, unit + step * 3
    lines = [
        f"{unit}{ref.logical_id}:",
        f"{one}Type: AWS::Serverless::Application",
        f"{one}Properties:",
        f"{two}Location:",
        f"{three}ApplicationId: {_quote(ref.application_id)}",
        f"{three}SemanticVersion: {_quote(ref.version_spec)}",
    ]
    if ref.parameters:
        lines.append(f"{two}Parameters:  # required by the application: replace the placeholders")
        lines += [f"{three}{name}: {_quote(value)}" for name, value in ref.parameters.items()]
    return lines


def _quote(text: str) -> str:
    """A single-quoted YAML scalar: safe for ``^``, ``>=``, ``*``, ``#`` and ``:``."""
    return "'" + text.replace("'", "''") + "'"

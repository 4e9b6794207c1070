"""Load YAML/JSON templates safely: long-form intrinsics, strings kept strings, hard limits."""

from __future__ import annotations

import json
from typing import Any

import yaml

from client.errors import (
    DuplicateKeyError,
    TemplateStructureError,
    TemplateSyntaxError,
    TemplateTooDeepError,
    TemplateTooLargeError,
)
from client.template.describe import kind_of
from client.template.graph import check_depth, check_node_graph, untangle
from client.template.model import DEFAULT_LIMITS, Limits
from client.template.yaml_loader import FAST_LOADER

_LOADER = FAST_LOADER


def load_template(
    data: bytes | str, *, source: str = "<template>", limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Parse a template into a plain dict whose intrinsics are in long form.

    Raises a ``TemplateError`` subclass for anything unsafe, malformed or not a mapping.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise TemplateTooLargeError(
            f"template is {len(raw)} bytes, more than the limit of {limits.max_bytes}",
            source=source,
        )
    text = _decode(raw, source) if isinstance(data, bytes) else data
    try:
        document = _load_yaml(text, source, limits)
    except TemplateSyntaxError as yaml_error:
        if not text.lstrip("\ufeff \t\r\n").startswith("{"):
            raise
        # JSON that YAML 1.1 reads badly (tab indentation, escapes): give JSON its own parser.
        document = _load_json(text, source, limits, yaml_error)
    if not isinstance(document, dict):
        raise TemplateStructureError(
            f"the top level must be a mapping, not {_kind(document)}",
            source=source,
        )
    return document


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TemplateSyntaxError(
            f"not UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} (line {line})",
            source=source,
            hint="Save the template as UTF-8.",
        ) from None


def _load_yaml(text: str, source: str, limits: Limits) -> Any:
    try:
        return _compose_and_construct(text, source, limits)
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in (error.problem or ""):  # libyaml's own limit (1000)
            raise TemplateTooDeepError(_describe(error), source=source) from None
        raise TemplateSyntaxError(_describe(error), source=source) from None
    except yaml.YAMLError as error:  # e.g. the reader's "special characters are not allowed"
        raise TemplateSyntaxError(" ".join(str(error).split()), source=source) from None
    except RecursionError:
        raise TemplateTooDeepError("the template nests too deeply to read", source=source) from None


def _compose_and_construct(text: str, source: str, limits: Limits) -> Any:
    loader = _LOADER(text)
    loader.source = source
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        aliased = check_node_graph(node, limits, source)
        document = loader.construct_document(node)
        return untangle(document) if aliased else document
    finally:
        loader.dispose()


def _describe(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = " ".join(part for part in (error.context, error.problem) if part)
    return f"{where}{what or 'invalid YAML'}"


def _load_json(text: str, source: str, limits: Limits, yaml_error: TemplateSyntaxError) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise DuplicateKeyError(f"duplicate key {key!r}", source=source)
            result[key] = value
        return result

    def no_constants(name: str) -> Any:
        raise TemplateSyntaxError(f"{name} is not a JSON value", source=source)

    try:
        document = json.loads(
            text.lstrip("\ufeff"), object_pairs_hook=pairs, parse_constant=no_constants
        )
    except json.JSONDecodeError as error:
        # Neither reading is sure to be the one meant: report both.
        where = yaml_error.message.removeprefix(f"{source}: ")
        raise TemplateSyntaxError(
            f"{where} (read as JSON: line {error.lineno}, column {error.colno}: {error.msg})",
            source=source,
        ) from None
    except RecursionError:
        raise TemplateTooDeepError("the template nests too deeply to read", source=source) from None
    check_depth(document, limits, source)
    return document


def _kind(document: Any) -> str:
    return "an empty document" if document is None else kind_of(document)

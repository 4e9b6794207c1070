"""Rewrite registry references into CloudFormation nested stacks (pure, no I/O).

Each ``AWS::Serverless::Application`` that names a registry app becomes an
``AWS::CloudFormation::Stack`` whose ``TemplateURL`` is the relative path of the vendored child.
SAM CLI and ``sam deploy`` follow a local ``TemplateURL``, so the result deploys with the tools
users already have. Every other key keeps its place and value.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from client.template.code_location import implicit_code_uri
from client.template.local_paths import local_paths

STACK = "AWS::CloudFormation::Stack"
# Properties an Application shares with a Stack; Location is replaced by TemplateURL.
_KEPT_PROPERTIES = ("Parameters", "NotificationARNs", "TimeoutInMinutes")
_URL = re.compile(r"(?i)^(https?|s3)://")


class NestedStack(NamedTuple):
    """Where one reference's vendored child lives, relative to the rewritten template."""

    template_url: str
    application: str
    version: str


def rewrite_references(
    document: Mapping[str, Any], nested: Mapping[str, NestedStack]
) -> dict[str, Any]:
    """A copy of ``document`` with the resources named in ``nested`` turned into stacks."""
    result = copy_document(document)
    resources = result.get("Resources", {})
    for logical_id, stack in nested.items():
        resources[logical_id] = nested_stack(resources[logical_id], stack)
    return result


def nested_stack(resource: Mapping[str, Any], stack: NestedStack) -> dict[str, Any]:
    old = resource.get("Properties") or {}
    properties: dict[str, Any] = {"TemplateURL": stack.template_url}
    properties |= {key: copy_value(old[key]) for key in _KEPT_PROPERTIES if key in old}
    properties["Tags"] = stack_tags(old.get("Tags"), stack)
    result: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "Type":
            result["Type"] = STACK
        elif key == "Properties":
            result["Properties"] = properties
        else:  # DependsOn, Condition, DeletionPolicy, UpdateReplacePolicy, Metadata, ...
            result[key] = copy_value(value)
    result.setdefault("Properties", properties)
    return result


def stack_tags(tags: Any, stack: NestedStack) -> Any:
    """SAM's Tags map as CloudFormation's Key/Value list, plus the nestry provenance tags."""
    ours = [
        {"Key": "nestry:application", "Value": stack.application},
        {"Key": "nestry:version", "Value": stack.version},
    ]
    if tags is None:
        return ours
    if isinstance(tags, dict) and not _is_intrinsic(tags):
        listed = [{"Key": key, "Value": copy_value(value)} for key, value in tags.items()]
        return [*listed, *(t for t in ours if t["Key"] not in tags)]
    if isinstance(tags, list):
        return [*copy_value(tags), *ours]
    return copy_value(tags)  # an intrinsic: only known at deploy time, leave it alone


_SCALARS = (str, int, float, bool, type(None))


def copy_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a template (or of one of its mappings), as a ``dict``."""
    return {key: copy_value(value) for key, value in document.items()}


def copy_value(value: Any) -> Any:
    """``copy.deepcopy`` for a template's values, several times faster on what the template
    loader builds (dicts, lists, scalars; anything else goes to ``copy.deepcopy``). Unlike it, a
    value reached twice (a YAML alias) is copied twice: the dumper writes aliases out in full
    anyway (``ignore_aliases``), and the loader bounds their expansion."""
    kind = type(value)
    if kind is dict:
        return {key: copy_value(item) for key, item in value.items()}
    if kind is list:
        return [copy_value(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and any(k == "Ref" or k.startswith("Fn::") for k in value)


def rebase_local_paths(document: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A copy whose local paths (``CodeUri: src/``) point at the same files from elsewhere.

    ``prefix`` is the template's old directory relative to its new one, e.g. ``../..``. The
    local paths are the ones ``client.template.local_paths`` names (the one list of where a
    template may name a file); absolute paths and URLs keep their value.
    """
    result = copy_document(document)
    for resource in (result.get("Resources") or {}).values():
        if implicit_code_uri(result, resource):  # SAM's default: the template's own folder
            resource.setdefault("Properties", {})["CodeUri"] = "."
    for local in local_paths(result):
        if _is_local(local.value):
            _replace(
                result, local.key_path, posixpath.normpath(posixpath.join(prefix, local.value))
            )
    return result


def without_keys(document: Mapping[str, Any], key_paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """A copy of ``document`` without the values at ``key_paths`` (as ``_replace`` spells them)."""
    result = copy_document(document)
    for key_path in key_paths:
        node: Any = result
        for part in key_path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[_key(node, part)]
        del node[_key(node, key_path[-1])]
    return result


def _replace(document: dict[str, Any], key_path: tuple[str, ...], value: str) -> None:
    """Set the value at ``key_path`` (keys as ``local_paths`` spells them: list indexes and
    non-string keys as text) inside ``document``, a copy this module owns."""
    node: Any = document
    for part in key_path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[_key(node, part)]
    node[_key(node, key_path[-1])] = value


def _key(mapping: Mapping[Any, Any], text: str) -> Any:
    return text if text in mapping else next(key for key in mapping if str(key) == text)


def _is_local(value: str) -> bool:
    return bool(value) and not _URL.match(value) and not os.path.isabs(value)


_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Lambda::Function": "Code",
}


def has_local_code(document: Mapping[str, Any]) -> bool:
    """True when ``sam build`` must package local code before deploying."""
    globals_function = (document.get("Globals") or {}).get("Function") or {}
    if isinstance(globals_function.get("CodeUri"), str):
        return True
    for resource in (document.get("Resources") or {}).values():
        if implicit_code_uri(dict(document), resource):
            return True
        if not isinstance(resource, dict) or resource.get("Type") not in _CODE_PROPERTIES:
            continue
        value = (resource.get("Properties") or {}).get(_CODE_PROPERTIES[resource["Type"]])
        if isinstance(value, str) and _is_local(value):
            return True
    return False

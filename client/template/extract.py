"""From a loaded document to a ``Template``: structural checks, then every section typed."""

from __future__ import annotations

import re
from typing import Any

from client.errors import TemplateStructureError
from client.template.capabilities import required_capabilities
from client.template.loader import load_template
from client.template.metadata import metadata_section, parse_metadata
from client.template.model import DEFAULT_LIMITS, Limits, Template
from client.template.parameters import parse_outputs, parse_parameters
from client.template.references import parse_references

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LOGICAL_ID_RE = re.compile(r"[A-Za-z0-9]+")


def parse_template(
    data: bytes | str, *, source: str = "<template>", limits: Limits = DEFAULT_LIMITS
) -> Template:
    """Load and extract in one step; raises a ``TemplateError`` subclass for bad input."""
    return extract(load_template(data, source=source, limits=limits), source=source)


def extract(document: dict[str, Any], *, source: str = "<template>") -> Template:
    """The typed view of a long-form document (as ``load_template`` returns it)."""
    resources = _check_resources(document, source)
    conditions = document.get("Conditions") or {}
    if not isinstance(conditions, dict):
        raise TemplateStructureError("must be a mapping", source=source, path="Conditions")
    raw_metadata = metadata_section(document)
    return Template(
        source=source,
        document=document,
        parameters=parse_parameters(document.get("Parameters"), source=source),
        outputs=parse_outputs(document.get("Outputs"), source=source),
        conditions=conditions,
        metadata=None if raw_metadata is None else parse_metadata(raw_metadata, source=source),
        references=parse_references(resources, source=source),
        capabilities=required_capabilities(document),
        is_sam=SAM_TRANSFORM in _transforms(document.get("Transform")),
    )


def _check_resources(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise TemplateStructureError("the top level must be a mapping", source=source)
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        what = "has no Resources" if resources is None else "has an empty or invalid Resources"
        raise TemplateStructureError(
            f"the template {what}: CloudFormation needs at least one resource",
            source=source,
            path="Resources",
        )
    for logical_id, resource in resources.items():
        _check_resource(logical_id, resource, source)
    return resources


def _check_resource(logical_id: Any, resource: Any, source: str) -> None:
    path = f"Resources.{logical_id}"
    if not isinstance(logical_id, str) or not LOGICAL_ID_RE.fullmatch(logical_id):
        raise TemplateStructureError(
            "logical ids are letters and digits only", source=source, path=path
        )
    if not isinstance(resource, dict):
        raise TemplateStructureError("a resource must be a mapping", source=source, path=path)
    if not isinstance(resource.get("Type"), str) or not resource["Type"]:
        raise TemplateStructureError(
            "a resource needs a Type such as AWS::S3::Bucket", source=source, path=f"{path}.Type"
        )


def _transforms(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]

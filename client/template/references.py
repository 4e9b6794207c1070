"""Every ``AWS::Serverless::Application`` of a template as a ``Reference``."""

from __future__ import annotations

import re
from typing import Any

from client.errors import InvalidNameError, InvalidRangeError, InvalidReferenceError
from client.names import is_sar_arn, parse_app_id
from client.ranges import Range, is_dist_tag
from client.template.describe import kind_of
from client.template.model import LocationKind, Reference

APPLICATION = "AWS::Serverless::Application"
_URL_RE = re.compile(r"(?i)(https?|s3)://")


def parse_references(resources: dict[str, Any], *, source: str) -> tuple[Reference, ...]:
    return tuple(
        _reference(logical_id, resource, source=source)
        for logical_id, resource in resources.items()
        if resource.get("Type") == APPLICATION
    )


def _reference(logical_id: str, resource: dict[str, Any], *, source: str) -> Reference:
    path = f"Resources.{logical_id}"
    properties = resource.get("Properties")
    if not isinstance(properties, dict) or "Location" not in properties:
        raise InvalidReferenceError(
            f"{logical_id} has no Properties.Location", source=source, path=path
        )
    parameters = properties.get("Parameters")
    parameters = {} if parameters is None else parameters
    if not isinstance(parameters, dict):
        raise InvalidReferenceError(
            "Parameters must be a mapping of parameter names to values",
            source=source,
            path=f"{path}.Properties.Parameters",
        )
    common: dict[str, Any] = {
        "logical_id": logical_id,
        "parameters": parameters,
        "condition": _condition(resource.get("Condition"), path, source),
        "depends_on": _depends_on(resource.get("DependsOn"), path, source),
        "properties": properties,
        "resource": resource,
    }
    location = properties["Location"]
    if isinstance(location, str):
        kind = LocationKind.URL if _URL_RE.match(location) else LocationKind.LOCAL
        return Reference(kind=kind, location=location, **common)
    if isinstance(location, dict) and "ApplicationId" in location:
        return _application(location, common, f"{path}.Properties.Location", source)
    raise InvalidReferenceError(
        f"{logical_id}: Location must be a path, a URL, or a mapping with ApplicationId "
        "and SemanticVersion",
        source=source,
        path=f"{path}.Properties.Location",
    )


def _application(
    location: dict[str, Any], common: dict[str, Any], path: str, source: str
) -> Reference:
    logical_id = common["logical_id"]
    app_id = location["ApplicationId"]
    version = location.get("SemanticVersion")
    if not isinstance(app_id, str):
        # Computed ids (`!FindInMap`, `!Sub`) can only be SAR ARNs: nestry leaves them to SAM.
        return Reference(kind=LocationKind.SAR, version_spec=_text(version), **common)
    if is_sar_arn(app_id):
        return Reference(
            kind=LocationKind.SAR,
            sar_application_id=app_id,
            version_spec=_text(version),
            **common,
        )
    try:
        application_id = parse_app_id(app_id)
    except InvalidNameError as error:
        raise InvalidReferenceError(
            f"{logical_id}: {error.message}",
            source=source,
            path=f"{path}.ApplicationId",
            hint="Use namespace/name, registry-host/namespace/name, or a SAR application ARN.",
        ) from None
    return Reference(
        kind=LocationKind.REGISTRY,
        application_id=application_id,
        version_spec=_registry_version(version, logical_id, path, source),
        **common,
    )


def _registry_version(version: Any, logical_id: str, path: str, source: str) -> str:
    if version is None:
        raise InvalidReferenceError(
            f"{logical_id} names no SemanticVersion",
            source=source,
            path=f"{path}.SemanticVersion",
            hint="Add SemanticVersion: an exact version, a range such as ^1.2.0, or latest.",
        )
    if not isinstance(version, str) or not version.strip():
        raise InvalidReferenceError(
            f"{logical_id}: YAML read SemanticVersion {version!r} as {kind_of(version)}, "
            "not a version or range",
            source=source,
            path=f"{path}.SemanticVersion",
            hint="Quote the version ('1.0') or write all three parts (1.0.0).",
        )
    if not is_dist_tag(version):
        try:
            Range.parse(version)
        except InvalidRangeError as error:
            raise InvalidReferenceError(
                f"{logical_id}: SemanticVersion is neither a range nor a dist-tag: {error.message}",
                source=source,
                path=f"{path}.SemanticVersion",
                hint=InvalidRangeError.hint,
            ) from None
    return version


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _condition(value: Any, path: str, source: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidReferenceError(
        "Condition must name a condition", source=source, path=f"{path}.Condition"
    )


def _depends_on(value: Any, path: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidReferenceError(
            "DependsOn must be a logical id or a list of them",
            source=source,
            path=f"{path}.DependsOn",
        )
    return tuple(items)

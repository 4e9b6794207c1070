"""The SAR API's response documents, from our rows (pure: no I/O).

Fields are camelCase as the ``rest-json`` protocol sends them; absent values are left out
rather than sent as null. Template URLs are the registry's own ``/v1`` template URLs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from client.paths import version_path
from registry.db.models import App, Version
from registry.documents.build import iso
from registry.sar.shapes import arn_of

# CloudFormation reads a SAR template URL within hours; ours never expire, but tools expect one.
TEMPLATE_LIFETIME = timedelta(hours=6)
_PARAMETER_FIELDS = {
    "AllowedPattern": "allowedPattern",
    "AllowedValues": "allowedValues",
    "ConstraintDescription": "constraintDescription",
    "Description": "description",
    "MaxLength": "maxLength",
    "MaxValue": "maxValue",
    "MinLength": "minLength",
    "MinValue": "minValue",
    "Type": "type",
}


def _present(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value is not None}


def template_url(base_url: str, display: str, version: str) -> str:
    return f"{base_url}{version_path(display, version)}/template"


def parameter_definitions(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """CloudFormation parameter definitions as SAR's ``ParameterDefinition`` list."""
    result = []
    for name, spec in parameters.items():
        entry: dict[str, Any] = {"name": name, "referencedByResources": []}
        for cfn, sar in _PARAMETER_FIELDS.items():
            if cfn in spec:
                entry[sar] = _number(spec[cfn]) if sar.startswith(("max", "min")) else spec[cfn]
        if "Default" in spec:
            default = spec["Default"]
            entry["defaultValue"] = (
                ",".join(map(str, default)) if isinstance(default, list) else str(default)
            )
        if "NoEcho" in spec:
            entry["noEcho"] = str(spec["NoEcho"]).lower() == "true"
        if "allowedValues" in entry:
            entry["allowedValues"] = [str(v) for v in entry["allowedValues"]]
        result.append(entry)
    return result


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def version_document(arn: str, display: str, version: Version, base_url: str) -> dict[str, Any]:
    """SAR's ``Version``."""
    return _present(
        {
            "applicationId": arn,
            "creationTime": iso(version.published_at),
            "parameterDefinitions": parameter_definitions(version.parameters),
            "requiredCapabilities": list(version.capabilities),
            "resourcesSupported": True,
            "semanticVersion": version.version,
            "sourceCodeUrl": version.app_metadata.get("source_code_url"),
            "templateUrl": template_url(base_url, display, version.version),
        }
    )


def summary(app: App, namespace_id: int, region: str) -> dict[str, Any]:
    """SAR's ``ApplicationSummary``."""
    return _present(
        {
            "applicationId": arn_of(region, namespace_id, app.name),
            "author": app.author or "",
            "creationTime": iso(app.created_at),
            "description": app.description or "",
            "homePageUrl": app.home_page_url,
            "labels": list(app.labels or []),
            "name": app.name,
            "spdxLicenseId": app.spdx_license_id,
        }
    )


def application(
    app: App, namespace_id: int, display: str, version: Version, region: str, base_url: str
) -> dict[str, Any]:
    """SAR's application document (Get/Create/UpdateApplication) with ``version``."""
    head = summary(app, namespace_id, region)
    arn = head["applicationId"]
    return {
        **head,
        "isVerifiedAuthor": False,
        "version": version_document(arn, display, version, base_url),
    }


def template_document(
    arn: str, display: str, version: Version, base_url: str, now_iso: str, expires_iso: str
) -> dict[str, Any]:
    """Create/GetCloudFormationTemplate: ``ACTIVE`` at once; the id is the version."""
    return {
        "applicationId": arn,
        "creationTime": now_iso,
        "expirationTime": expires_iso,
        "semanticVersion": version.version,
        "status": "ACTIVE",
        "templateId": version.version,
        "templateUrl": template_url(base_url, display, version.version),
    }


def version_summary(arn: str, version: Version) -> dict[str, Any]:
    return _present(
        {
            "applicationId": arn,
            "creationTime": iso(version.published_at),
            "semanticVersion": version.version,
            "sourceCodeUrl": version.app_metadata.get("source_code_url"),
        }
    )

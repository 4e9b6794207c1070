"""Application metadata at publish time: the JSON field merged over the template's own.

Pure functions. Keys may be snake_case (``home_page_url``) or SAR's PascalCase
(``HomePageUrl``); the result always has every snake_case key.
"""

from __future__ import annotations

from typing import Any

from client.template import AppMetadata
from client.template.metadata import FIELDS as SAR_FIELDS
from client.template.metadata import LABEL_RE, MAX_LABELS
from registry.errors import Unprocessable

FIELDS = (
    "name",
    "description",
    "author",
    "spdx_license_id",
    "license_url",
    "readme_url",
    "labels",
    "home_page_url",
    "semantic_version",
    "source_code_url",
)
_MAX_TEXT = 16_384
# The app's own columns that its newest release describes (a PATCH may override them).
APP_COLUMNS = ("description", "author", "home_page_url", "source_code_url", "spdx_license_id")


def normalize(raw: Any) -> dict[str, Any]:
    """Check the metadata JSON's shape; return it with snake_case keys."""
    if not isinstance(raw, dict):
        raise Unprocessable("invalid_metadata", "metadata must be a JSON object")
    result: dict[str, Any] = {}
    for key, value in raw.items():
        field = key if key in FIELDS else SAR_FIELDS.get(key)
        if field is None:
            raise Unprocessable(
                "invalid_metadata",
                f"unknown metadata field {key!r}; known fields: {', '.join(FIELDS)}",
            )
        result[field] = _labels(value) if field == "labels" else _text(field, value)
    return result


def merge(
    template_metadata: AppMetadata | None, given: dict[str, Any], *, name: str, version: str
) -> dict[str, Any]:
    """The version's metadata: the template's, overridden by ``given``, checked against the URL."""
    merged: dict[str, Any] = dict.fromkeys(FIELDS)
    merged["labels"] = []
    if template_metadata is not None:
        merged.update(template_metadata.to_dict())
    merged.update(given)
    if merged["name"] is not None and merged["name"].lower() != name.lower():
        raise Unprocessable(
            "name_mismatch",
            f"the metadata names the application {merged['name']!r} but the URL names {name!r}",
        )
    if merged["semantic_version"] is not None and merged["semantic_version"] != version:
        raise Unprocessable(
            "version_mismatch",
            f"the metadata's semantic_version {merged['semantic_version']!r} "
            f"differs from the version in the URL {version!r}",
        )
    merged["name"] = merged["name"] or name
    merged["semantic_version"] = version
    return merged


def app_columns(merged: dict[str, Any]) -> dict[str, Any]:
    """The ``apps`` columns a release with the ``merged`` metadata sets."""
    columns = {field: merged.get(field) for field in APP_COLUMNS}
    columns["labels"] = list(merged.get("labels") or [])
    return columns


def _text(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unprocessable("invalid_metadata", f"metadata field {field!r} must be a string")
    if len(value) > _MAX_TEXT:
        raise Unprocessable("invalid_metadata", f"metadata field {field!r} is too long")
    return value


def _labels(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unprocessable("invalid_metadata", "metadata field 'labels' must be a list of strings")
    return validate_labels(value)


def validate_labels(labels: list[str]) -> list[str]:
    """SAR's label rule (the template model's); shared with PATCH."""
    if len(labels) > MAX_LABELS:
        raise Unprocessable("invalid_metadata", f"at most {MAX_LABELS} labels are allowed")
    for label in labels:
        if not LABEL_RE.fullmatch(label):
            raise Unprocessable(
                "invalid_metadata", f"label {label!r} must be 1-127 of A-Z, a-z, 0-9 and +-_:/@"
            )
    return list(labels)

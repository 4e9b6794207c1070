"""Building blocks of the OpenAPI document: parameters, error responses, operations."""

from __future__ import annotations

from typing import Any

from registry.openapi.schemas import Schema, ref

Operation = dict[str, Any]

_APP = "/v1/apps/{ns}/{name}"
_VERSION = _APP + "/versions/{version}"
_JSON = "application/json"


def _param(name: str, where: str, description: str, schema: Schema | None = None) -> Operation:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


NS = _param("ns", "path", "namespace (case-insensitive)")
NAME = _param("name", "path", "application name (case-insensitive)")
VERSION = _param("version", "path", "exact SemVer 2.0.0 version")
TAG = _param("tag", "path", "dist-tag name (never a valid range)")
APP_PARAMS = [NS, NAME]
VERSION_PARAMS = [NS, NAME, VERSION]

_ERRORS = {
    "400": "invalid request (bad JSON, parameter or name)",
    "401": "missing, unknown or expired token (reads too, when anonymous reads are off)",
    "403": "the token or its user lacks the role or scope this needs",
    "404": "no such app or version, or one the caller may not read",
    "409": "conflicts with the current state",
    "413": "request body too large",
    "415": "the body is not JSON",
    "422": "well-formed but unusable content (template, metadata, range)",
    "429": "too many failed authentications from this address (see Retry-After)",
    "503": "the database or the blob store does not answer (blob_store_unavailable: see "
    "Retry-After; nothing was stored)",
}


ALWAYS = ("429", "503")


def _error(status: str) -> Operation:
    return {
        "description": _ERRORS[status],
        "content": {_JSON: {"schema": ref("Error")}},
    }


def _json(description: str, schema: Schema) -> Operation:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def op(
    summary: str,
    ok: dict[str, Operation],
    *,
    errors: tuple[str, ...] = ("400", "401", "404"),
    params: list[Operation] | None = None,
    body: Schema | None = None,
    auth: bool = False,
    tag: str = "apps",
) -> Operation:
    """One operation; ``auth`` marks those needing a bearer token. Every operation may also
    answer 429 (a token sent from an address with too many failed authentications) and 503
    (the database does not answer)."""
    statuses = (*errors, *(s for s in ALWAYS if s not in errors))
    operation: Operation = {
        "summary": summary,
        "tags": [tag],
        "parameters": params or [],
        "responses": {**ok, **{s: _error(s) for s in statuses}},
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {_JSON: {"schema": body}}}
    if auth:
        operation["security"] = [{"bearer": []}]
    return operation


def _ok(schema_name: str, description: str = "OK", status: str = "200") -> dict[str, Operation]:
    return {status: _json(description, ref(schema_name))}

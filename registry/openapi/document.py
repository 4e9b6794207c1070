"""The OpenAPI 3.1 document of the registry's HTTP API, served at ``GET /v1/openapi.json``.

Written by hand as a spec (not generated), and kept honest by a test that walks the app's
routes: every route and method is documented here and everything documented is routed.
"""

from __future__ import annotations

from typing import Any

from registry.openapi.ops import (
    _APP,
    _VERSION,
    APP_PARAMS,
    TAG,
    VERSION_PARAMS,
    Operation,
    _error,
    _json,
    _ok,
    _param,
    op,
)
from registry.openapi.orgs import ORG_PATHS, ORG_SCHEMAS
from registry.openapi.schemas import SCHEMAS, ref

_SEARCH_PARAMS = [
    _param(
        "q",
        "query",
        "words matched in name, description, labels, author, readme; the last word also as a"
        " prefix (search-as-you-type)",
    ),
    _param("label", "query", "only apps with this label (repeat: all of them)"),
    _param("namespace", "query", "only apps in this namespace"),
    _param(
        "sort",
        "query",
        "relevance (default with q), downloads (default without), name or updated",
        {"enum": ["relevance", "downloads", "name", "updated"]},
    ),
    _param("limit", "query", "page size", {"type": "integer", "minimum": 1, "maximum": 100}),
    _param("cursor", "query", "next_cursor of the previous page"),
]

_PAGE_PARAMS = [
    _param(
        "limit",
        "query",
        "page size (default 100)",
        {"type": "integer", "minimum": 1, "maximum": 500},
    ),
    _param("cursor", "query", "next_cursor of the previous page"),
]

_RETIRE = ("400", "401", "403", "404", "413", "422")  # 422: a name outside the pattern

_CACHED = {
    "304": {"description": "Not modified (If-None-Match matched the ETag)"},
}


_REDIRECT = {
    "307": {
        "description": "With NESTRY_BUNDLE_REDIRECT on an s3:// store: fetch the bundle from "
        "the presigned URL in Location (no token; verify the digest, the ETag)",
        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
    }
}


def _bytes(description: str, media_type: str) -> dict[str, Operation]:
    schema = {"type": "string", "format": "binary"}
    return {"200": {"description": description, "content": {media_type: {"schema": schema}}}}


_PUBLISH = op(
    "Publish a version (multipart form)",
    {
        **_ok("VersionDocument", "Created", "201"),
        **_ok("VersionDocument", "Identical retry: already published"),
    },
    params=[
        *VERSION_PARAMS,
        {
            "name": "dry_run",
            "in": "query",
            "required": False,
            "description": "true: run every check and store nothing; 200 answers "
            '{"dry_run", "application", "version", "digest", "would_create", ...}',
            "schema": {"type": "string", "enum": ["true", "1"]},
        },
    ],
    auth=True,
    errors=("400", "401", "403", "404", "409", "413", "422", "503"),
)
_PUBLISH["requestBody"] = {
    "required": True,
    "content": {"multipart/form-data": {"schema": ref("PublishForm")}},
}

CORE_PATHS: dict[str, dict[str, Operation]] = {
    "/healthz": {
        "get": op(
            "Liveness and readiness: the database answers",
            {**_ok("Health"), "503": _error("503")},
            errors=(),
            tag="service",
        )
    },
    "/v1/whoami": {
        "get": op("The calling token's user and rights", _ok("Whoami"), errors=("401",), auth=True)
    },
    _APP: {
        "get": op("The app document", {**_ok("AppDocument"), **_CACHED}, params=APP_PARAMS),
        "patch": op(
            "Change description, labels, home page or visibility",
            _ok("AppDocument"),
            params=APP_PARAMS,
            body=ref("AppPatch"),
            auth=True,
            errors=("400", "401", "403", "404", "413", "415", "422"),
        ),
        "delete": op(
            "Delete the app with all its versions (owners); 409 app_has_dependents while "
            "versions of other apps nest it. Blobs stay (content-addressed, maybe shared)",
            _ok("AppDeleted"),
            params=APP_PARAMS,
            auth=True,
            errors=("401", "403", "404", "409", "422"),
        ),
    },
    _VERSION: {
        "get": op(
            "The version document", {**_ok("VersionDocument"), **_CACHED}, params=VERSION_PARAMS
        ),
        "put": _PUBLISH,
    },
    _VERSION + "/template": {
        "get": op(
            "The template bytes as published; ETag is the digest",
            {**_bytes("The template", "application/x-yaml"), **_CACHED},
            params=VERSION_PARAMS,
            errors=("400", "401", "404", "503"),
        )
    },
    _VERSION + "/bundle": {
        "get": op(
            "The code bundle (tar.gz), when the version has one",
            {**_bytes("The bundle", "application/gzip"), **_CACHED, **_REDIRECT},
            params=VERSION_PARAMS,
            errors=("400", "401", "404", "503"),
        )
    },
}

FEATURE_PATHS: dict[str, dict[str, Operation]] = {
    "/v1/apps": {
        "get": op("Search apps", _ok("SearchResults"), params=_SEARCH_PARAMS, errors=("400", "401"))
    },
    _APP + "/dist-tags/{tag}": {
        "put": op(
            "Point a dist-tag at a version",
            _ok("DistTags"),
            params=[*APP_PARAMS, TAG],
            body=ref("DistTagBody"),
            auth=True,
            errors=(*_RETIRE, "409"),
        ),
        "delete": op(
            "Drop a dist-tag (latest goes back to following the highest release)",
            _ok("DistTags"),
            params=[*APP_PARAMS, TAG],
            auth=True,
            errors=_RETIRE,
        ),
    },
    _VERSION + "/yank": {
        "post": op(
            "Yank a version: ranges stop picking it, lockfiles keep working",
            _ok("VersionStatus"),
            params=VERSION_PARAMS,
            body=ref("YankBody"),
            auth=True,
            errors=_RETIRE,
        )
    },
    _VERSION + "/unyank": {
        "post": op(
            "Undo a yank",
            _ok("VersionStatus"),
            params=VERSION_PARAMS,
            auth=True,
            errors=_RETIRE,
        )
    },
    _VERSION + "/deprecate": {
        "post": op(
            "Deprecate a version with a message (empty or null message un-deprecates)",
            _ok("VersionStatus"),
            params=VERSION_PARAMS,
            body=ref("DeprecateBody"),
            auth=True,
            errors=_RETIRE,
        )
    },
    "/v1/resolve": {
        "post": op(
            "Resolve (application, range) requests, recursively, in one round trip",
            _ok("ResolveResponse"),
            body=ref("ResolveRequest"),
            errors=("400", "401", "413"),
            tag="resolve",
        )
    },
    _APP + "/dependents": {
        "get": op(
            "App versions that nest this app, a page at a time",
            _ok("Dependents"),
            params=[*APP_PARAMS, *_PAGE_PARAMS],
        )
    },
    "/v1/openapi.json": {
        "get": op("This document", {"200": _json("OpenAPI 3.1", {"type": "object"})}, errors=())
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics (text exposition format 0.0.4)",
            "tags": ["service"],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
}

PATHS = {**CORE_PATHS, **FEATURE_PATHS, **ORG_PATHS}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "nestry registry",
        "version": "1",
        "description": (
            'Errors are always {"error": {"code", "message"}} (schema Error). A method a path '
            "does not list answers 405 with an Allow header naming those it does (HEAD with "
            "GET); a body over its limit answers 413, and where an operation lists 415, a body "
            "that is not JSON answers it."
        ),
    },
    "paths": PATHS,
    "components": {
        "schemas": {**SCHEMAS, **ORG_SCHEMAS},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def schema_for(name: str) -> dict[str, Any]:
    """A standalone JSON Schema of component ``name`` (its ``$ref``s resolve inside it)."""
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}

"""JSON Schemas of the registry's request and response bodies (OpenAPI ``components``)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
COUNT: Schema = {"type": "integer", "minimum": 0}
DIGEST: Schema = {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
LABELS: Schema = {"type": "array", "items": STRING}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], properties: dict[str, Schema], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


def _all(properties: dict[str, Schema]) -> Schema:
    """Every property required and no others: response shapes tooling relies on."""
    return obj(sorted(properties), properties, additionalProperties=False)


ERROR = obj(
    ["error"],
    {
        "error": obj(
            ["code", "message"],
            {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "message": STRING,
            },
        )
    },
)

APP_SUMMARY = _all(
    {
        "application": STRING,
        "description": NULLABLE_STRING,
        "labels": LABELS,
        "latest_version": NULLABLE_STRING,
        "downloads": COUNT,
        "updated_at": DATE_TIME,
    }
)

SEARCH_RESULTS = _all(
    {"results": {"type": "array", "items": ref("AppSummary")}, "next_cursor": NULLABLE_STRING}
)

VERSION_SUMMARY = _all(
    {
        "version": STRING,
        "digest": DIGEST,
        "published_at": DATE_TIME,
        "yanked": {"type": "boolean"},
        "yanked_reason": NULLABLE_STRING,
        "deprecated": NULLABLE_STRING,
        "downloads": COUNT,
    }
)

VERSION_STATUS = _all({"application": STRING, **VERSION_SUMMARY["properties"]})

APP_DOCUMENT = obj(
    ["application", "namespace", "name", "visibility", "dist_tags", "versions"],
    {
        "application": STRING,
        "namespace": STRING,
        "name": STRING,
        "description": NULLABLE_STRING,
        "author": NULLABLE_STRING,
        "labels": LABELS,
        "home_page_url": NULLABLE_STRING,
        "source_code_url": NULLABLE_STRING,
        "spdx_license_id": NULLABLE_STRING,
        "visibility": {"enum": ["public", "private"]},
        "dist_tags": {"type": "object", "additionalProperties": STRING},
        "downloads": COUNT,
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
        "versions": {"type": "array", "items": ref("VersionSummary")},
    },
    additionalProperties=False,
)

DEPENDENCY = obj(
    ["logical_id", "kind"],
    {
        "logical_id": STRING,
        "kind": {"enum": ["registry", "sar", "local", "url"]},
        "application": NULLABLE_STRING,
        "range": NULLABLE_STRING,
        "location": NULLABLE_STRING,
    },
    additionalProperties=False,
)

TEMPLATE_PATH: Schema = {
    "type": ["string", "null"],
    "description": (
        "Where the template sits inside the bundle, as published (template_path, normalised); "
        "null: the bundle root. Its relative CodeUri and local Location paths resolve from there."
    ),
}

VERSION_DOCUMENT = obj(
    ["application", "version", "digest", "template_url"],
    {
        **VERSION_SUMMARY["properties"],
        "application": STRING,
        "parameters": {"type": "object", "additionalProperties": {"type": "object"}},
        "outputs": {"type": "object", "additionalProperties": {"type": "object"}},
        "capabilities": {"type": "array", "items": STRING},
        "dependencies": {"type": "array", "items": ref("Dependency")},
        "metadata": {"type": "object"},
        "readme": NULLABLE_STRING,
        "template_url": STRING,
        "bundle_url": NULLABLE_STRING,
        "bundle_digest": {"oneOf": [DIGEST, {"type": "null"}]},
        "template_path": TEMPLATE_PATH,
    },
    additionalProperties=False,
)

APP_PATCH = obj(
    [],
    {
        "description": NULLABLE_STRING,
        "labels": LABELS,
        "home_page_url": NULLABLE_STRING,
        "visibility": {"enum": ["public", "private"]},
    },
    additionalProperties=False,
)

PUBLISH_FORM = obj(
    ["template", "metadata"],
    {
        "template": {"type": "string", "format": "binary"},
        "metadata": {
            "type": "string",
            "description": "JSON: AWS::ServerlessRepo::Application fields (snake_case or SAR's)",
        },
        "readme": STRING,
        "license": STRING,
        "bundle": {"type": "string", "format": "binary", "description": "tar.gz"},
        "template_path": {
            "type": "string",
            "maxLength": 4096,
            "description": "Where the template file sits inside the bundle ('/'-separated, "
            "relative, normalised before it is stored; part of the version's identity: a retry "
            "with another place is 409 version_exists), e.g. sam/app/template.yaml. Omitted "
            "or empty: the bundle root.",
        },
        "tag": {
            "type": "string",
            "description": "A dist-tag to point at the new version, as npm's publish --tag: "
            "latest is then not moved (unless the app has none yet). Omitted or 'latest': "
            "latest follows the highest release. Not a range (422 invalid_tag). An identical "
            "retry (200) moves no tag.",
        },
    },
)

DIST_TAG_BODY = obj(["version"], {"version": STRING}, additionalProperties=False)
DIST_TAGS = obj(["dist_tags"], {"dist_tags": {"type": "object", "additionalProperties": STRING}})
YANK_BODY = obj([], {"reason": NULLABLE_STRING}, additionalProperties=False)
DEPRECATE_BODY = obj(
    [],
    {"message": {**NULLABLE_STRING, "description": "empty or null un-deprecates"}},
    additionalProperties=False,
)

RESOLVE_REQUEST = obj(
    ["requests"],
    {
        "requests": {
            "type": "array",
            "maxItems": 200,
            "items": obj(["application", "range"], {"application": STRING, "range": STRING}),
        },
        "recursive": {"type": "boolean", "default": True},
    },
)

_RESOLVED = obj(
    ["application", "range", "version", "digest", "template_url", "dependencies"],
    {
        "application": STRING,
        "range": STRING,
        "path": {"type": "string", "description": "logical id in the parent (dependencies)"},
        "version": STRING,
        "digest": DIGEST,
        "template_url": STRING,
        "bundle_url": NULLABLE_STRING,
        "bundle_digest": {"oneOf": [DIGEST, {"type": "null"}]},
        "template_path": TEMPLATE_PATH,
        "dependencies": {"type": "array", "items": ref("ResolveResult")},
    },
    additionalProperties=False,
)

_UNRESOLVED = obj(
    ["application", "range", "error"],
    {
        "application": STRING,
        "range": STRING,
        "path": STRING,
        "error": ERROR["properties"]["error"],
    },
    additionalProperties=False,
)

RESOLVE_RESULT: Schema = {
    "oneOf": [_RESOLVED, _UNRESOLVED],
    "description": (
        "A resolved node, or an error node whose code is one of no_matching_version, "
        "app_not_found (also for apps the caller may not read), invalid_range, invalid_name, "
        "foreign_registry (resolve it against that registry) or cycle (the message names "
        "the loop)."
    ),
}
RESOLVE_RESPONSE = obj(["results"], {"results": {"type": "array", "items": ref("ResolveResult")}})

DEPENDENTS = obj(
    ["dependents", "next_cursor"],
    {
        "dependents": {
            "type": "array",
            "items": _all(
                {"application": STRING, "version": STRING, "logical_id": STRING, "range": STRING}
            ),
        },
        "next_cursor": NULLABLE_STRING,
    },
)

APP_DELETED = _all({"deleted": STRING, "versions": {"type": "array", "items": STRING}})

WHOAMI = _all(
    {
        "user": STRING,
        "admin": {"type": "boolean"},
        "scope": {"enum": ["read", "publish", "admin"]},
        "namespaces": {"type": "array", "items": STRING},
        "expires_at": {"oneOf": [DATE_TIME, {"type": "null"}]},
    }
)
HEALTH = obj(["status"], {"status": {"const": "ok"}})

SCHEMAS: dict[str, Schema] = {
    "Error": ERROR,
    "AppSummary": APP_SUMMARY,
    "SearchResults": SEARCH_RESULTS,
    "AppDocument": APP_DOCUMENT,
    "AppPatch": APP_PATCH,
    "VersionSummary": VERSION_SUMMARY,
    "VersionStatus": VERSION_STATUS,
    "VersionDocument": VERSION_DOCUMENT,
    "Dependency": DEPENDENCY,
    "PublishForm": PUBLISH_FORM,
    "DistTagBody": DIST_TAG_BODY,
    "DistTags": DIST_TAGS,
    "YankBody": YANK_BODY,
    "DeprecateBody": DEPRECATE_BODY,
    "ResolveRequest": RESOLVE_REQUEST,
    "ResolveResult": RESOLVE_RESULT,
    "ResolveResponse": RESOLVE_RESPONSE,
    "Dependents": DEPENDENTS,
    "AppDeleted": APP_DELETED,
    "Whoami": WHOAMI,
    "Health": HEALTH,
}

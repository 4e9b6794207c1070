"""OpenAPI paths and schemas of organizations: namespaces, members, policies, tokens, audit."""

from __future__ import annotations

from registry.openapi.ops import APP_PARAMS, Operation, _ok, _param, op
from registry.openapi.schemas import DATE_TIME, NULLABLE_STRING, STRING, Schema, obj, ref

ROLE: Schema = {"enum": ["owner", "publisher", "reader"]}
SCOPE: Schema = {"enum": ["read", "publish", "admin"]}
VISIBILITY: Schema = {"enum": ["public", "private"]}
WHEN: Schema = {"oneOf": [DATE_TIME, {"type": "null"}]}
_NAMES: Schema = {"type": "array", "items": STRING}


def _strict(required: list[str], properties: dict[str, Schema]) -> Schema:
    return obj(required, properties, additionalProperties=False)


GRANT: Schema = {
    "oneOf": [
        _strict(["namespace"], {"namespace": STRING, "nest": {"type": "boolean"}}),
        _strict(["user"], {"user": STRING, "nest": {"const": False}}),
    ]
}
TOKEN: Schema = _strict(
    ["id", "prefix", "scope", "namespaces", "description", "created_at", "expires_at"],
    {
        "id": {"type": "integer"},
        "prefix": STRING,
        "scope": SCOPE,
        "namespaces": _NAMES,
        "description": NULLABLE_STRING,
        "created_at": DATE_TIME,
        "expires_at": WHEN,
        "revoked_at": WHEN,
        "token": {"type": "string", "description": "the secret; only in the 201 answer"},
    },
)
EVENT: Schema = obj(
    ["id", "at", "actor", "action", "target", "details", "address"],
    {
        "id": {"type": "integer"},
        "at": DATE_TIME,
        "actor": NULLABLE_STRING,
        "action": STRING,
        "target": STRING,
        "details": {"type": "object"},
        "address": NULLABLE_STRING,
    },
)
MEMBERS = obj(
    ["namespace", "members"],
    {
        "namespace": STRING,
        "members": {
            "type": "array",
            "items": _strict(["user", "role"], {"user": STRING, "role": ROLE}),
        },
    },
)

ORG_SCHEMAS: dict[str, Schema] = {
    "NamespaceCreate": _strict(
        ["name"],
        {"name": STRING, "kind": {"enum": ["org", "user"]}, "default_visibility": VISIBILITY},
    ),
    "Namespace": obj(
        ["namespace", "kind", "default_visibility", "role"],
        {
            "namespace": STRING,
            "kind": {"enum": ["org", "user"]},
            "default_visibility": {"oneOf": [VISIBILITY, {"type": "null"}]},
            "role": {"oneOf": [ROLE, {"type": "null"}]},
        },
    ),
    "NamespaceList": obj(
        ["user", "namespaces"],
        {
            "user": STRING,
            "namespaces": {
                "type": "array",
                "items": obj(
                    ["namespace", "kind", "default_visibility", "role", "covered"],
                    {
                        "namespace": STRING,
                        "kind": {"enum": ["org", "user"]},
                        "default_visibility": {"oneOf": [VISIBILITY, {"type": "null"}]},
                        "role": ROLE,
                        "covered": {
                            "type": "boolean",
                            "description": "whether the calling token may act there",
                        },
                    },
                ),
            },
        },
    ),
    "NamespacePatch": _strict(["default_visibility"], {"default_visibility": VISIBILITY}),
    "Members": MEMBERS,
    "MemberBody": _strict(["role"], {"role": ROLE}),
    "Grant": GRANT,
    "Policy": obj(
        ["application", "visibility", "grants"],
        {
            "application": STRING,
            "visibility": VISIBILITY,
            "grants": {"type": "array", "items": ref("Grant")},
        },
    ),
    "PolicyBody": _strict(
        [], {"visibility": VISIBILITY, "grants": {"type": "array", "items": ref("Grant")}}
    ),
    "Token": TOKEN,
    "Tokens": obj(["tokens"], {"tokens": {"type": "array", "items": ref("Token")}}),
    "TokenCreate": _strict(
        [],
        {
            "scope": SCOPE,
            "namespaces": _NAMES,
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 3650},
            "description": STRING,
        },
    ),
    "AuditLog": obj(
        ["namespace", "events", "next_before"],
        {
            "namespace": STRING,
            "events": {"type": "array", "items": EVENT},
            "next_before": {"type": ["integer", "null"]},
        },
    ),
}

NS = _param("ns", "path", "namespace")
USER = _param("user", "path", "user name")
_WRITE = ("400", "401", "403", "404", "409", "422", "429")
_READ = ("401", "403", "404", "429")

ORG_PATHS: dict[str, dict[str, Operation]] = {
    "/v1/namespaces": {
        "post": op(
            "Create a namespace (the calling admin-scope token's user owns it)",
            _ok("Namespace", "Created", "201"),
            body=ref("NamespaceCreate"),
            auth=True,
            errors=_WRITE,
            tag="namespaces",
        ),
        "get": op(
            "The namespaces the caller's user belongs to, with roles (401 anonymous)",
            _ok("NamespaceList"),
            errors=("401", "429"),
            auth=True,
            tag="namespaces",
        ),
    },
    "/v1/namespaces/{ns}": {
        "patch": op(
            "Change the default visibility of new apps (owners)",
            _ok("Namespace"),
            params=[NS],
            body=ref("NamespacePatch"),
            auth=True,
            errors=_WRITE,
            tag="namespaces",
        ),
        "get": op(
            "A namespace, for its members",
            _ok("Namespace"),
            params=[NS],
            errors=_READ,
            auth=True,
            tag="namespaces",
        ),
    },
    "/v1/namespaces/{ns}/members": {
        "get": op(
            "Members and roles, for members",
            _ok("Members"),
            params=[NS],
            errors=_READ,
            auth=True,
            tag="namespaces",
        )
    },
    "/v1/namespaces/{ns}/members/{user}": {
        "put": op(
            "Add a member or change a role (owners)",
            _ok("Members"),
            params=[NS, USER],
            body=ref("MemberBody"),
            auth=True,
            errors=_WRITE,
            tag="namespaces",
        ),
        "delete": op(
            "Remove a member (owners; never the last owner)",
            _ok("Members"),
            params=[NS, USER],
            auth=True,
            errors=_WRITE,
            tag="namespaces",
        ),
    },
    "/v1/namespaces/{ns}/audit": {
        "get": op(
            "The audit log, newest first (owners)",
            _ok("AuditLog"),
            params=[
                NS,
                _param("limit", "query", "page size (default 100)", {"type": "integer"}),
                _param("before", "query", "next_before of the previous page", {"type": "integer"}),
            ],
            errors=("400", *_READ),
            auth=True,
            tag="namespaces",
        )
    },
    "/v1/apps/{ns}/{name}/policy": {
        "get": op(
            "Visibility and sharing grants (members of the namespace)",
            _ok("Policy"),
            params=APP_PARAMS,
            errors=_READ,
            tag="namespaces",
        ),
        "put": op(
            "Change visibility and/or replace the grants (owners)",
            _ok("Policy"),
            params=APP_PARAMS,
            body=ref("PolicyBody"),
            auth=True,
            errors=_WRITE,
            tag="namespaces",
        ),
    },
    "/v1/tokens": {
        "get": op(
            "The caller's user's tokens (admin scope)",
            _ok("Tokens"),
            errors=_READ,
            auth=True,
            tag="tokens",
        ),
        "post": op(
            "Create a token no wider than the calling one (admin scope)",
            _ok("Token", "Created; the secret is in token", "201"),
            body=ref("TokenCreate"),
            errors=_WRITE,
            auth=True,
            tag="tokens",
        ),
    },
    "/v1/tokens/{id}": {
        "delete": op(
            "Revoke a token (admin scope, or the token itself)",
            _ok("Token"),
            params=[_param("id", "path", "token id")],
            errors=_READ,
            auth=True,
            tag="tokens",
        )
    },
}

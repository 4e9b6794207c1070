"""The OpenAPI 3.1 document of the registry's HTTP API, served at ``GET /v1/openapi.json``.

Generated (``registry.openapi.generate``) from this table of operations and the rooms' shapes
(``registry/*/shapes.py``); a test walks the app's routes so that every route and method is
documented here and everything documented is routed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from registry.apps.dependents import MAX_LIMIT as DEPENDENTS_MAX
from registry.apps.shapes import AppDeleted, AppPatch, Dependents
from registry.auth.shapes import Token, TokenCreate, Tokens, Whoami
from registry.documents.shapes import AppDocument, VersionDocument
from registry.lifecycle.shapes import (
    DeprecateBody,
    DistTagBody,
    DistTags,
    UnyankBody,
    VersionStatus,
    YankBody,
)
from registry.openapi.generate import Answer, Op, Param, Schema, document
from registry.orgs.audit import MAX_PAGE as AUDIT_MAX
from registry.orgs.shapes import (
    AuditLog,
    MemberBody,
    Members,
    Namespace,
    NamespaceCreate,
    NamespaceList,
    NamespacePatch,
    Policy,
    PolicyBody,
)
from registry.publish.shapes import PublishForm
from registry.resolve.shapes import RESULT, Resolved, ResolveRequest, ResolveResponse, Unresolved
from registry.search.params import MAX_LABELS, MAX_LIMIT, MAX_Q_LENGTH
from registry.search.query import SORTS
from registry.search.shapes import SearchResults
from registry.serving.shapes import AppName, Health, NamespaceName, Version

_APP = "/v1/apps/{ns}/{name}"
_VERSION = _APP + "/versions/{version}"

NS = Param("ns", "path", "namespace (any ASCII case)", NamespaceName)
NAME = Param("name", "path", "application name (any ASCII case)", AppName)
VERSION = Param("version", "path", "exact SemVer 2.0.0 version", Version)
TAG = Param("tag", "path", "dist-tag name: starts with a letter, never a valid range")
USER = Param("user", "path", "user name")
TOKEN_ID = Param("id", "path", "token id", Annotated[str, Meta(pattern="^[0-9]+$")])
APP = (NS, NAME)
AT_VERSION = (NS, NAME, VERSION)


def _limit(maximum: int, default: int | str) -> Param:
    return Param(
        "limit", "query", f"page size (default {default})", Annotated[int, Meta(ge=1, le=maximum)]
    )


CURSOR = Param("cursor", "query", "next_cursor of the previous page")
SEARCH = (
    Param(
        "q",
        "query",
        "words matched in name, description, labels, author, readme; the last word also as a"
        " prefix (search-as-you-type)",
        Annotated[str, Meta(max_length=MAX_Q_LENGTH)],
    ),
    Param(
        "label",
        "query",
        f"only apps with this label (repeat, up to {MAX_LABELS} times: all of them)",
        Annotated[str, Meta(min_length=1, max_length=127)],
    ),
    Param("namespace", "query", "only apps in this namespace", NamespaceName),
    Param(
        "sort",
        "query",
        "relevance (default with q), downloads (default without), name or updated",
        Literal[SORTS],
    ),
    _limit(MAX_LIMIT, 20),
    CURSOR,
)
DRY_RUN = Param(
    "dry_run",
    "query",
    'true: run every check and store nothing; 200 answers {"dry_run", "application", '
    '"version", "digest", "would_create", ...}',
    Literal["true", "1"],
)

_RETIRE = ("400", "401", "403", "404", "422")  # 422: a name outside the pattern
_WRITE = ("400", "401", "403", "404", "409", "422", "429")
_READ = ("401", "403", "404", "429")
_CACHED: Schema = {"304": {"description": "Not modified (If-None-Match matched the ETag)"}}
_REDIRECT: Schema = {
    "307": {
        "description": "With NESTRY_BUNDLE_REDIRECT on an s3:// store: fetch the bundle from "
        "the presigned URL in Location (no token; verify the digest, the ETag)",
        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
    }
}


def _bytes(description: str, media_type: str) -> Schema:
    schema = {"type": "string", "format": "binary"}
    return {"description": description, "content": {media_type: {"schema": schema}}}


def _text(description: str, media_type: str) -> Schema:
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}


OPERATIONS = [
    Op(
        "get",
        "/healthz",
        "Liveness and readiness: the database answers",
        {"200": Health},
        errors=(),
        tag="service",
    ),
    Op(
        "get",
        "/v1/whoami",
        "The calling token's user and rights",
        {"200": Whoami},
        errors=("401",),
        auth=True,
    ),
    Op("get", _APP, "The app document", {"200": AppDocument, **_CACHED}, params=APP),
    Op(
        "patch",
        _APP,
        "Change description, labels, home page or visibility",
        {"200": AppDocument},
        params=APP,
        body=AppPatch,
        auth=True,
        errors=("400", "401", "403", "404", "422"),
    ),
    Op(
        "delete",
        _APP,
        "Delete the app with all its versions (owners); 409 app_has_dependents while "
        "versions of other apps nest it. Blobs stay (content-addressed, maybe shared)",
        {"200": AppDeleted},
        params=APP,
        auth=True,
        errors=("401", "403", "404", "409", "422"),
    ),
    Op(
        "get",
        _VERSION,
        "The version document",
        {"200": VersionDocument, **_CACHED},
        params=AT_VERSION,
    ),
    Op(
        "put",
        _VERSION,
        "Publish a version (multipart form)",
        {
            "201": Answer(VersionDocument, "Created"),
            "200": Answer(VersionDocument, "Identical retry: already published"),
        },
        params=(*AT_VERSION, DRY_RUN),
        form=PublishForm,
        auth=True,
        errors=("400", "401", "403", "404", "409", "422", "503"),
    ),
    Op(
        "get",
        _VERSION + "/template",
        "The template bytes as published; ETag is the digest",
        {"200": _bytes("The template", "application/x-yaml"), **_CACHED},
        params=AT_VERSION,
        errors=("400", "401", "404", "503"),
    ),
    Op(
        "get",
        _VERSION + "/bundle",
        "The code bundle (tar.gz), when the version has one",
        {"200": _bytes("The bundle", "application/gzip"), **_CACHED, **_REDIRECT},
        params=AT_VERSION,
        errors=("400", "401", "404", "503"),
    ),
    Op(
        "get",
        "/v1/apps",
        "Search apps",
        {"200": SearchResults},
        params=SEARCH,
        errors=("400", "401"),
    ),
    Op(
        "put",
        _APP + "/dist-tags/{tag}",
        "Point a dist-tag at a version",
        {"200": DistTags},
        params=(*APP, TAG),
        body=DistTagBody,
        auth=True,
        errors=(*_RETIRE, "409"),
    ),
    Op(
        "delete",
        _APP + "/dist-tags/{tag}",
        "Drop a dist-tag (latest goes back to following the highest release)",
        {"200": DistTags},
        params=(*APP, TAG),
        auth=True,
        errors=_RETIRE,
    ),
    Op(
        "post",
        _VERSION + "/yank",
        "Yank a version: ranges stop picking it, lockfiles keep working",
        {"200": VersionStatus},
        params=AT_VERSION,
        body=YankBody,
        auth=True,
        errors=_RETIRE,
    ),
    Op(
        "post",
        _VERSION + "/unyank",
        "Undo a yank",
        {"200": VersionStatus},
        params=AT_VERSION,
        body=UnyankBody,
        auth=True,
        errors=_RETIRE,
    ),
    Op(
        "post",
        _VERSION + "/deprecate",
        "Deprecate a version with a message (empty or null message un-deprecates)",
        {"200": VersionStatus},
        params=AT_VERSION,
        body=DeprecateBody,
        auth=True,
        errors=_RETIRE,
    ),
    Op(
        "post",
        "/v1/resolve",
        "Resolve (application, range) requests, recursively, in one round trip",
        {"200": ResolveResponse},
        body=ResolveRequest,
        errors=("400", "401"),
        tag="resolve",
    ),
    Op(
        "get",
        _APP + "/dependents",
        "App versions that nest this app, a page at a time",
        {"200": Dependents},
        params=(*APP, _limit(DEPENDENTS_MAX, 100), CURSOR),
    ),
    Op(
        "get",
        "/v1/openapi.json",
        "This document",
        {
            "200": {
                "description": "OpenAPI 3.1",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
        errors=(),
    ),
    Op(
        "get",
        "/metrics",
        "Prometheus metrics (text exposition format 0.0.4)",
        {"200": _text("OK", "text/plain")},
        errors=(),
        tag="service",
        service=False,
    ),
    # Organizations: namespaces, members, policies, tokens, audit.
    Op(
        "post",
        "/v1/namespaces",
        "Create a namespace (the calling admin-scope token's user owns it)",
        {"201": Answer(Namespace, "Created")},
        body=NamespaceCreate,
        auth=True,
        errors=_WRITE,
        tag="namespaces",
    ),
    Op(
        "get",
        "/v1/namespaces",
        "The namespaces the caller's user belongs to, with roles (401 anonymous)",
        {"200": NamespaceList},
        errors=("401", "429"),
        auth=True,
        tag="namespaces",
    ),
    Op(
        "patch",
        "/v1/namespaces/{ns}",
        "Change the default visibility of new apps (owners)",
        {"200": Namespace},
        params=(NS,),
        body=NamespacePatch,
        auth=True,
        errors=_WRITE,
        tag="namespaces",
    ),
    Op(
        "get",
        "/v1/namespaces/{ns}",
        "A namespace, for its members",
        {"200": Namespace},
        params=(NS,),
        errors=_READ,
        auth=True,
        tag="namespaces",
    ),
    Op(
        "get",
        "/v1/namespaces/{ns}/members",
        "Members and roles, for members",
        {"200": Members},
        params=(NS,),
        errors=_READ,
        auth=True,
        tag="namespaces",
    ),
    Op(
        "put",
        "/v1/namespaces/{ns}/members/{user}",
        "Add a member or change a role (owners)",
        {"200": Members},
        params=(NS, USER),
        body=MemberBody,
        auth=True,
        errors=_WRITE,
        tag="namespaces",
    ),
    Op(
        "delete",
        "/v1/namespaces/{ns}/members/{user}",
        "Remove a member (owners; never the last owner)",
        {"200": Members},
        params=(NS, USER),
        auth=True,
        errors=_WRITE,
        tag="namespaces",
    ),
    Op(
        "get",
        "/v1/namespaces/{ns}/audit",
        "The audit log, newest first (owners)",
        {"200": AuditLog},
        params=(
            NS,
            _limit(AUDIT_MAX, 100),
            Param("before", "query", "next_before of the previous page", int),
        ),
        errors=("400", *_READ),
        auth=True,
        tag="namespaces",
    ),
    Op(
        "get",
        _APP + "/policy",
        "Visibility and sharing grants (members of the namespace)",
        {"200": Policy},
        params=APP,
        errors=_READ,
        tag="namespaces",
    ),
    Op(
        "put",
        _APP + "/policy",
        "Change visibility and/or replace the grants (owners)",
        {"200": Policy},
        params=APP,
        body=PolicyBody,
        auth=True,
        errors=_WRITE,
        tag="namespaces",
    ),
    Op(
        "get",
        "/v1/tokens",
        "The caller's user's tokens (any token; never their secrets)",
        {"200": Tokens},
        errors=_READ,
        auth=True,
        tag="tokens",
    ),
    Op(
        "post",
        "/v1/tokens",
        "Create a token no wider than the calling one (admin scope); with user, an owner "
        "creates it for a member of the namespaces, within the member's role",
        {"201": Answer(Token, "Created; the secret is in token")},
        body=TokenCreate,
        errors=_WRITE,
        auth=True,
        tag="tokens",
    ),
    Op(
        "delete",
        "/v1/tokens/{id}",
        "Revoke a token (admin scope, or the token itself)",
        {"200": Token},
        params=(TOKEN_ID,),
        errors=_READ,
        auth=True,
        tag="tokens",
    ),
]

UNIONS = {"ResolveResult": ((Resolved, Unresolved), RESULT)}

INFO: Schema = {
    "title": "nestry registry",
    "version": "1",
    "description": (
        'Errors are always {"error": {"code", "message"}} (schema Error); a body that does not '
        "fit its schema names the field in the message ($.path). A method a path does not "
        "list answers 405 with an Allow header naming those it does (HEAD with GET); a body "
        "over its limit answers 413, and where an operation lists 415, a body that is not "
        "JSON answers it."
    ),
}

SPEC: dict[str, Any] = document(INFO, OPERATIONS, UNIONS)


def schema_for(name: str) -> dict[str, Any]:
    """A standalone JSON Schema of component ``name`` (its ``$ref``s resolve inside it)."""
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}

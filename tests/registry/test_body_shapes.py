"""Request bodies are validated from their declared shapes, and the OpenAPI document states the
same constraints: a body the spec's schema refuses, the server refuses (4xx naming the field),
and one the schema accepts gets past the shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest
from registry_samples import template

from registry.openapi.document import OPERATIONS, SPEC, schema_for
from registry.settings import DEFAULT_TOKEN_MAX_DAYS

SCHEMAS = SPEC["components"]["schemas"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_json_body_is_a_shape_with_exactly_its_fields() -> None:
    bodies = [op for op in OPERATIONS if op.body is not None]
    assert len(bodies) >= 10
    for op in bodies:
        assert op.body is not None
        media = SPEC["paths"][op.path][op.method]["requestBody"]["content"]["application/json"]
        assert media["schema"] == {"$ref": f"#/components/schemas/{op.body.__name__}"}
        assert SCHEMAS[op.body.__name__]["additionalProperties"] is False, op.body


def test_the_spec_states_the_limits_the_server_enforces() -> None:
    days = SCHEMAS["TokenCreate"]["properties"]["expires_in_days"]["anyOf"][0]
    assert (days["minimum"], days["maximum"]) == (1, DEFAULT_TOKEN_MAX_DAYS)
    assert SCHEMAS["TokenCreate"]["properties"]["description"]["anyOf"][0]["maxLength"] == 200
    labels = SCHEMAS["AppPatch"]["properties"]["labels"]
    assert labels["maxItems"] == 10 and labels["items"]["pattern"].startswith("^")
    assert SCHEMAS["AppPatch"]["minProperties"] == 1
    assert SCHEMAS["ResolveRequest"]["properties"]["requests"]["maxItems"] == 200
    assert SCHEMAS["YankBody"]["properties"]["reason"]["anyOf"][0]["maxLength"] == 1024
    assert "pattern" in SCHEMAS["NamespaceCreate"]["properties"]["name"]
    search = {p["name"]: p["schema"] for p in SPEC["paths"]["/v1/apps"]["get"]["parameters"]}
    assert search["limit"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert search["q"]["maxLength"] == 256
    ns = SPEC["paths"]["/v1/apps/{ns}/{name}"]["get"]["parameters"][0]
    assert ns["name"] == "ns" and "pattern" in ns["schema"]


# (method, path under /v1, component, body, status, code, what the message names)
REFUSED = [
    (
        "post",
        "/tokens",
        "TokenCreate",
        {"description": "x" * 201},
        422,
        "invalid_token_request",
        "`$.description`",
    ),
    (
        "post",
        "/tokens",
        "TokenCreate",
        {"expires_in_days": 0},
        422,
        "invalid_token_request",
        "`$.expires_in_days`",
    ),
    (
        "post",
        "/tokens",
        "TokenCreate",
        {"namespaces": ["bad_name"]},
        422,
        "invalid_token_request",
        "`$.namespaces[0]`",
    ),
    (
        "post",
        "/tokens",
        "TokenCreate",
        {"scope": "root"},
        422,
        "invalid_token_request",
        "`$.scope`",
    ),
    (
        "patch",
        "/apps/acme/demo",
        "AppPatch",
        {"labels": ["ok", "has space"]},
        422,
        "invalid_metadata",
        "`$.labels[1]`",
    ),
    (
        "patch",
        "/apps/acme/demo",
        "AppPatch",
        {"visibility": "secret"},
        422,
        "invalid_visibility",
        "`$.visibility`",
    ),
    ("patch", "/apps/acme/demo", "AppPatch", {}, 422, "invalid_patch", "description, labels"),
    (
        "post",
        "/resolve",
        "ResolveRequest",
        {"requests": [{"application": "a/b", "range": 1}]},
        400,
        "invalid_request",
        "`$.requests[0].range`",
    ),
    (
        "post",
        "/resolve",
        "ResolveRequest",
        {"requests": []},
        400,
        "invalid_request",
        "`$.requests`",
    ),
    (
        "post",
        "/apps/acme/demo/versions/1.0.0/yank",
        "YankBody",
        {"reason": "x" * 1025},
        400,
        "invalid_request",
        "`$.reason`",
    ),
    (
        "put",
        "/apps/acme/demo/dist-tags/beta",
        "DistTagBody",
        {"version": "1.0.0", "force": True},
        400,
        "invalid_request",
        "unknown field `force`",
    ),
    ("post", "/namespaces", "NamespaceCreate", {"name": "-no-"}, 422, "invalid_name", "`$.name`"),
    (
        "put",
        "/apps/acme/demo/policy",
        "PolicyBody",
        {"grants": [{"namespace": 5}]},
        422,
        "invalid_policy",
        "`$.grants[0].namespace`",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "component", "body", "status", "code", "named"), REFUSED
)
async def test_a_body_the_spec_refuses_is_refused_naming_the_field(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    method: str,
    path: str,
    component: str,
    body: dict[str, Any],
    status: int,
    code: str,
    named: str,
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, schema_for(component))
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    answer = await api.request(method, "/v1" + path, json=body, headers=bearer(admin_token))
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert named in answer.json()["error"]["message"]


ACCEPTED = [
    ("post", "/tokens", "TokenCreate", {"scope": "read", "expires_in_days": 30}, 201),
    (
        "patch",
        "/apps/acme/demo",
        "AppPatch",
        {"labels": ["a:b", "c@d"], "home_page_url": None},
        200,
    ),
    ("post", "/apps/acme/demo/versions/1.0.0/yank", "YankBody", {"reason": "x" * 1024}, 200),
    ("post", "/apps/acme/demo/versions/1.0.0/deprecate", "DeprecateBody", {"message": None}, 200),
    ("put", "/apps/acme/demo/policy", "PolicyBody", {"visibility": "private", "grants": []}, 200),
    (
        "post",
        "/resolve",
        "ResolveRequest",
        {"requests": [{"application": "acme/demo", "range": "^1"}]},
        200,
    ),
]


@pytest.mark.parametrize(("method", "path", "component", "body", "status"), ACCEPTED)
async def test_a_body_the_spec_accepts_gets_past_the_shape(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    method: str,
    path: str,
    component: str,
    body: dict[str, Any],
    status: int,
) -> None:
    jsonschema.validate(body, schema_for(component))
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    answer = await api.request(method, "/v1" + path, json=body, headers=bearer(admin_token))
    assert answer.status_code == status, answer.text


async def test_nul_and_non_objects_keep_their_answers(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    nul = await api.post("/v1/tokens", json={"description": "a\x00b"}, headers=bearer(admin_token))
    assert (nul.status_code, nul.json()["error"]["code"]) == (400, "invalid_json")
    listed = await api.post("/v1/tokens", json=[], headers=bearer(admin_token))
    assert (listed.status_code, listed.json()["error"]["code"]) == (400, "invalid_json")
    text = await api.patch("/v1/apps/acme/demo", content=b"{}", headers=bearer(admin_token))
    assert text.status_code == 415

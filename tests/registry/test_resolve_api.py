"""``POST /v1/resolve`` through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from registry.openapi.document import schema_for

SAR_ARN = "arn:aws:serverlessrepo:us-east-1:123456789012:applications/thing"


def template(**nested: tuple[str, str]) -> str:
    resources: dict[str, Any] = {"Topic": {"Type": "AWS::SNS::Topic"}}
    for logical_id, (application, range_) in nested.items():
        location = {"ApplicationId": application, "SemanticVersion": range_}
        resources[logical_id] = {
            "Type": "AWS::Serverless::Application",
            "Properties": {"Location": location},
        }
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": resources,
        }
    )


async def put(publish: Callable[..., Any], app: str, version: str, body: str) -> None:
    ns, name = app.split("/")
    response = await publish(ns, name, version, body)
    assert response.status_code == 201, response.text


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def resolve(
    api: httpx.AsyncClient, *requests: tuple[str, str], token: str | None = None, **extra: Any
) -> list[dict[str, Any]]:
    body = {"requests": [{"application": a, "range": r} for a, r in requests], **extra}
    response = await api.post("/v1/resolve", json=body, headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), schema_for("ResolveResponse"))
    results: list[dict[str, Any]] = response.json()["results"]
    return results


@pytest.fixture
async def leaf(api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0-beta.1", "2.0.0"):
        await put(publish, "acme/leaf", version, template())
    response = await api.post("/v1/apps/acme/leaf/versions/2.0.0/yank", headers=bearer(admin_token))
    assert response.status_code == 200
    tagged = await api.put(
        "/v1/apps/acme/leaf/dist-tags/next",
        json={"version": "1.2.0-beta.1"},
        headers=bearer(admin_token),
    )
    assert tagged.status_code == 200


PICKS = [
    ("^1.0.0", "1.1.0"),
    ("~1.0", "1.0.0"),
    ("*", "1.1.0"),
    (">=1.2.0-beta.0", "1.2.0-beta.1"),
    ("latest", "1.1.0"),
    ("next", "1.2.0-beta.1"),
    ("1.0.0", "1.0.0"),
]


async def test_ranges_and_tags(api: httpx.AsyncClient, leaf: None) -> None:
    results = await resolve(api, *(("acme/leaf", range_) for range_, _ in PICKS))
    for (range_, version), result in zip(PICKS, results, strict=True):
        assert (result["range"], result["version"]) == (range_, version)
        assert result["application"] == "acme/leaf"


FAILURES = [
    ("acme/leaf", "^2", "no_matching_version"),  # only 2.0.0, yanked
    ("acme/leaf", "2.0.0", "no_matching_version"),
    ("acme/leaf", "beta", "no_matching_version"),
    ("acme/leaf", "^^1", "invalid_range"),
    ("acme/nope", "^1", "app_not_found"),
    ("Not A Name", "^1", "invalid_name"),
    (SAR_ARN, "1.0.0", "invalid_name"),
    ("other.example.com/acme/leaf", "^1", "foreign_registry"),
]


async def test_failures_are_per_request(api: httpx.AsyncClient, leaf: None) -> None:
    requests = [(application, range_) for application, range_, _ in FAILURES]
    *failed, ok = await resolve(api, *requests, ("acme/leaf", "^1"))
    for (application, range_, code), result in zip(FAILURES, failed, strict=True):
        assert result["error"]["code"] == code, (application, range_)
        assert (result["application"], result["range"]) == (application, range_)
        assert "version" not in result
    assert ok["version"] == "1.1.0"


async def test_urls_point_at_the_published_bytes(api: httpx.AsyncClient, leaf: None) -> None:
    [result] = await resolve(api, ("acme/LEAF", "^1"))
    assert result["template_url"] == "/v1/apps/acme/leaf/versions/1.1.0/template"
    assert (result["bundle_url"], result["bundle_digest"]) == (None, None)
    body = (await api.get(result["template_url"])).content
    assert result["digest"] == "sha256:" + hashlib.sha256(body).hexdigest()


async def test_recursive_tree(
    api: httpx.AsyncClient, publish: Callable[..., Any], leaf: None
) -> None:
    await put(publish, "acme/mid", "1.0.0", template(Leaf=("acme/leaf", "~1.0")))
    top = template(
        Mid=("acme/mid", "^1"),
        Tagged=("acme/leaf", "next"),
        Sar=(SAR_ARN, "1.0.0"),
        Elsewhere=("other.example.com/x/y", "^1"),
    )
    await put(publish, "acme/top", "1.0.0", top)
    [result] = await resolve(api, ("acme/top", "1.0.0"))
    deps = {d["path"]: d for d in result["dependencies"]}
    assert set(deps) == {"Mid", "Tagged", "Elsewhere"}  # SAR references are not ours
    assert deps["Tagged"]["version"] == "1.2.0-beta.1"
    assert deps["Elsewhere"]["error"]["code"] == "foreign_registry"
    [leaf_of_mid] = deps["Mid"]["dependencies"]
    assert (leaf_of_mid["path"], leaf_of_mid["application"], leaf_of_mid["version"]) == (
        "Leaf",
        "acme/leaf",
        "1.0.0",
    )
    assert leaf_of_mid["dependencies"] == []

    [flat] = await resolve(api, ("acme/top", "1.0.0"), recursive=False)
    assert flat["version"] == "1.0.0" and flat["dependencies"] == []


async def test_cycles_through_ranges_are_reported(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    # Publish checks only that a nested app exists, so later versions can close a loop.
    await put(publish, "acme/a", "1.0.0", template())
    await put(publish, "acme/b", "1.0.0", template(A=("acme/a", "*")))
    await put(publish, "acme/a", "2.0.0", template(B=("acme/b", "*")))
    [result] = await resolve(api, ("acme/a", "^2"))
    [b] = result["dependencies"]
    [again] = b["dependencies"]
    assert again["error"]["code"] == "cycle"
    assert "acme/a@2.0.0 -> acme/b@1.0.0 -> acme/a@2.0.0" in again["error"]["message"]


async def test_private_apps_are_not_found_unless_readable(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await put(publish, "secret/inner", "1.0.0", template())
    await put(publish, "acme/outer", "1.0.0", template(Inner=("secret/inner", "^1")))
    patched = await api.patch(
        "/v1/apps/secret/inner", json={"visibility": "private"}, headers=bearer(admin_token)
    )
    assert patched.status_code == 200

    direct, outer = await resolve(api, ("secret/inner", "^1"), ("acme/outer", "1.0.0"))
    assert direct["error"]["code"] == "app_not_found"
    assert outer["dependencies"][0]["error"]["code"] == "app_not_found"

    member = publish_token_factory("secret", scope="read")
    direct, outer = await resolve(
        api, ("secret/inner", "^1"), ("acme/outer", "1.0.0"), token=member
    )
    assert direct["version"] == "1.0.0"
    assert outer["dependencies"][0]["version"] == "1.0.0"


MALFORMED = [
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
    (b'{"requests": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_json"),
    (b"not json", "invalid_json"),
    (b"[]", "invalid_json"),
    (b"{}", "invalid_request"),
    (b'{"requests": []}', "invalid_request"),
    (b'{"requests": "acme/leaf"}', "invalid_request"),
    (b'{"requests": [{"application": "acme/leaf"}]}', "invalid_request"),
    (b'{"requests": [{"application": "acme/leaf", "range": 1}]}', "invalid_request"),
    (b'{"requests": [["acme/leaf", "^1"]]}', "invalid_request"),
    (
        b'{"requests": [{"application": "a/b", "range": "1"}], "recursive": "yes"}',
        "invalid_request",
    ),
    (b'{"requests": [{"application": "a/b", "range": "1"}], "depth": 3}', "invalid_request"),
    (
        json.dumps({"requests": [{"application": "a/b", "range": "1"}] * 201}).encode(),
        "resolve_too_large",
    ),
]


async def test_malformed_bodies_are_400(api: httpx.AsyncClient) -> None:
    for body, code in MALFORMED:
        response = await api.post(
            "/v1/resolve", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, body
        jsonschema.validate(response.json(), schema_for("Error"))
        assert response.json()["error"]["code"] == code, body


async def test_huge_bodies_are_413(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/resolve", content=b" " * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_queries_grow_with_depth_not_with_nodes(
    app: Starlette, api: httpx.AsyncClient, publish: Callable[..., Any], leaf: None
) -> None:
    children = {f"Mid{i}": (f"acme/mid{i}", "^1") for i in range(6)}
    for i in range(6):
        await put(publish, f"acme/mid{i}", "1.0.0", template(Leaf=("acme/leaf", "^1")))
    await put(publish, "acme/wide", "1.0.0", template(**children))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = app.state.registry.database.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        [result] = await resolve(api, ("acme/wide", "1.0.0"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(result["dependencies"]) == 6
    assert all(d["dependencies"][0]["version"] == "1.1.0" for d in result["dependencies"])
    # 3 levels (wide, 6 mids, 6 leaves), a fixed handful of queries each: not one per node.
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert 3 <= len(selects) <= 3 * 4, selects


async def test_an_id_naming_this_registry_resolves_here(api: httpx.AsyncClient, leaf: None) -> None:
    body = {"requests": [{"application": "Reg.Example.com/acme/leaf", "range": "^1"}]}
    response = await api.post("/v1/resolve", json=body, headers={"Host": "reg.example.com"})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["application"], result["version"]) == ("Reg.Example.com/acme/leaf", "1.1.0")


async def test_limits_are_the_documented_ones(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    # a chain of 33 applications is deeper than 32: refused as a whole, not per node
    await put(publish, "acme/c32", "1.0.0", template())
    for i in range(31, -1, -1):
        await put(publish, f"acme/c{i}", "1.0.0", template(C=(f"acme/c{i + 1}", "^1")))
    [top] = await resolve(api, ("acme/c1", "^1"))  # 32 deep
    node, depth = top, 1
    while node["dependencies"]:
        [node], depth = node["dependencies"], depth + 1
    assert depth == 32 and node["application"] == "acme/c32"
    response = await api.post(
        "/v1/resolve", json={"requests": [{"application": "acme/c0", "range": "^1"}]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "resolve_too_large"

"""Dist-tags, yank/unyank and deprecate through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema

from registry.openapi.document import schema_for

TEMPLATE = json.dumps(
    {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
)
APP = "/v1/apps/acme/web"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def publish_versions(publish: Callable[..., Any], *versions: str) -> None:
    for version in versions:
        response = await publish("acme", "web", version, TEMPLATE)
        assert response.status_code == 201, response.text


async def tags(api: httpx.AsyncClient) -> dict[str, str]:
    response = await api.get(APP)
    assert response.status_code == 200
    result: dict[str, str] = response.json()["dist_tags"]
    return result


async def version_doc(api: httpx.AsyncClient, version: str) -> dict[str, Any]:
    response = await api.get(f"{APP}/versions/{version}")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    jsonschema.validate(response.json(), schema_for("Error"))


async def test_tags_move_and_latest_follows_again_when_dropped(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0", "1.1.0", "2.0.0-beta.1")
    assert await tags(api) == {"latest": "1.1.0"}

    response = await api.put(
        f"{APP}/dist-tags/beta", json={"version": "2.0.0-beta.1"}, headers=bearer(admin_token)
    )
    assert response.status_code == 200
    jsonschema.validate(response.json(), schema_for("DistTags"))
    assert response.json()["dist_tags"] == {"beta": "2.0.0-beta.1", "latest": "1.1.0"}

    pin = await api.put(
        f"{APP}/dist-tags/latest", json={"version": "1.0.0"}, headers=bearer(admin_token)
    )
    assert pin.json()["dist_tags"]["latest"] == "1.0.0"
    await publish_versions(publish, "1.2.0")
    assert (await tags(api))["latest"] == "1.0.0"  # explicit: publishing does not move it

    dropped = await api.delete(f"{APP}/dist-tags/latest", headers=bearer(admin_token))
    assert dropped.json()["dist_tags"]["latest"] == "1.2.0"  # following again
    gone = await api.delete(f"{APP}/dist-tags/beta", headers=bearer(admin_token))
    assert gone.json()["dist_tags"] == {"latest": "1.2.0"}


async def test_yanking_latest_moves_it_and_unyank_moves_it_back(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0", "1.1.0")
    response = await api.post(
        f"{APP}/versions/1.1.0/yank",
        json={"reason": "broken IAM policy"},
        headers=bearer(admin_token),
    )
    assert response.status_code == 200
    jsonschema.validate(response.json(), schema_for("VersionStatus"))
    assert (response.json()["yanked"], response.json()["yanked_reason"]) == (
        True,
        "broken IAM policy",
    )
    assert (await tags(api))["latest"] == "1.0.0"
    assert (await version_doc(api, "1.1.0"))["yanked"] is True

    back = await api.post(f"{APP}/versions/1.1.0/unyank", headers=bearer(admin_token))
    assert (back.json()["yanked"], back.json()["yanked_reason"]) == (False, None)
    assert (await tags(api))["latest"] == "1.1.0"


async def test_yanking_an_explicit_latest_makes_it_follow(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0", "1.1.0")
    await api.put(f"{APP}/dist-tags/latest", json={"version": "1.0.0"}, headers=bearer(admin_token))
    await api.post(f"{APP}/versions/1.0.0/yank", headers=bearer(admin_token))
    assert (await tags(api))["latest"] == "1.1.0"


async def test_yanking_the_only_release_drops_latest(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0")
    await api.post(f"{APP}/versions/1.0.0/yank", json={}, headers=bearer(admin_token))
    assert await tags(api) == {}


async def test_deprecate_and_undeprecate(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0")
    url = f"{APP}/versions/1.0.0/deprecate"
    for body, expected in [
        ({"message": "use 2.x"}, "use 2.x"),
        ({"message": ""}, None),
        ({"message": "again"}, "again"),
        ({"message": None}, None),
        ({"message": "  "}, None),
    ]:
        response = await api.post(url, json=body, headers=bearer(admin_token))
        assert response.status_code == 200
        assert response.json()["deprecated"] == expected
        assert (await version_doc(api, "1.0.0"))["deprecated"] == expected


async def test_namespace_publishers_may_retire_versions(
    api: httpx.AsyncClient, publish: Callable[..., Any], publish_token_factory: Callable[..., str]
) -> None:
    await publish_versions(publish, "1.0.0")
    token = publish_token_factory("acme")
    response = await api.post(f"{APP}/versions/1.0.0/yank", headers=bearer(token))
    assert response.status_code == 200


async def test_who_may_not(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await publish_versions(publish, "1.0.0")
    url = f"{APP}/versions/1.0.0/yank"
    assert_error(await api.post(url), 401, "authentication_required")
    reader = publish_token_factory("acme", scope="read", user="reader")
    assert_error(await api.post(url, headers=bearer(reader)), 403, "forbidden")
    stranger = publish_token_factory("other")
    assert_error(await api.post(url, headers=bearer(stranger)), 403, "forbidden")
    assert_error(
        await api.put(f"{APP}/dist-tags/beta", json={"version": "1.0.0"}, headers=bearer(stranger)),
        403,
        "forbidden",
    )
    private = await api.patch(APP, json={"visibility": "private"}, headers=bearer(admin_token))
    assert private.status_code == 200
    assert_error(await api.post(url, headers=bearer(stranger)), 404, "app_not_found")
    doc = await api.get(f"{APP}/versions/1.0.0", headers=bearer(admin_token))
    assert doc.json()["yanked"] is False  # nothing changed


BAD_INPUT = [
    # (method, path under the app, JSON body or None for empty, status, code)
    ("PUT", "/dist-tags/1.2.3", {"version": "1.0.0"}, 400, "invalid_tag"),
    ("PUT", "/dist-tags/%5E1", {"version": "1.0.0"}, 400, "invalid_tag"),
    ("PUT", "/dist-tags/x", {"version": "1.0.0"}, 400, "invalid_tag"),  # x is a range
    ("PUT", "/dist-tags/beta", {"version": "9.9.9"}, 404, "version_not_found"),
    ("PUT", "/dist-tags/beta", {"version": "one"}, 422, "invalid_version"),
    ("PUT", "/dist-tags/beta", {"version": 1}, 400, "invalid_request"),
    ("PUT", "/dist-tags/beta", {}, 400, "invalid_request"),
    ("PUT", "/dist-tags/beta", {"version": "1.0.0", "force": True}, 400, "invalid_request"),
    ("PUT", "/dist-tags/beta", [], 400, "invalid_json"),
    ("PUT", "/dist-tags/beta", None, 400, "invalid_json"),
    ("DELETE", "/dist-tags/nightly", None, 404, "tag_not_found"),
    ("POST", "/versions/9.9.9/yank", None, 404, "version_not_found"),
    ("POST", "/versions/1.0.0/yank", {"reason": 5}, 400, "invalid_request"),
    ("POST", "/versions/1.0.0/yank", {"reason": "x" * 5000}, 400, "invalid_request"),
    ("POST", "/versions/1.0.0/unyank", {"reason": "x"}, 400, "invalid_request"),
    ("POST", "/versions/1.0.0/deprecate", None, 400, "invalid_json"),
    ("POST", "/versions/1.0.0/deprecate", {"msg": "x"}, 400, "invalid_request"),
]


async def test_bad_input_is_a_json_4xx(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0")
    headers = {**bearer(admin_token), "Content-Type": "application/json"}
    for method, path, body, status, code in BAD_INPUT:
        content = b"" if body is None else json.dumps(body).encode()
        response = await api.request(method, APP + path, content=content, headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), path
        jsonschema.validate(response.json(), schema_for("Error"))
    assert (await version_doc(api, "1.0.0"))["yanked"] is False  # nothing changed
    assert await tags(api) == {"latest": "1.0.0"}


async def test_tagging_a_yanked_version_is_refused(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    await publish_versions(publish, "1.0.0", "1.1.0")
    await api.post(f"{APP}/versions/1.0.0/yank", headers=bearer(admin_token))
    response = await api.put(
        f"{APP}/dist-tags/old", json={"version": "1.0.0"}, headers=bearer(admin_token)
    )
    assert_error(response, 409, "version_yanked")
    assert "old" not in await tags(api)


async def test_unknown_app_is_404(api: httpx.AsyncClient, admin_token: str) -> None:
    response = await api.post("/v1/apps/acme/nope/versions/1.0.0/yank", headers=bearer(admin_token))
    assert_error(response, 404, "app_not_found")

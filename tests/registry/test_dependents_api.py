"""``GET /v1/apps/{ns}/{name}/dependents`` through the real app."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema

from registry.openapi.document import schema_for


def template(**nested: tuple[str, str]) -> str:
    resources: dict[str, Any] = {"Topic": {"Type": "AWS::SNS::Topic"}}
    for logical_id, (application, range_) in nested.items():
        location = {"ApplicationId": application, "SemanticVersion": range_}
        resources[logical_id] = {
            "Type": "AWS::Serverless::Application",
            "Properties": {"Location": location},
        }
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})


async def put(publish: Callable[..., Any], app: str, version: str, body: str) -> None:
    ns, name = app.split("/")
    response = await publish(ns, name, version, body)
    assert response.status_code == 201, response.text


async def dependents(
    api: httpx.AsyncClient, app: str, token: str | None = None
) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.get(f"/v1/apps/{app}/dependents", headers=headers)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), schema_for("Dependents"))
    result: list[dict[str, Any]] = response.json()["dependents"]
    return result


async def test_lists_every_version_that_nests_the_app(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await put(publish, "acme/base", "1.0.0", template())
    await put(publish, "acme/Web", "1.0.0", template(Base=("acme/base", "^1")))
    await put(publish, "acme/Web", "1.1.0", template(Db=("acme/BASE", "latest")))
    await put(publish, "zeta/other", "0.1.0", template(One=("acme/base", "1.0.0")))
    await put(publish, "zeta/unrelated", "0.1.0", template())
    assert await dependents(api, "acme/BASE") == [
        {"application": "acme/Web", "version": "1.0.0", "logical_id": "Base", "range": "^1"},
        {"application": "acme/Web", "version": "1.1.0", "logical_id": "Db", "range": "latest"},
        {"application": "zeta/other", "version": "0.1.0", "logical_id": "One", "range": "1.0.0"},
    ]
    assert await dependents(api, "zeta/unrelated") == []


async def test_private_dependents_and_apps_stay_hidden(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await put(publish, "acme/base", "1.0.0", template())
    await put(publish, "hidden/user", "1.0.0", template(Base=("acme/base", "^1")))
    admin = {"Authorization": f"Bearer {admin_token}"}
    for app in ("hidden/user", "acme/base"):
        patched = await api.patch(f"/v1/apps/{app}", json={"visibility": "private"}, headers=admin)
        assert patched.status_code == 200

    anonymous = await api.get("/v1/apps/acme/base/dependents")
    assert anonymous.status_code == 404
    assert anonymous.json()["error"]["code"] == "app_not_found"

    acme_reader = publish_token_factory("acme", scope="read")
    assert await dependents(api, "acme/base", acme_reader) == []
    assert [d["application"] for d in await dependents(api, "acme/base", admin_token)] == [
        "hidden/user"
    ]


async def test_unknown_app_is_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/apps/acme/missing/dependents")
    assert response.status_code == 404
    jsonschema.validate(response.json(), schema_for("Error"))


async def _page(api: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await api.get(f"/v1/apps/acme/base/dependents?{query}")
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), schema_for("Dependents"))
    page: dict[str, Any] = response.json()
    return page


async def test_pages_never_repeat_or_skip_a_dependent(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await put(publish, "acme/base", "1.0.0", template())
    for index, ns in enumerate(("zeta", "acme", "mid")):
        for version in ("1.0.0", "1.1.0"):
            nests = {"A": ("acme/base", "^1"), "B": ("acme/base", "1.0.0")}
            await put(publish, f"{ns}/user{index}", version, template(**nests))
    assert len(await dependents(api, "acme/base")) == 12
    for size in (1, 5, 12, 100):
        everything = await dependents(api, "acme/base")
        seen: list[dict[str, Any]] = []
        page = await _page(api, f"limit={size}")
        while True:
            assert len(page["dependents"]) <= size
            seen += page["dependents"]
            if page["next_cursor"] is None:
                break
            # Published after the first page: it sorts before the cursor, so never appears.
            if size == 5 and len(seen) == 5:
                await put(publish, "aaa/late", "1.0.0", template(A=("acme/base", "^1")))
            page = await _page(api, f"limit={size}&cursor={page['next_cursor']}")
        assert seen == everything, size
    first = await _page(api, "")
    assert len(first["dependents"]) == 13 and first["next_cursor"] is None  # default 100


async def test_page_parameters_are_checked(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await put(publish, "acme/base", "1.0.0", template())
    for query, code in [
        ("limit=0", "invalid_query"),
        ("limit=501", "invalid_query"),
        ("limit=ten", "invalid_query"),
        ("cursor=not-a-cursor", "invalid_cursor"),
        ("cursor=WyJuYW1lIiwiYSIsMV0", "invalid_cursor"),  # a search cursor
    ]:
        response = await api.get(f"/v1/apps/acme/base/dependents?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["code"] == code, query
    assert (await _page(api, "limit=500"))["next_cursor"] is None

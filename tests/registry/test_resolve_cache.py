"""``POST /v1/resolve`` answers public apps from cached version lists, and never a stale one."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from client.resolution import AppVersions, VersionInfo
from registry.resolve.cache import AppEntry, VersionLists
from registry.serving.change_feed import ChangeFeed


def template(**nested: tuple[str, str]) -> str:
    resources: dict[str, Any] = {"Topic": {"Type": "AWS::SNS::Topic"}}
    for logical_id, (application, range_) in nested.items():
        location = {"ApplicationId": application, "SemanticVersion": range_}
        resources[logical_id] = {
            "Type": "AWS::Serverless::Application",
            "Properties": {"Location": location},
        }
    return json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources})


async def put(publish: Callable[..., Any], app: str, version: str, body: str) -> None:
    ns, name = app.split("/")
    response = await publish(ns, name, version, body)
    assert response.status_code == 201, response.text


async def resolve(
    api: httpx.AsyncClient, application: str, range_: str, token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"requests": [{"application": application, "range": range_}]}
    response = await api.post("/v1/resolve", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


@contextmanager
def selects(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    engine = app.state.registry.database.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_warm_resolve_of_public_apps_runs_no_query(
    app: Starlette, api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await put(publish, "acme/leaf", "1.0.0", template())
    await put(publish, "acme/top", "1.0.0", template(Leaf=("acme/leaf", "^1")))
    first = await resolve(api, "acme/top", "^1")
    with selects(app) as statements:
        again = await resolve(api, "acme/top", "^1")
    assert again == first and again["dependencies"][0]["version"] == "1.0.0"
    assert statements == []


async def test_publish_yank_and_tags_are_seen_at_once(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    await put(publish, "acme/leaf", "1.0.0", template())
    assert (await resolve(api, "acme/leaf", "^1"))["version"] == "1.0.0"
    await put(publish, "acme/leaf", "1.1.0", template())
    assert (await resolve(api, "acme/leaf", "^1"))["version"] == "1.1.0"
    yanked = await api.post("/v1/apps/acme/leaf/versions/1.1.0/yank", headers=admin)
    assert yanked.status_code == 200
    assert (await resolve(api, "acme/leaf", "^1"))["version"] == "1.0.0"
    assert (await resolve(api, "acme/leaf", "stable"))["error"]["code"] == "no_matching_version"
    tagged = await api.put(
        "/v1/apps/acme/leaf/dist-tags/stable", json={"version": "1.0.0"}, headers=admin
    )
    assert tagged.status_code == 200
    assert (await resolve(api, "acme/leaf", "stable"))["version"] == "1.0.0"


async def test_an_app_made_private_is_not_served_from_the_cache(
    app: Starlette,
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await put(publish, "secret/inner", "1.0.0", template())
    assert (await resolve(api, "secret/inner", "^1"))["version"] == "1.0.0"  # now cached
    patched = await api.patch(
        "/v1/apps/secret/inner",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patched.status_code == 200
    assert (await resolve(api, "secret/inner", "^1"))["error"]["code"] == "app_not_found"
    member = publish_token_factory("secret", scope="read")
    for _ in range(2):  # private version lists are read for each caller, never kept
        with selects(app) as statements:
            assert (await resolve(api, "secret/inner", "^1", member))["version"] == "1.0.0"
        assert statements
    assert (await resolve(api, "secret/inner", "^1"))["error"]["code"] == "app_not_found"


def entry(name: str, versions: int) -> AppEntry:
    infos = tuple(VersionInfo(f"1.0.{i}", f"sha256:{name}{i}") for i in range(versions))
    return AppEntry(AppVersions(name, infos), {v.version: i for i, v in enumerate(infos)})


def test_version_lists_are_bounded_by_versions_held() -> None:
    feed = ChangeFeed()
    lists = VersionLists(feed, ttl=60, max_versions=25)
    for i in range(5):
        lists.put(f"acme/a{i}", entry(f"acme/a{i}", 7), feed.generation)  # weight 8 each
    assert len(lists) == 3
    assert lists.get("acme/a0") is None and lists.get("acme/a4") is not None
    lists.put("acme/huge", entry("acme/huge", 30), feed.generation)
    assert lists.get("acme/huge") is None


def test_an_answer_read_before_a_change_is_not_kept() -> None:
    feed = ChangeFeed()
    lists = VersionLists(feed, ttl=60)
    generation = feed.generation
    feed.changed()  # e.g. a publish committed while the version list was being read
    lists.put("acme/a", entry("acme/a", 1), generation)
    assert lists.get("acme/a") is None
    lists.put("acme/a", entry("acme/a", 1), feed.generation)
    assert lists.get("acme/a") is not None
    feed.changed()
    assert lists.get("acme/a") is None

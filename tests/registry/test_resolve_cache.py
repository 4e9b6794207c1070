"""``POST /v1/resolve`` answers public apps from cached version lists, and never a stale one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event
from starlette.applications import Starlette

from client.resolution import AppVersions, Request, VersionInfo
from registry.auth.access import AppAccess
from registry.auth.credentials import hash_token
from registry.db.models import App, Version, utcnow
from registry.db.session import Database
from registry.documents.service import Documents
from registry.resolve.cache import AppEntry, VersionLists, answer_key
from registry.serving.change_feed import ChangeFeed, Notice
from registry.settings import Settings


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
    outsider = publish_token_factory("other", scope="read")
    await settled(app)
    assert (await resolve(api, "secret/inner", "^1", member))["version"] == "1.0.0"
    assert (await resolve(api, "secret/inner", "^1", outsider))["error"]["code"] == "app_not_found"
    for _ in range(2):  # the list is kept once; who may have it is decided in memory
        with selects(app) as statements:
            assert (await resolve(api, "secret/inner", "^1", member))["version"] == "1.0.0"
            outsider_sees = await resolve(api, "secret/inner", "^1", outsider)
            assert outsider_sees["error"]["code"] == "app_not_found"
            assert (await resolve(api, "secret/inner", "^1"))["error"]["code"] == "app_not_found"
        assert statements == []


async def settled(app: Starlette) -> None:
    """Until the notices of commits made elsewhere (the token factory's) have arrived: an
    empty commit of this process waits for its own marker, which comes after them."""
    async with app.state.registry.database.writer() as session:
        await session.commit()


def entry(name: str, versions: int, app_id: int = 1) -> AppEntry:
    infos = tuple(VersionInfo(f"1.0.{i}", f"sha256:{name}{i}") for i in range(versions))
    access = AppAccess(name.split("/")[0], "public")
    ids = {v.version: i for i, v in enumerate(infos)}
    return AppEntry(app_id, access, AppVersions(name, infos), ids)


def lists_over(feed: ChangeFeed, max_bytes: int = 64 << 20) -> VersionLists:
    """Version lists over a documents service of their own (no database: nothing is read)."""
    documents = Documents(None, None, feed, max_bytes=max_bytes, ttl=60, count_seconds=5)  # type: ignore[arg-type]
    return VersionLists(documents)


def test_version_lists_share_the_documents_byte_bound() -> None:
    feed = ChangeFeed()
    lists = lists_over(feed, max_bytes=64 * 1024)
    documents = lists._documents
    documents.keep(("page", "front"), b"x" * 2048, 2048, (), 0)  # another room's entry
    for i in range(40):
        lists.put(f"acme/a{i}", entry(f"acme/a{i}", 7, i + 1), lists.epoch)
    cache = documents.cache
    assert cache.size <= cache.max_bytes
    assert lists.get("acme/a39") is not None, "the most recent list is held"
    assert lists.get("acme/a0") is None, "the oldest left for room"
    assert documents.kept(("page", "front")) is None, "one bound: lists push other answers out"
    lists.put("acme/huge", entry("acme/huge", 400, 99), lists.epoch)
    assert lists.get("acme/huge") is None, "larger than an eighth of the bound: not kept"


def test_an_answer_read_before_a_change_is_not_kept() -> None:
    feed = ChangeFeed()
    lists = lists_over(feed)
    epoch = lists.epoch
    feed.changed(Notice.about(apps=[1]))  # a publish committed while the list was being read
    lists.put("acme/a", entry("acme/a", 1, app_id=1), epoch)
    assert lists.get("acme/a") is None
    epoch = lists.epoch
    feed.changed(Notice.about(apps=[2]))  # another app's: no reason to refuse it
    lists.put("acme/a", entry("acme/a", 1, app_id=1), epoch)
    assert lists.get("acme/a") is not None
    feed.changed(Notice.about(apps=[2], users=[1], tokens=[1]))
    assert lists.get("acme/a") is not None
    feed.changed(Notice.about(apps=[1]))
    assert lists.get("acme/a") is None
    lists.put("acme/a", entry("acme/a", 1, app_id=1), lists.epoch)
    feed.changed()
    assert lists.get("acme/a") is None, "an unknown change drops everything"


def test_a_whole_answer_goes_when_any_app_it_shows_changes_and_references_stay() -> None:
    feed = ChangeFeed()
    lists = lists_over(feed)
    key = answer_key("registry.test", b'{"requests": []}')
    lists.remember(key, b'{"results": []}', {1, 2}, lists.epoch)
    lists.keep_references(10, "sha256:aa", (Request("acme/b", "^1", "B"),))
    feed.changed(Notice.about(apps=[3]))
    assert lists.answer(key) == b'{"results": []}' and lists.answers_held == 1
    feed.changed(Notice.about(apps=[2]))
    assert lists.answer(key) is None and lists.answers_held == 0
    feed.changed()
    assert lists.references(10, "sha256:aa") == (Request("acme/b", "^1", "B"),), "immutable"
    assert lists.references(10, "sha256:bb") is None, "by digest too: ids may be handed out again"


async def test_a_change_to_one_app_keeps_other_lists_and_principals_and_reaches_every_worker(
    app: Starlette,
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    publish_token_factory: Callable[..., str],
    settings: Settings,
) -> None:
    member = publish_token_factory("acme")
    await settled(app)
    for name in ("a", "b"):
        assert (await publish("acme", name, "1.0.0", template(), token=member)).status_code == 201
        assert (await resolve(api, f"acme/{name}", "^1", member))["version"] == "1.0.0"
    state = app.state.registry
    b_list = state.version_lists.get("acme/b")
    principal = state.principals.get(hash_token(member), utcnow())
    assert b_list is not None and principal is not None
    published = await publish("acme", "a", "1.1.0", template(), token=member)
    assert published.status_code == 201
    assert state.version_lists.get("acme/b") is b_list, "acme/b's list stayed"
    assert state.principals.get(hash_token(member), utcnow()) is principal, "and its roles"
    assert (await resolve(api, "acme/a", "^1", member))["version"] == "1.1.0", "seen at once"
    # Another worker (or the admin CLI) yanks acme/a 1.1.0: this one sees it at once too.
    other = Database(settings.database_url, listen=False)
    try:
        async with other.writer() as session:
            await session.execute(
                sa.update(Version)
                .where(Version.version == "1.1.0")
                .where(Version.app_id == sa.select(App.id).where(App.name == "a").scalar_subquery())
                .values(yanked=True)
            )
            await session.commit()
    finally:
        await other.dispose()
    for _ in range(50):  # PostgreSQL: the notice travels over the listening connection
        if (await resolve(api, "acme/a", "^1", member))["version"] == "1.0.0":
            break
        await asyncio.sleep(0.02)
    assert (await resolve(api, "acme/a", "^1", member))["version"] == "1.0.0"
    assert state.version_lists.get("acme/b") is b_list
    assert state.principals.get(hash_token(member), utcnow()) is principal


async def test_whole_answers_of_public_apps_are_kept_until_one_of_them_changes(
    app: Starlette,
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await put(publish, "acme/leaf", "1.0.0", template())
    await put(publish, "acme/top", "1.0.0", template(Leaf=("acme/leaf", "^1")))
    await put(publish, "acme/other", "1.0.0", template())
    lists = app.state.registry.version_lists
    first = await resolve(api, "acme/top", "^1")
    assert lists.answers_held == 1
    await put(publish, "acme/other", "1.1.0", template())
    assert lists.answers_held == 1, "an app the answer does not show changed: kept"
    assert await resolve(api, "acme/top", "^1") == first
    await put(publish, "acme/leaf", "1.1.0", template())
    assert lists.answers_held == 0, "a nested app changed: dropped"
    assert (await resolve(api, "acme/top", "^1"))["dependencies"][0]["version"] == "1.1.0"
    held = lists.answers_held
    arn = "arn:aws:serverlessrepo:us-east-1:077246666028:applications/lambda-janitor"
    for _ in range(2):  # an alias may be added at any time, and no notice says so: not kept
        assert (await resolve(api, arn, "^1"))["error"]["code"]
    assert lists.answers_held == held
    # Answers showing a private app, or a missing one, are never kept: they are the caller's.
    patched = await api.patch(
        "/v1/apps/acme/leaf",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patched.status_code == 200
    member = publish_token_factory("acme", scope="read")
    for _ in range(2):
        assert (await resolve(api, "acme/top", "^1", member))["dependencies"][0]["version"]
        missing = (await resolve(api, "acme/top", "^1"))["dependencies"][0]
        assert missing["error"]["code"] == "app_not_found"
    assert lists.answers_held == 0

"""``DELETE /v1/apps/{ns}/{name}``: owners delete an app and everything of it, unless nested.

World (``org_world``): ``acme/secret`` (private, 1.0.0 with a bundle) nests ``acme/base``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from org_world import SECRET, World, bearer, build, must, set_policy
from registry_samples import nested, template

from registry.db.session import Database
from registry.settings import Settings


@pytest.fixture
async def world(api, publish, publish_token_factory, admin_token) -> World:
    return await build(api, publish, publish_token_factory, admin_token)


async def _delete(api: httpx.AsyncClient, app: str, token: str | None) -> httpx.Response:
    return await api.delete(f"/v1/apps/{app}", headers=bearer(token))


async def _rows(settings: Settings) -> dict[str, int]:
    """Row counts of every table an app owns, and of the search documents (SQLite)."""
    database = Database(settings.database_url)
    tables = ["apps", "versions", "dist_tags", "dependencies", "app_grants", "audit_events"]
    if database.is_sqlite:
        tables.append("apps_fts")
    try:
        async with database.reader() as session:
            return {
                t: int(await session.scalar(sa.text(f"SELECT count(*) FROM {t}")) or 0)
                for t in tables
            }
    finally:
        await database.dispose()


async def _search(api: httpx.AsyncClient, query: str, token: str | None) -> list[str]:
    found = await must(await api.get(f"/v1/apps?{query}", headers=bearer(token)))
    return [r["application"] for r in found["results"]]


async def test_the_owner_deletes_the_app_and_everything_of_it(
    api: httpx.AsyncClient, world: World, settings: Settings, publish: Any
) -> None:
    owner = world.tokens["owner"]
    await set_policy(
        api, SECRET, world.admin, visibility="private", grants=[{"namespace": "rival"}]
    )
    await must(
        await api.put(
            f"/v1/apps/{SECRET}/dist-tags/beta", json={"version": "1.0.0"}, headers=bearer(owner)
        )
    )
    before = await _rows(settings)
    answer = await must(await _delete(api, SECRET, owner))
    assert answer == {"deleted": SECRET, "versions": ["1.0.0"]}
    assert (await api.get(f"/v1/apps/{SECRET}", headers=bearer(owner))).status_code == 404
    version = await api.get(f"/v1/apps/{SECRET}/versions/1.0.0", headers=bearer(owner))
    assert version.status_code == 404
    assert await _search(api, "q=secret", owner) == []
    assert await _search(api, "namespace=acme&sort=name", owner) == ["acme/base"]
    after = await _rows(settings)
    # secret had one version, two dist-tags (latest, beta), one dependency row, one grant.
    gone = {"apps": 1, "versions": 1, "dist_tags": 2, "dependencies": 1, "app_grants": 1}
    if "apps_fts" in before:
        gone["apps_fts"] = 1
    assert {t: before[t] - after[t] for t in gone} == gone
    assert after["audit_events"] == before["audit_events"] + 1


async def test_a_deleted_name_can_be_published_again_fresh(
    api: httpx.AsyncClient, world: World, publish: Any
) -> None:
    owner = world.tokens["owner"]
    # Read first, so that any document cached by row id would be served stale afterwards
    # (SQLite hands a deleted highest id out again).
    await must(await api.get(f"/v1/apps/{SECRET}/versions/1.0.0", headers=bearer(owner)))
    await must(await api.get(f"/v1/apps/{SECRET}", headers=bearer(owner)))
    await must(await _delete(api, SECRET, owner))
    again = await publish("acme", "secret", "0.1.0", template(name="secret", marker="fresh"))
    assert again.status_code == 201, again.text
    document = await must(await api.get(f"/v1/apps/{SECRET}", headers=bearer(owner)))
    assert [v["version"] for v in document["versions"]] == ["0.1.0"]
    assert document["dist_tags"] == {"latest": "0.1.0"}
    assert document["visibility"] == "public"  # the namespace's default again, not the old policy
    old = await api.get(f"/v1/apps/{SECRET}/versions/1.0.0", headers=bearer(owner))
    assert old.status_code == 404
    fresh = await must(await api.get(f"/v1/apps/{SECRET}/versions/0.1.0"))
    assert fresh["dependencies"] == [] and fresh["bundle_url"] is None
    assert await _search(api, "q=secret", owner) == [SECRET]


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("publisher", 403, "forbidden"),
        ("reader", 403, "forbidden"),
        ("other_user", 404, "app_not_found"),
        ("anonymous", 401, "authentication_required"),
    ],
)
async def test_only_owners_may_delete(
    api: httpx.AsyncClient, world: World, settings: Settings, kind: str, status: int, code: str
) -> None:
    before = await _rows(settings)
    response = await _delete(api, SECRET, world.tokens[kind])
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert await _rows(settings) == before
    assert (await api.get(f"/v1/apps/{SECRET}", headers=bearer(world.admin))).status_code == 200


async def test_an_app_other_apps_nest_is_not_deleted(
    api: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    owner = world.tokens["owner"]
    before = await _rows(settings)
    document = await must(await api.get("/v1/apps/acme/base"))
    refused = await _delete(api, "acme/base", owner)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "app_has_dependents"
    assert "acme/secret@1.0.0" in error["message"]
    assert await _rows(settings) == before
    assert await must(await api.get("/v1/apps/acme/base")) == document
    # Once the app nesting it is gone, nothing holds it back.
    await must(await _delete(api, SECRET, owner))
    await must(await _delete(api, "acme/base", owner))


async def test_the_refusal_does_not_name_dependents_the_caller_cannot_read(
    api: httpx.AsyncClient, world: World, publish: Any
) -> None:
    hidden = template(name="hidden", extra_resources=nested("Base", "acme/base", "^1.0.0"))
    await must(await publish("strangerns", "hidden", "1.0.0", hidden), 201)
    await set_policy(api, "strangerns/hidden", world.admin, visibility="private")
    refused = await _delete(api, "acme/base", world.tokens["owner"])
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert "acme/secret@1.0.0" in message and "apps you cannot see" in message
    assert "hidden" not in message
    assert "strangerns" not in message
    assert "nested by 1 version(s)" in message  # the visible one only


async def test_the_refusal_does_not_count_dependents_the_caller_cannot_read(
    api: httpx.AsyncClient, world: World, publish: Any
) -> None:
    """One hidden dependent version or three: the owner reads the same refusal."""
    await must(await _delete(api, SECRET, world.tokens["owner"]))  # only hidden ones remain
    hidden = template(name="hidden", extra_resources=nested("Base", "acme/base", "^1.0.0"))
    await must(await publish("strangerns", "hidden", "1.0.0", hidden), 201)
    await set_policy(api, "strangerns/hidden", world.admin, visibility="private")
    first = await _delete(api, "acme/base", world.tokens["owner"])
    assert first.status_code == 409, first.text
    for version in ("1.0.1", "1.0.2"):
        await must(await publish("strangerns", "hidden", version, hidden), 201)
    again = await _delete(api, "acme/base", world.tokens["owner"])
    assert again.status_code == 409, again.text
    message = again.json()["error"]["message"]
    assert message == first.json()["error"]["message"]
    assert "apps you cannot see" in message
    assert not any(digit in message.split(";")[0] for digit in "0123456789")


async def test_the_deletion_is_audited(api: httpx.AsyncClient, world: World) -> None:
    owner = world.tokens["owner"]
    await must(await _delete(api, SECRET, owner))
    log = await must(await api.get("/v1/namespaces/acme/audit", headers=bearer(owner)))
    event = log["events"][0]
    assert (event["action"], event["target"], event["actor"]) == (
        "app_delete",
        SECRET,
        "owner1",
    )
    assert event["details"] == {"versions": ["1.0.0"]}

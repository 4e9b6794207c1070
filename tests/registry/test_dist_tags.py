"""``latest`` follows the highest release not held back (published under another tag) unless set
explicitly."""

from __future__ import annotations

import sqlalchemy as sa
from registry_samples import template

from registry.db.models import Version
from registry.lifecycle import dist_tags


async def _app_id_and_versions(session) -> tuple[int, dict[str, Version]]:
    rows = (await session.scalars(sa.select(Version))).all()
    return rows[0].app_id, {row.version: row for row in rows}


async def test_follow_set_and_drop(app, publish):
    for version in ("1.0.0", "1.1.0", "2.0.0-rc.1"):
        assert (await publish("acme", "demo", version, template(marker=version))).status_code == 201
    database = app.state.registry.database
    async with database.writer() as session:
        app_id, versions = await _app_id_and_versions(session)
        assert await dist_tags.tags_of(session, app_id) == {"latest": "1.1.0"}

        versions["1.1.0"].yanked = True
        await dist_tags.recompute_latest(session, app_id)
        assert await dist_tags.tags_of(session, app_id) == {"latest": "1.0.0"}

        await dist_tags.set_tag(session, app_id, "latest", versions["2.0.0-rc.1"].id)
        await dist_tags.set_tag(session, app_id, "next", versions["2.0.0-rc.1"].id)
        await dist_tags.recompute_latest(session, app_id)  # explicit: stays put
        assert await dist_tags.tags_of(session, app_id) == {
            "latest": "2.0.0-rc.1",
            "next": "2.0.0-rc.1",
        }

        assert await dist_tags.drop_tag(session, app_id, "latest")  # follows again
        assert await dist_tags.tags_of(session, app_id) == {"latest": "1.0.0", "next": "2.0.0-rc.1"}
        assert not await dist_tags.drop_tag(session, app_id, "missing")

        versions["1.0.0"].yanked = True
        await dist_tags.recompute_latest(session, app_id)  # no release left: no latest
        assert await dist_tags.tags_of(session, app_id) == {"next": "2.0.0-rc.1"}
        await session.rollback()


async def _tags(api, app_name: str = "demo") -> dict[str, str]:
    answer = await api.get(f"/v1/apps/acme/{app_name}")
    assert answer.status_code == 200, answer.text
    tags: dict[str, str] = answer.json()["dist_tags"]
    return tags


async def test_publish_with_a_tag_moves_it_and_not_latest(api, publish):
    async def put(version: str, **extra: str):
        return await publish("acme", "demo", version, template(marker=version), extra=extra)

    assert (await put("1.0.0", tag="latest")).status_code == 201  # latest: the usual publish
    assert await _tags(api) == {"latest": "1.0.0"}
    assert (await put("2.0.0", tag="beta")).status_code == 201
    assert await _tags(api) == {"beta": "2.0.0", "latest": "1.0.0"}
    assert (await put("1.1.0")).status_code == 201  # untagged: latest follows as before
    assert await _tags(api) == {"beta": "2.0.0", "latest": "1.1.0"}
    assert (await put("3.0.0-rc.1", tag="next")).status_code == 201
    assert await _tags(api) == {"beta": "2.0.0", "latest": "1.1.0", "next": "3.0.0-rc.1"}
    body = {"requests": [{"application": "acme/demo", "range": "beta"}], "recursive": False}
    resolved = await api.post("/v1/resolve", json=body)
    assert resolved.json()["results"][0]["version"] == "2.0.0"


async def test_a_refused_tag_stores_nothing(api, publish):
    for bad in ("^1", "1.0.0", "-x", "a" * 300, "a" * 250):
        refused = await publish("acme", "demo", "1.0.0", template(), extra={"tag": bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "invalid_tag"
    assert (await api.get("/v1/apps/acme/demo")).status_code == 404
    untagged = await publish("acme", "demo", "1.0.0", template(), extra={"tag": ""})
    assert untagged.status_code == 201  # empty: no tag, as for the form's other text fields
    assert await _tags(api) == {"latest": "1.0.0"}


async def test_a_new_app_published_under_a_tag_gets_latest_too(api, publish):
    fresh = template(name="fresh")
    created = await publish("acme", "fresh", "1.0.0", fresh, extra={"tag": "beta"})
    assert created.status_code == 201, created.text
    assert await _tags(api, "fresh") == {"beta": "1.0.0", "latest": "1.0.0"}


async def test_a_version_published_under_a_tag_is_held_back_from_latest(api, publish, admin_token):
    """A yank, an unyank or a dropped explicit ``latest`` never moves ``latest`` onto a version
    published under another tag; promoting it takes ``dist-tag add ... latest``."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    app = "/v1/apps/acme/demo"

    async def put(version: str, **extra: str) -> None:
        made = await publish("acme", "demo", version, template(marker=version), extra=extra)
        assert made.status_code == 201, made.text

    async def lifecycle(version: str, action: str) -> None:
        done = await api.post(f"{app}/versions/{version}/{action}", headers=admin)
        assert done.status_code == 200, done.text

    for version in ("1.0.0", "1.1.0"):
        await put(version)
    await put("2.0.0", tag="next")
    assert await _tags(api) == {"latest": "1.1.0", "next": "2.0.0"}
    await lifecycle("1.0.0", "yank")  # an unrelated yank: latest is recomputed
    assert (await _tags(api))["latest"] == "1.1.0", "the next release stays off latest"
    await lifecycle("1.1.0", "yank")  # every other release yanked: latest falls back to it
    assert (await _tags(api))["latest"] == "2.0.0"
    await put("1.2.0")  # an untagged release is preferred again
    assert (await _tags(api))["latest"] == "1.2.0"
    await lifecycle("1.1.0", "unyank")
    assert (await _tags(api))["latest"] == "1.2.0"
    promoted = await api.put(f"{app}/dist-tags/latest", json={"version": "2.0.0"}, headers=admin)
    assert promoted.status_code == 200, promoted.text
    dropped = await api.delete(f"{app}/dist-tags/latest", headers=admin)
    assert dropped.status_code == 200, dropped.text
    assert (await _tags(api))["latest"] == "2.0.0", "promoted once: no longer held back"

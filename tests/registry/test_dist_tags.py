"""``latest`` follows the highest non-prerelease, non-yanked version unless set explicitly."""

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

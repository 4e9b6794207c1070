"""Publish and PATCH keep the search documents current (the features half queries them)."""

from __future__ import annotations

import sqlalchemy as sa
from registry_samples import template

from registry.db.session import Database

QUERIES = {
    "sqlite": "SELECT count(*) FROM apps_fts WHERE apps_fts MATCH :q",
    "postgresql": "SELECT count(*) FROM apps WHERE search_vector @@ plainto_tsquery('simple', :q)",
}


async def _hits(settings, text: str) -> int:
    database = Database(settings.database_url)
    try:
        async with database.reader() as session:
            return int(await session.scalar(sa.text(QUERIES[database.dialect]), {"q": text}) or 0)
    finally:
        await database.dispose()


async def test_publish_and_patch_refresh_the_search_document(settings, api, publish, admin_token):
    response = await publish("acme", "demo", "1.0.0", template(), readme="zebrafish manual")
    assert response.status_code == 201
    assert await _hits(settings, "zebrafish") == 1  # readme
    assert await _hits(settings, "tester") == 1  # author
    assert await _hits(settings, "giraffe") == 0
    patch = await api.patch(
        "/v1/apps/acme/demo",
        json={"description": "giraffe tools"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patch.status_code == 200
    assert await _hits(settings, "giraffe") == 1

"""Anonymous template lookups of public apps: reused for a bounded time, cleared by writes."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
import sqlalchemy as sa
from registry_samples import template

from registry.db.models import App
from registry.doc_cache import PublicLookups
from registry.settings import Settings

TTL = 0.5
URL = "/v1/apps/acme/demo/versions/1.0.0/template"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_cache_seconds=TTL)


async def test_a_write_in_this_process_takes_effect_at_once(api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    assert (await api.get(URL)).status_code == 200  # remembered now
    made_private = await api.patch(
        "/v1/apps/acme/demo",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert made_private.status_code == 200
    hidden = await api.get(URL)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "version_not_found"


async def test_another_process_s_write_shows_within_the_bound(app, api, publish):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    assert (await api.get(URL)).status_code == 200
    # Another worker made the app private: this process handled no write, so it does not know.
    async with app.state.registry.database.writer() as session:
        await session.execute(sa.update(App).values(visibility="private"))
        await session.commit()
    assert (await api.get(URL)).status_code == 200, "served from the lookup, without a query"
    await asyncio.sleep(TTL + 0.1)
    assert (await api.get(URL)).status_code == 404


async def test_authenticated_callers_always_ask_the_database(app, api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    auth = {"Authorization": f"Bearer {admin_token}"}
    assert (await api.get(URL, headers=auth)).status_code == 200
    async with app.state.registry.database.writer() as session:
        await session.execute(sa.update(App).values(name_canonical="renamed"))
        await session.commit()
    assert (await api.get(URL, headers=auth)).status_code == 404


def test_a_zero_bound_never_reuses_a_lookup():
    lookups = PublicLookups(0)
    lookups.put(("acme", "demo", "1.0.0"), "row")
    assert lookups.get(("acme", "demo", "1.0.0")) is None
    kept = PublicLookups(60)
    kept.put(("acme", "demo", "1.0.0"), "row")
    assert kept.get(("acme", "demo", "1.0.0")) == "row"
    kept.clear()
    assert kept.get(("acme", "demo", "1.0.0")) is None

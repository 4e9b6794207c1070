"""A revoked token stops acting in every worker as soon as the revocation commits."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from registry.db.models import Token, utcnow
from registry.db.session import Database


async def test_a_revocation_by_another_process_takes_effect_at_once(api, admin_token, settings):
    auth = {"Authorization": f"Bearer {admin_token}"}
    assert (await api.get("/v1/whoami", headers=auth)).status_code == 200  # cached now
    assert (await api.get("/v1/whoami", headers=auth)).status_code == 200
    other = Database(settings.database_url, listen=False)  # another worker, or the admin CLI
    try:
        async with other.writer() as session:
            await session.execute(sa.update(Token).values(revoked_at=utcnow()))
            await session.commit()
    finally:
        await other.dispose()
    statuses = []
    for _ in range(50):  # PostgreSQL: the notice travels over the listening connection
        statuses.append((await api.get("/v1/whoami", headers=auth)).status_code)
        if statuses[-1] == 401:
            break
        await asyncio.sleep(0.02)
    assert statuses[-1] == 401
    assert len(statuses) < 50, "not within the 5 s bound: at once"

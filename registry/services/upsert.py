"""``INSERT … ON CONFLICT DO NOTHING`` on both dialects: get-or-create without races."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import Base


async def insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], keys: list[str]
) -> None:
    """Insert ``values`` unless a row with the same ``keys`` exists (or is being inserted)."""
    table = cast(sa.Table, model.__table__)
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=keys)
        await session.execute(pg)
    else:
        lite = sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=keys)
        await session.execute(lite)

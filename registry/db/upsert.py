"""``INSERT … ON CONFLICT DO NOTHING`` on both dialects: get-or-create without races.

The statements are built once per table and dialect and take their values as parameters, so
a call costs no statement construction (publish runs them on every new app and version).
"""

from __future__ import annotations

import functools
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import Base


async def insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], keys: list[str]
) -> None:
    """Insert ``values`` unless a row with the same ``keys`` exists (or is being inserted)."""
    dialect = session.get_bind().dialect.name
    await session.execute(_statement(dialect, model, tuple(keys), returning=False), values)


async def insert_new(
    session: AsyncSession, model: type[Base], values: dict[str, Any], keys: list[str]
) -> int | None:
    """Insert ``values`` and return the new row's ``id``; None when ``keys`` already exist."""
    dialect = session.get_bind().dialect.name
    statement = _statement(dialect, model, tuple(keys), returning=True)
    found: int | None = (await session.execute(statement, values)).scalar()
    return found


@functools.lru_cache(maxsize=64)
def _statement(
    dialect: str, model: type[Base], keys: tuple[str, ...], *, returning: bool
) -> sa.Insert:
    table = cast(sa.Table, model.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return statement.returning(table.c.id) if returning else statement

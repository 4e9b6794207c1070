"""Alembic environment: async engines (aiosqlite / asyncpg), the registry's metadata.

The URL is ``config.attributes["url"]`` when called from ``registry.db.migrate``, else the
``NESTRY_DATABASE_URL`` / embedded default from ``Settings.from_env()``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from alembic import context
from registry.db.migrate import include_object
from registry.db.models import Base
from registry.settings import Settings

config = context.config


def _url() -> str:
    url = config.attributes.get("url")
    return str(url) if url else Settings.from_env().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    options: dict[str, Any] = {"literal_binds": True}
    context.configure(url=_url(), target_metadata=Base.metadata, **options)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    asyncio.run(_run_online())

"""Throwaway databases for one benchmark run: a fresh PostgreSQL database or a SQLite file.

PostgreSQL is reached as ``NESTRY_BENCH_POSTGRES`` (default: the local server as ``postgres``);
each run creates its own database and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

ADMIN_DSN = os.environ.get("NESTRY_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _dsn_for(database: str) -> str:
    base, _, _ = ADMIN_DSN.rpartition("/")
    return f"{base}/{database}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres(prefix: str = "nestry_bench") -> Iterator[str]:
    """Yields the asyncpg DSN of a new, empty database; drops it at the end."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _dsn_for(name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlalchemy_url(dsn_or_path: str | Path) -> str:
    """The registry's ``NESTRY_DATABASE_URL`` for a PostgreSQL DSN or a SQLite file path."""
    text = str(dsn_or_path)
    if text.startswith("postgresql://"):
        return "postgresql+asyncpg://" + text.removeprefix("postgresql://")
    return f"sqlite+aiosqlite:///{text}"

"""Migration 0002 on existing data: pre-role members get the role their tokens implied."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from alembic import command
from registry.db import migrate
from registry.db.session import Database

NOW = "2026-01-01 00:00:00"
ROWS = [
    f"INSERT INTO users (id, name, is_admin, created_at) VALUES (1, 'pia', false, '{NOW}')",
    f"INSERT INTO users (id, name, is_admin, created_at) VALUES (2, 'rob', false, '{NOW}')",
    f"INSERT INTO namespaces (id, name, created_at) VALUES (1, 'acme', '{NOW}')",
    "INSERT INTO memberships (namespace_id, user_id, role) VALUES (1, 1, 'member')",
    "INSERT INTO memberships (namespace_id, user_id, role) VALUES (1, 2, 'member')",
    "INSERT INTO tokens (id, user_id, token_hash, display_prefix, scope, created_at) "
    f"VALUES (1, 1, 'h1', 'nst_a', 'publish', '{NOW}')",
    "INSERT INTO tokens (id, user_id, token_hash, display_prefix, scope, created_at) "
    f"VALUES (2, 2, 'h2', 'nst_b', 'read', '{NOW}')",
    "INSERT INTO token_namespaces (token_id, namespace_id) VALUES (1, 1), (2, 1)",
]


def _in_thread(function, *args):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


async def _run(url: str, statements: list[str]) -> list[tuple[str, str]]:
    database = Database(url)
    try:
        async with database.writer() as session:
            for statement in statements:
                await session.execute(sa.text(statement))
            await session.commit()
            rows = await session.execute(
                sa.text(
                    "SELECT users.name, memberships.role FROM memberships "
                    "JOIN users ON users.id = memberships.user_id ORDER BY users.name"
                )
            )
            return [(name, role) for name, role in rows]
    finally:
        await database.dispose()


async def test_members_become_publishers_or_readers(database_url):
    _in_thread(command.downgrade, migrate.alembic_config(database_url), "0001")
    assert await _run(database_url, ROWS) == [("pia", "member"), ("rob", "member")]
    _in_thread(migrate.upgrade, database_url)
    assert await _run(database_url, []) == [("pia", "publisher"), ("rob", "reader")]

"""Keep an app's search document current (see the comment in ``registry/db/models.py``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import App, DistTag, Version, utcnow

_VECTOR = (
    "setweight(to_tsvector('simple', :s_name), 'A')"
    " || setweight(to_tsvector('simple', :s_description || ' ' || :s_labels), 'B')"
    " || setweight(to_tsvector('simple', :s_author), 'C')"
    " || setweight(to_tsvector('simple', :s_readme), 'D')"
)
_PG_UPDATE = sa.text(f"UPDATE apps SET search_vector = {_VECTOR} WHERE id = :id")
_FTS_DELETE = sa.text("DELETE FROM apps_fts WHERE rowid = :id")
_FTS_INSERT = sa.text(
    "INSERT INTO apps_fts (rowid, name, description, labels, author, readme)"
    " VALUES (:id, :s_name, :s_description, :s_labels, :s_author, :s_readme)"
)
_TOUCH = (
    sa.update(App)
    .where(App.id == sa.bindparam("app_id"))
    .values(updated_at=sa.bindparam("now"))
    .execution_options(synchronize_session=False)
)


def fields(
    name: str,
    description: str | None,
    labels: Iterable[Any] | None,
    author: str | None,
    readme: str | None,
) -> dict[str, str]:
    """The texts of a search document, as the statements above take them."""
    return {
        "s_name": name,
        "s_description": description or "",
        "s_labels": " ".join(str(label) for label in labels or []),
        "s_author": author or "",
        "s_readme": readme or "",
    }


async def refresh(session: AsyncSession, app_id: int) -> None:
    """Rebuild the search document of ``app_id`` and mark the app changed.

    Call it in every transaction that changes an app, its versions or its dist-tags: the bump
    of ``apps.updated_at`` is what invalidates cached documents (``registry.documents.cache``).
    """
    app = await session.get(App, app_id)
    if app is None:
        return
    app.updated_at = utcnow()
    await session.flush()
    document = fields(
        app.name, app.description, app.labels, app.author, await _readme(session, app_id)
    )
    await _write(session, app_id, document)


async def store(
    session: AsyncSession, app_id: int, columns: dict[str, Any], document: dict[str, str]
) -> None:
    """Set ``columns`` of the app, mark it changed and write its search ``document``
    (from ``fields``), for a caller that knows all of them already.

    On PostgreSQL all in the one ``UPDATE`` of the app's row, where ``refresh`` takes four
    statements.
    """
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        statement = _pg_store(tuple(sorted(columns)))
        await session.execute(statement, {**columns, **document, "updated_at": now, "id": app_id})
        return
    update = sa.update(App).where(App.id == app_id).values(**columns, updated_at=now)
    await session.execute(update.execution_options(synchronize_session=False))
    await _write(session, app_id, document)


async def touch(session: AsyncSession, app_id: int) -> None:
    """Mark the app changed (``updated_at``) when its search document stays as it is."""
    await session.execute(_TOUCH, {"app_id": app_id, "now": utcnow()})


async def remove(session: AsyncSession, app_id: int) -> None:
    """Drop the search document of an app about to be deleted (PostgreSQL: it goes with the row)."""
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(_FTS_DELETE, {"id": app_id})


async def _write(session: AsyncSession, app_id: int, document: dict[str, str]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_PG_UPDATE, {**document, "id": app_id})
    else:
        await session.execute(_FTS_DELETE, {"id": app_id})
        await session.execute(_FTS_INSERT, {**document, "id": app_id})


@functools.lru_cache(maxsize=16)
def _pg_store(columns: tuple[str, ...]) -> sa.TextClause:
    """``UPDATE apps`` of ``columns`` (names from code, never from a request) with the vector."""
    table = App.__table__.c
    sets = "".join(f"{column} = :{column}, " for column in columns)
    statement = sa.text(
        f"UPDATE apps SET {sets}updated_at = :updated_at, search_vector = {_VECTOR} WHERE id = :id"
    )
    typed = [sa.bindparam(c, type_=table[c].type) for c in (*columns, "updated_at")]
    return statement.bindparams(*typed)


async def _readme(session: AsyncSession, app_id: int) -> str:
    """The readme of the version ``latest`` points at, else of the newest version."""
    latest = sa.select(DistTag.version_id).where(DistTag.app_id == app_id, DistTag.tag == "latest")
    query = (
        sa.select(Version.readme)
        .where(Version.app_id == app_id)
        .order_by((Version.id == latest.scalar_subquery()).desc(), Version.id.desc())
        .limit(1)
    )
    return (await session.scalar(query)) or ""

"""Keep an app's search document current (see the comment in ``registry/db/models.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import App, DistTag, Version, utcnow

_PG_UPDATE = sa.text(
    "UPDATE apps SET search_vector ="
    " setweight(to_tsvector('simple', :name), 'A')"
    " || setweight(to_tsvector('simple', :description || ' ' || :labels), 'B')"
    " || setweight(to_tsvector('simple', :author), 'C')"
    " || setweight(to_tsvector('simple', :readme), 'D')"
    " WHERE id = :id"
)
_FTS_DELETE = sa.text("DELETE FROM apps_fts WHERE rowid = :id")
_FTS_INSERT = sa.text(
    "INSERT INTO apps_fts (rowid, name, description, labels, author, readme)"
    " VALUES (:id, :name, :description, :labels, :author, :readme)"
)


async def refresh(session: AsyncSession, app_id: int) -> None:
    """Rebuild the search document of ``app_id`` and mark the app changed.

    Call it in every transaction that changes an app, its versions or its dist-tags: the bump
    of ``apps.updated_at`` is what invalidates cached documents (``registry.doc_cache``).
    """
    app = await session.get(App, app_id)
    if app is None:
        return
    app.updated_at = utcnow()
    await session.flush()
    fields = {
        "id": app.id,
        "name": app.name,
        "description": app.description or "",
        "labels": " ".join(str(label) for label in app.labels or []),
        "author": app.author or "",
        "readme": await _readme(session, app_id),
    }
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_PG_UPDATE, fields)
    else:
        await session.execute(_FTS_DELETE, {"id": app_id})
        await session.execute(_FTS_INSERT, fields)


async def remove(session: AsyncSession, app_id: int) -> None:
    """Drop the search document of an app about to be deleted (PostgreSQL: it goes with the row)."""
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(_FTS_DELETE, {"id": app_id})


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

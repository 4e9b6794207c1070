"""The audit log: one row per write, added inside the write's own transaction.

``Who`` is the acting user (by name) and the client address the request came from; rows keep
names, not foreign keys, so the log survives deleted users, apps and namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.credentials import as_utc
from registry.db.models import AuditEvent
from registry.orgs.shapes import AuditEvent as EventAnswer

MAX_PAGE = 500


@dataclass(frozen=True)
class Who:
    actor: str | None
    address: str | None


def record(
    session: AsyncSession,
    who: Who,
    action: str,
    *,
    namespace: str | None,
    target: str,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            actor=who.actor,
            namespace=namespace,
            action=action,
            target=target[:300],
            details=details,
            address=(who.address or "")[:64] or None,
        )
    )


async def events(
    session: AsyncSession, namespace: str, *, limit: int, before: int | None
) -> list[EventAnswer]:
    """The newest ``limit`` events of ``namespace`` (ids below ``before``), newest first."""
    query = sa.select(AuditEvent).where(AuditEvent.namespace == namespace)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return [_document(row) for row in rows]


def _document(row: AuditEvent) -> EventAnswer:
    at = as_utc(row.created_at)
    assert at is not None  # the column is NOT NULL
    return EventAnswer(
        id=row.id,
        at=at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=row.details,
        address=row.address,
    )

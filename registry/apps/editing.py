"""Changing an app's editable fields (``PATCH /v1/apps/{ns}/{name}``, SAR's UpdateApplication)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import App, utcnow
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.search import index as search_index


async def apply_changes(
    session: AsyncSession, app: App, ns: str, changes: dict[str, Any], who: Who
) -> None:
    """Set checked ``changes`` (``parse_changes``) on ``app``, audited; the caller commits."""
    target = f"{ns}/{app.name}"
    audit.record(session, who, "app_update", namespace=ns, target=target, **changes)
    for field, value in changes.items():
        setattr(app, field, value)
    app.updated_at = utcnow()
    await session.flush()
    await search_index.refresh(session, app.id)

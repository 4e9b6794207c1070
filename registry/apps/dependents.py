"""Which app versions nest an app: the readable ones, a keyset page at a time.

Pages are in a fixed order (namespace, app, version id, reference id), so pages never repeat or
skip a row (rows published meanwhile appear in order, or on a later page).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.apps.shapes import Dependent
from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db.models import App, Dependency, Namespace, Version

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
Key = tuple[str, str, int, int]  # namespace, canonical app name, version id, dependency id


async def dependents_of(
    session: AsyncSession,
    canonical: str,
    principal: Principal,
    *,
    limit: int = DEFAULT_LIMIT,
    after: Key | None = None,
) -> tuple[list[Dependent], Key | None]:
    """One page of readable (app, version, logical id, range) nesting ``canonical``, and the
    key of its last row when more may follow."""
    order = (Namespace.name, App.name_canonical, Version.id, Dependency.id)
    query = (
        sa.select(App.name, Version.version, Dependency.logical_id, Dependency.range, *order)
        .select_from(Dependency)
        .join(Version, Version.id == Dependency.version_id)
        .join(App, App.id == Version.app_id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Dependency.kind == "registry", Dependency.target_app == canonical)
        .where(readable_apps(principal))
    )
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
    rows = (await session.execute(query.order_by(*order).limit(limit + 1))).all()
    page = [
        Dependent(
            application=f"{row[4]}/{row[0]}",
            version=row[1],
            logical_id=row[2],
            range=row[3] or "latest",
        )
        for row in rows[:limit]
    ]
    if len(rows) <= limit:
        return page, None
    last = rows[limit - 1]
    return page, (str(last[4]), str(last[5]), int(last[6]), int(last[7]))

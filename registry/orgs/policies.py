"""Sharing policies: an app's visibility and its grants, read and replaced as one document.

``{"visibility": "private", "grants": [{"namespace": "partner", "nest": true},
{"user": "bob", "nest": false}]}``: every grant gives ``read``; ``nest`` on a namespace grant
also lets apps published in that namespace reference this one. A user grant cannot nest.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from msgspec import UNSET
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import App, AppGrant, Namespace, User, utcnow
from registry.errors import Unprocessable
from registry.orgs.shapes import MAX_GRANTS as MAX_GRANTS  # the SAR API's statement limit
from registry.orgs.shapes import Grant, PolicyBody


async def policy_of(session: AsyncSession, app: App) -> dict[str, Any]:
    rows = await session.execute(
        sa.select(Namespace.name, User.name, AppGrant.nest)
        .select_from(AppGrant)
        .outerjoin(Namespace, Namespace.id == AppGrant.grantee_namespace_id)
        .outerjoin(User, User.id == AppGrant.grantee_user_id)
        .where(AppGrant.app_id == app.id)
        .order_by(Namespace.name, User.name)
    )
    grants = [
        {"namespace": ns, "nest": nest} if ns is not None else {"user": user, "nest": nest}
        for ns, user, nest in rows
    ]
    return {"visibility": app.visibility, "grants": grants}


def parse_policy(body: PolicyBody) -> tuple[str | None, list[tuple[str, str, bool]] | None]:
    """``(visibility or None, [(kind, name, nest)] or None)``; ``None``: leave unchanged."""
    if body.grants is None:
        return body.visibility, None
    return body.visibility, [_grant(grant) for grant in body.grants]


def _grant(grant: Grant) -> tuple[str, str, bool]:
    if (grant.namespace is UNSET) == (grant.user is UNSET):
        raise Unprocessable("invalid_policy", "each grant names one namespace or one user")
    if isinstance(grant.namespace, str):
        return "namespace", grant.namespace.lower(), grant.nest
    if grant.nest:
        raise Unprocessable("invalid_policy", "nest is granted to namespaces, not users")
    assert isinstance(grant.user, str)
    return "user", grant.user, False


async def apply_policy(
    session: AsyncSession,
    app: App,
    visibility: str | None,
    grants: list[tuple[str, str, bool]] | None,
) -> None:
    if visibility is not None:
        app.visibility = visibility
    if grants is not None:
        await session.execute(sa.delete(AppGrant).where(AppGrant.app_id == app.id))
        seen: set[tuple[str, str]] = set()
        for kind, name, nest in grants:
            if (kind, name) in seen:
                continue
            seen.add((kind, name))
            session.add(await _grant_row(session, app.id, kind, name, nest))
    app.updated_at = utcnow()  # the app document shows visibility: refresh its cache
    await session.flush()


async def _grant_row(
    session: AsyncSession, app_id: int, kind: str, name: str, nest: bool
) -> AppGrant:
    model = Namespace if kind == "namespace" else User
    found = await session.scalar(sa.select(model.id).where(model.name == name))
    if found is None:
        raise Unprocessable("unknown_grantee", f"no {kind} {name!r} on this registry")
    if kind == "namespace":
        return AppGrant(app_id=app_id, grantee_namespace_id=found, nest=nest)
    return AppGrant(app_id=app_id, grantee_user_id=found, nest=nest)

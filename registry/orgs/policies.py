"""Sharing policies: an app's visibility and its grants, read and replaced as one document.

``{"visibility": "private", "grants": [{"namespace": "partner", "nest": true},
{"user": "bob", "nest": false}]}``: every grant gives ``read``; ``nest`` on a namespace grant
also lets apps published in that namespace reference this one. A user grant cannot nest.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import App, AppGrant, Namespace, User, utcnow
from registry.errors import Unprocessable

MAX_GRANTS = 200


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


def parse_policy(body: dict[str, Any]) -> tuple[str | None, list[tuple[str, str, bool]] | None]:
    """``(visibility or None, [(kind, name, nest)] or None)``; ``None``: leave unchanged."""
    unknown = set(body) - {"visibility", "grants"}
    if unknown or not body:
        raise Unprocessable("invalid_policy", 'send {"visibility": ..., "grants": [...]}')
    visibility = body.get("visibility")
    if visibility is not None and visibility not in ("public", "private"):
        raise Unprocessable("invalid_visibility", "visibility is 'public' or 'private'")
    grants = body.get("grants")
    if grants is None:
        return visibility, None
    if not isinstance(grants, list) or len(grants) > MAX_GRANTS:
        raise Unprocessable("invalid_policy", f"grants is a list of at most {MAX_GRANTS}")
    return visibility, [_grant(item) for item in grants]


def _grant(item: Any) -> tuple[str, str, bool]:
    if not isinstance(item, dict) or not set(item) <= {"namespace", "user", "nest"}:
        raise Unprocessable("invalid_policy", 'a grant is {"namespace"|"user": name, "nest": bool}')
    kinds = [k for k in ("namespace", "user") if k in item]
    nest = item.get("nest", False)
    if len(kinds) != 1 or not isinstance(item[kinds[0]], str) or not isinstance(nest, bool):
        raise Unprocessable("invalid_policy", "each grant names one namespace or one user")
    if kinds[0] == "user" and nest:
        raise Unprocessable("invalid_policy", "nest is granted to namespaces, not users")
    return kinds[0], item[kinds[0]].lower() if kinds[0] == "namespace" else item["user"], nest


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

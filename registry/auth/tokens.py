"""Tokens through the API: list, create (never wider than the calling token), revoke.

How a user authenticates to manage tokens: with a token of ``admin`` scope (the server CLI
``nestry-registry token create --scope admin`` makes the first one; the user becomes owner of
its namespaces). A new token may name only namespaces the calling token covers and a scope no
stronger than the caller's, and expires no later than the caller's token (when that one
expires). Admin users' tokens (other than read tokens) may mint tokens no stronger than
themselves on existing namespaces (any, for a token naming none). ``expires_in_days`` is at
most ``Settings.token_max_days``. Any token may revoke itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.access import has_admin_scope
from registry.auth.accounts import issue_token
from registry.auth.credentials import Principal, as_utc
from registry.auth.permissions import may_grant_token
from registry.auth.shapes import TokenCreate
from registry.db.models import Namespace, Token, TokenNamespace, User, utcnow
from registry.errors import Forbidden, NotFound, Unprocessable


def require_token_admin(principal: Principal) -> None:
    if not has_admin_scope(principal):
        raise Forbidden("forbidden", "managing tokens needs a token with the admin scope")


def parse_request(
    body: TokenCreate, *, max_days: int
) -> tuple[str, set[str], datetime | None, str | None]:
    """``(scope, namespaces, expires_at, description)`` from a POST /v1/tokens body;
    ``expires_in_days`` (1 or more by the shape) is at most ``max_days``."""
    days = body.expires_in_days
    if days is not None and days > max_days:
        raise Unprocessable(
            "invalid_token_request", f"expires_in_days is a whole number from 1 to {max_days}"
        )
    expires = utcnow() + timedelta(days=days) if days else None
    return body.scope, {n.lower() for n in body.namespaces}, expires, body.description


async def create(
    session: AsyncSession,
    principal: Principal,
    scope: str,
    names: set[str],
    expires_at: datetime | None,
    description: str | None,
) -> str:
    require_token_admin(principal)
    if not may_grant_token(
        principal.scope, principal.namespaces, scope, names, caller_is_admin=principal.is_admin
    ):
        raise Forbidden("forbidden", "a new token cannot reach beyond the token creating it")
    expires_at = no_later_than(expires_at, as_utc(principal.expires_at))
    existing = set(
        await session.scalars(sa.select(Namespace.name).where(Namespace.name.in_(names)))
    )
    if existing != names:
        missing = sorted(names - existing)[0]
        raise Unprocessable("unknown_namespace", f"no namespace {missing!r}")
    user = await session.get(User, principal.user_id)
    assert user is not None
    return await issue_token(
        session,
        user,
        scope=scope,
        namespaces=sorted(names),
        expires_at=expires_at,
        description=description,
        grant_roles=False,
    )


def no_later_than(wanted: datetime | None, parent: datetime | None) -> datetime | None:
    """The new token's expiry: what was asked for, but never after the parent token's (a token
    minted by an expiring token expires with it at the latest)."""
    if parent is None:
        return wanted
    return parent if wanted is None else min(wanted, parent)


async def listing(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
    tokens = list(
        await session.scalars(sa.select(Token).where(Token.user_id == user_id).order_by(Token.id))
    )
    covered = await session.execute(
        sa.select(TokenNamespace.token_id, Namespace.name)
        .join(Namespace, Namespace.id == TokenNamespace.namespace_id)
        .where(TokenNamespace.token_id.in_([t.id for t in tokens]))
    )
    names: dict[int, list[str]] = {}
    for token_id, name in covered:
        names.setdefault(token_id, []).append(name)
    return [document(t, sorted(names.get(t.id, []))) for t in tokens]


def document(token: Token, namespaces: list[str]) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        moment = as_utc(moment)
        return moment.isoformat() if moment else None

    return {
        "id": token.id,
        "prefix": token.display_prefix,
        "scope": token.scope,
        "namespaces": namespaces,
        "description": token.description,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "revoked_at": iso(token.revoked_at),
    }


async def revoke(session: AsyncSession, principal: Principal, token_id: int) -> list[str]:
    """Revoke one of the caller's user's tokens; returns the namespaces it covered."""
    token = await session.get(Token, token_id)
    if token is None or token.user_id != principal.user_id:
        raise NotFound("token_not_found", f"you have no token {token_id}")
    if token_id != principal.token_id:
        require_token_admin(principal)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    names = await session.scalars(
        sa.select(Namespace.name)
        .join(TokenNamespace, TokenNamespace.namespace_id == Namespace.id)
        .where(TokenNamespace.token_id == token_id)
    )
    await session.flush()
    return sorted(names)

"""API tokens: ``nst_`` + 43 random URL-safe characters, stored only as a sha256 hash.

A token belongs to a user, carries a scope (``read``, ``publish`` or ``admin``) over a set of
namespaces and may expire. What it may do is decided per request from the user's *current*
roles (``Principal.roles``; see ``registry.auth.permissions``): a token never grants more than its
user has now. Tokens of admin users act on every namespace.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.permissions import ACTIONS, allowed
from registry.db.models import Membership, Namespace, Token, TokenNamespace, User
from registry.errors import Unauthorized

TOKEN_PREFIX = "nst_"
SCOPES = ACTIONS


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``ANONYMOUS`` when no token was sent."""

    user: str | None
    is_admin: bool = False
    scope: str | None = None
    namespaces: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    user_id: int | None = None
    token_id: int | None = None
    roles: Mapping[str, str] = field(default_factory=dict)  # namespace -> role, current

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def may(self, namespace: str, action: str) -> bool:
        return self.authenticated and allowed(
            is_admin=self.is_admin,
            scope=self.scope,
            token_namespaces=self.namespaces,
            roles=self.roles,
            namespace=namespace,
            action=action,
        )

    @property
    def readable_namespaces(self) -> frozenset[str]:
        """Namespaces whose private apps this token may read (not counting grants)."""
        return frozenset(ns for ns in self.namespaces if self.may(ns, "read"))


ANONYMOUS = Principal(user=None)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``Unauthorized`` if malformed."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("invalid_token", "use 'Authorization: Bearer <token>'")
    return token.strip()


async def authenticate(session: AsyncSession, token: str, now: datetime) -> Principal:
    """Look the token up by hash; ``Unauthorized`` when unknown, revoked or expired."""
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("invalid_token", "the token is not a nestry token (nst_...)")
    row = (
        await session.execute(
            sa.select(Token, User)
            .join(User, User.id == Token.user_id)
            .where(Token.token_hash == hash_token(token))
        )
    ).first()
    if row is None or row.Token.revoked_at is not None:
        raise Unauthorized("invalid_token", "the token is unknown or has been revoked")
    token_row, user = row.Token, row.User
    expires = as_utc(token_row.expires_at)
    if expires is not None and expires <= now:
        raise Unauthorized("token_expired", "the token has expired; create a new one")
    names = await session.scalars(
        sa.select(Namespace.name)
        .join(TokenNamespace, TokenNamespace.namespace_id == Namespace.id)
        .where(TokenNamespace.token_id == token_row.id)
    )
    roles = await session.execute(
        sa.select(Namespace.name, Membership.role)
        .join(Membership, Membership.namespace_id == Namespace.id)
        .where(Membership.user_id == user.id)
    )
    return Principal(
        user.name,
        user.is_admin,
        token_row.scope,
        frozenset(names),
        expires,
        user_id=user.id,
        token_id=token_row.id,
        roles={str(name): str(role) for name, role in roles},
    )


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)

"""Tokens through the API: list, create (never wider than the calling token), revoke.

How a user authenticates to manage tokens: with a token of ``admin`` scope (the server CLI
``nestry-registry token create --scope admin`` makes the first one; the user becomes owner of
its namespaces). A new token may name only namespaces the calling token covers and a scope no
stronger than the caller's, and expires no later than the caller's token (when that one
expires). Admin users' tokens (other than read tokens) may mint tokens no stronger than
themselves on existing namespaces (any, for a token naming none). ``expires_in_days`` is at
most ``Settings.token_max_days``. Any token may list its user's tokens and revoke itself.

A token for a member (``user`` names another user), on top of all that: the caller may
``admin`` in every named namespace (an owner, through a token covering it; or an admin user),
names at least one, and the member's current role in each allows the scope (reader: read,
publisher: publish, owner: admin); roles are never changed here. Unknown users and users who
are not members get the same answer (``not_a_member``), so an owner learns nothing about the
registry's users beyond the member list they may already read. Administrators' tokens act on
every namespace, so none is minted for them here (they mint their own). The token belongs to
the member: their ``GET /v1/tokens`` lists it and they may revoke it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.access import has_admin_scope
from registry.auth.accounts import issue_token
from registry.auth.credentials import Principal, as_utc, hash_token
from registry.auth.permissions import ROLE_FOR_SCOPE, may_grant_token, role_allows
from registry.auth.shapes import Token as TokenAnswer
from registry.auth.shapes import TokenCreate
from registry.db.models import Membership, Namespace, Token, TokenNamespace, User, utcnow
from registry.errors import Forbidden, NotFound, Unprocessable


def require_token_admin(principal: Principal) -> None:
    if not has_admin_scope(principal):
        raise Forbidden("forbidden", "managing tokens needs a token with the admin scope")


@dataclass(frozen=True)
class TokenRequest:
    """A POST /v1/tokens body, checked against the registry's settings."""

    scope: str
    namespaces: set[str]
    expires_at: datetime | None
    description: str | None
    user: str | None  # whose token it is; None: the caller's own user


def parse_request(body: TokenCreate, *, max_days: int) -> TokenRequest:
    """The request of a POST /v1/tokens body; ``expires_in_days`` (1 or more by the shape) is
    at most ``max_days``."""
    days = body.expires_in_days
    if days is not None and days > max_days:
        raise Unprocessable(
            "invalid_token_request", f"expires_in_days is a whole number from 1 to {max_days}"
        )
    expires = utcnow() + timedelta(days=days) if days else None
    names = {n.lower() for n in body.namespaces}
    return TokenRequest(body.scope, names, expires, body.description, body.user)


@dataclass(frozen=True)
class Minted:
    secret: str  # the only time it exists in plain text
    token: Token
    user: str  # whose it is


async def create(session: AsyncSession, principal: Principal, wanted: TokenRequest) -> Minted:
    """Issue the token the caller asked for, or refuse it (the module's rules)."""
    require_token_admin(principal)
    names, scope = wanted.namespaces, wanted.scope
    for_member = wanted.user is not None and wanted.user != principal.user
    if for_member and not names:
        raise Unprocessable(
            "invalid_token_request", "a token for a member names the namespaces it covers"
        )
    if not may_grant_token(
        principal.scope, principal.namespaces, scope, names, caller_is_admin=principal.is_admin
    ):
        raise Forbidden("forbidden", "a new token cannot reach beyond the token creating it")
    if for_member:
        for name in sorted(names):
            if not principal.may(name, "admin"):
                raise Forbidden(
                    "forbidden", f"only an owner of {name!r} creates tokens for its members"
                )
    expires_at = no_later_than(wanted.expires_at, as_utc(principal.expires_at))
    existing = set(
        await session.scalars(sa.select(Namespace.name).where(Namespace.name.in_(names)))
    )
    if existing != names:
        missing = sorted(names - existing)[0]
        raise Unprocessable("unknown_namespace", f"no namespace {missing!r}")
    if for_member:
        assert wanted.user is not None
        user = await _member(session, wanted.user, scope, names)
    else:
        found = await session.get(User, principal.user_id)
        assert found is not None
        user = found
    secret = await issue_token(
        session,
        user,
        scope=scope,
        namespaces=sorted(names),
        expires_at=expires_at,
        description=wanted.description,
        grant_roles=False,
    )
    query = sa.select(Token).where(Token.token_hash == hash_token(secret))
    return Minted(secret, (await session.scalars(query)).one(), user.name)


async def _member(session: AsyncSession, name: str, scope: str, namespaces: set[str]) -> User:
    """The user ``name``, a member of every one of ``namespaces`` whose role there allows
    ``scope``; an unknown user is told apart from a non-member in no way."""
    user = (await session.scalars(sa.select(User).where(User.name == name))).first()
    roles: dict[str, str] = {}
    if user is not None:
        rows = await session.execute(
            sa.select(Namespace.name, Membership.role)
            .join(Membership, Membership.namespace_id == Namespace.id)
            .where(Membership.user_id == user.id, Namespace.name.in_(namespaces))
        )
        roles = {str(namespace): str(role) for namespace, role in rows}
    for namespace in sorted(namespaces):
        if namespace not in roles:
            raise Unprocessable("not_a_member", f"{name!r} is not a member of {namespace!r}")
    assert user is not None
    if user.is_admin:
        raise Forbidden(
            "forbidden",
            f"{name!r} is a registry administrator, whose tokens act on every namespace: "
            "they create their own",
        )
    for namespace in sorted(namespaces):
        role = roles[namespace]
        if not role_allows(role, scope):
            needed = ROLE_FOR_SCOPE[scope]
            article = "an" if scope == "admin" else "a"
            raise Unprocessable(
                "role_too_weak",
                f"{name!r} is a {role} of {namespace!r}: {article} {scope} token needs the "
                f"{needed} role, which an owner gives with "
                f"`nestry namespace add-member {namespace} {name} --role {needed}`",
            )
    return user


def no_later_than(wanted: datetime | None, parent: datetime | None) -> datetime | None:
    """The new token's expiry: what was asked for, but never after the parent token's (a token
    minted by an expiring token expires with it at the latest)."""
    if parent is None:
        return wanted
    return parent if wanted is None else min(wanted, parent)


async def listing(session: AsyncSession, user_id: int) -> list[TokenAnswer]:
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


def document(token: Token, namespaces: list[str]) -> TokenAnswer:
    """A token as the API shows it (never its secret: ``token`` is left unset)."""
    created_at = as_utc(token.created_at)
    assert created_at is not None  # the column is NOT NULL
    return TokenAnswer(
        id=token.id,
        prefix=token.display_prefix,
        scope=token.scope,  # type: ignore[arg-type]  # the column holds a Scope
        namespaces=namespaces,
        description=token.description,
        created_at=created_at,
        expires_at=as_utc(token.expires_at),
        revoked_at=as_utc(token.revoked_at),
    )


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

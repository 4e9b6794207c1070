"""Users, namespaces and tokens: get-or-create and token issuing (CLI, bootstrap and API).

The server CLI (``nestry-registry token create``) is the administrator's tool: it creates the
user and namespaces when missing and makes the user a member with at least the role the
token's scope needs (``grant_roles``). Tokens made through the API never change roles.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.names import validate_namespace
from registry.auth.credentials import SCOPES, hash_token, new_token
from registry.auth.permissions import ROLE_FOR_SCOPE, stronger_role
from registry.db.models import Membership, Namespace, Token, TokenNamespace, User, utcnow
from registry.db.upsert import insert_ignore

ADMIN_USER = "admin"


async def ensure_user(session: AsyncSession, name: str, *, is_admin: bool = False) -> User:
    values = {"name": name, "is_admin": is_admin, "created_at": utcnow()}
    await insert_ignore(session, User, values, ["name"])
    return (await session.scalars(sa.select(User).where(User.name == name))).one()


async def ensure_namespace(session: AsyncSession, name: str) -> Namespace:
    """Get or create the namespace ``name`` (validated; ``InvalidNameError`` otherwise)."""
    validate_namespace(name)
    query = sa.select(Namespace).where(Namespace.name == name)
    found = (await session.scalars(query)).first()
    if found is not None:  # the usual case: one read, and no sequence value spent
        return found
    await insert_ignore(session, Namespace, {"name": name, "created_at": utcnow()}, ["name"])
    return (await session.scalars(query)).one()


async def issue_token(
    session: AsyncSession,
    user: User,
    *,
    scope: str,
    namespaces: list[str],
    expires_at: datetime | None = None,
    description: str | None = None,
    grant_roles: bool = True,
) -> str:
    """Create a token; return the secret (the only time it exists in plain text)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    secret = new_token()
    token = Token(
        user_id=user.id,
        token_hash=hash_token(secret),
        display_prefix=secret[:8],
        scope=scope,
        description=description,
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    for name in namespaces:
        namespace = await ensure_namespace(session, name)
        session.add(TokenNamespace(token_id=token.id, namespace_id=namespace.id))
        if grant_roles:
            await ensure_role(session, namespace.id, user.id, ROLE_FOR_SCOPE[scope])
    await session.flush()
    return secret


async def ensure_role(session: AsyncSession, namespace_id: int, user_id: int, role: str) -> None:
    """Make the user a member with at least ``role`` (never lowers a role)."""
    keys = {"namespace_id": namespace_id, "user_id": user_id}
    await insert_ignore(session, Membership, {**keys, "role": role}, list(keys))
    member = await session.get(Membership, (namespace_id, user_id))
    assert member is not None
    member.role = stronger_role(member.role, role)


async def has_users(session: AsyncSession) -> bool:
    return (await session.scalar(sa.select(sa.func.count()).select_from(User))) != 0


async def bootstrap_admin(session: AsyncSession) -> str | None:
    """On an empty database create the admin user and return its first token, else None."""
    if await has_users(session):
        return None
    admin = await ensure_user(session, ADMIN_USER, is_admin=True)
    return await issue_token(
        session, admin, scope="publish", namespaces=[], description="bootstrap"
    )

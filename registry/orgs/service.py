"""Namespaces as organizations: creating them, their members and roles.

Every function takes an open write (or read) session; the caller commits, audits, and clears
the principal cache after membership changes (``registry.auth.principals``).
"""

from __future__ import annotations

from typing import get_args

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.names import validate_namespace
from registry.auth.credentials import Principal
from registry.auth.permissions import ROLES
from registry.db.models import Membership, Namespace, TokenNamespace, User
from registry.errors import Conflict, Forbidden, NotFound, Unprocessable
from registry.orgs.shapes import Kind, Member
from registry.orgs.shapes import Membership as MembershipAnswer
from registry.serving.shapes import Visibility

KINDS: tuple[str, ...] = get_args(Kind)
VISIBILITIES: tuple[str, ...] = get_args(Visibility)


async def namespace_for(
    session: AsyncSession, principal: Principal, name: str, action: str
) -> Namespace:
    """The namespace, if the caller may ``action`` there: 404 to non-members, 403 to members
    without the role (a namespace's members and log are as private as its private apps)."""
    found = (await session.scalars(sa.select(Namespace).where(Namespace.name == name))).first()
    if found is None or not principal.may(name, "read"):
        raise NotFound("namespace_not_found", f"no namespace {name!r}")
    if not principal.may(name, action):
        raise Forbidden("forbidden", f"this token may not {action} in {name!r}")
    return found


async def create_namespace(
    session: AsyncSession, principal: Principal, name: str, kind: str, default_visibility: str
) -> Namespace:
    """A new namespace owned by the caller; the calling token is extended to cover it."""
    validate_namespace(name)
    if kind not in KINDS:
        raise Unprocessable("invalid_kind", "kind is 'org' or 'user'")
    if default_visibility not in VISIBILITIES:
        raise Unprocessable("invalid_visibility", "default_visibility is 'public' or 'private'")
    exists = await session.scalar(sa.select(Namespace.id).where(Namespace.name == name))
    if exists is not None:
        raise Conflict("namespace_exists", f"the namespace {name!r} is taken")
    namespace = Namespace(name=name, kind=kind, default_visibility=default_visibility)
    session.add(namespace)
    await session.flush()
    assert principal.user_id is not None and principal.token_id is not None
    session.add(Membership(namespace_id=namespace.id, user_id=principal.user_id, role="owner"))
    session.add(TokenNamespace(token_id=principal.token_id, namespace_id=namespace.id))
    await session.flush()
    return namespace


async def namespaces_of(session: AsyncSession, principal: Principal) -> list[MembershipAnswer]:
    """The namespaces the caller's user is a member of, sorted by name, with its role and
    whether the calling token covers it (``covered``: a token may be limited to some of them;
    the user's own memberships are no secret to their own token)."""
    if principal.user_id is None:
        return []
    rows = await session.execute(
        sa.select(Namespace.name, Namespace.kind, Namespace.default_visibility, Membership.role)
        .join(Membership, Membership.namespace_id == Namespace.id)
        .where(Membership.user_id == principal.user_id)
        .order_by(Namespace.name)
    )
    return [
        MembershipAnswer(
            namespace=name,
            kind=kind,  # type: ignore[arg-type]  # the columns hold a Kind, a Visibility, a Role
            default_visibility=visibility,  # type: ignore[arg-type]
            role=role,  # type: ignore[arg-type]
            covered=principal.may(name, "read"),
        )
        for name, kind, visibility, role in rows
    ]


async def members_of(session: AsyncSession, namespace: Namespace) -> list[Member]:
    rows = await session.execute(
        sa.select(User.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.namespace_id == namespace.id)
        .order_by(User.name)
    )
    return [Member(user=user, role=role) for user, role in rows]  # type: ignore[arg-type]


async def set_role(session: AsyncSession, namespace: Namespace, user_name: str, role: str) -> None:
    if role not in ROLES:
        raise Unprocessable("invalid_role", f"role is one of {', '.join(ROLES)}")
    user = await _user(session, user_name)
    member = await session.get(Membership, (namespace.id, user.id))
    if member is None:
        session.add(Membership(namespace_id=namespace.id, user_id=user.id, role=role))
    else:
        if member.role == "owner" and role != "owner":
            await _keep_an_owner(session, namespace)
        member.role = role
    await session.flush()


async def remove_member(session: AsyncSession, namespace: Namespace, user_name: str) -> None:
    user = await _user(session, user_name)
    member = await session.get(Membership, (namespace.id, user.id))
    if member is None:
        raise NotFound("member_not_found", f"{user_name!r} is not a member of {namespace.name!r}")
    if member.role == "owner":
        await _keep_an_owner(session, namespace)
    await session.delete(member)
    await session.flush()


async def _user(session: AsyncSession, name: str) -> User:
    user = (await session.scalars(sa.select(User).where(User.name == name))).first()
    if user is None:
        raise NotFound("user_not_found", f"no user {name!r} on this registry")
    return user


async def _keep_an_owner(session: AsyncSession, namespace: Namespace) -> None:
    owners = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.namespace_id == namespace.id, Membership.role == "owner")
    )
    if (owners or 0) <= 1:
        raise Conflict("last_owner", f"{namespace.name!r} needs at least one owner")

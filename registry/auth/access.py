"""Every read and write permission decision, in one place.

Reading: public apps are readable by anyone (anonymous callers too unless anonymous reads are
off); private apps by admins, by tokens that may ``read`` in the app's namespace (a member's
role and the token's namespaces, ``registry.auth.permissions``), and through the app's sharing
policy: a grant to a namespace the token may read in, or to the token's user. Callers who may
not read an app are told it does not exist (404), never 403.
Writing: ``publish`` (publish, yank, tags, metadata) and ``admin`` (members, policy,
visibility, audit) per ``Principal.may``; readers without the right get 403.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from registry.auth.credentials import Principal
from registry.db.models import App, AppGrant, Namespace
from registry.errors import Unauthorized


def require_reader(principal: Principal, *, anonymous_read: bool) -> None:
    """Refuse anonymous calls when the registry is configured to need a token for reads."""
    if not anonymous_read and not principal.authenticated:
        raise Unauthorized("authentication_required", "this registry needs a token to read")


def can_publish(principal: Principal, namespace: str) -> bool:
    return principal.may(namespace, "publish")


def can_admin(principal: Principal, namespace: str) -> bool:
    return principal.may(namespace, "admin")


def has_admin_scope(principal: Principal) -> bool:
    """May this token act beyond namespaces it already covers (create namespaces, tokens)?"""
    return principal.scope == "admin" or (principal.is_admin and principal.scope != "read")


@dataclass(frozen=True)
class AppAccess:
    """What deciding who may read one app needs, kept with its cached documents (a change to
    any of it is a change to the app: the change feed drops them together)."""

    namespace: str
    visibility: str
    grant_namespaces: frozenset[str] = frozenset()
    grant_users: frozenset[int] = frozenset()


def may_read(principal: Principal, access: AppAccess) -> bool:
    """``readable_apps`` for one app, in memory: no statement to build, no query to run."""
    if principal.is_admin or access.visibility == "public":
        return True
    names = principal.readable_namespaces
    return (
        access.namespace in names
        or not names.isdisjoint(access.grant_namespaces)
        or (principal.user_id is not None and principal.user_id in access.grant_users)
    )


def readable_apps(principal: Principal) -> sa.ColumnElement[bool]:
    """SQL filter: the apps ``principal`` may read, for queries joining apps and namespaces."""
    if principal.is_admin:
        return sa.true()
    allowed: list[sa.ColumnElement[bool]] = [App.visibility == "public"]
    names = sorted(principal.readable_namespaces)
    if names:
        grantee = aliased(Namespace)
        allowed.append(Namespace.name.in_(names))
        allowed.append(
            sa.exists(
                sa.select(AppGrant.id)
                .join(grantee, grantee.id == AppGrant.grantee_namespace_id)
                .where(AppGrant.app_id == App.id, grantee.name.in_(names))
            )
        )
    if principal.user_id is not None:
        allowed.append(
            sa.exists(
                sa.select(AppGrant.id).where(
                    AppGrant.app_id == App.id, AppGrant.grantee_user_id == principal.user_id
                )
            )
        )
    return sa.or_(*allowed)

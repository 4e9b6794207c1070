"""Who may do what: the role by action and token-scope by action tables, pure (no I/O).

Actions, from weakest to strongest:
- ``read``: see, resolve, fetch and install private apps of the namespace; list its members;
- ``publish``: publish, yank/unyank, deprecate, move dist-tags, edit app metadata;
- ``admin``: manage members, sharing policies and visibility, read the audit log.

A member's role bounds what they may do in a namespace; a token's scope (an action) and its
namespaces bound it further. Admin users may do everything everywhere (with a read token:
read everything).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

Action = Literal["read", "publish", "admin"]  # also the token scopes
Role = Literal["reader", "publisher", "owner"]
ACTIONS: tuple[str, ...] = get_args(Action)
ROLES: tuple[str, ...] = get_args(Role)

# The strongest action each role and each token scope allows (the order of ACTIONS).
ROLE_ACTION = {"reader": "read", "publisher": "publish", "owner": "admin"}
SCOPE_ACTION = {"read": "read", "publish": "publish", "admin": "admin"}
ROLE_FOR_SCOPE = {scope: role for role, scope in ROLE_ACTION.items()}


def rank(action: str) -> int:
    """Position of ``action`` in ``ACTIONS``; ``ValueError`` for an unknown one."""
    return ACTIONS.index(action)


def role_allows(role: str | None, action: str) -> bool:
    strongest = ROLE_ACTION.get(role or "")
    return strongest is not None and rank(strongest) >= rank(action)


def scope_allows(scope: str | None, action: str) -> bool:
    strongest = SCOPE_ACTION.get(scope or "")
    return strongest is not None and rank(strongest) >= rank(action)


def allowed(
    *,
    is_admin: bool,
    scope: str | None,
    token_namespaces: frozenset[str],
    roles: Mapping[str, str],
    namespace: str,
    action: str,
) -> bool:
    """May a token (``scope`` over ``token_namespaces``) of a user with ``roles`` do ``action``
    in ``namespace``? The user's current role decides, never more than the token says."""
    if is_admin:  # everywhere; a read token of an admin still only reads
        return scope != "read" or action == "read"
    return (
        namespace in token_namespaces
        and scope_allows(scope, action)
        and role_allows(roles.get(namespace), action)
    )


def stronger_role(current: str | None, wanted: str) -> str:
    """The stronger of two roles (``current`` may be absent)."""
    if current not in ROLES:
        return wanted
    return max(current, wanted, key=ROLES.index)


def may_grant_token(
    caller_scope: str | None,
    caller_namespaces: frozenset[str],
    scope: str,
    namespaces: set[str],
    *,
    caller_is_admin: bool = False,
) -> bool:
    """A token may mint tokens only with ``admin`` scope (an admin user's: any scope but read),
    never wider than itself: no stronger scope, no namespace it does not cover. An admin user's
    token naming no namespace covers every namespace."""
    if not scope_allows(caller_scope, scope):
        return False
    if caller_is_admin:
        return caller_scope != "read" and (not caller_namespaces or namespaces <= caller_namespaces)
    return scope_allows(caller_scope, "admin") and namespaces <= caller_namespaces


def can_nest(
    *, parent_namespace: str, child_namespace: str, child_public: bool, nest_grantees: set[str]
) -> bool:
    """May apps of ``parent_namespace`` reference the child app? Public apps and apps of the
    same namespace always; private apps only with a ``nest`` grant to the parent namespace."""
    return child_public or parent_namespace == child_namespace or parent_namespace in nest_grantees

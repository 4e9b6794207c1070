"""The pure permission tables (roles, token scopes, nesting) and the failure limiter."""

from __future__ import annotations

import pytest

from registry.auth.permissions import (
    ACTIONS,
    allowed,
    can_nest,
    may_grant_token,
    role_allows,
    scope_allows,
    stronger_role,
)
from registry.auth.ratelimit import FailureLimiter, MemoryFailures
from registry.errors import TooManyRequests

ROLE_TABLE = {
    "reader": {"read"},
    "publisher": {"read", "publish"},
    "owner": {"read", "publish", "admin"},
    None: set(),
    "member": set(),  # pre-roles value: grants nothing by itself
}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
@pytest.mark.parametrize("action", ACTIONS)
def test_role_by_action(role: str | None, action: str) -> None:
    assert role_allows(role, action) is (action in ROLE_TABLE[role])


@pytest.mark.parametrize("scope", ["read", "publish", "admin", None, "bogus"])
@pytest.mark.parametrize("action", ACTIONS)
def test_scope_by_action(scope: str | None, action: str) -> None:
    expected = scope in ACTIONS and ACTIONS.index(scope) >= ACTIONS.index(action)
    assert scope_allows(scope, action) is expected


def _allowed(scope: str, namespaces: set[str], role: str | None, action: str) -> bool:
    roles = {"acme": role} if role else {}
    return allowed(
        is_admin=False,
        scope=scope,
        token_namespaces=frozenset(namespaces),
        roles=roles,
        namespace="acme",
        action=action,
    )


def test_a_token_never_grants_more_than_the_role() -> None:
    assert _allowed("admin", {"acme"}, "owner", "admin")
    assert not _allowed("admin", {"acme"}, "publisher", "admin")
    assert not _allowed("admin", {"acme"}, "reader", "publish")
    assert not _allowed("admin", {"acme"}, None, "read")  # role removed


def test_the_role_never_grants_more_than_the_token() -> None:
    assert not _allowed("read", {"acme"}, "owner", "publish")
    assert not _allowed("publish", {"acme"}, "owner", "admin")
    assert not _allowed("admin", {"other"}, "owner", "read")  # token scoped elsewhere


def test_admin_users() -> None:
    def admin(scope: str, action: str) -> bool:
        return allowed(
            is_admin=True,
            scope=scope,
            token_namespaces=frozenset(),
            roles={},
            namespace="any",
            action=action,
        )

    assert admin("publish", "admin") and admin("read", "read")
    assert not admin("read", "publish")


def test_minting_tokens_needs_admin_scope_and_stays_within() -> None:
    mine = frozenset({"acme", "beta"})
    assert may_grant_token("admin", mine, "publish", {"acme"})
    assert may_grant_token("admin", mine, "admin", set())
    assert not may_grant_token("publish", mine, "read", {"acme"})
    assert not may_grant_token("admin", mine, "read", {"acme", "gamma"})


def test_nesting_rules() -> None:
    def nest(parent: str, public: bool, grantees: set[str]) -> bool:
        return can_nest(
            parent_namespace=parent,
            child_namespace="acme",
            child_public=public,
            nest_grantees=grantees,
        )

    assert nest("other", True, set())
    assert nest("acme", False, set())
    assert nest("partner", False, {"partner"})
    assert not nest("other", False, {"partner"})


def test_stronger_role_never_lowers() -> None:
    assert stronger_role(None, "reader") == "reader"
    assert stronger_role("owner", "reader") == "owner"
    assert stronger_role("reader", "publisher") == "publisher"
    assert stronger_role("member", "reader") == "reader"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_failure_limiter_blocks_then_forgives() -> None:
    clock = Clock()
    limiter = FailureLimiter(3, 60, MemoryFailures(), clock)
    for _ in range(3):
        await limiter.check("1.2.3.4", "nst_abcdGUESS")
        await limiter.record_failure("1.2.3.4", "nst_abcdGUESS")
    clock.now += 10
    with pytest.raises(TooManyRequests) as blocked:
        await limiter.check("1.2.3.4", "nst_abcdOTHERGUESS")  # same prefix: the same count
    assert blocked.value.status == 429
    assert blocked.value.headers == {"Retry-After": "50"}
    await limiter.check("5.6.7.8", "nst_abcdGUESS")  # other addresses are not affected
    await limiter.check("1.2.3.4", "nst_wxyzVALID")  # nor other token prefixes
    clock.now += 50
    await limiter.check("1.2.3.4", "nst_abcdGUESS")  # the window is over

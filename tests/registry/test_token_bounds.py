"""Tokens minted through the API stay within their parent (issue 13, item 6).

A token made with an expiring token expires no later than it; ``expires_in_days`` is capped by
``Settings.token_max_days``; no token, an admin user's included, mints a stronger scope or
namespaces it does not cover.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import httpx
import pytest
from nestry_test_support import TokenFactory, run_isolated

from registry.auth.accounts import ensure_user, issue_token
from registry.db.models import utcnow
from registry.db.session import Database
from registry.settings import Settings

MAX_DAYS = 7


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, token_max_days=MAX_DAYS)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def mint(api: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await api.post("/v1/tokens", json=body, headers=bearer(token))


async def test_a_token_made_by_an_expiring_token_expires_with_it_at_the_latest(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    parent_expiry = utcnow() + timedelta(days=2)
    parent = publish_token_factory("acme", scope="admin", expires_at=parent_expiry)
    longer = await mint(api, parent, scope="read", namespaces=["acme"], expires_in_days=5)
    assert longer.status_code == 201, longer.text
    assert moment(longer.json()["expires_at"]) <= parent_expiry
    forever = await mint(api, parent, scope="read", namespaces=["acme"])
    assert forever.status_code == 201, forever.text
    assert forever.json()["expires_at"] is not None
    assert moment(forever.json()["expires_at"]) <= parent_expiry
    shorter = await mint(api, parent, scope="read", namespaces=["acme"], expires_in_days=1)
    assert moment(shorter.json()["expires_at"]) < parent_expiry - timedelta(hours=23)


async def test_expires_in_days_is_capped_by_the_setting(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    owner = publish_token_factory("acme", scope="admin")
    refused = await mint(
        api, owner, scope="read", namespaces=["acme"], expires_in_days=MAX_DAYS + 1
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "invalid_token_request"
    assert str(MAX_DAYS) in refused.json()["error"]["message"]
    for days in (True, 1.5, "3"):
        bad = await mint(api, owner, scope="read", namespaces=["acme"], expires_in_days=days)
        assert bad.status_code == 422, (days, bad.text)
    ok = await mint(api, owner, scope="read", namespaces=["acme"], expires_in_days=MAX_DAYS)
    assert ok.status_code == 201, ok.text


def test_the_cap_is_read_from_the_environment(tmp_path: object) -> None:
    env = {"NESTRY_TOKEN_MAX_DAYS": "30", "NESTRY_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).token_max_days == 30
    assert Settings.from_env({"NESTRY_DATA_DIR": str(tmp_path)}).token_max_days == 365


async def _admin_user_token(settings: Settings, scope: str, namespaces: list[str]) -> str:
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            user = await ensure_user(session, "root", is_admin=True)
            secret = await issue_token(session, user, scope=scope, namespaces=namespaces)
            await session.commit()
            return secret
    finally:
        await database.dispose()


async def test_an_admin_users_token_mints_nothing_wider_than_itself(
    api: httpx.AsyncClient, settings: Settings, publish_token_factory: TokenFactory
) -> None:
    publish_token_factory("acme")
    publish_token_factory("beta")
    publisher = run_isolated(lambda: _admin_user_token(settings, "publish", []))
    wider_scope = await mint(api, publisher, scope="admin", namespaces=["acme"])
    assert wider_scope.status_code == 403, wider_scope.text
    same_scope = await mint(api, publisher, scope="publish", namespaces=["acme", "beta"])
    assert same_scope.status_code == 201, same_scope.text

    acme_admin = run_isolated(lambda: _admin_user_token(settings, "admin", ["acme"]))
    other_namespace = await mint(api, acme_admin, scope="read", namespaces=["beta"])
    assert other_namespace.status_code == 403, other_namespace.text
    inside = await mint(api, acme_admin, scope="admin", namespaces=["acme"])
    assert inside.status_code == 201, inside.text

    reader = run_isolated(lambda: _admin_user_token(settings, "read", []))
    assert (await mint(api, reader, scope="read", namespaces=["acme"])).status_code == 403


async def test_a_namespace_admin_token_mints_no_stronger_scope_nor_other_namespaces(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    owner = publish_token_factory("acme", scope="admin", user="olga")
    publish_token_factory("beta", scope="admin", user="olga")
    refused = await mint(api, owner, scope="admin", namespaces=["acme", "beta"])
    assert refused.status_code == 403, refused.text

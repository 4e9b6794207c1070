"""Tokens (hashed, scoped, expiring) and read visibility (private apps answer 404)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from registry_samples import template

from registry.db.models import utcnow
from registry.db.session import Database


async def _token_rows(settings) -> list[tuple[str, str]]:
    database = Database(settings.database_url)
    try:
        async with database.reader() as session:
            rows = await session.execute(sa.text("SELECT token_hash, display_prefix FROM tokens"))
            return [tuple(row) for row in rows]
    finally:
        await database.dispose()


async def test_only_the_hash_is_stored(settings, publish_token_factory):
    token = publish_token_factory("acme")
    assert token.startswith("nst_") and len(token) > 40
    rows = await _token_rows(settings)
    assert (hashlib.sha256(token.encode()).hexdigest(), token[:8]) in rows
    assert all(token not in value for row in rows for value in row)


async def test_whoami(api, publish_token_factory):
    token = publish_token_factory("acme", user="alice")
    response = await api.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {
        "user": "alice",
        "admin": False,
        "scope": "publish",
        "namespaces": ["acme"],
        "expires_at": None,
    }
    anonymous = await api.get("/v1/whoami")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "authentication_required"


async def test_expired_token_is_401(api, publish, publish_token_factory, stored):
    token = publish_token_factory("acme", expires_at=utcnow() - timedelta(seconds=1))
    response = await publish("acme", "demo", "1.0.0", template(), token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    whoami = await api.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert whoami.status_code == 401
    assert (await stored()).versions == 0


async def test_token_for_another_namespace_is_403(publish, publish_token_factory, stored):
    token = publish_token_factory("other")
    response = await publish("acme", "demo", "1.0.0", template(), token=token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert (await stored()).versions == 0


async def test_read_token_cannot_publish(publish, publish_token_factory, stored):
    token = publish_token_factory("acme", scope="read")
    response = await publish("acme", "demo", "1.0.0", template(), token=token)
    assert response.status_code == 403
    assert (await stored()).versions == 0


async def test_malformed_authorization_header(api):
    response = await api.get("/v1/whoami", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


async def _make_private(api, admin_token) -> None:
    response = await api.patch(
        "/v1/apps/acme/demo",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["visibility"] == "private"


async def test_private_app_is_404_to_outsiders(api, publish, admin_token, publish_token_factory):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    await _make_private(api, admin_token)
    outsider = {"Authorization": f"Bearer {publish_token_factory('other')}"}
    member = {"Authorization": f"Bearer {publish_token_factory('acme', scope='read')}"}
    paths = [
        "/v1/apps/acme/demo",
        "/v1/apps/acme/demo/versions/1.0.0",
        "/v1/apps/acme/demo/versions/1.0.0/template",
    ]
    for path in paths:
        for headers in ({}, outsider):
            response = await api.get(path, headers=headers)
            assert response.status_code == 404, (path, headers)
            assert response.json()["error"]["code"] in {"app_not_found", "version_not_found"}
        assert (await api.get(path, headers=member)).status_code == 200
        admin = {"Authorization": f"Bearer {admin_token}"}
        assert (await api.get(path, headers=admin)).status_code == 200
    template_response = await api.get(paths[2], headers=member)
    assert template_response.headers["cache-control"].startswith("private")


async def test_private_nested_app_is_unknown_to_other_publishers(
    api, publish, admin_token, publish_token_factory
):
    from registry_samples import nested

    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    await _make_private(api, admin_token)
    token = publish_token_factory("other")
    parent = template(name="parent", extra_resources=nested("Child", "acme/demo", "^1.0.0"))
    response = await publish("other", "parent", "1.0.0", parent, token=token)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_nested_app"


async def test_patch_needs_publish_rights(api, publish, publish_token_factory):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    reader = publish_token_factory("acme", scope="read")
    response = await api.patch(
        "/v1/apps/acme/demo",
        json={"description": "x"},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert response.status_code == 403
    anonymous = await api.patch("/v1/apps/acme/demo", json={"description": "x"})
    assert anonymous.status_code == 401


async def test_anonymous_reads_can_be_turned_off(settings, api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    object.__setattr__(settings, "anonymous_read", False)
    response = await api.get("/v1/apps/acme/demo")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"
    authed = await api.get("/v1/apps/acme/demo", headers={"Authorization": f"Bearer {admin_token}"})
    assert authed.status_code == 200

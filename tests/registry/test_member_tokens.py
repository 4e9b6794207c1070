"""Owners mint tokens for their namespaces' members (POST /v1/tokens with ``user``).

The rules: the caller's token has the admin scope and covers every named namespace, its user
owns each; the member's current role allows the scope (never raised); the token is no stronger
and expires no later than its parent; unknown users and non-members are answered alike; the
namespace's audit log names the actor, the member, the scope and the token id, never the
secret; the token is the member's (whoami, list, revoke).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import httpx
import pytest
from nestry_test_support import TokenFactory, run_isolated
from org_world import bearer, must
from registry_samples import template
from test_token_bounds import MAX_DAYS, _admin_user_token, mint, moment

from registry.db.models import utcnow
from registry.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, token_max_days=MAX_DAYS)


async def set_role(api: httpx.AsyncClient, owner: str, ns: str, user: str, role: str) -> None:
    path = f"/v1/namespaces/{ns}/members/{user}"
    await must(await api.put(path, json={"role": role}, headers=bearer(owner)))


async def roles_of(api: httpx.AsyncClient, owner: str, ns: str) -> dict[str, str]:
    listed = await must(await api.get(f"/v1/namespaces/{ns}/members", headers=bearer(owner)))
    return {m["user"]: m["role"] for m in listed["members"]}


async def acme(
    api: httpx.AsyncClient, factory: TokenFactory, **owner_token: Any
) -> tuple[str, str]:
    """``acme`` owned by olga (her admin token: ``owner_token`` options), with ``dev`` (own
    namespace ``dev-home`` only) a publisher; ``(olga's token, dev's dev-home token)``."""
    olga = factory("acme", scope="admin", user="olga", **owner_token)
    dev_home = factory("dev-home", scope="admin", user="dev")
    await set_role(api, olga, "acme", "dev", "publisher")
    return olga, dev_home


async def test_an_owner_mints_a_token_the_member_uses_lists_and_revokes(
    api: httpx.AsyncClient, publish: Any, publish_token_factory: TokenFactory
) -> None:
    olga, dev_home = await acme(api, publish_token_factory)
    body = {"scope": "publish", "namespaces": ["acme"], "user": "dev", "description": "ci"}
    made = await must(await mint(api, olga, **body), 201)
    secret = made["token"]
    assert made["scope"] == "publish" and made["namespaces"] == ["acme"]

    who = await must(await api.get("/v1/whoami", headers=bearer(secret)))
    assert (who["user"], who["scope"], who["namespaces"]) == ("dev", "publish", ["acme"])
    published = await publish("acme", "lib", "1.0.0", template(name="lib"), token=secret)
    assert published.status_code == 201, published.text

    # The member's own listing has it, with any of their tokens; the owner's has not.
    theirs = await must(await api.get("/v1/tokens", headers=bearer(secret)))
    assert made["id"] in [t["id"] for t in theirs["tokens"]]
    assert all("token" not in t for t in theirs["tokens"])
    via_home = await must(await api.get("/v1/tokens", headers=bearer(dev_home)))
    assert made["id"] in [t["id"] for t in via_home["tokens"]]
    olgas = await must(await api.get("/v1/tokens", headers=bearer(olga)))
    assert made["id"] not in [t["id"] for t in olgas["tokens"]]
    # The owner cannot revoke it (it is not hers); the member can.
    foreign = await api.delete(f"/v1/tokens/{made['id']}", headers=bearer(olga))
    assert foreign.status_code == 404, foreign.text
    revoked = await must(await api.delete(f"/v1/tokens/{made['id']}", headers=bearer(secret)))
    assert revoked["revoked_at"] is not None
    assert (await api.get("/v1/whoami", headers=bearer(secret))).status_code == 401

    log = await must(await api.get("/v1/namespaces/acme/audit", headers=bearer(olga)))
    created = [e for e in log["events"] if e["action"] == "token_create"]
    assert len(created) == 1
    event = created[0]
    assert event["actor"] == "olga"
    assert event["details"] == {"scope": "publish", "token_id": made["id"], "user": "dev"}
    assert event["target"].endswith(f"(id {made['id']}) for dev")
    assert secret not in str(log)
    revocation = next(e for e in log["events"] if e["action"] == "token_revoke")
    assert revocation["actor"] == "dev"


async def test_only_an_owner_mints_for_members(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    # pat's admin token covers acme, but pat is only a publisher there now.
    pat = publish_token_factory("acme", scope="admin", user="pat")
    await set_role(api, olga, "acme", "pat", "publisher")
    refused = await mint(api, pat, scope="read", namespaces=["acme"], user="dev")
    assert refused.status_code == 403, refused.text
    assert "only an owner of 'acme'" in refused.json()["error"]["message"]
    # A publish-scoped token of an owner manages no tokens at all.
    olga_publish = publish_token_factory("acme", scope="publish", user="olga")
    weak = await mint(api, olga_publish, scope="read", namespaces=["acme"], user="dev")
    assert weak.status_code == 403, weak.text
    assert weak.json()["error"]["message"] == ("managing tokens needs a token with the admin scope")


async def test_the_callers_token_must_cover_every_namespace(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    beta = publish_token_factory("beta", scope="admin", user="olga")  # olga owns beta too
    await set_role(api, beta, "beta", "dev", "publisher")
    # olga's acme token does not cover beta, though she owns it.
    for names in (["beta"], ["acme", "beta"]):
        refused = await mint(api, olga, scope="read", namespaces=names, user="dev")
        assert refused.status_code == 403, (names, refused.text)
    assert (await mint(api, beta, scope="read", namespaces=["beta"], user="dev")).status_code == 201


async def test_the_members_role_must_allow_the_scope_and_is_never_raised(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    await set_role(api, olga, "acme", "dev", "reader")
    too_strong = await mint(api, olga, scope="publish", namespaces=["acme"], user="dev")
    assert too_strong.status_code == 422, too_strong.text
    error = too_strong.json()["error"]
    assert error["code"] == "role_too_weak"
    assert error["message"].startswith("'dev' is a reader of 'acme': a publish token needs")
    assert (await roles_of(api, olga, "acme"))["dev"] == "reader"
    owner_scope = await mint(api, olga, scope="admin", namespaces=["acme"], user="dev")
    assert owner_scope.json()["error"]["code"] == "role_too_weak"
    assert (await mint(api, olga, scope="read", namespaces=["acme"], user="dev")).status_code == 201
    assert (await roles_of(api, olga, "acme"))["dev"] == "reader"


async def test_unknown_users_and_non_members_get_the_same_answer(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    publish_token_factory("elsewhere", user="stranger")  # exists, not in acme
    answers = []
    for name in ("stranger", "ghost"):
        response = await mint(api, olga, scope="read", namespaces=["acme"], user=name)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        answers.append((error["code"], error["message"].replace(name, "NAME")))
    assert answers[0] == answers[1] == ("not_a_member", "'NAME' is not a member of 'acme'")


async def test_a_token_for_a_member_names_its_namespaces(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    refused = await mint(api, olga, scope="read", user="dev")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "invalid_token_request"
    empty_name = await mint(api, olga, scope="read", namespaces=["acme"], user="")
    assert empty_name.status_code == 422, empty_name.text
    # Naming oneself is the ordinary path: a token of one's own user.
    own = await must(await mint(api, olga, scope="read", user="olga"), 201)
    who = await must(await api.get("/v1/whoami", headers=bearer(own["token"])))
    assert who["user"] == "olga"


async def test_no_scope_above_the_callers_and_no_token_for_an_administrator(
    api: httpx.AsyncClient, settings: Settings, publish_token_factory: TokenFactory
) -> None:
    olga, _ = await acme(api, publish_token_factory)
    await set_role(api, olga, "acme", "dev", "owner")
    # An administrator's publish token manages members everywhere, but mints no admin token.
    root = run_isolated(lambda: _admin_user_token(settings, "publish", []))
    stronger = await mint(api, root, scope="admin", namespaces=["acme"], user="dev")
    assert stronger.status_code == 403, stronger.text
    same = await mint(api, root, scope="publish", namespaces=["acme"], user="dev")
    assert same.status_code == 201, same.text
    # An administrator's token acts on every namespace: an owner never mints one.
    await set_role(api, olga, "acme", "root", "owner")
    refused = await mint(api, olga, scope="read", namespaces=["acme"], user="root")
    assert refused.status_code == 403, refused.text
    assert "registry administrator" in refused.json()["error"]["message"]


async def test_the_expiry_is_capped_by_the_parent_and_the_setting(
    api: httpx.AsyncClient, publish_token_factory: TokenFactory
) -> None:
    parent_expiry = utcnow() + timedelta(days=2)
    olga, _ = await acme(api, publish_token_factory, expires_at=parent_expiry)
    body: dict[str, Any] = {"scope": "publish", "namespaces": ["acme"], "user": "dev"}
    longer = await must(await mint(api, olga, **body, expires_in_days=5), 201)
    assert moment(longer["expires_at"]) <= parent_expiry
    forever = await must(await mint(api, olga, **body), 201)
    assert forever["expires_at"] is not None
    assert moment(forever["expires_at"]) <= parent_expiry
    shorter = await must(await mint(api, olga, **body, expires_in_days=1), 201)
    assert moment(shorter["expires_at"]) < parent_expiry - timedelta(hours=23)
    past_cap = await mint(api, olga, **body, expires_in_days=MAX_DAYS + 1)
    assert past_cap.status_code == 422, past_cap.text
    assert past_cap.json()["error"]["code"] == "invalid_token_request"

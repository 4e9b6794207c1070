"""Organizations: namespaces, members and roles, tokens through the API, the audit log and
the brute-force limit."""

from __future__ import annotations

import sqlalchemy as sa
from org_world import bearer, must
from registry_samples import template

from registry.db.session import Database


async def _org(api, factory, name="acme-corp"):
    """A user ``boss`` with an admin token, who creates org ``name``."""
    token = factory("boss-home", scope="admin", user="boss")
    created = await api.post("/v1/namespaces", json={"name": name}, headers=bearer(token))
    assert created.status_code == 201, created.text
    assert created.json() == {
        "namespace": name,
        "kind": "org",
        "default_visibility": "private",
        "role": "owner",
    }
    return token


async def test_creating_a_namespace_makes_the_creator_owner(api, publish_token_factory):
    boss = await _org(api, publish_token_factory)
    members = await must(await api.get("/v1/namespaces/acme-corp/members", headers=bearer(boss)))
    assert members["members"] == [{"user": "boss", "role": "owner"}]
    again = await api.post("/v1/namespaces", json={"name": "acme-corp"}, headers=bearer(boss))
    assert again.status_code == 409 and again.json()["error"]["code"] == "namespace_exists"
    publisher = publish_token_factory("boss-home", user="boss-helper")
    refused = await api.post("/v1/namespaces", json={"name": "x-corp"}, headers=bearer(publisher))
    assert refused.status_code == 403


async def test_new_apps_in_an_org_are_private_by_default(api, publish, publish_token_factory):
    boss = await _org(api, publish_token_factory)
    assert (
        await publish("acme-corp", "tool", "1.0.0", template(name="tool"), token=boss)
    ).status_code == 201
    assert (await api.get("/v1/apps/acme-corp/tool")).status_code == 404
    doc = await must(await api.get("/v1/apps/acme-corp/tool", headers=bearer(boss)))
    assert doc["visibility"] == "private"


async def test_owners_change_the_default_visibility(api, publish, publish_token_factory):
    boss = await _org(api, publish_token_factory)
    body = {"default_visibility": "public"}
    changed = await api.patch("/v1/namespaces/acme-corp", json=body, headers=bearer(boss))
    assert changed.status_code == 200 and changed.json()["default_visibility"] == "public"
    assert (
        await publish("acme-corp", "tool", "1.0.0", template(name="tool"), token=boss)
    ).status_code == 201
    assert (await api.get("/v1/apps/acme-corp/tool")).status_code == 200
    outsider = publish_token_factory("elsewhere", scope="admin", user="eve")
    hidden = await api.patch("/v1/namespaces/acme-corp", json=body, headers=bearer(outsider))
    assert hidden.status_code == 404


async def test_members_and_roles(api, publish, publish_token_factory):
    boss = await _org(api, publish_token_factory)
    dev = publish_token_factory("dev-home", user="dev")  # dev exists, not yet a member
    token = await must(
        await api.post(
            "/v1/tokens",
            json={"scope": "publish", "namespaces": ["acme-corp"]},
            headers=bearer(boss),
        ),
        201,
    )
    assert token["scope"] == "publish"
    added = await api.put(
        "/v1/namespaces/acme-corp/members/dev", json={"role": "publisher"}, headers=bearer(boss)
    )
    assert added.status_code == 200
    assert {"user": "dev", "role": "publisher"} in added.json()["members"]
    unknown = await api.put(
        "/v1/namespaces/acme-corp/members/nobody", json={"role": "reader"}, headers=bearer(boss)
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "user_not_found"
    bad_role = await api.put(
        "/v1/namespaces/acme-corp/members/dev", json={"role": "god"}, headers=bearer(boss)
    )
    assert bad_role.status_code == 422
    last = await api.delete("/v1/namespaces/acme-corp/members/boss", headers=bearer(boss))
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_owner"
    assert dev  # dev's own token does not cover acme-corp: it cannot publish there
    assert (
        await publish("acme-corp", "x", "1.0.0", template(name="x"), token=dev)
    ).status_code == 403


async def test_a_removed_role_takes_effect_at_once(api, publish, publish_token_factory):
    """The member's token was just used (so it is cached); removal must still bite at once."""
    owner = publish_token_factory("acme", scope="admin", user="olga")
    dev = publish_token_factory("acme", scope="publish", user="dev")
    assert (
        await publish("acme", "tool", "1.0.0", template(name="tool"), token=dev)
    ).status_code == 201
    await must(await api.delete("/v1/namespaces/acme/members/dev", headers=bearer(owner)))
    refused = await publish("acme", "tool", "1.0.1", template(name="tool", marker="2"), token=dev)
    assert refused.status_code == 403
    await must(
        await api.put(
            "/v1/namespaces/acme/members/dev", json={"role": "reader"}, headers=bearer(owner)
        )
    )
    reader = await publish("acme", "tool", "1.0.1", template(name="tool", marker="2"), token=dev)
    assert reader.status_code == 403


async def test_tokens_create_list_revoke(api, settings, publish_token_factory):
    owner = publish_token_factory("acme", scope="admin", user="olga")
    created = await must(
        await api.post(
            "/v1/tokens",
            json={"scope": "read", "namespaces": ["acme"], "expires_in_days": 30},
            headers=bearer(owner),
        ),
        201,
    )
    secret = created["token"]
    assert secret.startswith("nst_") and created["expires_at"] is not None
    whoami = await must(await api.get("/v1/whoami", headers=bearer(secret)))
    assert whoami["scope"] == "read" and whoami["namespaces"] == ["acme"]
    listed = await must(await api.get("/v1/tokens", headers=bearer(owner)))
    assert [t["scope"] for t in listed["tokens"]] == ["admin", "read"]
    assert all("token" not in t for t in listed["tokens"])
    await must(await api.delete(f"/v1/tokens/{created['id']}", headers=bearer(owner)))
    gone = await api.get("/v1/whoami", headers=bearer(secret))
    assert gone.status_code == 401
    await _assert_no_plain_secrets(settings, [secret, owner])


async def _assert_no_plain_secrets(settings, secrets):
    database = Database(settings.database_url)
    try:
        async with database.reader() as session:
            rows = (await session.execute(sa.text("SELECT * FROM tokens"))).all()
            events = (await session.execute(sa.text("SELECT * FROM audit_events"))).all()
    finally:
        await database.dispose()
    dump = repr(rows) + repr(events)
    assert len(rows) == 2
    for secret in secrets:
        assert secret not in dump and secret[4:] not in dump


async def test_a_token_cannot_mint_a_wider_one(api, publish_token_factory):
    owner = publish_token_factory("acme", scope="admin", user="olga")
    publisher = publish_token_factory("acme", scope="publish", user="olga")
    cases = [
        (owner, {"scope": "publish", "namespaces": ["other"]}, 403),
        (publisher, {"scope": "read", "namespaces": ["acme"]}, 403),
        (owner, {"scope": "root", "namespaces": ["acme"]}, 422),
    ]
    for token, body, status in cases:
        response = await api.post("/v1/tokens", json=body, headers=bearer(token))
        assert response.status_code == status, (body, response.text)
    other = publish_token_factory("beta", scope="admin", user="bert")
    listed = await must(await api.get("/v1/tokens", headers=bearer(other)))
    mine = listed["tokens"][0]["id"]
    stolen = await api.delete(f"/v1/tokens/{mine - 1}", headers=bearer(other))
    assert stolen.status_code == 404  # olga's token: not bert's to revoke


async def test_the_audit_log_records_every_write(api, publish, publish_token_factory):
    owner = publish_token_factory("acme", scope="admin", user="olga")
    assert (
        await publish("acme", "tool", "1.0.0", template(name="tool"), token=owner)
    ).status_code == 201
    tag = {"version": "1.0.0"}
    await must(await api.put("/v1/apps/acme/tool/dist-tags/beta", json=tag, headers=bearer(owner)))
    await must(await api.post("/v1/apps/acme/tool/versions/1.0.0/yank", headers=bearer(owner)))
    policy = {"visibility": "private", "grants": [{"namespace": "acme", "nest": False}]}
    await must(await api.put("/v1/apps/acme/tool/policy", json=policy, headers=bearer(owner)))
    made = await api.post(
        "/v1/tokens", json={"scope": "read", "namespaces": ["acme"]}, headers=bearer(owner)
    )
    await must(await api.delete(f"/v1/tokens/{made.json()['id']}", headers=bearer(owner)))
    publish_token_factory("acme", scope="read", user="rita")
    role = {"role": "publisher"}
    await must(await api.put("/v1/namespaces/acme/members/rita", json=role, headers=bearer(owner)))
    log = await must(await api.get("/v1/namespaces/acme/audit", headers=bearer(owner)))
    actions = [e["action"] for e in reversed(log["events"])]
    assert actions == [
        "publish",
        "tag_move",
        "yank",
        "policy_change",
        "token_create",
        "token_revoke",
        "member_set",
    ]
    first = log["events"][-1]
    assert first["actor"] == "olga" and first["target"] == "acme/tool@1.0.0"
    assert first["address"] == "127.0.0.1" and first["at"]
    page = await must(await api.get("/v1/namespaces/acme/audit?limit=2", headers=bearer(owner)))
    assert len(page["events"]) == 2 and page["next_before"] == page["events"][-1]["id"]


async def test_failed_authentications_are_rate_limited(api, settings, publish_token_factory):
    good = publish_token_factory("acme", user="olga")
    for _ in range(settings.auth_failure_limit):
        bad = await api.get("/v1/whoami", headers=bearer("nst_wrong"))
        assert bad.status_code == 401
    limited = await api.get("/v1/whoami", headers=bearer("nst_wrong_again"))
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "too_many_failed_authentications"
    assert int(limited.headers["retry-after"]) >= 1
    # The lockout is of that token prefix from that address: a valid token keeps working.
    assert (await api.get("/v1/whoami", headers=bearer(good))).status_code == 200
    assert (await api.get("/v1/apps")).status_code == 200  # anonymous reads go on

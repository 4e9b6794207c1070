"""Sharing policies: read grants, nest grants, user grants, and publishing against them."""

from __future__ import annotations

from org_world import bearer, must, set_policy
from registry_samples import nested, template

APP = "acme/lib"


async def _private_lib(api, publish, factory):
    owner = factory("acme", scope="admin", user="olga")
    assert (
        await publish("acme", "lib", "1.0.0", template(name="lib"), token=owner)
    ).status_code == 201
    await set_policy(api, APP, owner, visibility="private")
    return owner


def _parent(target: str) -> str:
    return template(name="app", extra_resources=nested("Lib", target, "^1.0.0"))


async def test_a_read_grant_lets_the_grantee_see_but_not_nest(api, publish, publish_token_factory):
    owner = await _private_lib(api, publish, publish_token_factory)
    partner = publish_token_factory("partner", user="pat")
    assert (await api.get(f"/v1/apps/{APP}", headers=bearer(partner))).status_code == 404
    await set_policy(api, APP, owner, grants=[{"namespace": "partner"}])
    assert (await api.get(f"/v1/apps/{APP}", headers=bearer(partner))).status_code == 200
    found = await must(await api.get("/v1/apps?q=lib", headers=bearer(partner)))
    assert [r["application"] for r in found["results"]] == [APP]
    policy = await api.get(f"/v1/apps/{APP}/policy", headers=bearer(partner))
    assert policy.status_code == 403  # sees the app, not who else it is shared with
    refused = await publish("partner", "app", "1.0.0", _parent(APP), token=partner)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "nest_not_allowed"


async def test_a_nest_grant_lets_the_grantee_namespace_nest(api, publish, publish_token_factory):
    owner = await _private_lib(api, publish, publish_token_factory)
    partner = publish_token_factory("partner", user="pat")
    await set_policy(api, APP, owner, grants=[{"namespace": "partner", "nest": True}])
    created = await publish("partner", "app", "1.0.0", _parent(APP), token=partner)
    assert created.status_code == 201, created.text
    policy = await must(await api.get(f"/v1/apps/{APP}/policy", headers=bearer(owner)))
    assert policy == {
        "application": APP,
        "visibility": "private",
        "grants": [{"namespace": "partner", "nest": True}],
    }


async def test_an_invisible_app_fails_like_a_missing_one(api, publish, publish_token_factory):
    await _private_lib(api, publish, publish_token_factory)
    outsider = publish_token_factory("other", user="otto")
    hidden = await publish("other", "app", "1.0.0", _parent(APP), token=outsider)
    missing = await publish("other", "app", "1.0.0", _parent("acme/nosuch"), token=outsider)
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "unknown_nested_app"
    assert hidden.text.replace("lib", "nosuch") == missing.text


async def test_user_grants_and_unsharing(api, publish, publish_token_factory):
    owner = await _private_lib(api, publish, publish_token_factory)
    bob = publish_token_factory("bob-home", user="bob")
    await set_policy(api, APP, owner, grants=[{"user": "bob"}])
    assert (await api.get(f"/v1/apps/{APP}/versions/1.0.0", headers=bearer(bob))).status_code == 200
    await set_policy(api, APP, owner, grants=[])
    assert (await api.get(f"/v1/apps/{APP}/versions/1.0.0", headers=bearer(bob))).status_code == 404


async def test_bad_policies_are_refused(api, publish, publish_token_factory):
    owner = await _private_lib(api, publish, publish_token_factory)
    cases = [
        {"grants": [{"user": "olga", "nest": True}]},
        {"grants": [{"namespace": "nowhere"}]},
        {"grants": [{"namespace": "a", "user": "b"}]},
        {"visibility": "secret"},
        {"owner": "me"},
    ]
    for body in cases:
        response = await api.put(f"/v1/apps/{APP}/policy", json=body, headers=bearer(owner))
        assert response.status_code == 422, body

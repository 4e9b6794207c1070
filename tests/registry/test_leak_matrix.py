"""Table-driven leak test: every read and write endpoint by every kind of caller, exact status.

Private data answers 404 to whoever may not read it (its existence is not revealed), writes
without the role answer 403, dead tokens 401; search, resolve and dependents never show what
the caller cannot see. One test per database walks the whole table and reports every miss.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from org_world import SECRET, World, bearer, build
from registry_samples import template

from registry.openapi.document import SPEC
from registry.settings import Settings

MEMBERS = ("reader", "publisher", "owner")
OUTSIDERS = ("other_user", "other_org_member", "scoped_elsewhere")
DEAD = ("expired", "revoked")
KINDS = ("anonymous", *OUTSIDERS, *DEAD, *MEMBERS)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Dead tokens fail on purpose here, far more often than the brute-force limit allows.
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        download_flush_seconds=3600,
        default_visibility="public",
        auth_failure_limit=10_000,
    )


@pytest.fixture
async def world(api, publish, publish_token_factory, admin_token) -> World:
    return await build(api, publish, publish_token_factory, admin_token)


def expect(
    members: int | dict[str, int], outsiders: int = 404, anonymous: int | None = None
) -> dict[str, int]:
    """Status per caller kind; dead tokens always 401."""
    by_member = members if isinstance(members, dict) else dict.fromkeys(MEMBERS, members)
    return {
        "anonymous": outsiders if anonymous is None else anonymous,
        **dict.fromkeys(OUTSIDERS, outsiders),
        **dict.fromkeys(DEAD, 401),
        **by_member,
    }


V = f"/v1/apps/{SECRET}/versions/1.0.0"
READS: list[tuple[str, str, dict[str, int]]] = [
    ("GET", f"/v1/apps/{SECRET}", expect(200)),
    ("GET", V, expect(200)),
    ("GET", V + "/template", expect(200)),
    ("GET", V + "/bundle", expect(200)),
    ("GET", f"/v1/apps/{SECRET}/dependents", expect(200)),
    ("GET", f"/v1/apps/{SECRET}/policy", expect(200)),
    ("GET", "/v1/namespaces/acme", expect(200)),
    ("GET", "/v1/namespaces/acme/members", expect(200)),
    ("GET", "/v1/namespaces/acme/audit", expect({"reader": 403, "publisher": 403, "owner": 200})),
]
PUBLISHERS = {"reader": 403, "publisher": 200, "owner": 200}
OWNERS = {"reader": 403, "publisher": 403, "owner": 200}
WRITES: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("PATCH", f"/v1/apps/{SECRET}", {"description": "x"}, expect(PUBLISHERS, anonymous=401)),
    ("POST", V + "/deprecate", {"message": "old"}, expect(PUBLISHERS, anonymous=401)),
    ("POST", V + "/unyank", {}, expect(PUBLISHERS, anonymous=401)),
    (
        "PUT",
        f"/v1/apps/{SECRET}/dist-tags/beta",
        {"version": "1.0.0"},
        expect(PUBLISHERS, anonymous=401),
    ),
    (
        "PUT",
        f"/v1/apps/{SECRET}/policy",
        {"visibility": "private"},
        expect(OWNERS, anonymous=401),
    ),
    (
        "PATCH",
        "/v1/namespaces/acme",
        {"default_visibility": "private"},
        expect(OWNERS, anonymous=401),
    ),
    ("POST", V + "/yank", {"reason": "bad"}, expect(PUBLISHERS, anonymous=401)),
    (
        "PUT",
        "/v1/namespaces/acme/members/reader1",
        {"role": "reader"},
        expect(OWNERS, anonymous=401),
    ),
    # Last: the owner (last of KINDS) deletes the app, after everyone else was refused.
    ("DELETE", f"/v1/apps/{SECRET}", {}, expect(OWNERS, anonymous=401)),
]
# Routes every caller may use, or that are about the caller itself.
NOT_APP_DATA = {
    "/healthz",
    "/metrics",
    "/v1/openapi.json",
    "/v1/whoami",
    "/v1/apps",
    "/v1/tokens",
    "/v1/namespaces",  # the caller's own memberships (test_every_caller_lists_only_its_own...)
}


def test_every_documented_read_route_is_in_the_table() -> None:
    covered = {path for _, path, _ in READS}
    templated = {
        p.replace("{ns}/{name}", SECRET).replace("{version}", "1.0.0").replace("{ns}", "acme")
        for p, item in SPEC["paths"].items()
        if "get" in item and p not in NOT_APP_DATA
    }
    assert templated <= covered


def _ghost(path: str) -> str:
    return path.replace(SECRET, "acme/nosuch").replace("/namespaces/acme", "/namespaces/nosuch")


def _unghost(text: str) -> str:
    return text.replace("acme/nosuch", SECRET).replace("'nosuch'", "'acme'")


async def test_every_caller_gets_exactly_the_expected_status(api, world) -> None:
    misses = []
    for method, path, wanted in READS:
        for kind in KINDS:
            response = await api.request(method, path, headers=bearer(world.tokens[kind]))
            if response.status_code != wanted[kind]:
                misses.append((method, path, kind, response.status_code, wanted[kind]))
            elif wanted[kind] == 404:  # exactly what a missing app or namespace gets
                ghost = await api.request(method, _ghost(path), headers=bearer(world.tokens[kind]))
                assert ghost.status_code == 404, (path, kind)
                assert _unghost(ghost.text) == response.text, (path, kind)
    for method, path, body, wanted in WRITES:
        for kind in KINDS:
            headers = bearer(world.tokens[kind])
            response = await api.request(method, path, json=body, headers=headers)
            if response.status_code != wanted[kind]:
                misses.append((method, path, kind, response.status_code, wanted[kind]))
    assert misses == []


async def test_publishing_needs_the_publisher_role(publish, world) -> None:
    wanted = expect({"reader": 403, "publisher": 201, "owner": 201}, outsiders=403, anonymous=401)
    got = {}
    for index, kind in enumerate(KINDS):
        body = template(name="secret", marker=kind)
        response = await publish("acme", "secret", f"2.0.{index}", body, token=world.tokens[kind])
        got[kind] = response.status_code
    assert got == wanted


async def _names(api: httpx.AsyncClient, query: str, token: str | None) -> list[str] | int:
    response = await api.get(f"/v1/apps?{query}", headers=bearer(token))
    if response.status_code != 200:
        return response.status_code
    return [r["application"] for r in response.json()["results"]]


async def test_search_resolve_and_dependents_show_only_what_the_caller_may_read(api, world):
    for kind in KINDS:
        token = world.tokens[kind]
        sees = kind in MEMBERS
        everything = ["acme/base", "acme/secret"] if sees else ["acme/base"]
        listing = 401 if kind in DEAD else everything
        assert await _names(api, "sort=name&limit=100", token) == listing, kind
        assert await _names(api, "namespace=acme&sort=name", token) == listing, kind
        assert await _names(api, "q=secret", token) == (
            401 if kind in DEAD else (["acme/secret"] if sees else [])
        ), kind
        body = {"requests": [{"application": SECRET, "range": "^1.0.0"}]}
        resolved = await api.post("/v1/resolve", json=body, headers=bearer(token))
        if kind in DEAD:
            assert resolved.status_code == 401, kind
            continue
        result = resolved.json()["results"][0]
        assert (result.get("version") == "1.0.0") is sees, kind
        assert sees or result["error"]["code"] == "app_not_found", kind
        dependents = await api.get("/v1/apps/acme/base/dependents", headers=bearer(token))
        listed = [d["application"] for d in dependents.json()["dependents"]]
        assert listed == (["acme/secret"] if sees else []), kind


async def test_every_caller_lists_only_its_own_namespaces(api, world) -> None:
    """``GET /v1/namespaces`` names acme to its members' users alone (a member's token scoped
    elsewhere sees it, ``covered`` false: how a new member learns to ask for a token);
    anonymous and dead tokens get 401."""
    for kind in KINDS:
        response = await api.get("/v1/namespaces", headers=bearer(world.tokens[kind]))
        if kind == "anonymous" or kind in DEAD:
            assert response.status_code == 401, (kind, response.text)
            continue
        assert response.status_code == 200, (kind, response.text)
        listed = {item["namespace"]: item["covered"] for item in response.json()["namespaces"]}
        member_user = kind in MEMBERS or kind == "scoped_elsewhere"  # pub1, a publisher of acme
        assert ("acme" in listed) == member_user, (kind, listed)
        assert listed.get("acme", False) == (kind in MEMBERS), (kind, listed)

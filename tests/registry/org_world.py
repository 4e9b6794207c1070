"""A registry with an organization, its members, outsiders and a private app, for the
organization and leak tests.

- ``acme`` (org): ``owner1`` (owner), ``pub1`` (publisher), ``reader1`` (reader);
  ``acme/base`` is public, ``acme/secret`` private (1.0.0 with a bundle; nests acme/base).
- outsiders: ``stranger`` (own namespace ``strangerns``), ``rival-dev`` (publisher in org
  ``rival``); ``pub1`` also holds a token scoped to ``elsewhere`` only.
- dead tokens of ``owner1``: one expired, one revoked (through the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from registry_samples import nested, tar_gz, template

from registry.db.models import utcnow

SECRET = "acme/secret"


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@dataclass(frozen=True)
class World:
    tokens: dict[str, str | None]  # caller kind -> token (None: anonymous)
    admin: str


async def must(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def set_policy(api: httpx.AsyncClient, app: str, token: str, **body: Any) -> Any:
    return await must(await api.put(f"/v1/apps/{app}/policy", json=body, headers=bearer(token)))


async def revoke_own(api: httpx.AsyncClient, token: str) -> None:
    listed = await must(await api.get("/v1/tokens", headers=bearer(token)))
    mine = next(t for t in listed["tokens"] if token.startswith(t["prefix"]))
    await must(await api.delete(f"/v1/tokens/{mine['id']}", headers=bearer(token)))


async def build(api: httpx.AsyncClient, publish: Any, factory: Any, admin: str) -> World:
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "other_user": factory("strangerns", user="stranger"),
        "other_org_member": factory("rival", user="rival-dev"),
        "reader": factory("acme", scope="read", user="reader1"),
        "publisher": factory("acme", scope="publish", user="pub1"),
        "owner": factory("acme", scope="admin", user="owner1"),
        "expired": factory(
            "acme", scope="admin", user="owner1", expires_at=utcnow() - timedelta(minutes=1)
        ),
        "revoked": factory("acme", scope="admin", user="owner1"),
        "scoped_elsewhere": factory("elsewhere", scope="publish", user="pub1"),
    }
    await must(await publish("acme", "base", "1.0.0", template(name="base")), 201)
    parent = template(name="secret", extra_resources=nested("Base", "acme/base", "^1.0.0"))
    bundle = tar_gz({"template.yaml": parent.encode()})
    await must(await publish("acme", "secret", "1.0.0", parent, bundle=bundle), 201)
    await set_policy(api, SECRET, admin, visibility="private")
    revoked = tokens["revoked"]
    assert revoked is not None
    await revoke_own(api, revoked)
    return World(tokens, admin)

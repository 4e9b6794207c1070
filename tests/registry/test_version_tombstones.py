"""Versions are immutable forever, deletion included (issue 13, item 10).

After ``DELETE /v1/apps/acme/app``, ``1.0.0`` may be published again only with the same
template, bundle and template path; any other content is 409 ``version_exists`` and stores
nothing, so a lockfile pinning the old digest never meets other bytes under that version.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa
from registry_samples import template

from registry.db.session import Database
from registry.settings import Settings

APP = "acme/tool"


def bundle(text: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo("src/app.py")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return out.getvalue()


async def delete(api: httpx.AsyncClient, token: str) -> None:
    response = await api.delete(f"/v1/apps/{APP}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


async def tombstones(settings: Settings) -> list[tuple[str, ...]]:
    database = Database(settings.database_url)
    try:
        async with database.reader() as session:
            query = "SELECT namespace, app, version, digest FROM version_tombstones ORDER BY 3"
            return [tuple(row) for row in (await session.execute(sa.text(query))).all()]
    finally:
        await database.dispose()


async def test_a_deleted_version_comes_back_only_with_the_same_bytes(
    api: httpx.AsyncClient,
    publish: Callable[..., Awaitable[httpx.Response]],
    admin_token: str,
    settings: Settings,
    stored: Callable[[], Awaitable[Any]],
) -> None:
    original = template(name="tool", marker="original")
    first = await publish("acme", "tool", "1.0.0", original)
    assert first.status_code == 201, first.text
    digest = first.json()["digest"]
    assert (await publish("acme", "tool", "1.1.0", template(name="tool"))).status_code == 201
    await delete(api, admin_token)
    assert [row[2:] for row in await tombstones(settings)] == [
        ("1.0.0", digest),
        ("1.1.0", (await tombstones(settings))[1][3]),
    ]
    before = await stored()
    other = await publish("acme", "Tool", "1.0.0", template(name="Tool", marker="evil"))
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "version_exists"
    assert "deleted" in other.json()["error"]["message"]
    assert await stored() == before
    fresh = await publish("acme", "tool", "2.0.0", template(name="tool", marker="new"))
    assert fresh.status_code == 201, fresh.text  # other versions are free
    same = await publish("acme", "tool", "1.0.0", original)
    assert same.status_code == 201, same.text
    assert same.json()["digest"] == digest
    # Deleted again: the tombstone stays as it was, and the rule with it.
    await delete(api, admin_token)
    assert (await publish("acme", "tool", "1.0.0", template(name="tool"))).status_code == 409
    assert (await publish("acme", "tool", "1.0.0", original)).status_code == 201


async def test_the_bundle_and_template_path_are_content_too(
    api: httpx.AsyncClient,
    publish: Callable[..., Awaitable[httpx.Response]],
    admin_token: str,
) -> None:
    body = template(name="tool")
    code = bundle(b"print('v1')\n")
    assert (await publish("acme", "tool", "1.0.0", body, bundle=code)).status_code == 201
    await delete(api, admin_token)
    other_code = await publish("acme", "tool", "1.0.0", body, bundle=bundle(b"print('x')\n"))
    assert other_code.status_code == 409, other_code.text
    no_code = await publish("acme", "tool", "1.0.0", body)
    assert no_code.status_code == 409, no_code.text
    placed = await publish(
        "acme", "tool", "1.0.0", body, bundle=code, extra={"template_path": "sam/template.yaml"}
    )
    assert placed.status_code == 409, placed.text
    assert (await publish("acme", "tool", "1.0.0", body, bundle=code)).status_code == 201

"""What a publish answers and what it leaves behind, now that it writes in few statements.

The 201 answer is built from the values just stored, not read back: it must equal the version
document a later GET reads. A publish moves ``latest`` only to a higher release, describes the
app (metadata, search document) only from the version ``latest`` points at (or the newest when
there is none), and marks the app changed (``updated_at``) every time.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from registry_samples import local_nested, nested, tar_gz, template

from registry.db.session import Database

APP = "/v1/apps/acme/demo"


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def _app(api: httpx.AsyncClient) -> dict[str, Any]:
    return await _ok(await api.get(APP))


async def _found(api: httpx.AsyncClient, word: str) -> list[str]:
    body = await _ok(await api.get(f"/v1/apps?q={word}"))
    return [result["application"] for result in body["results"]]


async def test_answer_equals_the_stored_document(api, publish):
    await _ok(await publish("acme", "child", "1.2.0", template(name="child")))
    resources = (
        nested("Child", "acme/child", "^1.0.0")
        + local_nested("Local", "nested/inner.yaml")
        + nested("Sar", "arn:aws:serverlessrepo:us-east-1:123456789012:applications/x", "1.0.0")
    )
    bundle = tar_gz({"sam/app/template.yaml": b"x", "sam/app/nested/inner.yaml": b"y"})
    arguments = ("acme", "Demo", "2.0.0-rc.1+build.7", template(extra_resources=resources))
    options = {
        "bundle": bundle,
        "readme": "# Read me",
        "license": "MIT text",
        "metadata": {"home_page_url": "https://example.com/demo"},
        "extra": {"template_path": "sam/app/template.yaml"},
    }
    response = await publish(*arguments, **options)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert [d["logical_id"] for d in answer["dependencies"]] == ["Child", "Local", "Sar"]
    assert answer["bundle_url"] and answer["template_path"] == "sam/app/template.yaml"
    stored = await _ok(await api.get(f"{APP}/versions/2.0.0-rc.1+build.7"))
    assert answer == stored
    retry = await publish(*arguments, **options)  # the same publish again
    assert retry.status_code == 200 and retry.json() == stored


async def test_only_the_latest_release_describes_the_app(api, publish):
    async def release(version: str, description: str, readme: str) -> None:
        body = template(marker=version)
        metadata = {"description": description}
        await _ok(await publish("acme", "demo", version, body, metadata=metadata, readme=readme))

    await release("2.0.0", "second", "zebra")
    before = await _app(api)
    await release("1.5.0", "older", "walrus")  # lower: latest stays, the app is still 2.0.0's
    after = await _app(api)
    assert after["dist_tags"] == {"latest": "2.0.0"}
    assert after["description"] == "second"
    assert after["updated_at"] > before["updated_at"]  # changed all the same (caches drop it)
    assert await _found(api, "zebra") == ["acme/demo"]
    assert await _found(api, "walrus") == []

    await release("3.0.0-beta.1", "beta", "narwhal")  # prerelease: latest stays
    assert (await _app(api))["description"] == "second"
    assert await _found(api, "narwhal") == []

    await release("3.0.0", "third", "narwhal")  # higher release: describes the app now
    app = await _app(api)
    assert app["dist_tags"] == {"latest": "3.0.0"} and app["description"] == "third"
    assert await _found(api, "narwhal") == ["acme/demo"]
    assert await _found(api, "zebra") == []


async def test_build_metadata_tie_goes_to_the_later_release(api, publish):
    await _ok(await publish("acme", "demo", "1.0.0+a", template(marker="a")))
    await _ok(await publish("acme", "demo", "1.0.0+b", template(marker="b")))
    assert (await _app(api))["dist_tags"] == {"latest": "1.0.0+b"}


async def test_prereleases_only_the_newest_describes_the_app(api, publish):
    for version, word in (("1.0.0-alpha", "first"), ("0.9.0-beta", "second")):
        body = template(marker=version)
        metadata = {"description": word}
        await _ok(await publish("acme", "demo", version, body, metadata=metadata, readme=word))
    app = await _app(api)
    assert app["dist_tags"] == {} and app["description"] == "second"  # newest, not highest
    assert await _found(api, "second") == ["acme/demo"]
    assert await _found(api, "first") == []


async def test_explicit_latest_is_not_moved_nor_described_over(api, publish, admin_token):
    await _ok(await publish("acme", "demo", "1.0.0", template(), metadata={"description": "one"}))
    pin = await api.put(
        f"{APP}/dist-tags/latest",
        json={"version": "1.0.0"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert pin.status_code == 200, pin.text
    body = template(marker="two")
    await _ok(await publish("acme", "demo", "2.0.0", body, metadata={"description": "two"}))
    app = await _app(api)
    assert app["dist_tags"] == {"latest": "1.0.0"} and app["description"] == "one"


async def test_a_yanked_latest_is_followed_past(api, publish, admin_token):
    for version in ("1.0.0", "2.0.0"):
        await _ok(await publish("acme", "demo", version, template(marker=version)))
    yank = await api.post(
        f"{APP}/versions/2.0.0/yank", headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert yank.status_code == 200, yank.text
    assert (await _app(api))["dist_tags"] == {"latest": "1.0.0"}
    await _ok(await publish("acme", "demo", "1.5.0", template(marker="1.5.0")))
    assert (await _app(api))["dist_tags"] == {"latest": "1.5.0"}


_PROBE = [
    "CREATE TABLE publish_probe (tbl text, app_id bigint, tx bigint)",
    "CREATE FUNCTION publish_probe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO publish_probe VALUES"
    " (TG_TABLE_NAME, (to_jsonb(NEW) ->> TG_ARGV[0])::bigint, txid_current());"
    " RETURN NULL; END $$",
    "CREATE TRIGGER probe_apps AFTER UPDATE ON apps"
    " FOR EACH ROW EXECUTE FUNCTION publish_probe('id')",
    "CREATE TRIGGER probe_versions AFTER INSERT ON versions"
    " FOR EACH ROW EXECUTE FUNCTION publish_probe('app_id')",
]


async def test_every_publish_updates_its_app_row_in_its_own_transaction(settings, publish):
    """What other workers' caches rely on (PostgreSQL triggers on ``UPDATE apps``)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("transaction ids: PostgreSQL (SQLite has no notifying triggers)")
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            for statement in _PROBE:
                await session.execute(sa.text(statement))
            await session.commit()
        for version in ("1.0.0", "2.0.0", "1.5.0", "3.0.0-beta.1"):  # new app, move, neither
            await _ok(await publish("acme", "demo", version, template(marker=version)))
        assert (await publish("acme", "demo", "1.5.0", template(marker="1.5.0"))).status_code == 200
        assert (await publish("acme", "demo", "1.5.0", template(marker="x"))).status_code == 409
        async with database.reader() as session:
            rows = (
                await session.execute(sa.text("SELECT tbl, app_id, tx FROM publish_probe"))
            ).all()
    finally:
        await database.dispose()
    inserts = {(app_id, tx) for table, app_id, tx in rows if table == "versions"}
    updates = {(app_id, tx) for table, app_id, tx in rows if table == "apps"}
    assert len(inserts) == 4
    assert inserts <= updates


async def test_dry_run_answers_its_declared_fields_and_stores_nothing(api, publish, admin_token):
    """The validate-only answer (``registry.publish.shapes.DryRun``): every field, before and
    after the version exists; nothing is stored by it."""
    body = template(extra_resources=nested("Child", "acme/child", "^1.0.0"))
    await _ok(await publish("acme", "child", "1.0.0", template(name="child")))

    async def dry_run() -> dict[str, Any]:
        files = {"template": ("template.yaml", body.encode(), "application/x-yaml")}
        answer = await api.put(
            f"{APP}/versions/1.0.0",
            params={"dry_run": "true"},
            files=files,
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        return await _ok(answer)

    first = await dry_run()
    digest = first.pop("digest")
    assert digest.startswith("sha256:")
    assert first == {
        "dry_run": True,
        "application": "acme/demo",
        "version": "1.0.0",
        "would_create": True,
        "capabilities": ["CAPABILITY_AUTO_EXPAND"],  # it nests an application
        "dependencies": 1,
    }
    assert (await api.get(APP)).status_code == 404
    await _ok(await publish("acme", "demo", "1.0.0", body))
    assert (await dry_run())["would_create"] is False

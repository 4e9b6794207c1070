"""Concurrent publishes of one version: exactly one wins; identical retries all succeed."""

from __future__ import annotations

import asyncio

from registry_samples import template

N = 32


async def test_concurrent_different_bytes_one_wins(publish, stored):
    responses = await asyncio.gather(
        *(publish("acme", "demo", "1.0.0", template(marker=f"m{i}")) for i in range(N))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (N - 1), [r.text for r in responses if r.status_code >= 500]
    assert all(
        r.json()["error"]["code"] == "version_exists" for r in responses if r.status_code == 409
    )
    counts = await stored()
    assert (counts.apps, counts.versions) == (1, 1)


async def test_concurrent_identical_bytes_all_succeed(api, publish, stored):
    responses = await asyncio.gather(
        *(publish("acme", "demo", "1.0.0", template()) for _ in range(N))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (N - 1) + [201]
    digests = {r.json()["digest"] for r in responses}
    assert len(digests) == 1
    counts = await stored()
    assert (counts.apps, counts.versions, counts.blobs) == (1, 1, 1)


async def test_concurrent_first_publishes_of_different_versions(api, publish):
    versions = [f"1.{i}.0" for i in range(8)]
    responses = await asyncio.gather(
        *(publish("acme", "demo", v, template(marker=v)) for v in versions)
    )
    assert [r.status_code for r in responses] == [201] * len(versions)
    app_doc = (await api.get("/v1/apps/acme/demo")).json()
    assert app_doc["dist_tags"]["latest"] == "1.7.0"
    assert len(app_doc["versions"]) == len(versions)

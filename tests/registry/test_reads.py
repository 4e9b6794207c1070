"""Reads: immutable template caching, bundles, download counts, PATCH, health."""

from __future__ import annotations

import hashlib

from registry_samples import tar_gz, template


async def test_template_bytes_etag_and_immutable_caching(api, publish):
    body = template()
    assert (await publish("acme", "demo", "1.0.0", body)).status_code == 201
    url = "/v1/apps/acme/demo/versions/1.0.0/template"
    response = await api.get(url)
    assert response.status_code == 200
    assert response.content == body.encode()
    etag = '"sha256:' + hashlib.sha256(body.encode()).hexdigest() + '"'
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    cached = await api.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    other = await api.get(url, headers={"If-None-Match": '"sha256:00"'})
    assert other.status_code == 200


async def test_documents_revalidate_with_etag(api, publish):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    first = await api.get("/v1/apps/acme/demo")
    again = await api.get("/v1/apps/acme/demo", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_missing_things_are_404(api, publish):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    cases = {
        "/v1/apps/acme/nope": "app_not_found",
        "/v1/apps/acme/demo/versions/9.9.9": "version_not_found",
        "/v1/apps/acme/demo/versions/9.9.9/template": "version_not_found",
        "/v1/apps/acme/demo/versions/1.0.0/bundle": "bundle_not_found",
    }
    for path, code in cases.items():
        response = await api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == code


async def test_downloads_are_counted_in_memory_then_flushed(app, api, publish):
    bundle = tar_gz({"src/index.js": b"ok"})
    assert (await publish("acme", "demo", "1.0.0", template(), bundle=bundle)).status_code == 201
    assert (await publish("acme", "demo", "1.1.0", template(marker="x"))).status_code == 201
    base = "/v1/apps/acme/demo/versions"
    for path in ("1.0.0/template", "1.0.0/template", "1.0.0/bundle", "1.1.0/template"):
        assert (await api.get(f"{base}/{path}")).status_code == 200
    before = (await api.get("/v1/apps/acme/demo")).json()
    assert before["downloads"] == 0  # nothing written on the read path
    await app.state.registry.downloads.flush()
    after = (await api.get("/v1/apps/acme/demo")).json()
    assert after["downloads"] == 4
    assert {v["version"]: v["downloads"] for v in after["versions"]} == {"1.0.0": 3, "1.1.0": 1}
    version = (await api.get(f"{base}/1.0.0")).json()
    assert version["downloads"] == 3


async def test_patch_updates_fields(api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    headers = {"Authorization": f"Bearer {admin_token}"}
    change = {"description": "New", "labels": ["a", "b"], "home_page_url": "https://x.example"}
    response = await api.patch("/v1/apps/acme/demo", json=change, headers=headers)
    assert response.status_code == 200, response.text
    doc = (await api.get("/v1/apps/acme/demo")).json()
    assert {k: doc[k] for k in change} == change


async def test_patch_refuses_bad_fields(api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    headers = {"Authorization": f"Bearer {admin_token}"}
    cases = [
        ({"visibility": "secret"}, "invalid_visibility"),
        ({"labels": "a"}, "invalid_metadata"),
        ({"labels": ["has space"]}, "invalid_metadata"),
        ({"name": "x"}, "invalid_patch"),
        ([], "invalid_patch"),
    ]
    for body, code in cases:
        response = await api.patch("/v1/apps/acme/demo", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == code
    raw = await api.patch(
        "/v1/apps/acme/demo", content=b"{", headers={**headers, "Content-Type": "application/json"}
    )
    assert raw.status_code == 400 and raw.json()["error"]["code"] == "invalid_json"
    text = await api.patch("/v1/apps/acme/demo", content=b"x", headers=headers)
    assert text.status_code == 415
    doc = (await api.get("/v1/apps/acme/demo")).json()
    assert doc["visibility"] == "public" and doc["description"] == "A demo app"


async def test_healthz(api):
    response = await api.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_cached_documents_follow_lifecycle_changes(api, publish, admin_token):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    assert (await publish("acme", "demo", "1.1.0", template(marker="b"))).status_code == 201
    before = (await api.get("/v1/apps/acme/demo")).json()  # now cached
    assert before["dist_tags"]["latest"] == "1.1.0"
    assert (await api.get("/v1/apps/acme/demo/versions/1.1.0")).json()["yanked"] is False
    yank = await api.post(
        "/v1/apps/acme/demo/versions/1.1.0/yank",
        json={"reason": "broken"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert yank.status_code == 200, yank.text
    after = (await api.get("/v1/apps/acme/demo")).json()
    assert after["dist_tags"]["latest"] == "1.0.0"
    assert [v["yanked"] for v in after["versions"]] == [False, True]
    version = (await api.get("/v1/apps/acme/demo/versions/1.1.0")).json()
    assert (version["yanked"], version["yanked_reason"]) == (True, "broken")

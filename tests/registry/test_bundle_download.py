"""Bundle downloads are streamed from the blob store with the same body and headers as before:
``ETag`` = digest, immutable ``Cache-Control``, 304 on ``If-None-Match``, a counted download."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import httpx
from registry_samples import tar_gz, template
from starlette.applications import Starlette

from registry.blobs.local import CHUNK

# Random bytes do not compress: the bundle spans several streamed pieces.
BUNDLE = tar_gz({"src/blob.bin": os.urandom(3 * CHUNK + 123), "src/app.py": b"print(1)\n"})
DIGEST = "sha256:" + hashlib.sha256(BUNDLE).hexdigest()
URL = "/v1/apps/acme/demo/versions/1.0.0/bundle"


async def _published(publish: Any) -> None:
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE)
    assert response.status_code == 201, response.text


async def test_the_bundle_streams_with_its_bytes_and_headers(
    api: httpx.AsyncClient, publish: Any, app: Starlette
) -> None:
    await _published(publish)
    response = await api.get(URL)
    assert response.status_code == 200
    assert response.content == BUNDLE
    assert dict(response.headers) == {
        "etag": f'"{DIGEST}"',
        "cache-control": "public, max-age=31536000, immutable",
        "content-type": "application/gzip",
        "content-length": str(len(BUNDLE)),
    }
    assert app.state.registry.downloads.pending == 1


async def test_a_matching_etag_answers_304_without_a_body_or_a_download(
    api: httpx.AsyncClient, publish: Any, app: Starlette
) -> None:
    await _published(publish)
    response = await api.get(URL, headers={"If-None-Match": f'"{DIGEST}"'})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{DIGEST}"'
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert app.state.registry.downloads.pending == 0


async def test_a_private_bundle_is_privately_cacheable_and_downloads_are_counted(
    api: httpx.AsyncClient, publish: Any, admin_token: str, app: Starlette
) -> None:
    await _published(publish)
    auth = {"Authorization": f"Bearer {admin_token}"}
    policy = await api.put(
        "/v1/apps/acme/demo/policy", json={"visibility": "private"}, headers=auth
    )
    assert policy.status_code == 200, policy.text
    for _ in range(2):
        response = await api.get(URL, headers=auth)
        assert response.content == BUNDLE
        assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert (await api.get(URL)).status_code == 404
    await app.state.registry.downloads.flush()
    document = await api.get("/v1/apps/acme/demo/versions/1.0.0", headers=auth)
    assert document.json()["downloads"] == 2

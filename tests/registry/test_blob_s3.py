"""The s3:// blob store against a real S3 endpoint (moto's server on 127.0.0.1): publish, read,
bundle download direct and by presigned redirect, and a store that does not answer."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import socket
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from registry.app import create_app
from registry.blobs.store import key_of
from registry.settings import Settings

TEMPLATE = b"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
"""


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


BUNDLE = tar_gz({"src/app.py": b"def handler(e, c):\n    return 1\n", "src/blob.bin": b"x" * 70000})


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def settings(settings: Settings, s3_bucket: str) -> Settings:
    return dataclasses.replace(settings, blob_url=f"s3://{s3_bucket}/blobs")


def bucket_keys(s3_server: Any, bucket: str) -> list[str]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


async def test_publish_and_read_through_the_bucket(
    api: httpx.AsyncClient,
    publish: Callable[..., Awaitable[httpx.Response]],
    settings: Settings,
    s3_server: Any,
    s3_bucket: str,
) -> None:
    answer = await publish("acme", "demo", "1.0.0", TEMPLATE, bundle=BUNDLE)
    assert answer.status_code == 201, answer.text
    digest, bundle_digest = sha(TEMPLATE), sha(BUNDLE)
    assert bucket_keys(s3_server, s3_bucket) == sorted(
        f"blobs/sha256/{d[7:9]}/{d[7:]}" for d in (digest, bundle_digest)
    )
    assert not settings.blob_dir.exists()  # nothing on the local disk
    base = "/v1/apps/acme/demo/versions/1.0.0"
    template = await api.get(f"{base}/template")
    assert template.status_code == 200 and template.content == TEMPLATE
    bundle = await api.get(f"{base}/bundle")
    assert bundle.status_code == 200 and bundle.content == BUNDLE
    assert bundle.headers["etag"] == f'"{bundle_digest}"'
    assert bundle.headers["content-length"] == str(len(BUNDLE))


@pytest.fixture
async def redirecting(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application: Starlette = create_app(dataclasses.replace(settings, bundle_redirect=True))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_bundle_download_redirects_to_a_presigned_url(
    publish: Callable[..., Awaitable[httpx.Response]],
    redirecting: httpx.AsyncClient,
    s3_server: Any,
) -> None:
    assert (await publish("acme", "demo", "1.0.0", TEMPLATE, bundle=BUNDLE)).status_code == 201
    answer = await redirecting.get("/v1/apps/acme/demo/versions/1.0.0/bundle")
    assert answer.status_code == 307
    assert answer.headers["cache-control"] == "no-store"
    location = answer.headers["location"]
    assert location.startswith(s3_server.endpoint + "/") and "X-Amz-Signature=" in location
    async with httpx.AsyncClient() as anyone:  # no credentials: the URL is the permission
        fetched = await anyone.get(location)
        assert fetched.status_code == 200 and fetched.content == BUNDLE
    # A version without a bundle, and a missing one, still answer 404 as JSON.
    missing = await redirecting.get("/v1/apps/acme/demo/versions/9.9.9/bundle")
    assert missing.status_code == 404 and missing.json()["error"]["code"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_store_answers_503_and_stores_nothing(
    settings: Settings,
    admin_token: str,
    stored: Callable[[], Awaitable[Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{closed_port()}")
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            files = {
                "template": ("template.yaml", TEMPLATE, "application/x-yaml"),
                "bundle": ("bundle.tar.gz", BUNDLE, "application/gzip"),
            }
            answer = await api.put(
                "/v1/apps/acme/demo/versions/1.0.0",
                files=files,
                headers={"Authorization": f"Bearer {admin_token}"},
            )
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "blob_store_unavailable"
            assert answer.headers["retry-after"]
            assert (await api.get("/v1/apps/acme/demo")).status_code == 404
    counts = await stored()
    assert (counts.apps, counts.versions, counts.dependencies, counts.blobs) == (0, 0, 0, 0)


async def test_a_publish_dying_between_its_objects_leaves_no_version(
    app: Starlette,
    publish: Callable[..., Awaitable[httpx.Response]],
    api: httpx.AsyncClient,
    settings: Settings,
    stored: Callable[[], Awaitable[Any]],
    s3_server: Any,
    s3_bucket: str,
) -> None:
    """Objects are written before the row commits: the row is invisible while they are written,
    and a publish that fails after its first object leaves that object unreferenced (for gc),
    never a version without its bytes."""
    from registry.blobs.fsck import check
    from registry.blobs.store import BlobStoreUnavailable

    state = app.state.registry
    real_put = state.blobs.put
    rows_seen: list[int] = []

    async def dying_put(data: bytes) -> str:
        rows_seen.append((await stored()).versions)  # from another connection
        if data == BUNDLE:
            raise BlobStoreUnavailable("the store went away mid-publish")
        return await real_put(data)

    state.blobs.put = dying_put
    answer = await publish("acme", "demo", "1.0.0", TEMPLATE, bundle=BUNDLE)
    assert answer.status_code == 503 and rows_seen == [0, 0]
    assert (await api.get("/v1/apps/acme/demo/versions/1.0.0")).status_code == 404
    assert bucket_keys(s3_server, s3_bucket) == [f"blobs/{key_of(sha(TEMPLATE))}"]
    now = datetime.now(UTC)
    report = await check(
        state.database, state.blobs, verify=True, repair=False, grace=timedelta(0), now=now
    )
    assert report.healthy and [o.key for o in report.unreferenced] == [key_of(sha(TEMPLATE))]

    state.blobs.put = real_put  # the retry succeeds and references what the first one left
    assert (await publish("acme", "demo", "1.0.0", TEMPLATE, bundle=BUNDLE)).status_code == 201
    report = await check(
        state.database, state.blobs, verify=True, repair=False, grace=timedelta(0), now=now
    )
    assert report.healthy and report.unreferenced == [] and report.verified == 2

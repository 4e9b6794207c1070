"""``nestry-registry fsck`` and ``gc`` as operators run them (real processes), on the s3://
store (moto's S3 server) and on local files."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.settings import Settings

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = b"Transform: AWS::Serverless-2016-10-31\nResources: {Q: {Type: AWS::SNS::Topic}}\n"


def key(data: bytes) -> str:
    hexdigest = hashlib.sha256(data).hexdigest()
    return f"sha256/{hexdigest[:2]}/{hexdigest}"


class Raw:
    """Direct access to the store's objects, around the registry (as damage would come)."""

    def __init__(self, settings: Settings, s3: Any | None, bucket: str | None) -> None:
        self.settings, self.s3, self.bucket = settings, s3, bucket

    def write(self, name: str, data: bytes) -> None:
        if self.s3 is not None:
            self.s3.put_object(Bucket=self.bucket, Key=f"blobs/{name}", Body=data)
            return
        path = self.settings.blob_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def remove(self, name: str) -> None:
        if self.s3 is not None:
            self.s3.delete_object(Bucket=self.bucket, Key=f"blobs/{name}")
        else:
            (self.settings.blob_dir / name).unlink()

    def keys(self) -> set[str]:
        if self.s3 is not None:
            listed = self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
            return {item["Key"].removeprefix("blobs/") for item in listed}
        root = self.settings.blob_dir
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(params=["s3", "file"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "file":
        return settings
    bucket = request.getfixturevalue("s3_bucket")
    return dataclasses.replace(settings, blob_url=f"s3://{bucket}/blobs")


@pytest.fixture
def raw(settings: Settings, backend: str, request: pytest.FixtureRequest) -> Raw:
    if backend == "file":
        return Raw(settings, None, None)
    server = request.getfixturevalue("s3_server")
    return Raw(settings, server.client(), request.getfixturevalue("s3_bucket"))


def registry_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NESTRY_")}
    env.update(
        NESTRY_DATABASE_URL=settings.database_url,
        NESTRY_DATA_DIR=str(settings.data_dir),
        NESTRY_MIGRATIONS_DIR=str(ROOT / "alembic"),
    )
    if settings.blob_url:
        env["NESTRY_BLOB_URL"] = settings.blob_url
    command = [str(BIN / "nestry-registry"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def test_fsck_finds_damage_and_gc_removes_only_old_unreferenced_objects(
    publish: Callable[..., Awaitable[httpx.Response]], settings: Settings, raw: Raw
) -> None:
    assert (await publish("acme", "demo", "1.0.0", TEMPLATE)).status_code == 201
    second = TEMPLATE + b"# 2\n"
    assert (await publish("acme", "demo", "1.0.1", second)).status_code == 201
    healthy = registry_cli(settings, "fsck", "--json")
    assert healthy.returncode == 0, healthy.stderr
    report = json.loads(healthy.stdout)
    assert (report["objects"], report["verified"], report["healthy"]) == (2, 2, True)
    assert report["missing"] == report["corrupt"] == report["unreferenced"] == []

    raw.write(key(TEMPLATE), b"not the template")  # damaged
    raw.remove(key(second))  # lost
    raw.write(key(b"orphan"), b"orphan")  # a publish that died before its commit
    raw.write("sha256/ab/.tmp-left-by-a-crash", b"partial")
    damaged = registry_cli(settings, "fsck", "--json")
    assert damaged.returncode == 1
    report = json.loads(damaged.stdout)
    assert report["corrupt"] == [key(TEMPLATE)]
    digest = "sha256:" + hashlib.sha256(second).hexdigest()
    assert report["missing"] == [
        {"version": "acme/demo@1.0.1", "what": "template", "digest": digest}
    ]
    unreferenced = {item["key"]: item["removed"] for item in report["unreferenced"]}
    assert unreferenced == {key(b"orphan"): False, "sha256/ab/.tmp-left-by-a-crash": False}
    text = registry_cli(settings, "fsck")
    assert text.returncode == 1 and f"missing: acme/demo@1.0.1 template {digest}" in text.stdout
    assert "hint:" in text.stderr and "Traceback" not in text.stderr

    # Young objects are kept (a publish may be about to reference them) ...
    kept = registry_cli(settings, "gc")
    assert kept.returncode == 0 and raw.keys() >= set(unreferenced)
    # ... and old enough ones go; referenced blobs stay whatever their age or state.
    swept = registry_cli(settings, "gc", "--grace-hours", "0", "--json")
    assert swept.returncode == 0, swept.stderr
    assert {item["key"] for item in json.loads(swept.stdout)["unreferenced"]} == set(unreferenced)
    assert raw.keys() == {key(TEMPLATE)}
    raw.write(key(TEMPLATE), TEMPLATE)
    raw.write(key(second), second)
    after = registry_cli(settings, "fsck", "--repair", "--grace-hours", "0")
    assert after.returncode == 0 and after.stdout.startswith("2 object(s) in the store, 2 verified")


async def test_dry_run_removes_nothing(
    publish: Callable[..., Awaitable[httpx.Response]], settings: Settings, raw: Raw
) -> None:
    raw.write(key(b"orphan"), b"orphan")
    listed = registry_cli(settings, "gc", "--dry-run", "--grace-hours", "0")
    assert listed.returncode == 0 and "unreferenced: " + key(b"orphan") in listed.stdout
    assert "kept" in listed.stdout and raw.keys() == {key(b"orphan")}


def test_unreachable_store_is_a_one_line_error(
    settings: Settings, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "file":
        pytest.skip("local files are always reachable")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # discard: nothing answers
    result = registry_cli(settings, "fsck")
    assert result.returncode == 1
    assert "blob store is unavailable" in result.stderr and "Traceback" not in result.stderr

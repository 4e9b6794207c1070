"""`nestry install` (the real CLI, in its own process) against a registry whose blobs live in an
S3 bucket (moto's server) and which answers bundle downloads with presigned redirects."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from install_support import user_template
from test_install_bundle_e2e import APP_TEMPLATE, bundle

from client.api.client import RegistryClient
from client.names import parse_app_id
from registry.settings import Settings

BIN = Path(sys.executable).parent


@pytest.fixture
def settings(settings: Settings, s3_bucket: str) -> Settings:
    return dataclasses.replace(settings, blob_url=f"s3://{s3_bucket}/b", bundle_redirect=True)


def nestry(live: Any, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NESTRY_", "AWS_"))}
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        HOME=str(home),
        NESTRY_REGISTRY=live.url,
        NESTRY_TOKEN=live.admin_token,
        NESTRY_CACHE_DIR=str(home / "cache"),
    )
    command = [str(BIN / "nestry"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_install_follows_the_presigned_redirect_and_verifies(
    live_registry: Any, tmp_path: Path, s3_server: Any, s3_bucket: str
) -> None:
    code = bundle()
    with httpx.Client(timeout=30) as http:
        client = RegistryClient(live_registry.url, live_registry.admin_token, http=http)
        status, _ = client.publish(
            parse_app_id("acme/withcode"),
            "1.0.0",
            template=APP_TEMPLATE.encode(),
            metadata={"description": "code", "author": "t"},
            bundle=code,
        )
        assert status == 201
        url = f"{live_registry.url}/v1/apps/acme/withcode/versions/1.0.0/bundle"
        redirect = http.get(url, headers={"Authorization": f"Bearer {live_registry.admin_token}"})
        assert redirect.status_code == 307
        assert redirect.headers["location"].startswith(s3_server.endpoint)
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("Code", "acme/withcode", "^1.0.0", "")))

    installed = nestry(live_registry, tmp_path, "install", "-t", str(template))
    assert installed.returncode == 0, installed.stderr + installed.stdout
    vendored = tmp_path / ".nestry" / "build" / "apps" / "acme" / "withcode" / "1.0.0"
    assert (vendored / "src" / "app.py").read_text().startswith("def handler")

    # Bytes changed behind the registry's back are refused, though they came from the store.
    hexdigest = hashlib.sha256(code).hexdigest()
    s3_server.client().put_object(
        Bucket=s3_bucket, Key=f"b/sha256/{hexdigest[:2]}/{hexdigest}", Body=b"\x1f\x8bnot it"
    )
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "template.yaml").write_text(template.read_text())
    refused = nestry(live_registry, fresh, "install", "-t", str(fresh / "template.yaml"))
    assert refused.returncode != 0
    assert "digest" in (refused.stdout + refused.stderr).lower()
    assert "Traceback" not in refused.stderr
    assert not (fresh / ".nestry" / "build" / "apps" / "acme" / "withcode").exists()

"""Two `nestry-registry serve` processes (replicas) on one PostgreSQL database and one S3
bucket: whatever one accepts, the other answers (answers that check the database at once,
answers from memory as soon as the change feed's notice arrives), and a token revoked on one is
refused by both. PostgreSQL only: replicas on several hosts cannot share an SQLite file."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_deploy import _env, _free_port, _read_token, _running, _wait_healthy

from client.names import parse_app_id

BIN = Path(sys.executable).parent


def template(description: str) -> bytes:
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Metadata:\n  AWS::ServerlessRepo::Application:\n"
        f"    Name: shared\n    Description: {description}\n    Author: t\n"
        "Resources: {Q: {Type: AWS::SNS::Topic}}\n"
    ).encode()


@pytest.fixture(scope="module")
def replicas(
    postgres_clones: Any, s3_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """(url of A, url of B, admin token), both serving for this module's tests (starting two
    servers costs seconds)."""
    tmp_path = tmp_path_factory.mktemp("replicas")
    bucket = f"nestry-{uuid.uuid4().hex[:16]}"
    s3_server.client().create_bucket(Bucket=bucket)
    database_url = postgres_clones.take()
    env = _env(
        NESTRY_DATABASE_URL=database_url,
        NESTRY_BLOB_URL=f"s3://{bucket}/blobs",
        NESTRY_DEFAULT_VISIBILITY="public",
        **s3_server.env,
    )
    urls = []
    token = ""
    try:
        with ExitStack() as stack:
            for name in ("a", "b"):
                port = _free_port()
                data = tmp_path / name  # each its own, empty: nothing is shared through disk
                args = ["nestry-registry", "serve", "--port", str(port), "--no-access-log"]
                server = stack.enter_context(
                    _running(args, {**env, "NESTRY_DATA_DIR": str(data)}, tmp_path)
                )
                if not token:  # the first start on the empty database makes the admin
                    token = _read_token(server)
                url = f"http://127.0.0.1:{port}"
                _wait_healthy(url, server.process)
                urls.append(url)
            yield urls[0], urls[1], token
    finally:
        postgres_clones.release(database_url)


def test_what_one_replica_accepts_the_other_answers_at_once(
    replicas: tuple[str, str, str], tmp_path: Path
) -> None:
    a, b, token = replicas
    auth = {"Authorization": f"Bearer {token}"}
    app = "/v1/apps/acme/shared"
    with httpx.Client(timeout=30) as http:

        def publish(url: str, version: str, description: str) -> None:
            files = {"template": ("template.yaml", template(description), "application/x-yaml")}
            answer = http.put(f"{url}{app}/versions/{version}", files=files, headers=auth)
            assert answer.status_code == 201, answer.text

        publish(a, "1.0.0", "first")
        # B reads (and caches) everything about 1.0.0, anonymous and with a token.
        for headers in ({}, auth):
            assert http.get(b + app, headers=headers).json()["dist_tags"]["latest"] == "1.0.0"
        assert http.get(f"{b}/v1/apps", params={"q": "zeppelin"}).json()["results"] == []

        publish(a, "1.1.0", "zeppelin")
        published = time.monotonic()
        # With a token: immediately, no sleep, no retry (each answer checks its stamp).
        document = http.get(b + app, headers=auth).json()
        assert document["dist_tags"]["latest"] == "1.1.0"
        assert document["description"] == "zeppelin"
        # Anonymous answers come from B's memory, kept exact by the change feed: A's commit
        # reaches B as a PostgreSQL notice, milliseconds later.
        while http.get(b + app).json()["dist_tags"]["latest"] != "1.1.0":
            assert time.monotonic() - published < 1.0, "B kept a stale answer"
            time.sleep(0.005)
        version = http.get(f"{b}{app}/versions/1.1.0").json()
        assert version["version"] == "1.1.0"
        template_bytes = http.get(f"{b}{app}/versions/1.1.0/template").content
        assert template_bytes == template("zeppelin")  # written by A, read from the bucket
        found = http.get(f"{b}/v1/apps", params={"q": "zeppelin"}).json()["results"]
        assert [r["application"] for r in found] == ["acme/shared"]
        assert found[0]["latest_version"] == "1.1.0"
        request = {"requests": [{"application": "acme/shared", "range": "^1.0.0"}]}
        resolved = http.post(f"{b}/v1/resolve", json=request).json()["results"][0]
        assert resolved["version"] == "1.1.0"

    project = tmp_path / "project"
    project.mkdir()
    (project / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Shared:\n"
        "    Type: AWS::Serverless::Application\n    Properties:\n"
        "      Location: {ApplicationId: acme/shared, SemanticVersion: ^1.0.0}\n"
    )
    env = _env(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        NESTRY_REGISTRY=b,
        NESTRY_CACHE_DIR=str(tmp_path / "cache"),
    )
    install = subprocess.run(
        [str(BIN / "nestry"), "install", "--json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode == 0, install.stderr
    assert '"version": "1.1.0"' in install.stdout
    assert parse_app_id("acme/shared").name == "shared"


def test_a_token_revoked_on_one_replica_is_refused_by_both(
    replicas: tuple[str, str, str],
) -> None:
    a, b, token = replicas
    with httpx.Client(timeout=30) as http:
        made = http.post(
            f"{a}/v1/tokens", json={"scope": "read"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert made.status_code == 201, made.text
        doomed = {"Authorization": f"Bearer {made.json()['token']}"}
        for url in (a, b):  # both know it, and cache who it is
            assert http.get(f"{url}/v1/whoami", headers=doomed).status_code == 200
        revoked = http.delete(
            f"{b}/v1/tokens/{made.json()['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        assert revoked.status_code in (200, 204), revoked.text
        revoked_at = time.monotonic()
        # The replica that revoked it refuses it at once; the other as soon as PostgreSQL's
        # notice reaches it (milliseconds), then for good.
        assert http.get(f"{b}/v1/whoami", headers=doomed).status_code == 401
        while http.get(f"{a}/v1/whoami", headers=doomed).status_code != 401:
            assert time.monotonic() - revoked_at < 1.0, "A still accepts a revoked token"
            time.sleep(0.005)
        for url in (a, b):
            assert http.get(f"{url}/v1/whoami", headers=doomed).status_code == 401

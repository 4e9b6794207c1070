"""docker-compose.yml (production shape) and docker-compose.single.yml, checked without a
Docker daemon: their structure, and the replicas' command and environment run for real against
the local PostgreSQL and an S3 server (moto) standing in for MinIO."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from test_deploy import _env, _free_port, _read_token, _running, _wait_healthy

ROOT = Path(__file__).resolve().parents[2]
LONG_RUNNING = {"db", "minio", "registry-a", "registry-b", "lb"}


def compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return document


def test_production_shape() -> None:
    services = compose()["services"]
    assert set(services) == LONG_RUNNING | {"bucket"}
    for name in LONG_RUNNING:
        check = services[name]["healthcheck"]["test"]
        assert check and check[0] in ("CMD", "CMD-SHELL"), name
    a, b = services["registry-a"], services["registry-b"]
    assert a["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "bucket": {"condition": "service_completed_successfully"},
    }
    assert b["depends_on"] == {"registry-a": {"condition": "service_healthy"}}
    assert {a["environment"]["NESTRY_REPLICA"], b["environment"]["NESTRY_REPLICA"]} == {
        "registry-a",
        "registry-b",
    }
    for key in ("NESTRY_DATABASE_URL", "NESTRY_BLOB_URL", "AWS_ENDPOINT_URL_S3"):
        assert a["environment"][key] == b["environment"][key], key  # one database, one bucket
    assert a["command"] == b["command"] and "--workers 2" in a["command"][2]
    assert services["bucket"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    # The bucket the init job makes is the one the replicas use, with MinIO's credentials.
    bucket = re.search(r"s3://([^/]+)/", a["environment"]["NESTRY_BLOB_URL"])
    assert bucket and f"store/{bucket.group(1)}" in services["bucket"]["entrypoint"][2]
    minio = services["minio"]["environment"]
    assert a["environment"]["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
    assert a["environment"]["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    assert a["environment"]["AWS_ENDPOINT_URL_S3"] == "http://minio:9000"
    lb = services["lb"]
    assert set(lb["depends_on"]) == {"registry-a", "registry-b"}
    mount = lb["volumes"][0].split(":")
    nginx = (ROOT / mount[0]).read_text()
    upstream = re.findall(r"^\s*server (\S+):8000", nginx, re.M)
    assert upstream == ["registry-a", "registry-b"]
    body_limit = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert body_limit and int(body_limit.group(1)) * 2**20 > 50 * 2**20  # a 50 MiB bundle fits


def test_single_container_file() -> None:
    services = compose("docker-compose.single.yml")["services"]
    assert list(services) == ["registry"]
    registry = services["registry"]
    assert "depends_on" not in registry and "healthcheck" in registry
    assert not any(k in registry["environment"] for k in ("NESTRY_DATABASE_URL", "NESTRY_BLOB_URL"))


def test_replica_command_serves_from_the_bucket(
    tmp_path: Path, empty_postgres_url: str, s3_server: Any, s3_bucket: str
) -> None:
    """registry-a's command and environment, with the hosts swapped for the local ones."""
    service = compose()["services"]["registry-a"]
    port = _free_port()
    script = service["command"][2].replace("--host 0.0.0.0", "--host 127.0.0.1")
    script = script.replace("--port 8000", f"--port {port}")
    env = _env(**{k: str(v) for k, v in service["environment"].items()})
    env.update(
        NESTRY_DATABASE_URL=empty_postgres_url,
        NESTRY_DATA_DIR=str(tmp_path / "data"),
        NESTRY_PUBLIC_URL=f"http://127.0.0.1:{port}",
        NESTRY_BLOB_URL=env["NESTRY_BLOB_URL"].replace("s3://nestry/", f"s3://{s3_bucket}/"),
        **s3_server.env,
    )
    url = f"http://127.0.0.1:{port}"
    with _running(["sh", "-c", script], env, tmp_path) as process:
        token = _read_token(process)
        _wait_healthy(url, process)
        template = b"Resources: {Q: {Type: AWS::SNS::Topic}}\n"
        files = {"template": ("template.yaml", template, "application/x-yaml")}
        auth = {"Authorization": f"Bearer {token}"}
        put = httpx.put(f"{url}/v1/apps/acme/demo/versions/1.0.0", files=files, headers=auth)
        assert put.status_code == 201, put.text
        metrics = httpx.get(f"{url}/metrics").text
        assert 'replica="registry-a"' in metrics
    keys = s3_server.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [item["Key"].split("/")[0] for item in keys] == ["blobs"]
    assert not (tmp_path / "data" / "blobs").exists()

"""docker-compose.yml (production shape) and docker-compose.single.yml, checked without a
Docker daemon: their structure, and the replicas' command and environment run for real against
the local PostgreSQL and an S3 server (moto) standing in for MinIO."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from test_deploy import TOKEN_RE, _env, _free_port, _running, _wait_healthy, first_admin_token

ROOT = Path(__file__).resolve().parents[2]
FILES = ("docker-compose.yml", "docker-compose.single.yml")
LONG_RUNNING = {"db", "minio", "registry-a", "registry-b", "lb"}
SECRETS = ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD")
# Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a literal $.
_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


def compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    """The file as written (variables not substituted)."""
    document: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return document


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """``text`` as Compose substitutes it from ``env``; ``ValueError`` where a ``:?``
    variable is unset or empty (Compose refuses to start then)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$$"  # stays for the container's shell
        name, operator, word = match.groups()
        value = env.get(name, "")
        if operator == ":?" and not value:
            raise ValueError(f"{name}: {word}")
        return value or (word if operator == ":-" else "")

    return _VARIABLE.sub(one, text)


def compose_with(env: Mapping[str, str], name: str = "docker-compose.yml") -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(interpolate((ROOT / name).read_text(), env))
    return document


def filled_env() -> dict[str, str]:
    """.env.example with the passwords an operator would set."""
    return {**env_example(), "POSTGRES_PASSWORD": "pgsecret0", "MINIO_ROOT_PASSWORD": "s3secret0"}


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
        _wait_healthy(url, process)
        token = first_admin_token(env, tmp_path)
        template = b"Resources: {Q: {Type: AWS::SNS::Topic}}\n"
        files = {"template": ("template.yaml", template, "application/x-yaml")}
        auth = {"Authorization": f"Bearer {token}"}
        put = httpx.put(f"{url}/v1/apps/acme/demo/versions/1.0.0", files=files, headers=auth)
        assert put.status_code == 201, put.text
        # Two workers: the one scraped sums the other's snapshot, written every second
        # (registry/serving/metrics_files.py), so on a busy machine the sample may lag.
        deadline = time.monotonic() + 30
        while 'replica="registry-a"' not in (metrics := httpx.get(f"{url}/metrics").text):
            assert time.monotonic() < deadline, metrics
            time.sleep(0.2)
    assert not TOKEN_RE.search(process.rest)  # the log never holds a token
    keys = s3_server.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [item["Key"].split("/")[0] for item in keys] == ["blobs"]
    assert not (tmp_path / "data" / "blobs").exists()


def test_passwords_come_from_the_env_file() -> None:
    """No password in the compose files: each is ${VAR:?...}, from .env (git-ignored), whose
    template .env.example leaves them empty so Compose refuses to start until they are set."""
    example = env_example()
    for name in FILES:
        text = (ROOT / name).read_text()
        assert "nestry-minio-secret" not in text and "nestry:nestry@" not in text
        used = {match.group(1) for match in _VARIABLE.finditer(text) if match.group(1)}
        assert used <= set(example), f"{name} uses variables .env.example lacks"
    for secret in SECRETS:
        assert example[secret] == ""
        with pytest.raises(ValueError, match=f"{secret}: set it in .env"):
            compose_with({**filled_env(), secret: ""})
    services = compose_with(filled_env())["services"]
    registry = services["registry-a"]["environment"]
    assert ":pgsecret0@db:5432/" in registry["NESTRY_DATABASE_URL"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "pgsecret0"
    assert registry["AWS_SECRET_ACCESS_KEY"] == "s3secret0"
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == "s3secret0"
    assert services["bucket"]["environment"]["MINIO_ROOT_PASSWORD"] == "s3secret0"
    assert '"$$MINIO_ROOT_PASSWORD"' in services["bucket"]["entrypoint"][2]
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env must be git-ignored"
    tracked = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=ROOT)
    assert tracked.returncode == 1, ".env.example must be committed"


@pytest.mark.parametrize("name", FILES)
def test_ports_restarts_and_no_token_in_the_logs(name: str) -> None:
    services = compose_with(filled_env(), name)["services"]
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published and all(p.startswith("127.0.0.1:8000:") for p in published)
    exposed = compose_with({**filled_env(), "NESTRY_BIND": "0.0.0.0"}, name)["services"]
    assert all(p.startswith("0.0.0.0:") for s in exposed.values() for p in s.get("ports", []))
    for service, spec in services.items():
        expected = "no" if service == "bucket" else "unless-stopped"  # a one-shot job
        assert spec.get("restart") == expected, service
        if "command" in spec and service.startswith("registry"):
            assert "serve" in spec["command"][2] and "--no-admin-token" in spec["command"][2]


def test_docker_compose_config_accepts_both_files(tmp_path: Path) -> None:
    """``docker compose config`` (Docker's own parser), where the Docker CLI has Compose."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"]).returncode != 0:
        pytest.skip("no `docker compose` here")
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in filled_env().items()))
    for name in FILES:
        args = [docker, "compose", "--env-file", str(env_file), "-f", str(ROOT / name)]
        result = subprocess.run([*args, "config", "-q"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr

"""The ``nestry-registry`` commands as users run them: real processes, real sockets."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN_RE = re.compile(r"\bnst_[A-Za-z0-9_-]{20,}")


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NESTRY_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NESTRY_MIGRATIONS_DIR"] = str(ROOT / "alembic")
    return {**env, **overrides}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A started process; ``rest`` holds the output not read before it stopped."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.rest = ""

    def poll(self) -> int | None:
        return self.process.poll()


@contextmanager
def _running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    with subprocess.Popen(
        args,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: workers stop with it
    ) as process:
        server = Server(process)
        try:
            yield server
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                server.rest, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                server.rest, _ = process.communicate()


def _wait_healthy(url: str, process: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server never became healthy")


def _read_token(server: Server) -> str:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        match = TOKEN_RE.search(line)
        if match:
            return match.group(0)
    raise AssertionError("no token printed")


def test_serve_with_no_configuration(tmp_path: Path) -> None:
    """Embedded default: SQLite under ./.nestry-data, migrated, admin token printed once."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["nestry-registry", "serve", "--port", str(port)]
    with _running(args, _env(), tmp_path) as process:
        token = _read_token(process)
        _wait_healthy(url, process)
        whoami = httpx.get(f"{url}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        assert whoami.json()["admin"] is True
    assert (tmp_path / ".nestry-data" / "registry.db").is_file()
    with _running(args, _env(), tmp_path) as again:
        _wait_healthy(url, again)
    assert "Uvicorn running" in again.rest or "Application startup" in again.rest
    assert not TOKEN_RE.search(again.rest)  # only the first start prints one


def test_serve_with_workers_answers_hot_reads_alike(tmp_path: Path) -> None:
    """Several workers, each with the one-write hot read protocol: the same answer from each."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["nestry-registry", "serve", "--port", str(port), "--workers", "2"]
    with _running(args, _env(), tmp_path) as process:
        auth = {"Authorization": f"Bearer {_read_token(process)}"}
        _wait_healthy(url, process)
        namespace = {"name": "acme", "default_visibility": "public"}
        assert httpx.post(f"{url}/v1/namespaces", json=namespace, headers=auth).status_code == 201
        template = (
            b"Transform: AWS::Serverless-2016-10-31\nResources: {Q: {Type: AWS::SNS::Topic}}\n"
        )
        files = {"template": ("template.yaml", template, "application/x-yaml")}
        app = f"{url}/v1/apps/acme/demo"
        put = httpx.put(f"{app}/versions/1.0.0", files=files, headers=auth)
        assert put.status_code == 201, put.text
        answers = [httpx.get(app) for _ in range(12)]  # a new connection each: both workers
        first = answers[0]
        assert first.status_code == 200 and first.json()["application"] == "acme/demo"
        for answer in answers[1:]:
            assert answer.content == first.content
            assert [h for h in answer.headers.multi_items() if h[0] != "date"] == [
                h for h in first.headers.multi_items() if h[0] != "date"
            ]
        etag = {"If-None-Match": first.headers["etag"]}
        assert {httpx.get(app, headers=etag).status_code for _ in range(6)} == {304}


def test_token_create_prints_the_token_last(tmp_path: Path) -> None:
    env = _env(NESTRY_DATA_DIR=str(tmp_path))
    subprocess.run(["nestry-registry", "migrate"], env=env, check=True, capture_output=True)
    args = ["nestry-registry", "token", "create", "--user", "bob", "--namespace", "acme"]
    result = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    last = result.stdout.strip().splitlines()[-1]
    assert TOKEN_RE.fullmatch(last)


def test_token_create_refuses_a_bad_namespace(tmp_path: Path) -> None:
    env = _env(NESTRY_DATA_DIR=str(tmp_path))
    subprocess.run(["nestry-registry", "migrate"], env=env, check=True, capture_output=True)
    args = ["nestry-registry", "token", "create", "--user", "bob", "--namespace", "Bad_NS"]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "invalid namespace" in result.stderr and "Traceback" not in result.stderr


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    env = _env(NESTRY_DATA_DIR=str(tmp_path), NESTRY_MAX_TEMPLATE_BYTES="lots")
    result = subprocess.run(["nestry-registry", "migrate"], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "NESTRY_MAX_TEMPLATE_BYTES" in result.stderr and "Traceback" not in result.stderr


def _compose_registry() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]["registry-a"]


def test_compose_registry_command_against_postgres(tmp_path: Path, empty_postgres_url: str):
    """docker-compose.yml's registry command and environment, on the local PostgreSQL."""
    service = _compose_registry()
    command = service["command"]
    assert command[:2] == ["sh", "-c"]
    port = _free_port()
    script = command[2].replace("--host 0.0.0.0", "--host 127.0.0.1")
    script = script.replace("--port 8000", f"--port {port}")
    assert f"--port {port}" in script and "migrate" in script
    env = _env(**{k: str(v) for k, v in service["environment"].items()})
    env.update(
        NESTRY_DATABASE_URL=empty_postgres_url,
        NESTRY_DATA_DIR=str(tmp_path / "data"),
        NESTRY_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    with _running(["sh", "-c", script], env, tmp_path) as process:
        _wait_healthy(f"http://127.0.0.1:{port}", process)
        token = first_admin_token(env, tmp_path)
        response = httpx.get(
            f"http://127.0.0.1:{port}/v1/whoami", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200 and response.json()["user"] == "admin"
        assert response.json()["admin"] is True
    assert "token create --user admin --admin --scope admin" in process.rest
    assert not TOKEN_RE.search(process.rest)  # no token in the container's log


def first_admin_token(env: dict[str, str], cwd: Path) -> str:
    """The documented way to the first admin token on a compose deployment (the command
    `docker compose exec` runs): printed to the caller only, alone on the last line."""
    args = ["nestry-registry", "token", "create", "--user", "admin", "--admin", "--scope", "admin"]
    made = subprocess.run(args, env=env, cwd=cwd, check=True, capture_output=True, text=True)
    token = made.stdout.strip().splitlines()[-1]
    assert TOKEN_RE.fullmatch(token)
    return token


def test_dockerfile_serves_like_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "NESTRY_MIGRATIONS_DIR=/app/alembic" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "healthcheck" in _compose_registry()
    cmd = shlex.split(dockerfile.split("CMD", 2)[-1].strip().strip("[]").replace(",", " "))
    assert any("nestry-registry migrate" in part for part in cmd)
    assert any("--no-admin-token" in part for part in cmd)  # no token in the container's log
    assert "postgresql-client" in dockerfile  # pg_dump for `nestry-registry backup`

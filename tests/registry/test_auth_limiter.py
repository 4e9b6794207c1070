"""The failed-authentication limiter against real ``nestry-registry serve`` processes:
``X-Forwarded-For`` is believed only from the proxies ``NESTRY_TRUSTED_PROXIES`` names, counts
are per (address, token prefix) so valid tokens keep working through a lockout, and the count is
shared by replicas (two processes on one database; or on one Redis with ``NESTRY_REDIS_URL``).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from server_process import ServerProcess, figure, free_port

from registry.auth.ratelimit import REDIS_PREFIX, failure_key

LIMIT = 3


def _guess() -> str:
    """A wrong token with a fresh prefix (so runs sharing a Redis never share a count)."""
    return "nst_" + secrets.token_urlsafe(24)


def _whoami(server: ServerProcess, token: str, forwarded_for: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return httpx.get(f"{server.url}/v1/whoami", headers=headers).status_code


@pytest.fixture
def replicas(database_url: str, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    yield from _replicas(database_url, tmp_path, {})


def _replicas(
    database_url: str, tmp_path: Path, env: dict[str, str]
) -> Iterator[list[ServerProcess]]:
    settings = {"NESTRY_AUTH_FAILURE_LIMIT": str(LIMIT), **env}
    first = ServerProcess(database_url, tmp_path / "data", settings)
    first.start()
    second = ServerProcess(database_url, tmp_path / "data", settings)
    try:
        second.start()
        second.admin_token = first.admin_token
        yield [first, second]
    finally:
        second.stop()
        first.stop()


def test_forwarded_for_from_an_untrusted_peer_is_ignored(replicas: list[ServerProcess]) -> None:
    server = replicas[0]
    guess = _guess()
    for attempt in range(LIMIT):  # each "from" a different address: still one caller
        assert _whoami(server, guess, f"203.0.113.{attempt}") == 401
    assert _whoami(server, guess, "203.0.113.99") == 429
    # Naming someone else's address does not lock them out either: it was never believed.
    assert server.admin_token is not None
    assert _whoami(server, server.admin_token, "203.0.113.0") == 200


def test_a_lockout_is_per_token_prefix_and_shared_by_replicas(
    replicas: list[ServerProcess],
) -> None:
    first, second = replicas
    assert first.admin_token is not None
    guess = _guess()
    for _ in range(LIMIT):
        assert _whoami(first, guess) == 401
    assert _whoami(second, guess) == 429  # the other replica knows
    assert _whoami(second, guess[:8] + "anything-else") == 429  # the prefix is locked out
    # A valid token from the same address works on both, even before either has cached it.
    assert _whoami(second, first.admin_token) == 200
    assert _whoami(first, first.admin_token) == 200
    figure("failed-auth lockout across replicas", guesses=LIMIT + 2, refused_429=2, valid_ok=2)


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    database_url: str, tmp_path: Path
) -> None:
    for first, _second in _replicas(
        database_url, tmp_path, {"NESTRY_TRUSTED_PROXIES": "127.0.0.1"}
    ):
        guess = _guess()
        for _ in range(LIMIT):
            assert _whoami(first, guess, "198.51.100.7") == 401
        assert _whoami(first, guess, "198.51.100.7") == 429
        assert _whoami(first, guess, "198.51.100.8") == 401  # another client behind the proxy


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway ``redis-server`` on a free port (skipped where Redis is not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_replicas_share_the_count_in_redis(
    database_url: str, tmp_path: Path, redis_url: str
) -> None:
    for first, second in _replicas(database_url, tmp_path, {"NESTRY_REDIS_URL": redis_url}):
        guess = _guess()
        for _ in range(LIMIT):
            assert _whoami(first, guess) == 401
        assert _whoami(second, guess) == 429
        assert first.admin_token is not None
        assert _whoami(second, first.admin_token) == 200
        counted = redis.Redis.from_url(redis_url).get(
            REDIS_PREFIX + failure_key("127.0.0.1", guess)
        )
        assert counted == str(LIMIT).encode()  # in Redis, not in the database

"""Slow and idle connections against a real ``nestry-registry serve`` process: a header drip or
a body drip is cut off at the read deadline (408), an idle connection is closed after the idle
timeout, and past the connection cap the longest-idle connections are shed so that real
requests still get answers — with the open-file limit low enough that, before, an idle flood
made every request fail. Both HTTP implementations ``serve`` may run (ours on httptools, and
uvicorn's h11 it falls back to without httptools) are held to the same limits.
"""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from server_process import ServerProcess, figure

LIMITS = {
    "NESTRY_READ_TIMEOUT_SECONDS": "2",
    "NESTRY_IDLE_TIMEOUT_SECONDS": "1",
}
ServerFactory = Callable[..., ServerProcess]


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator[ServerFactory]:
    started: list[ServerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None, **popen: object) -> ServerProcess:
        server = ServerProcess(database_url, tmp_path / "data", {**LIMITS, **(env or {})})
        server.start(*args, **popen)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def closed_within(sock: socket.socket, seconds: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``sock`` and what it sent first; fails past ``seconds``."""
    sock.settimeout(seconds)
    started, received = time.monotonic(), b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"still open after {seconds} s (received {received!r})")
    return time.monotonic() - started, received


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


@pytest.mark.parametrize("http", ["hot", "h11"])
def test_a_header_drip_is_cut_off_at_the_read_deadline(serve: ServerFactory, http: str) -> None:
    server = serve("--http", http)
    with _connect(server.port) as sock:
        sock.sendall(b"GET /v1/openapi.json HTTP/1.1\r\n")
        started = time.monotonic()
        answer = b""
        sock.settimeout(0.5)
        for line in range(20):  # one header line every half second, for ten seconds
            try:
                sock.sendall(b"x-drip-%d: 1\r\n" % line)
                answer = sock.recv(65536)
                if answer:
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        elapsed = time.monotonic() - started
    assert elapsed < 4.5, f"the drip was allowed {elapsed:.1f} s"
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    figure(f"header drip ({http})", read_timeout_s=2, cut_off_after_s=round(elapsed, 1))
    # Meanwhile and afterwards, real requests are answered.
    assert httpx.get(f"{server.url}/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("http", ["hot", "h11"])
def test_a_body_drip_is_cut_off(serve: ServerFactory, http: str) -> None:
    server = serve("--http", http)
    with _connect(server.port) as sock:
        sock.sendall(
            b"PATCH /v1/apps/acme/demo HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
            b"authorization: Bearer %s\r\ncontent-length: 100000\r\n\r\n"
            % str(server.admin_token).encode()
        )
        started = time.monotonic()
        sock.settimeout(0.25)
        answer = b""
        while time.monotonic() - started < 10:
            try:
                sock.sendall(b"[")  # four bytes a second, to an endpoint reading the body
                answer = sock.recv(65536)
                if answer:
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        elapsed = time.monotonic() - started
    assert elapsed < 4.5, f"the drip was allowed {elapsed:.1f} s"
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    figure(f"body drip ({http})", read_timeout_s=2, cut_off_after_s=round(elapsed, 1))


@pytest.mark.parametrize("http", ["hot", "h11"])
def test_idle_connections_are_closed(serve: ServerFactory, http: str) -> None:
    server = serve("--http", http)
    with _connect(server.port) as fresh, _connect(server.port) as after_answer:
        after_answer.sendall(b"GET /v1/openapi.json HTTP/1.1\r\nhost: t\r\n\r\n")
        after_answer.recv(65536)
        elapsed, received = closed_within(fresh, 3.5)
        assert received == b""
        assert 0.8 < elapsed < 3.5
        elapsed, _ = closed_within(after_answer, 3.5)


def _low_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_an_idle_flood_past_the_open_file_limit_cannot_starve_requests(
    serve: ServerFactory,
) -> None:
    """With 256 descriptors (and the cap derived from them) 400 idle sockets are shed."""
    server = serve(env={"NESTRY_IDLE_TIMEOUT_SECONDS": "60"}, preexec_fn=_low_fd_limit)
    flood = []
    try:
        for _ in range(400):
            flood.append(_connect(server.port))
        time.sleep(0.3)
        answered = 0
        for _ in range(5):
            answer = httpx.get(f"{server.url}/v1/openapi.json", timeout=5)
            assert answer.status_code == 200
            answered += 1
        figure("idle flood, 256 open files", idle_sockets=400, requests=5, answered=answered)
    finally:
        for sock in flood:
            sock.close()


def test_past_the_cap_the_oldest_idle_connections_are_shed_first(serve: ServerFactory) -> None:
    server = serve(env={"NESTRY_MAX_CONNECTIONS": "20", "NESTRY_IDLE_TIMEOUT_SECONDS": "60"})
    oldest = [_connect(server.port) for _ in range(5)]
    time.sleep(0.2)
    newer = [_connect(server.port) for _ in range(15)]
    time.sleep(0.2)
    extra: list[socket.socket] = []
    try:
        # Five more connections push five out: the five oldest.
        extra = [_connect(server.port) for _ in range(5)]
        for sock in oldest:
            closed_within(sock, 2)
        for sock in newer:
            sock.settimeout(0.2)
            with pytest.raises(TimeoutError):
                sock.recv(1)  # still open
        answer = httpx.get(f"{server.url}/v1/openapi.json", timeout=5)
        assert answer.status_code == 200
    finally:
        for sock in [*oldest, *newer, *extra]:
            sock.close()

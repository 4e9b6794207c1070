"""Request bodies are refused (413) as they stream past their limit, on every route that takes
one, against a real ``nestry-registry serve`` process: the server never holds a body whole
before knowing its size. (Before: ``PATCH /v1/apps/{ns}/{name}`` read a 400 MB body into memory
and only then answered 413.)
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from registry_samples import template
from server_process import ServerProcess, figure

from registry.serving.bodies import MAX_JSON_BYTES

MIB = 1024 * 1024


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, tmp_path / "data")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _publish(server: ServerProcess) -> None:
    files = {"template": ("template.yaml", template().encode())}
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    answer = httpx.put(
        f"{server.url}/v1/apps/acme/demo/versions/1.0.0", files=files, headers=headers
    )
    assert answer.status_code == 201, answer.text


def _head(method: str, path: str, token: str | None, extra: str) -> bytes:
    auth = f"authorization: Bearer {token}\r\n" if token else ""
    return (
        f"{method} {path} HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
        f"{auth}{extra}\r\n"
    ).encode()


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer[9:12])


def read_answer(sock: socket.socket) -> bytes:
    """One HTTP answer with a ``content-length`` body, read whole."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        more = sock.recv(65536)
        assert more, answer
        answer += more
    head, body = answer.split(b"\r\n\r\n", 1)
    length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
    while len(body) < length:
        more = sock.recv(65536)
        assert more, answer
        body += more
    return head + b"\r\n\r\n" + body


def stream_until_answered(
    port: int, head: bytes, total: int, chunk: int = 256 * 1024, first: bytes = b""
) -> tuple[int, int, bytes]:
    """Send ``head`` then a chunked body of ``total`` bytes, stopping as soon as the server
    answers (or closes); ``(status, body bytes sent, answer)``."""
    piece = b"[" * chunk
    framed = b"%x\r\n" % chunk + piece + b"\r\n"
    sent = 0
    pending = memoryview(b"")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + (b"%x\r\n" % len(first) + first + b"\r\n" if first else b""))
        sock.setblocking(False)
        answer = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            except ConnectionResetError:
                break
            if answer:
                break
            if sent < total or pending:
                if not pending:
                    pending = memoryview(framed)
                    sent += chunk
                try:
                    pending = pending[sock.send(pending) :]
                except BlockingIOError:
                    time.sleep(0.002)  # the server is not reading: wait for its answer
                except (BrokenPipeError, ConnectionResetError):
                    break
            else:
                time.sleep(0.01)
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    return _status(answer), sent, answer


def test_a_chunked_patch_is_refused_while_it_streams(server: ServerProcess) -> None:
    _publish(server)
    before = server.rss_kib()
    head = _head(
        "PATCH", "/v1/apps/acme/demo", server.admin_token, "transfer-encoding: chunked\r\n"
    )
    status, sent, answer = stream_until_answered(server.port, head, 400 * MIB)
    assert status == 413, answer
    assert b"body_too_large" in answer
    assert sent < 16 * MIB, f"the server read {sent} bytes before refusing"
    grown = server.rss_kib() - before
    assert grown < 32 * 1024
    figure(
        "400 MB chunked PATCH body",
        offered_mib=400,
        read_before_413_mib=round(sent / MIB, 1),
        rss_growth_mib=round(grown / 1024, 1),
    )
    # The refused request changed nothing and the server still serves.
    app = httpx.get(f"{server.url}/v1/apps/acme/demo").json()
    assert app["name"] == "demo"


JSON_ROUTES = [
    ("PATCH", "/v1/apps/acme/demo"),
    ("POST", "/v1/tokens"),
    ("POST", "/v1/resolve"),
    ("PUT", "/v1/apps/acme/demo/policy"),
    ("POST", "/v1/namespaces"),
    ("PATCH", "/v1/namespaces/acme"),
    ("PUT", "/v1/namespaces/acme/members/someone"),
    ("PUT", "/v1/apps/acme/demo/dist-tags/latest"),
    ("POST", "/v1/apps/acme/demo/versions/1.0.0/yank"),
]


def test_a_declared_oversized_body_is_refused_before_it_is_sent(server: ServerProcess) -> None:
    _publish(server)
    for method, path in JSON_ROUTES:
        head = _head(method, path, server.admin_token, f"content-length: {400 * MIB}\r\n")
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(head)
            # Nothing of the body is sent: a timeout here means the server waits for it.
            answer = read_answer(sock)
        assert _status(answer) == 413, (method, path, answer)
        body = answer.split(b"\r\n\r\n", 1)[1]
        assert json.loads(body)["error"]["code"] == "body_too_large", (method, path)


def test_every_json_route_stops_reading_a_chunked_body_past_the_limit(
    server: ServerProcess,
) -> None:
    _publish(server)
    for method, path in JSON_ROUTES:
        head = _head(method, path, server.admin_token, "transfer-encoding: chunked\r\n")
        status, sent, answer = stream_until_answered(server.port, head, 64 * MIB)
        assert status == 413, (method, path, answer)
        assert sent < MAX_JSON_BYTES + 8 * MIB, (method, path, sent)


def test_a_publish_body_is_capped_at_the_publish_limit(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(
        database_url, tmp_path / "data", {"NESTRY_MAX_BUNDLE_BYTES": str(2 * MIB)}
    )
    server.start()
    try:
        head = _head(
            "PUT",
            "/v1/apps/acme/big/versions/1.0.0",
            server.admin_token,
            "transfer-encoding: chunked\r\n",
        ).replace(b"application/json", b"multipart/form-data; boundary=x")
        part = b'--x\r\ncontent-disposition: form-data; name="bundle"; filename="b.tgz"\r\n\r\n'
        status, sent, answer = stream_until_answered(server.port, head, 200 * MIB, first=part)
        assert status == 413, answer
        assert sent < 32 * MIB
    finally:
        server.stop()

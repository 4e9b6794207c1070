"""The hot read path answered in the HTTP protocol (``registry.serving.hot_protocol``): on the
wire, the
same bytes uvicorn's own httptools protocol writes for the same request, in the same order, with
the same logging, metrics and download counts.

Two real uvicorn servers on 127.0.0.1 share one database: one runs ``HotReadProtocol`` (what
``nestry-registry serve`` runs), the other uvicorn's stock ``httptools`` protocol. Requests are
raw bytes over sockets so that every header and the connection handling are compared as sent.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import uvicorn
from registry_samples import template
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from registry.app import RegistryApp, create_app
from registry.serving.access_log import AccessLog
from registry.serving.connection_guard import protocol_for
from registry.serving.hot_protocol import HotReadProtocol, missing
from registry.settings import Settings

APP = "/v1/apps/acme/demo"
VERSION = APP + "/versions/1.0.0"
TEMPLATE = VERSION + "/template"
READS = (APP, VERSION, TEMPLATE)
_DATE = re.compile(rb"^date: [^\r]*\r\n", re.MULTILINE)


class CountingProtocol(HotReadProtocol):
    """``HotReadProtocol`` that counts the requests it answered itself."""

    answered = 0

    def _answer_remembered(self) -> bool:
        done = super()._answer_remembered()
        CountingProtocol.answered += done
        return done

    def _answer_resolve(self, body: bytes) -> bool:
        done = super()._answer_resolve(body)
        CountingProtocol.answered += done
        return done


@dataclass
class Server:
    port: int
    app: RegistryApp
    log: io.StringIO

    def log_lines(self) -> list[str]:
        state = self.app.running
        assert state is not None and state.access_log is not None
        state.access_log.flush()
        return self.log.getvalue().splitlines()

    def clear_log(self) -> None:
        self.log_lines()  # what is pending goes into the buffer first, then out with the rest
        self.log.seek(0)
        self.log.truncate()


@contextmanager
def serving(settings: Settings, http: type[HotReadProtocol] | str) -> Iterator[Server]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(settings)
    config = uvicorn.Config(
        app, http=http, log_level="warning", lifespan="on", server_header=False, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    log = io.StringIO()
    assert app.running is not None
    app.running.access_log = AccessLog(log)  # flushed by the test, read back whole
    try:
        yield Server(sock.getsockname()[1], app, log)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture
def servers(settings: Settings) -> Iterator[tuple[Server, Server]]:
    CountingProtocol.answered = 0
    with serving(settings, CountingProtocol) as hot, serving(settings, "httptools") as stock:
        yield hot, stock


def request(path: str, *headers: str, method: str = "GET", version: str = "1.1") -> bytes:
    lines = [f"{method} {path} HTTP/{version}", "Host: registry.test", *headers, "", ""]
    return "\r\n".join(lines).encode()


def exchange(port: int, *requests: bytes) -> list[bytes]:
    """Send ``requests`` on one connection at once (pipelined); read one response to each."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"".join(requests))
        reader = sock.makefile("rb")
        responses = []
        for sent in requests:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                assert line, f"connection closed after {head!r}"
                head += line
            length = re.search(rb"\r\ncontent-length: (\d+)\r\n", head)
            bodyless = sent.startswith(b"HEAD ") or b" 304 " in head.split(b"\r\n")[0]
            body = reader.read(int(length[1])) if length and not bodyless else b""
            responses.append(_DATE.sub(b"", head) + body)
        return responses


def prime(*servers: Server) -> None:
    """One routed request per read on each server: the next ones are answered from memory."""
    for server in servers:
        for url in READS:
            assert exchange(server.port, request(url))[0].startswith(b"HTTP/1.1 200 ")


@pytest.fixture
async def published(publish):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({}, id="keep-alive"),
        pytest.param({"headers": ("Connection: close",)}, id="connection-close"),
        pytest.param({"version": "1.0"}, id="http-1.0"),
        pytest.param({"headers": ("Accept: application/json", 'If-None-Match: W/"x"')}, id="miss"),
    ],
)
def test_an_answer_in_one_write_is_the_bytes_uvicorn_writes(published, servers, url, shape):
    hot, stock = servers
    prime(hot, stock)
    before = CountingProtocol.answered
    sent = request(url, *shape.get("headers", ()), version=shape.get("version", "1.1"))
    mine, theirs = exchange(hot.port, sent)[0], exchange(stock.port, sent)[0]
    assert CountingProtocol.answered == before + 1
    assert mine.startswith(b"HTTP/1.1 200 OK\r\n")
    assert mine == theirs


@pytest.mark.parametrize("url", READS)
def test_a_matching_etag_gets_the_same_304(published, servers, url):
    hot, stock = servers
    prime(hot, stock)
    first = exchange(hot.port, request(url))[0]
    etag = re.search(rb"\r\netag: ([^\r]+)\r\n", first)
    assert etag is not None
    sent = request(url, f'If-None-Match: W/{etag[1].decode()}, "other"')
    before = CountingProtocol.answered
    mine, theirs = exchange(hot.port, sent)[0], exchange(stock.port, sent)[0]
    assert CountingProtocol.answered == before + 1
    assert mine.startswith(b"HTTP/1.1 304 Not Modified\r\n")
    assert mine == theirs


def test_connection_close_and_http_1_0_close_the_connection(published, servers):
    hot, _ = servers
    prime(hot)
    for sent in (request(APP, "Connection: close"), request(APP, version="1.0")):
        with socket.create_connection(("127.0.0.1", hot.port), timeout=10) as sock:
            sock.sendall(sent)
            received = b""
            while chunk := sock.recv(65536):  # returns b"" only when the server closes
                received += chunk
        assert received.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nconnection: close\r\n" in received


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(request(APP, "Authorization: Bearer nst_not-a-token"), id="token"),
        pytest.param(request(APP, method="HEAD"), id="head"),
        pytest.param(request(APP + "?fields=all"), id="query"),
        pytest.param(request("/v1/apps/acme/d%65mo"), id="percent-encoded"),
        pytest.param(request(APP, "Content-Length: 2") + b"{}", id="body"),
        pytest.param(request("/v1/apps/acme/missing"), id="not-remembered"),
    ],
)
def test_what_it_is_unsure_of_goes_to_uvicorn_unchanged(published, servers, sent):
    hot, stock = servers
    prime(hot, stock)
    before = CountingProtocol.answered
    mine, theirs = exchange(hot.port, sent)[0], exchange(stock.port, sent)[0]
    assert CountingProtocol.answered == before
    assert mine == theirs


def test_pipelined_requests_are_answered_in_order(published, servers):
    hot, stock = servers
    prime(hot, stock)
    pipeline = [
        request("/v1/apps?q=demo"),  # routed: its answer is still due when the next arrive
        request(APP),
        request(TEMPLATE),
        request(APP, "Authorization: Bearer nst_not-a-token"),
        request(VERSION),
        request(VERSION),
    ]
    mine, theirs = exchange(hot.port, *pipeline), exchange(stock.port, *pipeline)
    assert [r.split(b"\r\n")[0] for r in mine] == [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 401 Unauthorized",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK",
    ]
    assert mine == theirs
    hot_only = [request(url) for url in (*READS, *READS)]
    before = CountingProtocol.answered
    assert exchange(hot.port, *hot_only) == exchange(stock.port, *hot_only)
    assert CountingProtocol.answered == before + len(hot_only)


async def test_logs_metrics_and_downloads_see_answers_given_in_one_write(published, servers):
    hot, stock = servers
    prime(hot, stock)
    hot.clear_log()
    stock.clear_log()
    assert hot.app.running is not None
    downloads = hot.app.running.downloads.pending
    sent = [request(TEMPLATE), request(APP, "X-Forwarded-For: 203.0.113.7"), request(TEMPLATE)]
    for each in sent:
        assert exchange(hot.port, each) == exchange(stock.port, each)
    assert CountingProtocol.answered >= 3
    ports = re.compile(r"^[0-9.]+:\d+ ")
    mine, theirs = hot.log_lines(), stock.log_lines()
    assert [ports.sub("", line) for line in mine] == [ports.sub("", line) for line in theirs]
    assert mine[1].startswith("203.0.113.7:0 - ")  # the trusted proxy's client, as uvicorn has it
    assert mine[0].endswith(f'"GET {TEMPLATE} HTTP/1.1" 200')
    assert hot.app.running.downloads.pending == downloads + 2
    metrics = hot.app.metrics.render()
    route = 'route="/v1/apps/{ns}/{name}/versions/{version}/template",status="200"'
    assert f'nestry_http_requests_total{{method="GET",{route}}} 3' in metrics


def test_uvicorns_internals_are_all_there() -> None:
    """What the protocol reads of uvicorn's is found in the installed uvicorn (CI also runs
    this file against the oldest uvicorn the pin allows)."""
    assert missing() == []


def test_a_uvicorn_without_them_gets_its_own_protocol(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(HttpToolsProtocol, "on_response_complete")
    assert "on_response_complete" in missing()
    with caplog.at_level("WARNING"):
        chosen = protocol_for("hot")
    assert not issubclass(chosen, HotReadProtocol)
    assert issubclass(chosen, HttpToolsProtocol)
    assert "on_response_complete" in caplog.text


def test_a_surprise_while_answering_falls_back_to_uvicorn_before_a_byte(
    published, servers, monkeypatch: pytest.MonkeyPatch
):
    """Any exception while reading uvicorn's state: the request is uvicorn's to answer (the
    same bytes as its stock protocol), and the hot path stays off afterwards."""
    hot, stock = servers
    prime(hot, stock)

    def changed_upstream(self: HotReadProtocol, method: bytes) -> None:
        raise AttributeError("'HttpToolsProtocol' object has no attribute 'flow'")

    monkeypatch.setattr(HotReadProtocol, "_prepare", changed_upstream)
    monkeypatch.setattr(HotReadProtocol, "disabled", False)
    before = CountingProtocol.answered
    for url in READS:
        sent = request(url)
        assert exchange(hot.port, sent) == exchange(stock.port, sent)
    assert CountingProtocol.answered == before
    assert HotReadProtocol.disabled


RESOLVE_BODY = b'{"requests": [{"application": "acme/demo", "range": "^1"}]}'


def resolve_request(*headers: str, body: bytes = RESOLVE_BODY, version: str = "1.1") -> bytes:
    length = (f"Content-Length: {len(body)}",) if body is not None else ()
    return request("/v1/resolve", *length, *headers, method="POST", version=version) + body


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({}, id="keep-alive"),
        pytest.param({"headers": ("Connection: close",)}, id="connection-close"),
        pytest.param({"version": "1.0"}, id="http-1.0"),
    ],
)
def test_a_kept_resolve_answer_in_one_write_is_the_bytes_uvicorn_writes(published, servers, shape):
    hot, stock = servers
    sent = resolve_request(*shape.get("headers", ()), version=shape.get("version", "1.1"))
    for server in (hot, stock):  # routed once: the answer is kept
        assert exchange(server.port, resolve_request())[0].startswith(b"HTTP/1.1 200 ")
    before = CountingProtocol.answered
    mine, theirs = exchange(hot.port, sent)[0], exchange(stock.port, sent)[0]
    assert CountingProtocol.answered == before + 1
    assert mine.startswith(b"HTTP/1.1 200 OK\r\n") and b'"version":"1.0.0"' in mine
    assert mine == theirs


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(resolve_request(body=RESOLVE_BODY.replace(b"^1", b"^1.0")), id="not-kept"),
        pytest.param(resolve_request("Authorization: Bearer nst_not-a-token"), id="token"),
        pytest.param(resolve_request(body=b'{"requests": [}'), id="malformed"),
        pytest.param(
            request("/v1/resolve", "Transfer-Encoding: chunked", method="POST")
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(RESOLVE_BODY), RESOLVE_BODY),
            id="chunked",
        ),
        pytest.param(
            resolve_request(body=RESOLVE_BODY[:-1] + b" " * 70_000 + b"}"), id="over-the-limit"
        ),
    ],
)
def test_resolves_it_is_unsure_of_go_to_uvicorn_unchanged(published, servers, sent):
    hot, stock = servers
    for server in (hot, stock):
        assert exchange(server.port, resolve_request())[0].startswith(b"HTTP/1.1 200 ")
    before = CountingProtocol.answered
    mine, theirs = exchange(hot.port, sent)[0], exchange(stock.port, sent)[0]
    assert CountingProtocol.answered == before
    assert mine == theirs


def test_pipelined_resolves_and_reads_are_answered_in_order(published, servers):
    hot, stock = servers
    prime(hot, stock)
    for server in (hot, stock):
        assert exchange(server.port, resolve_request())[0].startswith(b"HTTP/1.1 200 ")
    pipeline = [
        resolve_request(),
        request(APP),
        resolve_request(body=b'{"requests": [{"application": "acme/missing", "range": "^1"}]}'),
        resolve_request(),
        request("/v1/apps?q=demo"),
        resolve_request(),
    ]
    before = CountingProtocol.answered
    mine, theirs = exchange(hot.port, *pipeline), exchange(stock.port, *pipeline)
    assert mine == theirs
    assert [r.split(b"\r\n")[0] for r in mine] == [b"HTTP/1.1 200 OK"] * len(pipeline)
    assert CountingProtocol.answered > before


async def test_logs_and_metrics_see_resolves_answered_in_one_write(published, servers):
    hot, stock = servers
    for server in (hot, stock):
        assert exchange(server.port, resolve_request())[0].startswith(b"HTTP/1.1 200 ")
    hot.clear_log()
    stock.clear_log()
    before = CountingProtocol.answered
    for _ in range(2):
        assert exchange(hot.port, resolve_request()) == exchange(stock.port, resolve_request())
    assert CountingProtocol.answered == before + 2
    ports = re.compile(r"^[0-9.]+:\d+ ")
    mine, theirs = hot.log_lines(), stock.log_lines()
    assert [ports.sub("", line) for line in mine] == [ports.sub("", line) for line in theirs]
    assert mine[0].endswith('"POST /v1/resolve HTTP/1.1" 200')
    route = 'method="POST",route="/v1/resolve",status="200"'
    assert f"nestry_http_requests_total{{{route}}} 3" in hot.app.metrics.render()

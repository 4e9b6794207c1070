"""The access log: a line per request, routed or answered from memory, written in batches."""

from __future__ import annotations

import dataclasses
import io

import pytest
from registry_samples import template

from registry.serving.access_log import AccessLog
from registry.settings import Settings


def _scope(path: bytes, query: bytes = b"", method: str = "GET") -> dict[str, object]:
    return {
        "type": "http",
        "method": method,
        "path": path.decode("latin-1"),
        "raw_path": path,
        "query_string": query,
        "http_version": "1.1",
        "client": ("10.0.0.7", 50412),
    }


def test_lines_are_written_in_batches_and_at_the_end():
    stream = io.StringIO()
    log = AccessLog(stream, max_pending=3)
    log.record(_scope(b"/v1/apps/acme/demo"), 200)
    log.record(_scope(b"/v1/search", b"q=rss"), 200)
    assert stream.getvalue() == "", "nothing written per request"
    log.record(_scope(b"/v1/apps/acme/nope"), 404)  # the third: a batch is due
    assert stream.getvalue().splitlines() == [
        '10.0.0.7:50412 - "GET /v1/apps/acme/demo HTTP/1.1" 200',
        '10.0.0.7:50412 - "GET /v1/search?q=rss HTTP/1.1" 200',
        '10.0.0.7:50412 - "GET /v1/apps/acme/nope HTTP/1.1" 404',
    ]
    log.record(_scope(b"/healthz"), 200)
    log.flush()
    assert stream.getvalue().splitlines()[-1] == '10.0.0.7:50412 - "GET /healthz HTTP/1.1" 200'


def test_no_client_can_forge_a_line():
    stream = io.StringIO()
    log = AccessLog(stream)
    log.record(_scope(b'/a\n10.0.0.1 - "GET /admin" 200\r', method="GET\x1b[31m"), 404)
    log.flush()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "\\x0a" in lines[0] and "\\x1b" in lines[0] and "\\x0d" in lines[0]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, access_log=True)


async def test_the_registry_logs_routed_and_remembered_answers(app, api, publish):
    assert app.state.registry.access_log is not None  # made by the lifespan from the settings
    stream = io.StringIO()
    app.state.registry.access_log = AccessLog(stream)
    url = "/v1/apps/acme/demo/versions/1.0.0/template"
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    assert (await api.get(url)).status_code == 200  # routed, then remembered
    assert (await api.get(url)).status_code == 200  # answered from memory
    assert (await api.get("/v1/apps/acme/missing")).status_code == 404
    app.state.registry.access_log.flush()
    lines = stream.getvalue().splitlines()
    assert [line.split(" - ", 1)[1] for line in lines[-3:]] == [
        f'"GET {url} HTTP/1.1" 200',
        f'"GET {url} HTTP/1.1" 200',
        '"GET /v1/apps/acme/missing HTTP/1.1" 404',
    ]
    assert any('"PUT /v1/apps/acme/demo/versions/1.0.0 HTTP/1.1" 201' in line for line in lines)

"""Database faults against a real ``nestry-registry serve`` process whose PostgreSQL is reached
through a TCP proxy the test stalls (bytes stop, as with a hung host) and cuts (connections
closed and refused, as with a stopped server).

While the database is away: ``/healthz`` and uncached reads answer ``503 database_unavailable``
with ``Retry-After`` within the timeouts (before: they waited as long as the stall, and a cut
answered ``500 internal_error`` with a traceback per request); a template remembered for
anonymous callers is still served; the log says so once per outage, without tracebacks. Once
the database is back the registry recovers by itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from registry_samples import template
from server_process import ServerProcess, figure
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy

TIMEOUTS = {
    "NESTRY_DB_CONNECT_TIMEOUT_SECONDS": "2",
    "NESTRY_DB_STATEMENT_TIMEOUT_SECONDS": "2",
    "NESTRY_PUBLIC_CACHE_MS": "500",
}
APP = "/v1/apps/acme/demo"
TEMPLATE = APP + "/versions/1.0.0/template"


@pytest.fixture
def proxied(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, TcpProxy]]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("SQLite is a file beside the registry: there is no connection to lose")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    server = ServerProcess(through, tmp_path / "data", TIMEOUTS)
    try:
        server.start()
        yield server, proxy
    finally:
        server.stop()
        proxy.close()


def _timed_get(server: ServerProcess, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = httpx.get(server.url + path, timeout=30)
    return answer, time.monotonic() - started


def _assert_unavailable(answer: httpx.Response, elapsed: float, limit: float) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert int(answer.headers["retry-after"]) >= 1
    assert elapsed < limit, f"answered after {elapsed:.1f} s"


def _until(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)


@pytest.mark.parametrize("fault", ["stall", "drop"])
def test_the_registry_answers_503_serves_its_cache_and_recovers(
    proxied: tuple[ServerProcess, TcpProxy], fault: str
) -> None:
    server, proxy = proxied
    files = {"template": ("template.yaml", template().encode())}
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    published = httpx.put(server.url + APP + "/versions/1.0.0", files=files, headers=headers)
    assert published.status_code == 201, published.text
    body = httpx.get(server.url + TEMPLATE).content  # remembered for anonymous callers
    assert httpx.get(server.url + "/v1/apps/acme/other").status_code == 404

    proxy.set_mode(fault)
    tried = unavailable = cached = slowest = 0.0
    for _ in range(2):
        for path in ("/healthz", "/v1/apps/acme/other", "/v1/apps?q=demo"):
            answer, elapsed = _timed_get(server, path)
            _assert_unavailable(answer, elapsed, 6)
            tried, unavailable, slowest = tried + 1, unavailable + 1, max(slowest, elapsed)
        answer = httpx.post(
            server.url + "/v1/resolve",
            json={"requests": [{"application": "acme/demo", "range": "^1.0.0"}]},
            headers=headers,
            timeout=30,
        )
        assert answer.status_code in (200, 503), answer.text  # never a 500
        # Anonymous readers of the public template are still served (well past its time bound).
        answer, elapsed = _timed_get(server, TEMPLATE)
        assert answer.status_code == 200 and answer.content == body
        assert elapsed < 1
        tried, cached = tried + 1, cached + 1

    proxy.set_mode("pass")
    _until(lambda: httpx.get(server.url + "/healthz").status_code == 200, 15)
    assert httpx.get(server.url + APP).status_code == 200
    assert httpx.get(server.url + "/v1/apps/acme/other").status_code == 404
    assert httpx.get(server.url + TEMPLATE).content == body

    log = server.log()
    assert "Traceback" not in log, log
    assert "internal_error" not in log
    assert log.count("database unavailable") == 1, log
    assert log.count("database available again") == 1, log
    figure(
        f"database {fault}",
        requests=int(tried),
        answered_503=int(unavailable),
        served_from_cache=int(cached),
        answered_500=0,
        slowest_503_s=round(slowest, 1),
        log_lines=2,
    )

"""Schemathesis over ``/v1/openapi.json``: no 5xx and no answer outside the spec, anywhere.

Every operation of the spec the registry serves is generated against the real app (uvicorn on
127.0.0.1) on a real database, SQLite and PostgreSQL: one registry per database for the whole
module, each generated request sent once anonymously and once with the admin user's token.
The run is bounded (``EXAMPLES`` per operation, no example database) to about a minute per
database; a failure names the operation and prints a request that reproduces it.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from nestry_test_support import LiveRegistry, PgClones, _provision, run_isolated
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.app import create_app
from registry.openapi.document import SPEC
from registry.settings import Settings, sqlite_url

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(SPEC)
# Data that fits the spec and data that does not: both must be answered without a 5xx.
schema.config.generation.update(modes=list(GenerationMode))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def registry(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveRegistry]:
    """One live registry per database for the module (a fresh one per operation would cost
    more than the examples)."""
    data = tmp_path_factory.mktemp("schemathesis")
    clones: PgClones | None = None
    if request.param == "sqlite":
        target = data / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url = sqlite_url(target)
    else:
        clones = request.getfixturevalue("postgres_clones")
        url = clones.take()
    try:
        yield from _serve(url, data)
    finally:
        if clones is not None:
            clones.release(url)


def _serve(database_url: str, data: Path) -> Iterator[LiveRegistry]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    live = Settings(
        database_url=database_url,
        data_dir=data / "data",
        public_url=f"http://127.0.0.1:{port}",
        default_visibility="public",
        # Generated requests carry made-up tokens; the limiter must not lock the admin out.
        auth_failure_limit=1_000_000,
    )
    token = run_isolated(lambda: _provision(live, "admin", [], "publish", True, None))
    config = uvicorn.Config(create_app(live), log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the registry did not start"
        time.sleep(0.02)
    try:
        yield LiveRegistry(f"http://127.0.0.1:{port}", token, live)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def test_the_served_spec_is_the_one_tested(registry: LiveRegistry) -> None:
    assert httpx.get(f"{registry.url}/v1/openapi.json", timeout=10).json() == SPEC


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_spec(case: schemathesis.Case, registry: LiveRegistry) -> None:
    """Each generated request, anonymous and with the admin user's token."""
    for headers in ({}, {"Authorization": f"Bearer {registry.admin_token}"}):
        response = case.call(base_url=registry.url, headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=headers)

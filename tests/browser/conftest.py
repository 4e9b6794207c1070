"""Fixtures for the Chromium tests: Debian's Chromium driven by Playwright, axe-core from npm,
and one real registry (uvicorn on 127.0.0.1, migrated database, seeded through its HTTP API)
per module and database (SQLite, PostgreSQL).

Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``: ``.ci/run`` and
``scripts/test`` install it); Playwright never downloads a browser here. axe-core comes from
``tests/browser/package-lock.json`` (``npm ci``, run here when ``node_modules`` is missing).
Without Chromium or npm the tests are skipped, except in CI, where they fail.
Screenshots go to ``test-results/browser/<database>/`` (``NESTRY_SCREENSHOTS`` to move it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browser_world import World, seed

from registry.app import create_app
from registry.settings import Settings, sqlite_url

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("NESTRY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} (CI runs the browser tests: see .ci/run)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is not installed: axe-core cannot be installed")
        subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one module: Playwright's sync API keeps an event loop running in this
    thread while it lives, which the async tests of later modules could not share."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    root = Path(os.environ.get("NESTRY_SCREENSHOTS") or HERE.parent.parent / "test-results")
    return root / "browser"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A seeded registry served by uvicorn on 127.0.0.1 for the whole module."""
    root = tmp_path_factory.mktemp(f"web-{request.param}")
    if request.param == "sqlite":
        target = root / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url, release = sqlite_url(target), None
    else:
        clones = request.getfixturevalue("postgres_clones")
        url = clones.take()
        release = clones.release
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(
        database_url=url,
        data_dir=root / "data",
        public_url=f"http://127.0.0.1:{port}",
        download_flush_seconds=1,
        default_visibility="public",
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the registry did not start")
        time.sleep(0.02)
    try:
        yield seed(f"http://127.0.0.1:{port}", settings, request.param)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        if release is not None:
            release(url)

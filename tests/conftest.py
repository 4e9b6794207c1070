"""Shared fixtures: a registry on a fresh database, over SQLite and PostgreSQL.

Every fixture that needs a database is parametrized by ``database_url`` over ``sqlite`` and
``postgresql`` (test ids ``[sqlite]`` / ``[postgresql]``). PostgreSQL comes from
``NESTRY_TEST_POSTGRES_URL`` (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``):
unset → the postgresql cases are skipped (they fail when ``CI`` is true); set but
unreachable → they fail.

Speed: the migrations run once per session into a template (an SQLite file, a PostgreSQL
``TEMPLATE`` database); each test gets a copy.

Fixtures: ``database_url``, ``settings``, ``app`` (lifespan running), ``api`` (httpx client on
the app), ``admin_token``, ``publish_token_factory``, ``publish`` (multipart helper),
``stored`` (row and blob counts, for "nothing was stored" checks), ``live_registry`` (a real
uvicorn server in a thread, for CLI end-to-end tests), ``empty_postgres_url``, ``s3_server``
(moto's S3 server on 127.0.0.1, the AWS variables pointing at it) and ``s3_bucket`` (a fresh
bucket on it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from registry.app import create_app
from registry.auth.accounts import ensure_user, issue_token
from registry.db import migrate
from registry.db.session import Database
from registry.settings import Settings, sqlite_url

# Other conftest files (tests/browser, tests/client/flattening) are also imported as
# ``conftest``: test modules import this one's helpers by a name of its own.
sys.modules.setdefault("nestry_test_support", sys.modules[__name__])

PG_ENV = "NESTRY_TEST_POSTGRES_URL"
T = TypeVar("T")


def run_isolated(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop in another thread.

    Sync fixtures use this so they never touch (or close) pytest-asyncio's event loop.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _in_thread(function: Callable[..., T], *args: Any) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


async def _pg_admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def _pg_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy per test."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    _in_thread(migrate.upgrade, sqlite_url(path))
    return path


class PgClones:
    """Per-test PostgreSQL databases cloned from a template, made ahead in the background.

    CREATE/DROP DATABASE cost most of a second each here; worker threads create the next
    clones while tests run and drop used ones, so tests rarely wait for either.
    """

    AHEAD = 2

    def __init__(self, server: str, template: str) -> None:
        self.server, self.template = server, template
        self._creator = ThreadPoolExecutor(self.AHEAD)
        self._dropper = ThreadPoolExecutor(1)
        self._ready = deque(self._creator.submit(self._create) for _ in range(self.AHEAD))

    def _admin(self, statement: str) -> None:
        asyncio.run(_pg_admin(self.server, statement))

    def _create(self) -> str:
        name = f"nestry_t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def take(self) -> str:
        name = self._ready.popleft().result()
        self._ready.append(self._creator.submit(self._create))
        return _pg_database(self.server, name)

    def release(self, url: str) -> None:
        name = make_url(url).database
        self._dropper.submit(self._admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        while self._ready:
            self.release(_pg_database(self.server, self._ready.popleft().result()))
        self._creator.shutdown(wait=True)
        self._dropper.shutdown(wait=True)


def _postgres_server_or_skip() -> str:
    """The PostgreSQL server URL; skip without one, except in CI, where PostgreSQL is required."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{PG_ENV} is not set: CI runs the suite on PostgreSQL too (see .ci/run)")
    pytest.skip(f"{PG_ENV} is not set")


@pytest.fixture(scope="session")
def postgres_clones() -> Iterator[PgClones]:
    """Migrates a template database once; hands out clones of it."""
    url = _postgres_server_or_skip()
    template = f"nestry_tpl_{uuid.uuid4().hex[:10]}"
    run_isolated(lambda: _pg_admin(url, f'CREATE DATABASE "{template}"'))
    clones = None
    try:
        _in_thread(migrate.upgrade, _pg_database(url, template))
        clones = PgClones(url, template)
        yield clones
    finally:
        if clones is not None:
            clones.close()
        drop = f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'
        run_isolated(lambda: _pg_admin(url, drop))


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """An empty (unmigrated) PostgreSQL database, dropped afterwards; skipped without PG."""
    server = _postgres_server_or_skip()
    name = f"nestry_e_{uuid.uuid4().hex[:12]}"
    run_isolated(lambda: _pg_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_database(server, name)
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        run_isolated(lambda: _pg_admin(server, drop))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database of the parametrized dialect."""
    if request.param == "sqlite":
        target = tmp_path / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield sqlite_url(target)
        return
    clones: PgClones = request.getfixturevalue("postgres_clones")
    url = clones.take()
    try:
        yield url
    finally:
        clones.release(url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a fresh database and an empty data dir; downloads flush only on demand.

    New apps are public here (the registry's default is private): most tests are about other
    things than visibility, and the visibility tests make apps private explicitly.
    """
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        download_flush_seconds=3600,
        default_visibility="public",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The registry app with its lifespan running (``app.state.registry`` is available)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` calling the app in-process (base URL http://testserver)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _provision(
    settings: Settings,
    user: str,
    namespaces: list[str],
    scope: str,
    admin: bool,
    expires_at: datetime | None,
) -> str:
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            account = await ensure_user(session, user, is_admin=admin)
            secret = await issue_token(
                session, account, scope=scope, namespaces=namespaces, expires_at=expires_at
            )
            await session.commit()
            return secret
    finally:
        await database.dispose()


@pytest.fixture
def admin_token(settings: Settings) -> str:
    """A token of the admin user (may publish anywhere, read everything)."""
    return run_isolated(lambda: _provision(settings, "admin", [], "publish", True, None))


TokenFactory = Callable[..., str]


@pytest.fixture
def publish_token_factory(settings: Settings) -> TokenFactory:
    """``factory(namespace, *, scope="publish", user=None, expires_at=None) -> token``.

    Creates the user (default ``user-<namespace>``) and namespace when missing.
    """

    def factory(
        namespace: str,
        *,
        scope: str = "publish",
        user: str | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        owner = user or f"user-{namespace}"
        return run_isolated(
            lambda: _provision(settings, owner, [namespace], scope, False, expires_at)
        )

    return factory


Publish = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def publish(api: httpx.AsyncClient, admin_token: str) -> Publish:
    """``await publish(ns, name, version, template, *, token=admin, metadata=None,
    bundle=None, readme=None, license=None, extra=None)`` → the PUT response.

    ``template`` is bytes or str; ``metadata`` a dict (sent as JSON) or raw str; ``extra``
    adds multipart text fields (e.g. ``{"template_path": "sam/app/template.yaml"}``).
    """

    async def send(
        ns: str,
        name: str,
        version: str,
        template: bytes | str,
        *,
        token: str | None = admin_token,
        metadata: dict[str, Any] | str | None = None,
        bundle: bytes | None = None,
        readme: str | None = None,
        license: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = template.encode() if isinstance(template, str) else template
        files: dict[str, Any] = {"template": ("template.yaml", body, "application/x-yaml")}
        if bundle is not None:
            files["bundle"] = ("bundle.tar.gz", bundle, "application/gzip")
        data: dict[str, str] = dict(extra or {})
        if metadata is not None:
            data["metadata"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
        if readme is not None:
            data["readme"] = readme
        if license is not None:
            data["license"] = license
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"/v1/apps/{ns}/{name}/versions/{version}"
        return await api.put(url, files=files, data=data, headers=headers)

    return send


@dataclass(frozen=True)
class Stored:
    apps: int
    versions: int
    dependencies: int
    blobs: int


@pytest.fixture
def stored(settings: Settings) -> Callable[[], Awaitable[Stored]]:
    """``await stored()``: how many apps, versions, dependency rows and blob files exist."""

    async def count() -> Stored:
        database = Database(settings.database_url)
        try:
            async with database.reader() as session:
                counts = [
                    await session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                    for table in ("apps", "versions", "dependencies")
                ]
        finally:
            await database.dispose()
        blob_root = settings.blob_dir
        blobs = sum(1 for p in blob_root.rglob("*") if p.is_file()) if blob_root.exists() else 0
        return Stored(*(int(c or 0) for c in counts), blobs)

    return count


@dataclass(frozen=True)
class LiveRegistry:
    url: str
    admin_token: str
    settings: Settings


@pytest.fixture
def live_registry(settings: Settings, admin_token: str) -> Iterator[LiveRegistry]:
    """The real app under uvicorn on 127.0.0.1 (free port) in a background thread.

    Yields ``.url`` (``http://127.0.0.1:<port>``), ``.admin_token`` and ``.settings``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    live_settings = dataclasses.replace(
        settings, public_url=f"http://127.0.0.1:{port}", download_flush_seconds=1
    )
    config = uvicorn.Config(create_app(live_settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live registry did not start")
        time.sleep(0.02)
    try:
        yield LiveRegistry(f"http://127.0.0.1:{port}", admin_token, live_settings)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    env: dict[str, str]  # the AWS variables a registry process needs to reach it

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's ``ThreadedMotoServer`` (the S3 wire protocol) on 127.0.0.1; the standard AWS
    variables point at it for the whole session (obstore and boto3 read them)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        "AWS_ACCESS_KEY_ID": "nestry-test",
        "AWS_SECRET_ACCESS_KEY": "nestry-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": endpoint,
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield S3Server(endpoint, env)
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A new, empty bucket on ``s3_server``."""
    name = f"nestry-{uuid.uuid4().hex[:16]}"
    s3_server.client().create_bucket(Bucket=name)
    return name

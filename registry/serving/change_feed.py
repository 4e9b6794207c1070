"""Change notices, so that every worker and replica can trust its in-memory caches.

Every write transaction through ``Database.writer()`` calls ``changed()`` once it has committed
(this process learns of its own writes at once). Other processes' writes arrive by dialect:

- PostgreSQL: each worker holds one extra connection that ``LISTEN``s on ``nestry_changes``;
  triggers (migration 0004) send an app's id there whenever a row of the app, its versions,
  dist-tags or grants changes, when the change commits, whoever wrote it (another replica, the
  admin CLI, an operator's SQL). A lost connection is noticed at once (or at the next heartbeat)
  and re-established; while it is down the feed is not ``live``.
- SQLite (one host by nature): a *shared generation*, eight bytes in a file beside the database
  (``<db>-changes``), memory-mapped by every registry process; each commit writes a fresh random
  value there, and a cached answer is valid only while the value it was computed under is still
  there. Reading it is a memory access, not a system call. Writes made outside nestry (the
  ``sqlite3`` shell) are not seen until nestry's next write or a restart.

A reader notes ``generation`` *before* its query and stores its answer under it: a change
noticed in between makes the generations differ, so a stale answer is never kept. When the feed
is not ``live`` (PostgreSQL with ``NESTRY_LISTEN=0``, e.g. behind a pooler without ``LISTEN``,
or while its listener is down), caches fall back to their time bound (``NESTRY_PUBLIC_CACHE_MS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mmap
import os
import random
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from registry.db.connect import postgres_connect_args

CHANNEL = "nestry_changes"
APPLICATION_NAME = "nestry-change-feed"  # how the listening connections show in pg_stat_activity
log = logging.getLogger("nestry.registry")


class ChangeFeed:
    """Only this process's own writes: ``live`` stays false, caches keep their time bound."""

    def __init__(self) -> None:
        self.live = False
        self._count = 0
        self._listeners: list[Callable[[], None]] = []

    @property
    def generation(self) -> int:
        return self._count

    def subscribe(self, clear: Callable[[], None]) -> None:
        """``clear`` runs on every change this process notices (others' too, where notified)."""
        self._listeners.append(clear)

    def changed(self) -> None:
        self._count += 1
        for clear in self._listeners:
            clear()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class PostgresChangeFeed(ChangeFeed):
    """``LISTEN nestry_changes`` on a dedicated asyncpg connection, reconnecting when lost."""

    def __init__(self, url: str, *, heartbeat: float = 10.0, retry: float = 1.0) -> None:
        super().__init__()
        parsed = make_url(url)
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connect_args = postgres_connect_args(url)
        self._heartbeat = heartbeat
        self._retry = retry
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self, wait: float = 5.0) -> None:
        """Begin listening; wait up to ``wait`` s for the first connection (not an error)."""
        self._task = asyncio.create_task(self._run(), name="nestry-change-feed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), wait)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._set_live(False)

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: fall back to the time bound, then retry
                if self.live:
                    log.warning("change feed lost (%s); caches use their time bound", exc)
            self._set_live(False)
            await asyncio.sleep(self._retry)

    async def _listen(self) -> None:
        """One connection's life: listen until it is lost."""
        import asyncpg  # type: ignore[import-untyped]

        connection = await asyncpg.connect(
            self._dsn,
            server_settings={"application_name": APPLICATION_NAME},
            **self._connect_args,
        )
        try:
            lost = asyncio.Event()
            connection.add_termination_listener(lambda *_: lost.set())
            await connection.add_listener(CHANNEL, self._on_notice)
            self._set_live(True)
            self._connected.set()
            while not lost.is_set():  # a closed socket shows at once, a silent peer here
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._heartbeat)
                await connection.fetchval("SELECT 1", timeout=self._heartbeat)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(connection.close(timeout=1))

    def _on_notice(self, *_args: object) -> None:
        self.changed()

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            # Regained: notices may have been missed while not listening, so what was kept is
            # dropped. Lost: nothing changed yet; entries fall back to their time bound (and
            # to ``PublicReads.stale`` while the database is away), so caches are kept.
            if live:
                self.changed()


class SharedGeneration(ChangeFeed):
    """SQLite: a generation shared by every process on the host through a mapped file."""

    def __init__(self, database_file: Path) -> None:
        super().__init__()
        descriptor = os.open(f"{database_file}-changes", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < 8:
                os.ftruncate(descriptor, 8)
            self._shared = mmap.mmap(descriptor, 8)
        finally:
            os.close(descriptor)
        self.live = True

    @property
    def generation(self) -> int:
        return int.from_bytes(self._shared[:8], "little")

    def changed(self) -> None:
        # A fresh random value, not an increment: two processes' read-modify-write could hand
        # a value out twice, and an answer cached under it would look current again.
        self._shared[:8] = random.getrandbits(64).to_bytes(8, "little")
        super().changed()

    async def stop(self) -> None:
        self._shared.close()


def feed_for(database_url: str, listen: bool) -> ChangeFeed:
    """The feed for a database: shared generation (SQLite file), LISTEN (PostgreSQL) or none."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return SharedGeneration(Path(parsed.database))
    if listen and parsed.get_backend_name() == "postgresql":
        return PostgresChangeFeed(database_url)
    return ChangeFeed()

"""Change notices per application, so that every worker and replica can trust its caches.

A notice names the applications (database ids) whose rows changed, or ``None``: "anything may
have changed" (a lost listener, an unknown writer). Listeners (``subscribe``) get every notice
this process learns of; the documents service (``registry.documents.service``) drops only the
named applications' answers, the principal cache everything it holds.

How notices travel, by dialect:

- PostgreSQL: triggers (migrations 0004, 0006) send the changed app's id on ``nestry_changes``
  when the change commits, whoever wrote it (another replica, the admin CLI, an operator's
  SQL); each worker ``LISTEN``s on one extra connection. The account tables' triggers (0006)
  send user, namespace or token ids on the same channel: read as app ids they cost at most one
  app's cached answers a spurious rebuild. This process's own commits: ``Database.writer()``
  awaits ``committed()`` after the block, which sends a marker on the listening connection and
  waits for it to come back; notices are delivered in commit order, so by then the write's own
  notices have been applied (its answer is never served stale to the writer's next request).
  A lost connection is noticed at once (or at the next heartbeat) and re-established; while it
  is down the feed is not ``live`` and caches fall back to their time bound.
- SQLite (one host by nature): temporary triggers on the writing connection call a function
  that collects the changed app ids during the transaction (``install_sqlite``); after the
  commit they are appended to a ring of recent notices in a file beside the database
  (``<db>-changes``), memory-mapped by every registry process. Each process reads the ring's
  head (a memory access) before using its caches and applies what it has not seen; one that
  fell more than a ring behind treats it as ``None``. Writes made outside nestry (the
  ``sqlite3`` shell) are not seen until nestry's next write or a restart.

A reader notes ``generation`` *before* its query and stores its answer under it: a notice
arriving in between changes it, and the cache then refuses the (possibly stale) answer.
Updates of nothing but download counters notify no one (they are counted, not cached).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import logging
import mmap
import os
import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from registry.db.connect import postgres_connect_args

CHANNEL = "nestry_changes"
APPLICATION_NAME = "nestry-change-feed"  # how the listening connections show in pg_stat_activity
SYNC_PREFIX = "sync:"
log = logging.getLogger("nestry.registry")

Apps = frozenset[int] | None  # the changed applications; None: anything may have changed
Listener = Callable[[Apps], None]

# Tables whose rows belong to one application, and the column holding its id (as 0004).
WATCHED = {"apps": "id", "versions": "app_id", "dist_tags": "app_id", "app_grants": "app_id"}
UNCOUNTED = frozenset({"downloads"})  # columns whose updates notify no one


class ChangeFeed:
    """Only this process's own writes, unnamed: ``live`` stays false, caches keep their time
    bound, and each own commit is a ``None`` notice."""

    def __init__(self) -> None:
        self.live = False
        self._count = 0
        self._listeners: list[Listener] = []

    @property
    def generation(self) -> int:
        """Changes with every notice; note it before a query whose answer will be cached."""
        self.poll()
        return self._count

    def poll(self) -> None:
        """Apply notices other processes left where this one can read them (SQLite)."""

    def subscribe(self, listener: Listener) -> None:
        """``listener`` runs on every notice this process learns of (others' too, where
        notified), with the changed apps or ``None``."""
        self._listeners.append(listener)

    def changed(self, apps: Iterable[int] | None = None) -> None:
        """Tell the listeners (``None``: anything may have changed)."""
        self._notify(None if apps is None else frozenset(apps))

    def _notify(self, apps: Apps) -> None:
        self._count += 1
        for listener in self._listeners:
            listener(apps)

    def install_sqlite(self, connection: Any) -> None:
        """Prepare a new SQLite writing connection (only ``SharedGeneration`` collects)."""

    def take(self) -> Apps:
        """At a writing transaction's end: the apps it changed, as collected (``None``:
        unknown); the collection starts afresh."""
        return None

    async def committed(self, apps: Apps) -> None:
        """After a ``Database.writer()`` block that committed ``apps`` (``take``): make the
        changes known."""
        self._notify(apps)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class PostgresChangeFeed(ChangeFeed):
    """``LISTEN nestry_changes`` on a dedicated asyncpg connection, reconnecting when lost."""

    def __init__(
        self, url: str, *, heartbeat: float = 10.0, retry: float = 1.0, sync_wait: float = 2.0
    ) -> None:
        super().__init__()
        parsed = make_url(url)
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connect_args = postgres_connect_args(url)
        self._heartbeat = heartbeat
        self._retry = retry
        self._sync_wait = sync_wait
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._connection: Any = None
        self._lock = asyncio.Lock()  # one statement at a time on the listening connection
        self._markers = itertools.count()
        self._waiting: dict[str, asyncio.Future[None]] = {}

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

    async def committed(self, apps: Apps) -> None:
        """Wait until this process's listener has seen the write just committed (its own
        notices come before the marker sent now); without a listener, a ``None`` notice."""
        connection = self._connection
        if not self.live or connection is None:
            self.changed()
            return
        marker = f"{SYNC_PREFIX}{os.getpid()}:{next(self._markers)}"
        arrived = asyncio.get_running_loop().create_future()
        self._waiting[marker] = arrived
        try:
            async with self._lock:
                await connection.execute(f"NOTIFY {CHANNEL}, '{marker}'")
            await asyncio.wait_for(arrived, self._sync_wait)
        except Exception:  # lost or slow listener: assume anything changed
            self.changed()
        finally:
            self._waiting.pop(marker, None)

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
            self._connection = connection
            self._set_live(True)
            self._connected.set()
            while not lost.is_set():  # a closed socket shows at once, a silent peer here
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._heartbeat)
                async with self._lock:
                    await connection.fetchval("SELECT 1", timeout=self._heartbeat)
        finally:
            self._connection = None
            with contextlib.suppress(Exception):
                await asyncio.shield(connection.close(timeout=1))

    def _on_notice(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(SYNC_PREFIX):
            waiter = self._waiting.get(payload)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return
        self.changed(None if not payload.isdigit() else [int(payload)])

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            # Regained: notices may have been missed while not listening, so what was kept is
            # dropped. Lost: nothing changed yet; entries fall back to their time bound, so
            # caches are kept (and answer while the database is away).
            if live:
                self.changed()


# The ring file: a header (the last notice's number), then RING slots of (number, app id).
_HEADER = struct.Struct("<q")
_SLOT = struct.Struct("<qq")
RING = 4096
_NO_APP = 0  # a commit that changed no application's rows (accounts, tokens)
_ANY_APP = -1  # a commit whose applications are unknown


class SharedGeneration(ChangeFeed):
    """SQLite: a ring of recent notices shared by every process on the host (a mapped file)."""

    def __init__(self, database_file: Path) -> None:
        super().__init__()
        size = _HEADER.size + RING * _SLOT.size
        self._descriptor = os.open(f"{database_file}-changes", os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._descriptor).st_size < size:
            os.ftruncate(self._descriptor, size)
        self._shared = mmap.mmap(self._descriptor, size)
        self._seen = self._head()
        self._collected: set[int] = set()
        self._precise = False  # the writing connection has the collecting triggers
        self.live = True

    def _head(self) -> int:
        head: int = _HEADER.unpack_from(self._shared, 0)[0]
        return head

    def poll(self) -> None:
        head = self._head()
        if head == self._seen:
            return
        self._apply(self._read(self._seen, head))
        self._seen = head

    def _read(self, seen: int, head: int) -> Apps:
        if head < seen or head - seen > RING:
            return None
        apps: set[int] = set()
        for number in range(seen + 1, head + 1):
            stored, app = _SLOT.unpack_from(self._shared, _HEADER.size + (number % RING) * 16)
            if stored != number or app == _ANY_APP:  # overwritten meanwhile, or unknown
                return None
            if app != _NO_APP:
                apps.add(app)
        return frozenset(apps)

    def _apply(self, apps: Apps) -> None:
        self._notify(apps)

    def install_sqlite(self, connection: Any) -> None:
        """Temporary triggers on the writing connection collect changed app ids."""
        connection.create_function("nestry_changed", 1, self._collect)
        cursor = connection.cursor()
        try:
            for table, column in WATCHED.items():
                cursor.execute(f"PRAGMA table_info({table})")
                columns = [row[1] for row in cursor.fetchall() if row[1] not in UNCOUNTED]
                if not columns:
                    return  # no schema yet (a migration's connection): stay imprecise
                for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
                    cursor.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS nestry_{table}_{event.lower()}"
                        f" AFTER {event} ON main.{table}"
                        f" BEGIN SELECT nestry_changed({row}.{column}); END"
                    )
                cursor.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS nestry_{table}_update"
                    f" AFTER UPDATE OF {', '.join(columns)} ON main.{table}"
                    f" BEGIN SELECT nestry_changed(NEW.{column}), nestry_changed(OLD.{column});"
                    " END"
                )
            self._precise = True
        finally:
            cursor.close()

    def _collect(self, app_id: object) -> None:
        if isinstance(app_id, int):
            self._collected.add(app_id)

    def take(self) -> Apps:
        apps: Apps = frozenset(self._collected) if self._precise else None
        self._collected.clear()
        return apps

    async def committed(self, apps: Apps) -> None:
        self.publish(apps)

    def publish(self, apps: Apps) -> None:
        """Append a notice to the ring (under a file lock), then apply it here."""
        fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        try:
            self.poll()  # others' notices first, so that ``_seen`` can move past them
            number = self._head()
            for app in sorted(apps) if apps else [_ANY_APP if apps is None else _NO_APP]:
                number += 1
                _SLOT.pack_into(self._shared, _HEADER.size + (number % RING) * 16, number, app)
            _HEADER.pack_into(self._shared, 0, number)
            self._seen = number
        finally:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        self._notify(apps)

    def changed(self, apps: Iterable[int] | None = None) -> None:
        self.publish(None if apps is None else frozenset(apps))

    async def stop(self) -> None:
        self._shared.close()
        os.close(self._descriptor)


def feed_for(database_url: str, listen: bool) -> ChangeFeed:
    """The feed for a database: shared ring (SQLite file), LISTEN (PostgreSQL) or none."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return SharedGeneration(Path(parsed.database))
    if listen and parsed.get_backend_name() == "postgresql":
        return PostgresChangeFeed(database_url)
    return ChangeFeed()

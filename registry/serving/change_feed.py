"""Change notices per application, so that every worker and replica can trust its caches.

A notice (``Notice``) names what changed by database id and kind: applications (their rows,
versions, tags, grants), users (their rows, memberships), tokens (their rows, namespaces) and
namespaces; or it is ``None``: "anything may have changed" (a lost listener, an unknown
writer). Listeners (``subscribe``) get every notice this process learns of; each cache drops
only what a notice names: the documents service (``registry.documents.service``) and the
resolver's version lists (``registry.resolve.cache``) an application's answers, the principal
cache (``registry.auth.principals``) a user's or a token's principals. ``Epochs`` is the one
rule by which they refuse an answer computed while a notice for it arrived.

How notices travel, by dialect:

- PostgreSQL: triggers (migrations 0004, 0010) send the changed row's owner on
  ``nestry_changes`` when the change commits, whoever wrote it (another replica, the admin CLI,
  an operator's SQL); each worker ``LISTEN``s on one extra connection. The payload is an app's
  id (0004), or ``user:<id>``, ``token:<id>``, ``namespace:<id>`` for the account tables
  (0010); anything else is read as ``None``. This process's own commits: ``Database.writer()``
  awaits ``committed()`` after the block, which sends a marker on the listening connection and
  waits for it to come back; notices are delivered in commit order, so by then the write's own
  notices have been applied (its answer is never served stale to the writer's next request).
  A lost connection is noticed at once (or at the next heartbeat) and re-established; while it
  is down the feed is not ``live`` and caches fall back to their time bound.
- SQLite (one host by nature): temporary triggers on the writing connection call a function
  that collects the changed ids, by kind, during the transaction (``install_sqlite``); after
  the commit they are appended to a ring of recent notices in a file beside the database
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
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from registry.db.connect import postgres_connect_args

CHANNEL = "nestry_changes"
APPLICATION_NAME = "nestry-change-feed"  # how the listening connections show in pg_stat_activity
SYNC_PREFIX = "sync:"
log = logging.getLogger("nestry.registry")

KINDS = ("app", "user", "token", "namespace")  # what a notice names, by the id of its owner


@dataclass(frozen=True)
class Notice:
    """What committed changes touched: database ids, by kind (``KINDS``)."""

    apps: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()
    tokens: frozenset[int] = frozenset()
    namespaces: frozenset[int] = frozenset()

    @classmethod
    def about(
        cls,
        apps: Iterable[int] = (),
        users: Iterable[int] = (),
        tokens: Iterable[int] = (),
        namespaces: Iterable[int] = (),
    ) -> Notice:
        return cls(frozenset(apps), frozenset(users), frozenset(tokens), frozenset(namespaces))

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> Notice:
        """From (kind, id) pairs."""
        by_kind: dict[str, set[int]] = {kind: set() for kind in KINDS}
        for kind, number in pairs:
            by_kind[kind].add(number)
        return cls.about(*(by_kind[kind] for kind in KINDS))

    def pairs(self) -> list[tuple[str, int]]:
        """(kind, id) of everything named, in a stable order."""
        named = (self.apps, self.users, self.tokens, self.namespaces)
        return [
            (kind, number) for kind, ids in zip(KINDS, named, strict=True) for number in sorted(ids)
        ]


Changes = Notice | None  # None: anything may have changed
Listener = Callable[[Changes], None]

# Tables watched, the kind of owner their rows have, and the column holding its id (as the
# PostgreSQL triggers of 0004 and 0010).
WATCHED = {
    "apps": ("app", "id"),
    "versions": ("app", "app_id"),
    "dist_tags": ("app", "app_id"),
    "app_grants": ("app", "app_id"),
    "users": ("user", "id"),
    "memberships": ("user", "user_id"),
    "tokens": ("token", "id"),
    "token_namespaces": ("token", "token_id"),
    "namespaces": ("namespace", "id"),
}
UNCOUNTED = frozenset({"downloads"})  # columns whose updates notify no one
MAX_CHANGED = 100_000  # keys ``Epochs`` remembers as changed; beyond, every answer in flight is


class Epochs:
    """The one rule by which a cache refuses an answer computed while a notice for it arrived.

    Notices are counted (``epoch``); ``advance`` records, per key the cache chose (an app id,
    a user's or a token's), the count of the last notice naming it. A cache notes ``epoch``
    before reading an answer and keeps it only if ``fresh``: nothing it depends on was named
    since (``None`` names everything)."""

    def __init__(self) -> None:
        self.epoch = 0
        self._floor = 0  # answers computed before this epoch are not kept
        self._changed_at: dict[Hashable, int] = {}

    def advance(self, keys: Iterable[Hashable] | None) -> None:
        self.epoch += 1
        if keys is None:
            self._floor = self.epoch
            self._changed_at.clear()
            return
        for key in keys:
            self._changed_at[key] = self.epoch
        if len(self._changed_at) > MAX_CHANGED:
            self._changed_at.clear()
            self._floor = self.epoch

    def fresh(self, epoch: int, *keys: Hashable) -> bool:
        """May an answer depending on ``keys``, computed since ``epoch``, be kept?"""
        return epoch >= self._floor and all(self._changed_at.get(k, -1) <= epoch for k in keys)


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
        notified), with what changed or ``None``."""
        self._listeners.append(listener)

    def changed(self, notice: Changes = None) -> None:
        """Tell the listeners (``None``: anything may have changed)."""
        self._notify(notice)

    def _notify(self, notice: Changes) -> None:
        self._count += 1
        for listener in self._listeners:
            listener(notice)

    def install_sqlite(self, connection: Any) -> None:
        """Prepare a new SQLite writing connection (only ``SharedGeneration`` collects)."""

    def take(self) -> Changes:
        """At a writing transaction's end: what it changed, as collected (``None``:
        unknown); the collection starts afresh."""
        return None

    async def committed(self, notice: Changes) -> None:
        """After a ``Database.writer()`` block that committed ``notice`` (``take``): make the
        changes known."""
        self._notify(notice)

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

    async def committed(self, notice: Changes) -> None:
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
        self.changed(parse_payload(payload))

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            # Regained: notices may have been missed while not listening, so what was kept is
            # dropped. Lost: nothing changed yet; entries fall back to their time bound, so
            # caches are kept (and answer while the database is away).
            if live:
                self.changed()


def parse_payload(payload: str) -> Changes:
    """A trigger's payload: an app's id (0004), ``<kind>:<id>`` (0010); otherwise ``None``."""
    kind, _, number = payload.rpartition(":")
    if not number.isdigit() or kind not in ("", *KINDS[1:]):
        return None
    return Notice.of([(kind or "app", int(number))])


# The ring file: a header (the last notice's number), then RING slots of (number, value): the
# kind's index in ``KINDS`` in the value's top byte, the id below (an app's value is its id).
_HEADER = struct.Struct("<q")
_SLOT = struct.Struct("<qq")
RING = 4096
_NOTHING = 0  # a commit that changed nothing watched
_ANYTHING = -1  # a commit whose changes are unknown
_KIND_SHIFT = 56


def _value(kind: str, number: int) -> int:
    return KINDS.index(kind) << _KIND_SHIFT | number


def _pair(value: int) -> tuple[str, int] | None:
    kind = value >> _KIND_SHIFT
    return (KINDS[kind], value & ((1 << _KIND_SHIFT) - 1)) if kind < len(KINDS) else None


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
        self._collected: set[tuple[str, int]] = set()
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

    def _read(self, seen: int, head: int) -> Changes:
        if head < seen or head - seen > RING:
            return None
        pairs: list[tuple[str, int]] = []
        for number in range(seen + 1, head + 1):
            stored, value = _SLOT.unpack_from(self._shared, _HEADER.size + (number % RING) * 16)
            if stored != number or value < 0:  # overwritten meanwhile, or unknown
                return None
            pair = _pair(value)
            if pair is None:  # written by a newer nestry: a kind unknown here
                return None
            if value != _NOTHING:
                pairs.append(pair)
        return Notice.of(pairs)

    def _apply(self, notice: Changes) -> None:
        self._notify(notice)

    def install_sqlite(self, connection: Any) -> None:
        """Temporary triggers on the writing connection collect changed ids, by kind."""
        connection.create_function("nestry_changed", 2, self._collect)
        cursor = connection.cursor()
        try:
            for table, (kind, column) in WATCHED.items():
                cursor.execute(f"PRAGMA table_info({table})")
                columns = [row[1] for row in cursor.fetchall() if row[1] not in UNCOUNTED]
                if not columns:
                    return  # no schema yet (a migration's connection): stay imprecise
                for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
                    cursor.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS nestry_{table}_{event.lower()}"
                        f" AFTER {event} ON main.{table}"
                        f" BEGIN SELECT nestry_changed('{kind}', {row}.{column}); END"
                    )
                cursor.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS nestry_{table}_update"
                    f" AFTER UPDATE OF {', '.join(columns)} ON main.{table}"
                    f" BEGIN SELECT nestry_changed('{kind}', NEW.{column}),"
                    f" nestry_changed('{kind}', OLD.{column}); END"
                )
            self._precise = True
        finally:
            cursor.close()

    def _collect(self, kind: object, number: object) -> None:
        if isinstance(kind, str) and isinstance(number, int):
            self._collected.add((kind, number))

    def take(self) -> Changes:
        notice = Notice.of(self._collected) if self._precise else None
        self._collected.clear()
        return notice

    async def committed(self, notice: Changes) -> None:
        self.publish(notice)

    def publish(self, notice: Changes) -> None:
        """Append a notice to the ring (under a file lock), then apply it here."""
        fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        try:
            self.poll()  # others' notices first, so that ``_seen`` can move past them
            number = self._head()
            values = [_value(*pair) for pair in notice.pairs()] if notice is not None else []
            for value in values or [_ANYTHING if notice is None else _NOTHING]:
                number += 1
                _SLOT.pack_into(self._shared, _HEADER.size + (number % RING) * 16, number, value)
            _HEADER.pack_into(self._shared, 0, number)
            self._seen = number
        finally:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        self._notify(notice)

    def changed(self, notice: Changes = None) -> None:
        self.publish(notice)

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

"""Engines and sessions. SQLite gets WAL, a busy timeout and one serialized writer.

SQLite allows one writer at a time. Writes go through ``Database.writer()``: on SQLite a
separate one-connection engine whose transactions start with ``BEGIN IMMEDIATE`` (so a
read-then-write transaction never fails on lock upgrade) and whose pool of one queues writers
in-process; ``busy_timeout`` makes other processes (uvicorn workers) wait instead of failing.
PostgreSQL uses one engine for both.

Hot single-statement reads go through ``Database.first``: on SQLite a synchronous engine run
in a worker thread (one thread hop per request instead of aiosqlite's one per cursor call), on
PostgreSQL an autocommit connection (no BEGIN/ROLLBACK round trips).

Connect and statement timeouts (``NESTRY_DB_CONNECT_TIMEOUT_SECONDS``,
``NESTRY_DB_STATEMENT_TIMEOUT_SECONDS``) bound how long a request waits on a stalled or missing
PostgreSQL; ``health`` (``registry.db.health``) tracks the outage. SQLite waits for locks up to
``BUSY_TIMEOUT_MS`` (it has no network to lose).

PostgreSQL's pool holds as many connections as a worker serves requests at once
(``PG_POOL_SIZE``; ``PG_MAX_OVERFLOW`` more for bursts, closed again when returned): a pool
smaller than the concurrency keeps opening and closing connections under load. A database on
the loopback interface is reached without TLS: asyncpg otherwise first tries to negotiate SSL on
every new connection, which buys nothing over loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy import Engine, Row, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

from registry.db.connect import DEFAULT_CONNECT_TIMEOUT, postgres_connect_args
from registry.db.health import DatabaseHealth
from registry.serving.change_feed import ChangeFeed, feed_for

BUSY_TIMEOUT_MS = 30_000
PG_POOL_SIZE = 20
PG_MAX_OVERFLOW = 10


class Database:
    """The engines of one app instance; ``reader()``/``writer()`` yield sessions.

    ``changes`` is the database's change feed (``registry.serving.change_feed``): every commit of a
    ``writer()`` session reports to it, whichever process and code path wrote.
    """

    def __init__(
        self,
        url: str,
        *,
        listen: bool = True,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        statement_timeout: float | None = None,
    ) -> None:
        self.url = url
        self.changes = feed_for(url, listen)
        self.is_sqlite = url.startswith("sqlite")
        self.health = DatabaseHealth(self._probe)
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False, pool_size=5)
            self.write_engine = _sqlite_engine(
                url, immediate=True, pool_size=1, prepare=self.changes.install_sqlite
            )
        else:
            self.read_engine = _postgres_engine(url, connect_timeout, statement_timeout)
            self.write_engine = self.read_engine
        self._sync_reader = _sqlite_sync_engine(url) if self.is_sqlite else None
        self._autocommit = self.read_engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = async_sessionmaker(
            self.write_engine,
            expire_on_commit=False,
            sync_session_class=_WriterSession,
            info={_FEED: self.changes},
        )
        self._write_unreported = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.read_engine.dialect.name

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        self.health.check()
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def writer(self, *, report: bool = True) -> AsyncIterator[AsyncSession]:
        """A session whose transaction the caller commits; rolled back on error.

        ``report=False`` only for writes no cached document needs to see at once (download
        counters): their commits are not reported to the change feed.
        """
        self.health.check()
        if not report:
            async with self._write_unreported() as session:
                yield session
            return
        async with self._write() as session:
            yield session
            committed = session.sync_session.info.pop(_COMMITTED, ())
        for apps in committed:  # after the block: the change feed names what changed
            await self.changes.committed(apps)

    async def ping(self) -> None:
        """Return when the database answers a trivial query; raise when it does not."""
        await self.first(sa.text("SELECT 1"))

    async def first(self, statement: Executable) -> Row[Any] | None:
        """The first row of one read-only statement, by the cheapest route."""
        self.health.check()
        return await self._first(statement)

    async def _probe(self) -> None:
        await self._first(sa.text("SELECT 1"))

    async def _first(self, statement: Executable) -> Row[Any] | None:
        sync_engine = self._sync_reader
        if sync_engine is not None:
            return await anyio.to_thread.run_sync(_first_sync, sync_engine, statement)
        async with self._autocommit.connect() as connection:
            return (await connection.execute(statement)).first()

    async def dispose(self) -> None:
        await self.health.stop()
        await self.changes.stop()
        if self._sync_reader is not None:
            self._sync_reader.dispose()
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()


def _postgres_engine(
    url: str, connect_timeout: float, statement_timeout: float | None
) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        # Waiting for a free connection is bounded like making one (a stalled database holds
        # every pooled connection until its statements time out).
        pool_timeout=connect_timeout,
        connect_args=postgres_connect_args(
            url, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        ),
    )


_COMMITTED = "nestry.committed"
_FEED = "nestry.feed"


class _WriterSession(Session):
    """The sessions ``Database.writer()`` hands out: they report each commit."""


@event.listens_for(_WriterSession, "after_commit")
def _note_commit(session: Session) -> None:
    feed: ChangeFeed = session.info[_FEED]
    session.info.setdefault(_COMMITTED, []).append(feed.take())


@event.listens_for(_WriterSession, "after_rollback")
def _forget_rollback(session: Session) -> None:
    feed: ChangeFeed = session.info[_FEED]
    feed.take()  # what the rolled-back transaction collected changed nothing


def _first_sync(engine: Engine, statement: Executable) -> Row[Any] | None:
    with engine.connect() as connection:
        return connection.execute(statement).first()


def _sqlite_sync_engine(url: str) -> Engine:
    """pysqlite on the same file, autocommit (a lone SELECT needs no transaction)."""
    sync_url = make_url(url).set(drivername="sqlite")
    engine = create_engine(
        sync_url, pool_size=8, max_overflow=8, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    return engine


def _sqlite_engine(
    url: str, *, immediate: bool, pool_size: int, prepare: Any = None
) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=120)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if prepare is not None:  # the change feed's collecting triggers (writer only)
            prepare(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine

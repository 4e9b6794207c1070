"""Brute-force resistance: too many failed authentications answer 429.

Failures are counted per **(client address, token prefix)** in a fixed window: after ``limit``
failures within ``window`` seconds, requests from that address presenting a token with that
prefix (its first ``PREFIX_CHARS`` characters, what ``nestry token list`` shows) are refused
with 429 and ``Retry-After`` until the window ends. Guessing at one token is stopped; a valid
token with another prefix from the same address (a colleague behind the same NAT, or the victim
of someone spraying guesses) keeps working. The client address is the socket's peer unless the
peer is a proxy named in ``NESTRY_TRUSTED_PROXIES`` (``registry.serving.context``), so rotating
``X-Forwarded-For`` neither dodges the count nor aims it at someone else.

The count is shared by every worker and replica: in the database (``auth_failures``, migration
0008) or, when ``NESTRY_REDIS_URL`` is set, in Redis (``INCR`` + ``EXPIRE``). ``MemoryFailures``
(one process) is for tests and tools. The clock is injectable so tests need no sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from registry.db.models import AuthFailure
from registry.db.session import Database
from registry.errors import TooManyRequests
from registry.settings import Settings

PREFIX_CHARS = 8  # "nst_" and four characters: the display prefix of a token
MAX_KEYS = 100_000
REDIS_PREFIX = "nestry:auth-failures:"
_TABLE = cast(sa.Table, AuthFailure.__table__)


def failure_key(address: str, token: str) -> str:
    """The counter a failure of ``token`` from ``address`` goes to (bounded length)."""
    return f"{address[:64]}|{token[:PREFIX_CHARS]}"


class FailureStore(Protocol):
    """Where counts live. ``now`` is epoch seconds (shared by replicas: a wall clock)."""

    async def current(self, key: str, now: float, window: float) -> tuple[int, float]:
        """``(failures, window start)`` of ``key``'s window open at ``now``; ``(0, now)``."""
        ...

    async def add(self, key: str, now: float, window: float) -> None:
        """Count one failure of ``key`` (opening a new window when the last one ended)."""
        ...

    async def close(self) -> None: ...


class FailureLimiter:
    def __init__(
        self,
        limit: int,
        window: float,
        store: FailureStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit, self.window, self.store, self._clock = limit, window, store, clock

    async def check(self, address: str, token: str) -> None:
        """``TooManyRequests`` while ``(address, token prefix)`` is over the limit."""
        now = self._clock()
        failures, start = await self.store.current(failure_key(address, token), now, self.window)
        if failures >= self.limit:
            wait = max(1, math.ceil(start + self.window - now))
            raise TooManyRequests(
                "too_many_failed_authentications",
                "too many failed authentications with this token prefix from this address; "
                f"retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    async def record_failure(self, address: str, token: str) -> None:
        await self.store.add(failure_key(address, token), self._clock(), self.window)

    async def close(self) -> None:
        await self.store.close()


def limiter_for(settings: Settings, database: Database) -> FailureLimiter:
    """The limiter a registry runs: counts in Redis when configured, else in the database."""
    store: FailureStore = (
        RedisFailures(settings.redis_url) if settings.redis_url else DatabaseFailures(database)
    )
    return FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window_seconds, store)


class MemoryFailures:
    """Counts in this process only."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, failures)

    async def current(self, key: str, now: float, window: float) -> tuple[int, float]:
        entry = self._windows.get(key)
        if entry is None or now - entry[0] >= window:
            return 0, now
        return entry[1], entry[0]

    async def add(self, key: str, now: float, window: float) -> None:
        failures, start = await self.current(key, now, window)
        if failures == 0 and len(self._windows) >= MAX_KEYS:
            self._windows.clear()  # bounded memory; a flood only resets the counts
        self._windows[key] = (start, failures + 1)

    async def close(self) -> None:
        self._windows.clear()


class DatabaseFailures:
    """Counts in the ``auth_failures`` table: one upsert per failure, one lookup per check.

    Rows of ended windows are deleted now and then (every ``PRUNE_EVERY`` failures counted by
    this process), so the table holds roughly the keys failing within a window.
    """

    PRUNE_EVERY = 100

    def __init__(self, database: Database) -> None:
        self.database = database
        self._added = 0

    async def current(self, key: str, now: float, window: float) -> tuple[int, float]:
        table = _TABLE
        row = await self.database.first(
            sa.select(table.c.failures, table.c.window_start).where(
                table.c.key == key, table.c.window_start > now - window
            )
        )
        if row is None:
            return 0, now
        return int(row.failures), float(row.window_start)

    async def add(self, key: str, now: float, window: float) -> None:
        table = _TABLE
        ended = table.c.window_start <= now - window
        async with self.database.writer(report=False) as session:
            insert: Any = (
                postgresql.insert(table)
                if self.database.dialect == "postgresql"
                else sqlite.insert(table)
            )
            statement = insert.values(key=key, window_start=now, failures=1)
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "failures": sa.case((ended, 1), else_=table.c.failures + 1),
                    "window_start": sa.case((ended, now), else_=table.c.window_start),
                },
            )
            await session.execute(statement)
            self._added += 1
            if self._added % self.PRUNE_EVERY == 0:
                await session.execute(sa.delete(table).where(ended))
            await session.commit()

    async def close(self) -> None:
        pass


class RedisFailures:
    """Counts in Redis: a key per (address, prefix) that expires with its window."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self.client: Any = redis.asyncio.Redis.from_url(url, socket_timeout=5)

    async def current(self, key: str, now: float, window: float) -> tuple[int, float]:
        async with self.client.pipeline(transaction=False) as pipe:
            failures, ttl = await pipe.get(REDIS_PREFIX + key).pttl(REDIS_PREFIX + key).execute()
        if failures is None or ttl is None or ttl < 0:
            return 0, now
        return int(failures), now + ttl / 1000 - window

    async def add(self, key: str, now: float, window: float) -> None:
        name = REDIS_PREFIX + key
        async with self.client.pipeline(transaction=True) as pipe:
            # NX: the first failure of a window sets its end; later ones leave it alone.
            await pipe.incr(name).expire(name, math.ceil(window), nx=True).execute()

    async def close(self) -> None:
        await self.client.aclose()

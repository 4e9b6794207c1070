"""Is the database there? Telling an outage from a bug, and saying so once per outage.

``is_unavailable(exc)`` decides whether an exception means "the database cannot be reached or
did not answer in time" (connection refused or lost, connect or statement timeout, a pool with no
connection to give, SQLite's lock wait running out) rather than a bug or a constraint.
Endpoints answer those ``503 database_unavailable`` with ``Retry-After``
(``registry.serving.error_handlers``).

``DatabaseHealth`` turns an outage into two log lines: one when the first failure is seen, one
when the database answers again, instead of a traceback per request. While ``down``, a probe
pings the database every ``probe_interval`` seconds and is the only thing that tries: requests
fail at once (``check``) rather than each waiting out the timeouts and holding a pooled
connection, and readers serve what they remember (``registry.serving.hot_reads``). The probe
ends the outage on its first answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import exc as sa_exc

log = logging.getLogger("registry")

RETRY_AFTER_SECONDS = 5

# Errors (by name, so no driver needs importing) that say the server went away or gave up.
_DRIVER_UNAVAILABLE = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "QueryCanceledError",  # statement_timeout
        "AdminShutdownError",
        "CrashShutdownError",
        "InterfaceError",
        "InternalClientError",
    }
)


class DatabaseUnavailable(Exception):
    """Raised without trying while an outage is known (``DatabaseHealth.down``): requests are
    answered 503 at once instead of each waiting out the timeouts; the probe notices the end."""


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) means the database is away or too slow."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated:
                return True
            if isinstance(current, sa_exc.OperationalError | sa_exc.InterfaceError):
                return True
            if current.orig is not None and _driver_unavailable(current.orig):
                return True
        elif isinstance(
            current, DatabaseUnavailable | sa_exc.TimeoutError | TimeoutError | ConnectionError
        ):
            return True  # pool checkout, asyncio/driver timeouts, refused or reset sockets
        elif _driver_unavailable(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _driver_unavailable(error: BaseException) -> bool:
    return any(kind.__name__ in _DRIVER_UNAVAILABLE for kind in type(error).__mro__)


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:300]}"


class DatabaseHealth:
    """Outage bookkeeping for one ``Database`` (see the module)."""

    def __init__(self, ping: Callable[[], Awaitable[None]], probe_interval: float = 1.0) -> None:
        self._ping = ping
        self.probe_interval = probe_interval
        self.down_since: float | None = None
        self.outages = 0
        self._probe: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def check(self) -> None:
        """``DatabaseUnavailable`` during a known outage."""
        if self.down_since is not None:
            raise DatabaseUnavailable("the database is unavailable (waiting for it to answer)")

    def failed(self, error: BaseException) -> None:
        """Note a failure ``is_unavailable`` accepted; logs only the first of an outage."""
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        self.outages += 1
        log.warning("database unavailable (%s); answering 503 until it is back", one_line(error))
        with contextlib.suppress(RuntimeError):  # no running loop: the next request probes
            self._probe = asyncio.get_running_loop().create_task(self._until_back())

    def answered(self) -> None:
        """The database answered: ends an outage (one log line)."""
        since = self.down_since
        if since is None:
            return
        self.down_since = None
        log.warning("database available again after %.1f s", time.monotonic() - since)

    async def _until_back(self) -> None:
        while self.down_since is not None:
            await asyncio.sleep(self.probe_interval)
            try:
                await self._ping()
            except Exception as error:
                if not is_unavailable(error):
                    log.warning("database probe: %s", one_line(error))
                continue
            self.answered()

    async def stop(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe

"""Slow and idle connections: read deadlines, an idle timeout and a connection cap.

uvicorn closes a keep-alive connection some seconds after its last answer, but nothing else: a
connection that never sends a byte, or drips one header line a second, stays open for ever, and
enough of them exhaust the worker's file descriptors so that every real request fails. The
protocols ``nestry-registry serve`` runs (``protocol_for``) mix in ``GuardedConnection``, which
adds:

* **read deadline** (``ConnectionLimits.read_timeout``): a request's headers must arrive whole
  within it of their first byte (else ``408`` and close); a body may not pause longer than it
  between pieces, and once it has been arriving that long it must average ``min_body_rate``
  (a slow drip of a body is cut off the same way; a body the *app* is not reading does not
  count, nor does a client waiting for ``100 Continue``);
* **idle timeout** (``idle_timeout``): a connection with no request in progress (fresh, or after
  its last answer) is closed after it;
* **connection cap** (``max_connections``): past it, a new connection makes room by closing the
  connection idle the longest, else the one slowest at sending its headers; when every
  connection is busy with a request, the new one is refused with ``503``.

One sweep task per server (``_Sweeper``) checks the deadlines every ``tick`` seconds instead of
a timer per connection; it runs only while guarded connections exist. Works on any uvicorn HTTP
protocol (httptools, ours, h11): it uses only what they share (``cycle``, ``flow``,
``on_response_complete``, ``connections``).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from registry.settings import Settings

# Descriptors a worker keeps for itself past its connections: database pool, blob files, logs.
RESERVED_FDS = 128
MIN_BODY_RATE = 16 * 1024  # bytes per second a body averages once it took read_timeout

log = logging.getLogger("nestry.registry")


def _answer(status: bytes, code: str, message: str, extra: bytes = b"") -> bytes:
    body = b'{"error":{"code":"%s","message":"%s"}}' % (code.encode(), message.encode())
    head = b"HTTP/1.1 %s\r\ncontent-type: application/json\r\nconnection: close\r\n" % status
    return head + extra + b"content-length: %d\r\n\r\n" % len(body) + body


_TIMEOUT_408 = _answer(b"408 Request Timeout", "request_timeout", "the request came too slowly")
_BUSY_503 = _answer(
    b"503 Service Unavailable",
    "too_many_connections",
    "every connection is busy",
    b"retry-after: 1\r\n",
)


@dataclass(frozen=True)
class ConnectionLimits:
    """The guard's settings (``Settings.read_timeout_seconds`` and friends)."""

    read_timeout: float = 10.0
    idle_timeout: float = 5.0
    max_connections: int = 0  # 0: derived from the open-file limit (``default_max_connections``)
    min_body_rate: int = MIN_BODY_RATE

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            read_timeout=settings.read_timeout_seconds,
            idle_timeout=settings.idle_timeout_seconds,
            max_connections=settings.max_connections,
        )

    @property
    def cap(self) -> int:
        return self.max_connections or default_max_connections()

    @property
    def tick(self) -> float:
        return max(0.05, min(1.0, self.read_timeout / 4, self.idle_timeout / 4))


def default_max_connections() -> int:
    """What one worker may hold open: its open-file limit less ``RESERVED_FDS``, at most 4,096."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(16, min(4096, soft - RESERVED_FDS))


class GuardedConnection:
    """Mixin for a uvicorn HTTP protocol class (first in the bases); see the module."""

    # None: from the ``NESTRY_*`` settings, read once per process (``serve --workers`` starts
    # each worker from the class's name, so the limits cannot travel with the class).
    limits: ClassVar[ConnectionLimits | None] = None

    # What the uvicorn protocol provides.
    transport: asyncio.Transport
    connections: set[Any]
    server_state: ServerState
    cycle: Any
    flow: Any

    _idle_since: float
    _reading_since: float | None
    _last_read: float
    _received: int

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        now = time.monotonic()
        self._idle_since, self._reading_since, self._last_read, self._received = now, None, now, 0
        _Sweeper.of(self.server_state, self._limits()).admit(self)

    @classmethod
    def _limits(cls) -> ConnectionLimits:
        if cls.limits is None:
            cls.limits = ConnectionLimits.from_settings(Settings.from_env())
        return cls.limits

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self._last_read = now
        if self._reading_since is None and not self._in_request():
            self._reading_since, self._received = now, 0
        self._received += len(data)
        super().data_received(data)  # type: ignore[misc]

    def on_response_complete(self) -> None:
        self._reading_since, self._idle_since = None, time.monotonic()
        super().on_response_complete()  # type: ignore[misc]

    def _in_request(self) -> bool:
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete

    def _is_idle(self) -> bool:
        return self._reading_since is None and not self._in_request()

    def _reading_headers(self) -> bool:
        return self._reading_since is not None and not self._in_request()

    def _overdue(self, now: float) -> bytes | None:
        """What to send before closing (possibly nothing) when a deadline passed; else None."""
        limits = self._limits()
        if self._is_idle():
            return b"" if now - self._idle_since > limits.idle_timeout else None
        started = self._reading_since
        if not self._in_request():  # headers still arriving
            assert started is not None
            return _TIMEOUT_408 if now - started > limits.read_timeout else None
        cycle = self.cycle
        reading_body = cycle.more_body and not cycle.response_started
        if (
            not reading_body
            or self.flow.read_paused  # the app has not taken what came: not the client's fault
            or getattr(cycle, "waiting_for_100_continue", False)
        ):
            return None
        if now - self._last_read > limits.read_timeout:
            return _TIMEOUT_408
        elapsed = now - (started if started is not None else self._last_read)
        if elapsed > limits.read_timeout and self._received < limits.min_body_rate * elapsed:
            return _TIMEOUT_408
        return None

    def _close(self, farewell: bytes) -> None:
        transport = self.transport
        if transport.is_closing():
            return
        if farewell:
            transport.write(farewell)
        transport.close()


class _Sweeper:
    """The deadline checks and the cap of one server (one per ``ServerState``)."""

    _running: ClassVar[weakref.WeakKeyDictionary[ServerState, _Sweeper]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, state: ServerState, limits: ConnectionLimits) -> None:
        self.state, self.limits = state, limits
        self.cap = limits.cap
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, state: ServerState, limits: ConnectionLimits) -> _Sweeper:
        sweeper = cls._running.get(state)
        if sweeper is None:
            sweeper = cls._running[state] = cls(state, limits)
        return sweeper

    def admit(self, new: GuardedConnection) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._sweep())
        open_ = [c for c in self._guarded() if not c.transport.is_closing()]
        if len(open_) <= self.cap:
            return
        others = [c for c in open_ if c is not new]
        idle = [c for c in others if c._is_idle()]
        if idle:
            min(idle, key=lambda c: c._idle_since)._close(b"")
            return
        slow = [c for c in others if c._reading_headers()]
        if slow:
            min(slow, key=lambda c: c._reading_since or 0.0)._close(_TIMEOUT_408)
            return
        new._close(_BUSY_503)

    def _guarded(self) -> list[GuardedConnection]:
        return [c for c in self.state.connections if isinstance(c, GuardedConnection)]

    async def _sweep(self) -> None:
        tick = self.limits.tick
        while True:
            await asyncio.sleep(tick)
            guarded = self._guarded()
            if not guarded:
                return  # admit() starts another with the next connection
            now = time.monotonic()
            for connection in guarded:
                farewell = connection._overdue(now)
                if farewell is not None:
                    connection._close(farewell)


class GuardedH11Protocol(GuardedConnection, H11Protocol):
    """uvicorn's h11 protocol (the fallback without httptools), guarded."""


def protocol_for(http: str) -> type[asyncio.Protocol]:
    """The guarded protocol ``serve`` runs: ``hot`` (ours, on httptools), ``httptools`` or
    ``h11`` (uvicorn's). Module-level classes: workers import them by name."""
    if http == "h11":
        return GuardedH11Protocol
    # Imported here: httptools may be missing (then ``serve`` asks for h11).
    from registry.serving import hot_protocol

    if http == "hot":
        absent = hot_protocol.missing()
        if not absent:
            return hot_protocol.GuardedHotReadProtocol
        log.warning(
            "this uvicorn's httptools protocol lacks %s: hot reads are answered through ASGI",
            ", ".join(absent),
        )
    return hot_protocol.GuardedHttpToolsProtocol

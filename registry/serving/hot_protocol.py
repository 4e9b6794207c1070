"""uvicorn's httptools protocol, answering the hot read path in one write without an ASGI cycle.

Through ASGI, every answer costs uvicorn a task, a request/response cycle object, an event, and
two writes (status line and headers, then the body: two system calls, two TCP segments). For a
remembered public read (``registry.serving.hot_reads``) that machinery is most of the work: a bare
ASGI
app returning fixed bytes reaches only ~0.6x of nginx on the same machine. So ``serve`` runs
this subclass: when a request's headers are complete and it is a plain anonymous ``GET`` whose
answer is remembered, the whole response — the bytes uvicorn would have written, ``date`` and
``connection: close`` included — goes out in one ``transport.write`` from the parser callback.
Everything else, and every case it is unsure of (pipelining behind a routed request, a body,
``Expect``, an upgrade, a root path, a percent-encoded or non-ASCII path, the write buffer full),
is handed to uvicorn's own code unchanged. One body is looked at: a ``POST /v1/resolve`` with a
``Content-Length`` of at most ``RESOLVE_BODY_LIMIT`` is held back until complete, answered in
one write when a kept answer matches it (``hot_reads.take_resolve``), and otherwise handed to
uvicorn whole, headers then body, as if it had arrived in one read. Metrics, the access log
and download counts see these answers as they see the routed ones;
``tests/registry/test_hot_protocol.py`` holds both paths to the same bytes on the wire.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from registry.app import RegistryApp
from registry.serving import hot_reads
from registry.serving.connection_guard import GuardedConnection

log = logging.getLogger("nestry.registry")

# Request headers after which the answer is uvicorn's to give: a body, or an interim response.
_ROUTE_WITH = frozenset({b"content-length", b"transfer-encoding", b"expect", b"upgrade"})


# What ``_prepare`` hands to the answer: registry, state, url, headers, client, HTTP version,
# keep-alive.
Prepared = tuple[RegistryApp, Any, bytes, list[tuple[bytes, bytes]], Any, str, bool]
# What this subclass uses of ``HttpToolsProtocol``: methods it calls or overrides, and the
# attributes uvicorn's own methods set (checked by name in their code, see ``missing``).
_METHODS = (
    "on_message_begin",
    "on_headers_complete",
    "on_body",
    "on_message_complete",
    "on_response_complete",
)
_ATTRIBUTES = (
    "url",
    "headers",
    "parser",
    "cycle",
    "flow",
    "transport",
    "server_state",
    "root_path",
    "limit_concurrency",
    "client",
    "app",
)


def missing() -> list[str]:
    """What this protocol needs of uvicorn's and does not find (empty: all there). ``serve``
    asks at start-up and runs uvicorn's own protocol, with a warning, when anything is missing."""
    absent = [m for m in _METHODS if not callable(getattr(HttpToolsProtocol, m, None))]
    names: set[str] = set()
    for attribute in vars(HttpToolsProtocol).values():
        code = getattr(attribute, "__code__", None)
        if code is not None:
            names.update(code.co_names)
    absent += [a for a in _ATTRIBUTES if a not in names]
    if 200 not in STATUS_LINE or 304 not in STATUS_LINE:
        absent.append("STATUS_LINE")
    return absent


class HotReadProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that answers remembered public reads itself (see the module)."""

    disabled = False  # set once an answer found uvicorn's internals other than expected

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.proxy, self.registry = _unwrap(self.app)
        self.answered = False  # the current request was answered from memory
        self.held: list[bytes] | None = None  # a resolve body held back, until complete

    def on_message_begin(self) -> None:
        self.answered = False
        self.held = None
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._answer_remembered():
            return
        if self._holds_resolve_body():
            self.held = []
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self.answered:
            return
        if self.held is None:
            super().on_body(body)
            return
        self.held.append(body)
        if sum(map(len, self.held)) > hot_reads.RESOLVE_BODY_LIMIT:  # longer than declared
            self._release()

    def on_message_complete(self) -> None:
        if self.answered:
            return
        if self.held is not None:
            if self._answer_resolve(b"".join(self.held)):
                return
            self._release()
        super().on_message_complete()

    def _release(self) -> None:
        """Hand the held request to uvicorn: its headers, then the body held so far."""
        held, self.held = self.held or [], None
        super().on_headers_complete()
        body = b"".join(held)
        if body:
            super().on_body(body)

    def _holds_resolve_body(self) -> bool:
        """Is this a resolve whose body may be held back to look for a kept answer?"""
        prepared = self._prepared(b"POST")
        return prepared is not None and prepared[2] == hot_reads.RESOLVE_PATH

    def _answer_resolve(self, body: bytes) -> bool:
        """Write the kept answer to the held resolve, if there is one."""
        prepared = self._prepared(b"POST")
        if prepared is None:
            return False
        registry, state, url, headers, client, http_version, keep_alive = prepared
        started = time.perf_counter()
        taken = hot_reads.take_resolve(state, headers, body)
        if taken is None:
            return False
        head, answer = taken
        self._write(200, head, answer, keep_alive)
        registry.metrics.observe("POST", hot_reads.RESOLVE, 200, time.perf_counter() - started)
        self._log(state, "POST", url, client, http_version, 200)
        self._finish(keep_alive)
        return True

    def _answer_remembered(self) -> bool:
        """Answer a ``GET`` from memory when possible."""
        prepared = self._prepared(b"GET")
        if prepared is None:
            return False
        registry, state, url, headers, client, http_version, keep_alive = prepared
        started = time.perf_counter()
        path = url.decode("ascii")
        taken = hot_reads.take(state, path, headers)
        if taken is None:
            return False
        status, ready = taken
        head = ready.not_modified_head if status == 304 else ready.head
        self._write(status, head, ready.body if status == 200 else b"", keep_alive)
        registry.metrics.observe("GET", ready.route, status, time.perf_counter() - started)
        self._log(state, "GET", url, client, http_version, status)
        self._finish(keep_alive)
        return True

    def _write(self, status: int, head: bytes, body: bytes, keep_alive: bool) -> None:
        """The whole response in one write: what uvicorn would have written for it."""
        out = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            out += (name, b": ", value, b"\r\n")
        out.append(head)
        if not keep_alive:
            out.append(b"connection: close\r\n")
        out.append(b"\r\n")
        out.append(body)
        self.transport.write(b"".join(out))
        self.answered = True

    def _log(
        self, state: Any, method: str, url: bytes, client: Any, http_version: str, status: int
    ) -> None:
        if state.access_log is not None:
            request = {
                "client": client,
                "method": method,
                "path": url.decode("ascii"),
                "raw_path": url,
                "query_string": b"",
                "http_version": http_version,
            }
            state.access_log.record(request, status)

    def _finish(self, keep_alive: bool) -> None:
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()

    def _prepared(self, method: bytes) -> Prepared | None:
        """``_prepare``, safely. Everything read from uvicorn's protocol is read before anything
        is written: if uvicorn's internals are not what this expects, the request goes to
        uvicorn's own code untouched, and the hot path stays off."""
        if HotReadProtocol.disabled:
            return None
        try:
            return self._prepare(method)
        except Exception:  # uvicorn changed under us: serve through ASGI from now on
            HotReadProtocol.disabled = True
            log.warning("hot read path off: uvicorn's protocol is not as expected", exc_info=True)
            return None

    def _prepare(self, method: bytes) -> Prepared | None:
        """What answering needs from the protocol's state; ``None`` when uvicorn should answer."""
        registry = self.registry
        if registry is None or self.root_path or self.limit_concurrency is not None:
            return None
        state = registry.running
        if state is None:  # starting or stopping
            return None
        url = self.url
        if (
            url[:1] != b"/"
            or b"?" in url
            or b"%" in url
            or b"#" in url
            or not url.isascii()
            or self.parser.get_method() != method
        ):
            return None
        if self.flow.write_paused or (self.cycle is not None and not self.cycle.response_complete):
            return None  # the client is not reading, or an earlier answer is still due
        headers = self.headers
        forwarded_for: list[bytes] = []
        declared = None
        for name, value in headers:
            if name == b"content-length" and method == b"POST" and declared is None:
                declared = value
            elif name in _ROUTE_WITH:
                return None
            if name == b"x-forwarded-for":
                forwarded_for.append(value)
        if method == b"POST" and not (
            declared is not None
            and declared.isdigit()
            and int(declared) <= hot_reads.RESOLVE_BODY_LIMIT
        ):
            return None
        client = self._forwarded_client(forwarded_for) if forwarded_for else self.client
        http_version = self.parser.get_http_version()
        keep_alive = http_version != "1.0" and self.parser.should_keep_alive()
        self.server_state.default_headers  # noqa: B018 - read now: used after ``take``
        return registry, state, url, headers, client, http_version, keep_alive

    def _forwarded_client(self, forwarded_for: list[bytes]) -> tuple[str, int] | None:
        """The client the access log names, by ``ProxyHeadersMiddleware``'s rule."""
        client, proxy = self.client, self.proxy
        if proxy is None or client is None or client[0] not in proxy.trusted_hosts:
            return client
        joined = b", ".join(forwarded_for).decode("latin-1")
        trusted = proxy.trusted_hosts
        if hasattr(trusted, "get_trusted_client_address"):  # uvicorn 0.36 and later
            host, port = trusted.get_trusted_client_address(joined)
            return (host, port) if host else client
        host = trusted.get_trusted_client_host(joined)  # type: ignore[attr-defined]  # earlier: host alone, port 0
        return (host, 0) if host else client


def _unwrap(app: Any) -> tuple[ProxyHeadersMiddleware | None, RegistryApp | None]:
    """uvicorn's proxy-headers wrapper (if any) and the ``RegistryApp`` inside it.

    Only ``ProxyHeadersMiddleware`` is looked through: the others uvicorn may add (a message
    logger at trace level, WSGI/ASGI2 adapters) change what a request sees, so with them the
    registry is not found and every request takes the ASGI path.
    """
    proxy = app if isinstance(app, ProxyHeadersMiddleware) else None
    if proxy is not None:
        app = proxy.app
    return proxy, app if isinstance(app, RegistryApp) else None


class GuardedHotReadProtocol(GuardedConnection, HotReadProtocol):
    """What ``serve`` runs: hot reads, with read deadlines, idle timeout and connection cap
    (``registry.serving.connection_guard``)."""


class GuardedHttpToolsProtocol(GuardedConnection, HttpToolsProtocol):
    """uvicorn's httptools protocol, guarded (``serve --http httptools``)."""

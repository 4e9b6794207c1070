"""The hot read path: ready answers to anonymous ``GET``s of public apps, before any routing.

What every install asks most — app documents, version documents, templates — is, for a public
app and a caller without a token, the same bytes for everybody until the app changes. The
endpoints (``registry.apps.api``, ``registry.apps.versions_api``) remember each such 200 answer as a
``Ready`` (body and the exact raw headers Starlette produced for it, and for its 304) in
``PublicReads``, keyed by the request path. ``answer``, which the app calls before its
middleware stack, sends the next identical request its ``Ready`` in two ASGI messages: no
router, no request object, no query (metrics and download counts still see it). Anything else
— a token, a query string, ``HEAD``, a path not remembered, a change noticed since — takes the
normal route, which then remembers the fresh answer. Correctness across workers and replicas
is the change feed's (``registry.serving.change_feed``): see ``PublicReads``.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from registry.documents.build import if_none_match_hits
from registry.documents.cache import PublicReads
from registry.serving.metrics import Metrics, route_template
from registry.state import RegistryState

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Ready:
    """A ready 200 answer, its 304, the route it came from and the download it counts."""

    body: bytes
    etag: str
    headers: RawHeaders
    not_modified_headers: RawHeaders
    route: str  # the matched route's template: the metrics label
    download: tuple[int, int] | None  # (app id, version id) of a template download
    # The header lines of each, as the HTTP server writes them (``registry.serving.hot_protocol``).
    head: bytes
    not_modified_head: bytes


def header_lines(headers: RawHeaders) -> bytes:
    """``name: value\r\n`` per header: what an HTTP/1.1 server writes for them."""
    return b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in headers)


def ready_key(path: str) -> Hashable:
    return ("ready", path)


def remember(
    reads: PublicReads,
    request: Request,
    response: Response,
    generation: int,
    download: tuple[int, int] | None = None,
    max_age: float | None = None,
) -> None:
    """Keep ``response`` (a 200 for an anonymous caller about a public app) for ``answer``."""
    etag = response.headers["etag"]
    not_modified = Response(
        status_code=304,
        headers={"ETag": etag, "Cache-Control": response.headers["cache-control"]},
    )
    headers = list(response.raw_headers)
    ready = Ready(
        body=bytes(response.body),
        etag=etag,
        headers=headers,
        not_modified_headers=list(not_modified.raw_headers),
        route=route_template(request.scope),
        download=download,
        head=header_lines(headers),
        not_modified_head=header_lines(not_modified.raw_headers),
    )
    reads.put(ready_key(request.url.path), ready, generation, max_age)


def take(state: RegistryState, path: str, headers: RawHeaders) -> tuple[int, Ready] | None:
    """The remembered answer to an anonymous ``GET path`` (its status and ``Ready``), counting
    the download a 200 template is; ``None`` when the request must be routed."""
    reads = state.public_reads
    ready = reads.get(ready_key(path))
    if ready is None and state.database.health.down:  # answer what we have meanwhile
        ready = reads.stale(ready_key(path))
    if not isinstance(ready, Ready):
        return None
    if_none_match = None
    for name, value in headers:
        if name == b"authorization":  # a token: the caller may see more, or be refused
            return None
        if name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    if if_none_match is not None and if_none_match_hits(if_none_match, ready.etag):
        return 304, ready
    if ready.download is not None:
        state.downloads.record(*ready.download)
    return 200, ready


async def answer(state: RegistryState, metrics: Metrics, scope: Scope, send: Send) -> int | None:
    """Answer an HTTP request from a remembered ``Ready``: its status; ``None`` to route it."""
    if scope["method"] != "GET" or scope["query_string"]:
        return None
    started = time.perf_counter()
    taken = take(state, scope["path"], scope["headers"])
    if taken is None:
        return None
    status, ready = taken
    if status == 304:
        await send(
            {"type": "http.response.start", "status": 304, "headers": ready.not_modified_headers}
        )
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.start", "status": 200, "headers": ready.headers})
        await send({"type": "http.response.body", "body": ready.body})
    metrics.observe("GET", ready.route, status, time.perf_counter() - started)
    return status

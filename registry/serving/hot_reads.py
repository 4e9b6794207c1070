"""The hot read path: ready answers to ``GET``s of app documents, version documents and
templates, before any routing.

What every install asks most is the same bytes for everybody who may read the app, until the
app changes: anonymous callers of public apps, and callers whose token this process verified
recently and whose roles allow the app (``_may_read``: a lookup in memory). The endpoints
(``registry.apps.api``, ``registry.apps.versions_api``) remember each 200 answer as a ``Ready``
(body and the exact raw headers Starlette produced for it, and for its 304) with the documents
service (``registry.documents.service``), keyed by the canonical names the path holds
(``ready_key``: every ASCII-case spelling of one app is one entry; anything else is routed).
``answer``, which the app calls before its middleware stack, sends the next request for it its
``Ready`` in two ASGI messages: no router, no request object, no query (metrics and download
counts still see it). Anything else — an unknown token, a query string, ``HEAD``, a path not
remembered, a change noticed since — takes the normal route, which then remembers the fresh
answer. Correctness across workers and replicas is the change feed's
(``registry.serving.change_feed``): see ``Documents``.

``POST /v1/resolve`` has one such answer too: a whole resolve answer the endpoint
(``registry.resolve.api``) kept because it shows only public apps (``VersionLists.remember``),
for the same body and host (``take_resolve``; the HTTP protocol holds the body back to ask).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Scope, Send

from client.errors import InvalidNameError
from client.names import canonical_app
from registry.auth.access import may_read
from registry.auth.credentials import Principal, hash_token
from registry.db.models import utcnow
from registry.documents.build import if_none_match_hits
from registry.documents.service import Documents
from registry.errors import Unauthorized
from registry.resolve.cache import answer_key
from registry.serving.metrics import Metrics
from registry.state import RegistryState

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Ready:
    """A ready 200 answer, its 304, the route it came from and the download it counts."""

    body: bytes
    etag: str
    headers: RawHeaders
    not_modified_headers: RawHeaders
    public: bool  # of a public app: anonymous callers may have it too
    route: str  # the matched route's template: the metrics label
    download: tuple[int, int] | None  # (app id, version id) of a template download
    # The header lines of each, as the HTTP server writes them (``registry.serving.hot_protocol``).
    head: bytes
    not_modified_head: bytes


def header_lines(headers: RawHeaders) -> bytes:
    """``name: value\r\n`` per header: what an HTTP/1.1 server writes for them."""
    return b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in headers)


ReadyKey = tuple[str, str, str, str]  # kind ("app", "version", "template"), ns, name, version


def ready_key(path: str) -> ReadyKey | None:
    """The key of what ``path`` asks for, in canonical names; ``None``: not a hot path."""
    parts = path.split("/")
    if len(parts) < 5 or parts[:3] != ["", "v1", "apps"]:
        return None
    try:
        ns, name = canonical_app(parts[3], parts[4])
    except InvalidNameError:
        return None
    rest = parts[5:]
    if not rest:
        return "app", ns, name, ""
    if len(rest) == 2 and rest[0] == "versions":
        return "version", ns, name, rest[1]
    if len(rest) == 3 and rest[0] == "versions" and rest[2] == "template":
        return "template", ns, name, rest[1]
    return None


def remember(
    documents: Documents,
    key: ReadyKey,
    response: Response,
    app_id: int,
    epoch: int,
    *,
    public: bool,
    counts_read_at: float | None,
    download: tuple[int, int] | None = None,
) -> None:
    """Keep ``response`` (a 200 about an app, the same bytes for every caller who may read it)
    for ``answer``, which checks who may have it."""
    etag = response.headers["etag"]
    not_modified = Response(
        status_code=304,
        headers={"ETag": etag, "Cache-Control": response.headers["cache-control"]},
    )
    headers = list(response.raw_headers)
    body = bytes(response.body)
    ready = Ready(
        body=body,
        etag=etag,
        headers=headers,
        not_modified_headers=list(not_modified.raw_headers),
        public=public,
        route=_ROUTES[key[0]],
        download=download,
        head=header_lines(headers),
        not_modified_head=header_lines(not_modified.raw_headers),
    )
    size = len(body) + 2 * (len(ready.head) + len(ready.not_modified_head)) + 512
    documents.remember(key, ready, size, app_id, epoch, counts_read_at=counts_read_at)


_APP = "/v1/apps/{ns}/{name}"
_ROUTES = {
    "app": _APP,
    "version": _APP + "/versions/{version}",
    "template": _APP + "/versions/{version}/template",
}


def take(state: RegistryState, path: str, headers: RawHeaders) -> tuple[int, Ready] | None:
    """The remembered answer to ``GET path`` (its status and ``Ready``), counting the download
    a 200 template is; ``None`` when the request must be routed."""
    key = ready_key(path)
    ready = None if key is None else state.documents.ready(key)
    if not isinstance(ready, Ready):
        return None
    if_none_match = authorization = None
    for name, value in headers:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    assert key is not None
    if not _may_read(state, key, ready, authorization):
        return None
    if if_none_match is not None and if_none_match_hits(if_none_match, ready.etag):
        return 304, ready
    if ready.download is not None:
        state.downloads.record(*ready.download)
    return 200, ready


def _may_read(state: RegistryState, key: ReadyKey, ready: Ready, authorization: str | None) -> bool:
    """May this caller have ``ready``, as far as memory tells? ``False`` routes the request,
    which decides for sure (and answers 401, 404 or 429 where due).

    Anonymous callers: public apps only, while anonymous reads are on. Callers with a token:
    only a token this process has verified recently (``PrincipalCache``; unknown, malformed or
    expired tokens take the route, where failures are counted), then the same decision the
    route takes (``may_read``) on the app's cached access data: a lookup in the principal's
    roles, no query.
    """
    if authorization is None:
        return ready.public and state.settings.anonymous_read
    principal = _verified(state, authorization)
    access = state.documents.access_of(key[1], key[2])
    return principal is not None and access is not None and may_read(principal, access)


def _verified(state: RegistryState, authorization: str) -> Principal | None:
    """The principal of a bearer token this process verified recently; ``None`` otherwise
    (unknown, malformed or expired: the route decides, and counts failures)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return state.principals.get(hash_token(token.strip()), utcnow())
    except Unauthorized:  # expired: the route says so
        return None


RESOLVE = "/v1/resolve"
RESOLVE_PATH = RESOLVE.encode()
RESOLVE_BODY_LIMIT = 64 * 1024  # bodies held back to look for a kept answer; larger: routed


def take_resolve(
    state: RegistryState, headers: RawHeaders, body: bytes
) -> tuple[bytes, bytes] | None:
    """The header lines and body of the kept answer to ``POST /v1/resolve`` with ``body``;
    ``None`` when the request must be routed. Kept answers show public apps only: anonymous
    callers get them while anonymous reads are on, callers with a token once it is verified."""
    host = authorization = None
    for name, value in headers:
        if name == b"host" and host is None:
            host = value.decode("latin-1")
        elif name == b"authorization":
            authorization = value.decode("latin-1")
    kept = state.version_lists.answer(answer_key(host, body))
    if kept is None:
        return None
    if authorization is None:
        if not state.settings.anonymous_read:
            return None
    elif _verified(state, authorization) is None:
        return None
    return b"content-length: %d\r\ncontent-type: application/json\r\n" % len(kept), kept


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

"""Version reads: the version document, and the immutable template and bundle bytes.

Template and bundle responses are the hot path: one query, an ``ETag`` equal to the digest,
cached forever by clients and proxies, and a download counted in memory (never a write per
request). Templates come from an in-memory cache (or the blob store); bundles (up to 50 MiB) are
streamed from the blob store in pieces, never held whole in memory.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any, BinaryIO, cast

import anyio.to_thread
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from registry.api.context import reader_of, state_of
from registry.api.responses import etag_matches, json_bytes
from registry.db.models import Version
from registry.errors import NotFound
from registry.services.documents import etag_of, render, version_head, version_tail
from registry.services.lookup import version_row

IMMUTABLE = "max-age=31536000, immutable"
CHUNK = 256 * 1024


async def get_version(request: Request) -> Response:
    """One query for the changeable fields; the immutable rest is cached rendered."""
    state = state_of(request)
    principal = await reader_of(request)
    row = await version_row(state.database, *_path(request), principal)
    app_id = f"{request.path_params['ns'].lower()}/{row.app_name}"
    # Keyed by more than the id: SQLite hands the id of a deleted highest row out again.
    key = (row.id, row.digest, row.published_at)
    tail = state.version_parts.get(key)
    if tail is None:
        async with state.database.reader() as session:
            full = await session.get(Version, row.id)
            if full is None:  # deleted since the row was read
                raise NotFound("version_not_found", "no such version")
            tail = render(await version_tail(session, app_id, full))[0][1:-1]
        state.version_parts.put(key, tail)
    body = render(version_head(app_id, row))[0][:-1] + b"," + tail + b"}"
    return json_bytes(request, body, etag_of(body))


def _path(request: Request) -> tuple[str, str, str]:
    params = request.path_params
    return params["ns"].lower(), params["name"], params["version"]


async def _locate(request: Request) -> sa.Row[Any]:
    """The version's row; anonymous lookups of public versions reuse a recent answer."""
    state = state_of(request)
    principal = await reader_of(request)
    if principal.authenticated:
        return await version_row(state.database, *_path(request), principal)
    key = _path(request)
    cached = state.public_lookups.get(key)
    if cached is not None:
        return cast("sa.Row[Any]", cached)
    row = await version_row(state.database, *key, principal)
    if row.visibility == "public":
        state.public_lookups.put(key, row)
    return row


async def get_template(request: Request) -> Response:
    row = await _locate(request)
    headers = _cache_headers(row, row.digest)
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state = state_of(request)
    data = state.templates.get(row.digest)
    if data is None:
        data = await anyio.to_thread.run_sync(state.blobs.get, row.digest)
        state.templates.put(row.digest, data)
    state.downloads.record(row.app_id, row.id)
    return Response(data, media_type="application/x-yaml", headers=headers)


async def get_bundle(request: Request) -> Response:
    row = await _locate(request)
    if row.bundle_digest is None:
        raise NotFound("bundle_not_found", "this version has no code bundle")
    headers = _cache_headers(row, row.bundle_digest)
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state = state_of(request)
    handle = await anyio.to_thread.run_sync(state.blobs.open, row.bundle_digest)
    try:
        size = await anyio.to_thread.run_sync(_size_of, handle)
    except BaseException:
        handle.close()
        raise
    state.downloads.record(row.app_id, row.id)
    headers["Content-Length"] = str(size)
    return StreamingResponse(_pieces(handle), media_type="application/gzip", headers=headers)


def _cache_headers(row: sa.Row[Any], digest: str) -> dict[str, str]:
    privacy = "public, " if row.visibility == "public" else "private, "
    return {"ETag": f'"{digest}"', "Cache-Control": privacy + IMMUTABLE}


def _size_of(handle: BinaryIO) -> int:
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    return size


async def _pieces(handle: BinaryIO) -> AsyncIterator[bytes]:
    """The file in ``CHUNK``-sized pieces, each read off the event loop; closed at the end."""
    try:
        while piece := await anyio.to_thread.run_sync(handle.read, CHUNK):
            yield piece
    finally:
        handle.close()


_VERSION = "/v1/apps/{ns}/{name}/versions/{version}"
routes: list[BaseRoute] = [
    Route(_VERSION, get_version, methods=["GET"]),
    Route(_VERSION + "/template", get_template, methods=["GET"]),
    Route(_VERSION + "/bundle", get_bundle, methods=["GET"]),
]

"""Version reads: the version document, and the immutable template and bundle bytes.

Template and bundle responses are the hot path: one query, bytes from an in-memory cache (or
the blob store), an ``ETag`` equal to the digest, cached forever by clients and proxies, and a
download counted in memory (never a write per request).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.api.context import reader_of, state_of
from registry.api.responses import etag_matches, json_bytes
from registry.db.models import Version
from registry.errors import NotFound
from registry.services.documents import etag_of, render, version_head, version_tail
from registry.services.lookup import version_row

IMMUTABLE = "max-age=31536000, immutable"


async def get_version(request: Request) -> Response:
    """One query for the changeable fields; the immutable rest is cached rendered."""
    state = state_of(request)
    principal = await reader_of(request)
    row = await version_row(state.database, *_path(request), principal)
    app_id = f"{request.path_params['ns'].lower()}/{row.app_name}"
    tail = state.version_parts.get(row.id)
    if tail is None:
        async with state.database.reader() as session:
            full = await session.get(Version, row.id)
            if full is None:  # deleted since the row was read
                raise NotFound("version_not_found", "no such version")
            tail = render(await version_tail(session, app_id, full))[0][1:-1]
        state.version_parts.put(row.id, tail)
    body = render(version_head(app_id, row))[0][:-1] + b"," + tail + b"}"
    return json_bytes(request, body, etag_of(body))


def _path(request: Request) -> tuple[str, str, str]:
    params = request.path_params
    return params["ns"].lower(), params["name"], params["version"]


async def _locate(request: Request) -> sa.Row[Any]:
    principal = await reader_of(request)
    return await version_row(state_of(request).database, *_path(request), principal)


async def get_template(request: Request) -> Response:
    row = await _locate(request)
    return await _blob_response(request, row, row.digest, "application/x-yaml", cache=True)


async def get_bundle(request: Request) -> Response:
    row = await _locate(request)
    if row.bundle_digest is None:
        raise NotFound("bundle_not_found", "this version has no code bundle")
    return await _blob_response(request, row, row.bundle_digest, "application/gzip", cache=False)


async def _blob_response(
    request: Request, row: sa.Row[Any], digest: str, media_type: str, *, cache: bool
) -> Response:
    state = state_of(request)
    etag = f'"{digest}"'
    privacy = "public, " if row.visibility == "public" else "private, "
    headers = {"ETag": etag, "Cache-Control": privacy + IMMUTABLE}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    data = state.templates.get(digest) if cache else None
    if data is None:
        data = await anyio.to_thread.run_sync(state.blobs.get, digest)
        if cache:
            state.templates.put(digest, data)
    state.downloads.record(row.app_id, row.id)
    return Response(data, media_type=media_type, headers=headers)


_VERSION = "/v1/apps/{ns}/{name}/versions/{version}"
routes: list[BaseRoute] = [
    Route(_VERSION, get_version, methods=["GET"]),
    Route(_VERSION + "/template", get_template, methods=["GET"]),
    Route(_VERSION + "/bundle", get_bundle, methods=["GET"]),
]

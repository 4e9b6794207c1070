"""Version reads: the version document, and the immutable template and bundle bytes.

Template and bundle responses are the hot path: one query, an ``ETag`` equal to the digest,
cached forever by clients and proxies, and a download counted in memory (never a write per
request). Templates come from an in-memory cache (or the blob store); bundles (up to 50 MiB) are
streamed from the blob store in pieces, never held whole in memory, or, with
``NESTRY_BUNDLE_REDIRECT`` on an S3 store, answered with a redirect to a presigned URL.
"""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import VersionRow, version_row
from registry.documents.build import etag_of, join_version, version_tail_bytes
from registry.errors import NotFound
from registry.serving.context import reader_of, state_of
from registry.serving.hot_reads import remember
from registry.serving.responses import conditional, etag_matches, json_ok

IMMUTABLE = "max-age=31536000, immutable"


async def get_version(request: Request) -> Response:
    """One query for the changeable fields; the immutable rest is cached rendered."""
    state = state_of(request)
    principal = await reader_of(request)
    generation = state.public_reads.generation  # before any query: see PublicReads.put
    row = await version_row(state.database, *_path(request), principal)
    app_id = f"{request.path_params['ns'].lower()}/{row.app_name}"
    # Keyed by more than the id: SQLite hands the id of a deleted highest row out again.
    key = (row.id, row.digest, row.published_at)
    tail = state.version_parts.get(key)
    if tail is None:
        async with state.database.reader() as session:
            tail = await version_tail_bytes(session, app_id, row.id)
        if tail is None:  # deleted since the row was read
            raise NotFound("version_not_found", "no such version")
        state.version_parts.put(key, tail)
    body = join_version(app_id, row, tail)
    ok = json_ok(body, etag_of(body))
    if not principal.authenticated and row.visibility == "public":
        # Shows download counts, which change unnoticed: kept one flush interval at most.
        flush = state.settings.download_flush_seconds
        remember(state.public_reads, request, ok, generation, max_age=flush)
    return conditional(request, ok)


def _path(request: Request) -> tuple[str, str, str]:
    params = request.path_params
    return params["ns"].lower(), params["name"], params["version"]


async def _locate(request: Request) -> tuple[VersionRow, int | None]:
    """The version's row, and the generation under which an anonymous public answer was read.

    Anonymous lookups of public versions reuse an earlier answer (``PublicReads``); the
    generation is ``None`` for answers that must not be remembered.
    """
    state = state_of(request)
    principal = await reader_of(request)
    if principal.authenticated:
        return await version_row(state.database, *_path(request), principal), None
    reads, key = state.public_reads, ("row", *_path(request))
    generation = reads.generation
    cached = reads.get(key)
    if cached is not None:
        return cast(VersionRow, cached), generation
    row = await version_row(state.database, *key[1:], principal)
    if row.visibility != "public":
        return row, None
    reads.put(key, row, generation)
    return row, generation


async def get_template(request: Request) -> Response:
    row, generation = await _locate(request)
    state = state_of(request)
    data = state.templates.get(row.digest)
    if data is None:
        data = await state.blobs.get(row.digest)
        state.templates.put(row.digest, data)
    headers = _cache_headers(row, row.digest)
    ok = Response(data, media_type="application/x-yaml", headers=headers)
    if generation is not None:  # remembered even when this caller gets a 304
        remember(state.public_reads, request, ok, generation, download=(row.app_id, row.id))
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state.downloads.record(row.app_id, row.id)
    return ok


async def get_bundle(request: Request) -> Response:
    row, _ = await _locate(request)
    if row.bundle_digest is None:
        raise NotFound("bundle_not_found", "this version has no code bundle")
    headers = _cache_headers(row, row.bundle_digest)
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state = state_of(request)
    if state.settings.bundle_redirect:
        url = await state.blobs.presign(row.bundle_digest, state.settings.presign_seconds)
        if url is not None:  # the bytes flow from the store; the client verifies the digest
            state.downloads.record(row.app_id, row.id)
            # The URL expires: the redirect itself is never cached, the bundle may be.
            redirect = {"Location": url, "ETag": headers["ETag"], "Cache-Control": "no-store"}
            return Response(status_code=307, headers=redirect)
    blob = await state.blobs.open(row.bundle_digest)
    state.downloads.record(row.app_id, row.id)
    headers["Content-Length"] = str(blob.size)
    return StreamingResponse(blob.pieces, media_type="application/gzip", headers=headers)


def _cache_headers(row: VersionRow, digest: str) -> dict[str, str]:
    privacy = "public, " if row.visibility == "public" else "private, "
    return {"ETag": f'"{digest}"', "Cache-Control": privacy + IMMUTABLE}


_VERSION = "/v1/apps/{ns}/{name}/versions/{version}"
routes: list[BaseRoute] = [
    Route(_VERSION, get_version, methods=["GET"]),
    Route(_VERSION + "/template", get_template, methods=["GET"]),
    Route(_VERSION + "/bundle", get_bundle, methods=["GET"]),
]

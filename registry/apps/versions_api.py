"""Version reads: the version document, and the immutable template and bundle bytes.

Every answer comes from the documents service (``registry.documents.service``): the app's rows,
the version document's bytes, the template's bytes; access is decided in memory
(``registry.auth.access.may_read``). Template and bundle responses carry an ``ETag`` equal to
the digest, are cached forever by clients and proxies, and count a download in memory (never a
write per request). Bundles (up to 50 MiB) are streamed from the blob store in pieces, never
held whole in memory, or, with ``NESTRY_BUNDLE_REDIRECT`` on an S3 store,
answered with a redirect to a presigned URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import path_app
from registry.auth.access import may_read
from registry.documents.build import VersionInfo
from registry.documents.service import AppEntry
from registry.errors import NotFound
from registry.serving.context import reader_of, state_of
from registry.serving.hot_reads import remember
from registry.serving.responses import conditional, etag_matches, json_ok

IMMUTABLE = "max-age=31536000, immutable"


async def get_version(request: Request) -> Response:
    """The version document: the documents service's bytes, once ``may_read`` allows."""
    state = state_of(request)
    found = await _locate(request)
    body = await state.documents.version_body(found.app.info, found.version)
    ok = json_ok(body.body, body.etag)
    found.remember(ok, "version", counts_read_at=body.counts_read_at)
    return conditional(request, ok)


@dataclass(frozen=True)
class _Found:
    """A version the caller may read, and how to keep an anonymous public answer about it."""

    request: Request
    app: AppEntry
    version: VersionInfo
    key: tuple[str, str, str]  # canonical namespace, name, version
    epoch: int

    @property
    def public(self) -> bool:
        return self.app.access.visibility == "public"

    def remember(
        self, ok: Response, kind: str, *, counts_read_at: float | None, download: bool = False
    ) -> None:
        """Keep ``ok`` for the hot path (which checks who may have it)."""
        app_id = self.app.info.id
        remember(
            state_of(self.request).documents,
            (kind, *self.key),
            ok,
            app_id,
            self.epoch,
            public=self.public,
            counts_read_at=counts_read_at,
            download=(app_id, self.version.id) if download else None,
        )


async def _locate(request: Request) -> _Found:
    """The version the path names, if the caller may read it (404 otherwise)."""
    state = state_of(request)
    principal = await reader_of(request)
    documents = state.documents
    epoch = documents.epoch  # before any query: see Documents.remember
    ns, name = path_app(request.path_params)
    version = str(request.path_params["version"])
    missing = NotFound("version_not_found", f"no version {version} of {ns}/{name}")
    try:
        app = await documents.app(ns, name)
    except NotFound:
        raise missing from None
    if not may_read(principal, app.access):
        raise missing  # alike for missing and unreadable apps
    row = documents.version(app.info, version)
    return _Found(request, app, row, (ns, name, version), epoch)


async def get_template(request: Request) -> Response:
    found = await _locate(request)
    state = state_of(request)
    digest = found.version.digest
    data = await state.documents.template(digest)
    headers = _cache_headers(found.public, digest)
    ok = Response(data, media_type="application/x-yaml", headers=headers)
    # remembered even when this caller gets a 304
    found.remember(ok, "template", counts_read_at=None, download=True)
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state.downloads.record(found.app.info.id, found.version.id)
    return ok


async def get_bundle(request: Request) -> Response:
    found = await _locate(request)
    bundle_digest = found.version.bundle_digest
    if bundle_digest is None:
        raise NotFound("bundle_not_found", "this version has no code bundle")
    headers = _cache_headers(found.public, bundle_digest)
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    state = state_of(request)
    if state.settings.bundle_redirect:
        url = await state.blobs.presign(bundle_digest, state.settings.presign_seconds)
        if url is not None:  # the bytes flow from the store; the client verifies the digest
            state.downloads.record(found.app.info.id, found.version.id)
            # The URL expires: the redirect itself is never cached, the bundle may be.
            redirect = {"Location": url, "ETag": headers["ETag"], "Cache-Control": "no-store"}
            return Response(status_code=307, headers=redirect)
    blob = await state.blobs.open(bundle_digest)
    state.downloads.record(found.app.info.id, found.version.id)
    headers["Content-Length"] = str(blob.size)
    return StreamingResponse(blob.pieces, media_type="application/gzip", headers=headers)


def _cache_headers(public: bool, digest: str) -> dict[str, str]:
    privacy = "public, " if public else "private, "
    return {"ETag": f'"{digest}"', "Cache-Control": privacy + IMMUTABLE}


_VERSION = "/v1/apps/{ns}/{name}/versions/{version}"
routes: list[BaseRoute] = [
    Route(_VERSION, get_version, methods=["GET"]),
    Route(_VERSION + "/template", get_template, methods=["GET"]),
    Route(_VERSION + "/bundle", get_bundle, methods=["GET"]),
]

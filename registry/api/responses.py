"""JSON documents with an ETag, answering ``If-None-Match`` with 304."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from registry.services.documents import render


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def json_document(request: Request, document: dict[str, Any], status: int = 200) -> Response:
    """A JSON body that clients revalidate (it changes: yanks, tags, downloads)."""
    body, etag = render(document)
    return json_bytes(request, body, etag, status)


def json_bytes(request: Request, body: bytes, etag: str, status: int = 200) -> Response:
    """``json_document`` for a body rendered already."""
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if status == 200 and etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="application/json", headers=headers)

"""JSON documents with an ETag, answering ``If-None-Match`` with 304."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from registry.documents.build import if_none_match_hits, render
from registry.serving.shapes import Shape

JSON = "application/json"


def shaped(answer: Shape, status: int = 200) -> Response:
    """A JSON answer encoded through its declared shape (the spec's schema of it); fields left
    ``UNSET`` are omitted."""
    return Response(msgspec.json.encode(answer), status, media_type=JSON)


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    return header is not None and if_none_match_hits(header, etag)


def json_document(request: Request, document: Shape, status: int = 200) -> Response:
    """A JSON body that clients revalidate (it changes: yanks, tags, downloads), encoded
    through its declared shape as ``shaped``, with an ETag."""
    body, etag = render(document)
    return json_bytes(request, body, etag, status)


def json_bytes(request: Request, body: bytes, etag: str, status: int = 200) -> Response:
    """``json_document`` for a body rendered already."""
    if status != 200:
        return Response(body, status, {"ETag": etag, "Cache-Control": "no-cache"}, JSON)
    return conditional(request, json_ok(body, etag))


def json_ok(body: bytes, etag: str) -> Response:
    """The 200 answer with a rendered JSON document, whatever the request's conditions."""
    return Response(body, 200, {"ETag": etag, "Cache-Control": "no-cache"}, JSON)


def conditional(request: Request, ok: Response) -> Response:
    """``ok``, or a 304 with its validators when the client holds that version already."""
    etag = ok.headers["etag"]
    if etag_matches(request, etag):
        return Response(
            status_code=304, headers={"ETag": etag, "Cache-Control": ok.headers["cache-control"]}
        )
    return ok

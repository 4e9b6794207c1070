"""Requests no route can serve because they carry a NUL byte, refused before any route runs.

PostgreSQL text cannot hold NUL, and no name, version, tag, label or cursor contains one, so a
NUL anywhere in the (percent-decoded) path or in the query string is a caller's mistake: 404
for the path (it names nothing, as a missing resource), 400 ``invalid_query`` for the query.
Request bodies are checked by the endpoints that read them.
"""

from __future__ import annotations

import json

from starlette.types import Scope, Send


def refusal(scope: Scope) -> tuple[int, str, str] | None:
    """``(status, code, message)`` when the request carries a NUL byte, else None."""
    if "\x00" in scope.get("path", ""):
        return 404, "not_found", "no resource has a NUL byte in its path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return 400, "invalid_query", "query parameters may not contain a NUL byte"
    return None


async def refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

"""``/healthz`` (the database answers) and ``GET /v1/whoami``."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.documents.build import iso
from registry.errors import Unauthorized
from registry.serving.context import principal_of, state_of
from registry.serving.error_handlers import error_response

log = logging.getLogger("registry")


async def healthz(request: Request) -> Response:
    try:
        await state_of(request).database.ping()
    except Exception as exc:  # any database failure means "not ready", not a crash
        log.warning("health check failed: %s", exc)
        return error_response(503, "database_unavailable", "the database does not answer")
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def whoami(request: Request) -> Response:
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "send a token to find out who you are")
    return JSONResponse(
        {
            "user": principal.user,
            "admin": principal.is_admin,
            "scope": principal.scope,
            "namespaces": sorted(principal.namespaces),
            "expires_at": iso(principal.expires_at),
        }
    )


routes: list[BaseRoute] = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/v1/whoami", whoami, methods=["GET"]),
]

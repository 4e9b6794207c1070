"""``/healthz`` (the database answers) and ``GET /v1/whoami``."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.auth.credentials import as_utc
from registry.auth.shapes import Whoami
from registry.db.health import is_unavailable, one_line
from registry.errors import Unauthorized
from registry.serving.context import principal_of, state_of
from registry.serving.error_handlers import database_unavailable
from registry.serving.responses import shaped
from registry.serving.shapes import Health

log = logging.getLogger("registry")


async def healthz(request: Request) -> Response:
    database = state_of(request).database
    try:
        await database.ping()
    except Exception as exc:  # any database failure means "not ready", not a crash
        if is_unavailable(exc):
            database.health.failed(exc)  # logged once per outage
        else:
            log.warning("health check failed: %s", one_line(exc))
        return database_unavailable()
    database.health.answered()
    answer = shaped(Health(status="ok"))
    answer.headers["Cache-Control"] = "no-store"
    return answer


async def whoami(request: Request) -> Response:
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "send a token to find out who you are")
    assert principal.user is not None  # authenticated
    return shaped(
        Whoami(
            user=principal.user,
            admin=principal.is_admin,
            scope=principal.scope,  # type: ignore[arg-type]  # a token's: one Scope
            namespaces=sorted(principal.namespaces),
            expires_at=as_utc(principal.expires_at),
        )
    )


routes: list[BaseRoute] = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/v1/whoami", whoami, methods=["GET"]),
]

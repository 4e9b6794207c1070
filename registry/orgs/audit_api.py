"""``GET /v1/namespaces/{ns}/audit``: the namespace's audit log, newest first, for owners.

Paged with ``?limit=`` (default 100, at most 500) and ``?before=<id>`` (the last id seen).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import path_namespace
from registry.errors import ApiError
from registry.orgs import audit
from registry.orgs import service as orgs
from registry.serving.context import principal_of, state_of


def _int(request: Request, key: str, default: int | None) -> int | None:
    text = request.query_params.get(key)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ApiError("invalid_parameter", f"{key} must be a positive whole number")
    return int(text)


async def get_audit(request: Request) -> Response:
    limit = min(_int(request, "limit", 100) or 100, audit.MAX_PAGE)
    before = _int(request, "before", None)
    principal = await principal_of(request)
    name = path_namespace(request.path_params)
    async with state_of(request).database.reader() as session:
        namespace = await orgs.namespace_for(session, principal, name, "admin")
        events = await audit.events(session, namespace.name, limit=limit, before=before)
    more = len(events) == limit
    return JSONResponse(
        {
            "namespace": namespace.name,
            "events": events,
            "next_before": events[-1]["id"] if more else None,
        }
    )


routes: list[BaseRoute] = [Route("/v1/namespaces/{ns}/audit", get_audit, methods=["GET"])]

"""``GET /v1/namespaces/{ns}/audit``: the namespace's audit log, newest first, for owners.

Paged with ``?limit=`` (default 100, 1 to 500: past that a 400, as every listing) and
``?before=<id>`` (the last id seen).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import path_namespace
from registry.orgs import audit
from registry.orgs import service as orgs
from registry.orgs.shapes import AuditLog
from registry.serving import paging
from registry.serving.context import principal_of, state_of
from registry.serving.responses import shaped


async def get_audit(request: Request) -> Response:
    params = request.query_params
    limit = paging.parse_limit(params.get("limit"), default=100, maximum=audit.MAX_PAGE)
    # ``before`` is the last id seen: any id up to one past the largest an id column holds.
    before = paging.parse_int(
        params.get("before"), name="before", default=None, maximum=paging.ID_MAX
    )
    principal = await principal_of(request)
    name = path_namespace(request.path_params)
    async with state_of(request).database.reader() as session:
        namespace = await orgs.namespace_for(session, principal, name, "admin")
        events = await audit.events(session, namespace.name, limit=limit, before=before)
    more = len(events) == limit
    return shaped(
        AuditLog(
            namespace=namespace.name, events=events, next_before=events[-1].id if more else None
        )
    )


routes: list[BaseRoute] = [Route("/v1/namespaces/{ns}/audit", get_audit, methods=["GET"])]

"""``GET /v1/apps/{ns}/{name}/dependents``: which app versions nest this app.

Only dependents the caller may read are listed; an app the caller may not read is 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.access import readable_apps
from registry.api.context import reader_of, state_of
from registry.auth import Principal
from registry.db.models import App, Dependency, Namespace, Version
from registry.services.lookup import find_app


async def dependents(request: Request) -> Response:
    principal = await reader_of(request)
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    async with state_of(request).database.reader() as session:
        app = await find_app(session, ns, name, principal)
        rows = await dependents_of(session, f"{ns}/{app.name_canonical}", principal)
    return JSONResponse({"dependents": rows})


async def dependents_of(
    session: AsyncSession, canonical: str, principal: Principal
) -> list[dict[str, Any]]:
    """Every readable (app, version, logical id, range) whose template nests ``canonical``."""
    result = await session.execute(
        sa.select(
            Namespace.name, App.name, Version.version, Dependency.logical_id, Dependency.range
        )
        .join(Version, Version.id == Dependency.version_id)
        .join(App, App.id == Version.app_id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Dependency.kind == "registry", Dependency.target_app == canonical)
        .where(readable_apps(principal))
        .order_by(Namespace.name, App.name_canonical, Version.id, Dependency.id)
    )
    return [
        {
            "application": f"{ns}/{name}",
            "version": version,
            "logical_id": logical_id,
            "range": range_ or "latest",
        }
        for ns, name, version, logical_id, range_ in result
    ]


routes: list[BaseRoute] = [Route("/v1/apps/{ns}/{name}/dependents", dependents, methods=["GET"])]

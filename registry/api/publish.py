"""``PUT /v1/apps/{ns}/{name}/versions/{version}``: publish (201 new, 200 identical retry)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.api.context import principal_of, state_of, who_of
from registry.api.publish_form import read_publish_form
from registry.db.models import App, Version
from registry.services.documents import version_document
from registry.services.publish import publish
from registry.services.publish_checks import authorize, check_request


async def put_version(request: Request) -> Response:
    state = state_of(request)
    ns, name = request.path_params["ns"], request.path_params["name"]
    version = request.path_params["version"]
    principal = await principal_of(request)
    authorize(principal, ns, name, version)
    data = await read_publish_form(request, state.settings)
    checked = check_request(state, ns, name, version, data)
    created, version_id = await publish(state, principal, checked, data, who_of(request, principal))
    async with state.database.reader() as session:
        row = await session.get(Version, version_id)
        assert row is not None
        app = await session.get(App, row.app_id)
        assert app is not None
        document = await version_document(session, f"{ns}/{app.name}", row)
    return JSONResponse(document, status_code=201 if created else 200)


routes: list[BaseRoute] = [
    Route("/v1/apps/{ns}/{name}/versions/{version}", put_version, methods=["PUT"]),
]

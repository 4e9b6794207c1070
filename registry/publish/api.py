"""``PUT /v1/apps/{ns}/{name}/versions/{version}``: publish (201 new, 200 identical retry);
with ``?dry_run=true``, every check and nothing stored (``registry.publish.validate``)."""

from __future__ import annotations

import functools

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import path_app
from registry.documents.build import version_document, version_tail
from registry.documents.shapes import VersionDocument
from registry.publish.checks import authorize, check_request
from registry.publish.form import read_publish_form
from registry.publish.service import Published, publish
from registry.publish.validate import validate
from registry.serving.context import principal_of, state_of, who_of
from registry.serving.responses import shaped


async def put_version(request: Request) -> Response:
    state = state_of(request)
    ns, name = path_app(request.path_params, write=True)
    name = str(request.path_params["name"])  # stored as its publisher spells it
    version = request.path_params["version"]
    principal = await principal_of(request)
    authorize(principal, ns, name, version)
    data = await read_publish_form(request, state.settings)
    check = functools.partial(check_request, state, ns, name, version, data)
    # A bundle is unpacked and hashed to be checked: off the event loop (a template is small).
    checked = check() if data.bundle is None else await anyio.to_thread.run_sync(check)
    if request.query_params.get("dry_run") in ("1", "true"):  # validate only, store nothing
        return shaped(await validate(state, principal, checked))
    published = await publish(state, principal, checked, data, who_of(request, principal))
    return shaped(document_of(ns, published), status=201 if published.created else 200)


def document_of(ns: str, published: Published) -> VersionDocument:
    """The version document, from what the publish stored or found, without another read:
    the same pure functions the documents service builds it with."""
    app_id, row = f"{ns}/{published.app_name}", published.row
    return version_document(app_id, row, version_tail(app_id, row, published.dependencies))


routes: list[BaseRoute] = [
    Route("/v1/apps/{ns}/{name}/versions/{version}", put_version, methods=["PUT"]),
]

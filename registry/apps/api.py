"""``GET``/``PATCH``/``DELETE /v1/apps/{ns}/{name}``: the app document, its editable fields,
and deleting the app (owners; ``services.deletion``)."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps import deletion
from registry.apps.editing import apply_changes
from registry.apps.lookup import find_app, path_app
from registry.apps.shapes import AppDeleted, AppPatch
from registry.auth.access import can_admin, can_publish, may_read
from registry.errors import Forbidden, NotFound, Unauthorized
from registry.publish.metadata import validate_labels
from registry.serving.bodies import fit, parse_body
from registry.serving.context import principal_of, reader_of, state_of, who_of, writer_of
from registry.serving.hot_reads import remember
from registry.serving.responses import conditional, json_bytes, json_ok, shaped


async def get_app(request: Request) -> Response:
    """The app document: the documents service's bytes, once ``may_read`` allows."""
    state = state_of(request)
    principal = await reader_of(request)
    documents = state.documents
    epoch = documents.epoch  # before any query: see Documents.remember
    ns, name = path_app(request.path_params)
    app = await documents.app(ns, name)
    if not may_read(principal, app.access):
        raise NotFound("app_not_found", f"no application {ns}/{name}")
    body = await documents.app_body(app.info)
    ok = json_ok(body.body, body.etag)
    public = app.access.visibility == "public"
    key = ("app", ns, name, "")
    read_at = body.counts_read_at
    remember(documents, key, ok, app.info.id, epoch, public=public, counts_read_at=read_at)
    return conditional(request, ok)


async def patch_app(request: Request) -> Response:
    state = state_of(request)
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "changing an app needs a token")
    ns, name = path_app(request.path_params, write=True)
    changes = changes_of(await parse_body(request, AppPatch))
    async with state.database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_publish(principal, ns):
            raise Forbidden("forbidden", f"this token may not change apps in {ns!r}")
        if "visibility" in changes and not can_admin(principal, ns):
            raise Forbidden("forbidden", f"only owners of {ns!r} may change visibility")
        await apply_changes(session, app, ns, changes, who_of(request, principal))
        await session.commit()
    entry = await state.documents.app(ns, app.name_canonical)  # read after the commit
    body = await state.documents.app_body(entry.info)
    return json_bytes(request, body.body, body.etag)


async def delete_app(request: Request) -> Response:
    """404 when the caller may not read the app, 403 without the owner role, 409 while nested."""
    state = state_of(request)
    principal = await writer_of(request)
    ns, name = path_app(request.path_params, write=True)
    await state.downloads.flush()  # counts of the rows about to go land first, not on reused ids
    async with state.database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_admin(principal, ns):
            raise Forbidden("forbidden", f"only owners of {ns!r} may delete its apps")
        versions = await deletion.delete_app(
            session, app, ns, principal, who_of(request, principal)
        )
        await session.commit()
    return shaped(AppDeleted(deleted=f"{ns}/{app.name}", versions=versions))


def parse_changes(body: Any) -> dict[str, Any]:
    """Validate a PATCH body (parsed JSON) into ``{column: value}``."""
    return changes_of(fit(body, AppPatch))


def changes_of(patch: AppPatch) -> dict[str, Any]:
    """The fields ``patch`` sets, as ``{column: value}`` (labels checked by SAR's rule)."""
    changes = {f: getattr(patch, f) for f in patch.__struct_fields__}
    changes = {f: value for f, value in changes.items() if value is not UNSET}
    if "labels" in changes:
        changes["labels"] = validate_labels(changes["labels"])
    return changes


routes: list[BaseRoute] = [
    Route("/v1/apps/{ns}/{name}", get_app, methods=["GET"]),
    Route("/v1/apps/{ns}/{name}", patch_app, methods=["PATCH"]),
    Route("/v1/apps/{ns}/{name}", delete_app, methods=["DELETE"]),
]

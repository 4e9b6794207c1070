"""``GET``/``PATCH``/``DELETE /v1/apps/{ns}/{name}``: the app document, its editable fields,
and deleting the app (owners; ``services.deletion``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.access import can_admin, can_publish
from registry.api.context import principal_of, reader_of, state_of, who_of, writer_of
from registry.api.responses import conditional, json_document, json_ok
from registry.db.models import App, utcnow
from registry.errors import ApiError, Forbidden, NotFound, Unauthorized, Unprocessable
from registry.hot_reads import remember
from registry.services import audit, deletion, search_index
from registry.services.audit import Who
from registry.services.documents import app_document, render
from registry.services.lookup import app_stamp, find_app
from registry.services.metadata import validate_labels

_URL_MAX = 1024
_DESCRIPTION_MAX = 16_384


async def get_app(request: Request) -> Response:
    state = state_of(request)
    principal = await reader_of(request)
    generation = state.public_reads.generation  # before any query: see PublicReads.put
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    found = await app_stamp(state.database, ns, name, principal)
    stamp = (found.updated_at, found.downloads)
    cached = state.app_docs.get(found.id)
    if cached is None or cached[0] != stamp:
        async with state.database.reader() as session:
            app = await session.get(App, found.id)
            if app is None:  # deleted since the stamp was read
                raise NotFound("app_not_found", f"no application {ns}/{name}")
            cached = (stamp, *render(await app_document(session, ns, app)))
        state.app_docs.put(found.id, cached)
    ok = json_ok(cached[1], cached[2])
    if not principal.authenticated and found.visibility == "public":
        # Shows download counts, which change unnoticed: kept one flush interval at most.
        flush = state.settings.download_flush_seconds
        remember(state.public_reads, request, ok, generation, max_age=flush)
    return conditional(request, ok)


async def patch_app(request: Request) -> Response:
    state = state_of(request)
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "changing an app needs a token")
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    changes = parse_changes(await _json_body(request))
    async with state.database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_publish(principal, ns):
            raise Forbidden("forbidden", f"this token may not change apps in {ns!r}")
        if "visibility" in changes and not can_admin(principal, ns):
            raise Forbidden("forbidden", f"only owners of {ns!r} may change visibility")
        await apply_changes(session, app, ns, changes, who_of(request, principal))
        await session.commit()
        return json_document(request, await app_document(session, ns, app))


async def apply_changes(
    session: AsyncSession, app: App, ns: str, changes: dict[str, Any], who: Who
) -> None:
    """Set checked ``changes`` (``parse_changes``) on ``app``, audited; the caller commits."""
    target = f"{ns}/{app.name}"
    audit.record(session, who, "app_update", namespace=ns, target=target, **changes)
    for field, value in changes.items():
        setattr(app, field, value)
    app.updated_at = utcnow()
    await session.flush()
    await search_index.refresh(session, app.id)


async def delete_app(request: Request) -> Response:
    """404 when the caller may not read the app, 403 without the owner role, 409 while nested."""
    state = state_of(request)
    principal = await writer_of(request)
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    await state.downloads.flush()  # counts of the rows about to go land first, not on reused ids
    async with state.database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_admin(principal, ns):
            raise Forbidden("forbidden", f"only owners of {ns!r} may delete its apps")
        versions = await deletion.delete_app(
            session, app, ns, principal, who_of(request, principal)
        )
        await session.commit()
    return JSONResponse({"deleted": f"{ns}/{app.name}", "versions": versions})


async def _json_body(request: Request) -> Any:
    if not request.headers.get("content-type", "").lower().startswith("application/json"):
        raise ApiError(
            "unsupported_media_type", "send a JSON object (application/json)", status=415
        )
    body = await request.body()
    if len(body) > 1024 * 1024:
        raise ApiError("body_too_large", "the request body is too large", status=413)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ApiError("invalid_json", f"the body is not valid JSON: {exc}") from None


def parse_changes(body: Any) -> dict[str, Any]:
    """Validate a PATCH body into ``{column: value}``."""
    if not isinstance(body, dict) or not body:
        raise Unprocessable("invalid_patch", "send a JSON object with fields to change")
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key == "visibility":
            if value not in ("public", "private"):
                raise Unprocessable("invalid_visibility", "visibility is 'public' or 'private'")
            changes[key] = value
        elif key == "labels":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise Unprocessable("invalid_metadata", "labels must be a list of strings")
            changes[key] = validate_labels(value)
        elif key in ("description", "home_page_url"):
            changes[key] = _optional_text(key, value)
        else:
            raise Unprocessable(
                "invalid_patch",
                f"{key!r} cannot be changed; use description, labels, home_page_url, visibility",
            )
    return changes


def _optional_text(key: str, value: Any) -> str | None:
    limit = _URL_MAX if key == "home_page_url" else _DESCRIPTION_MAX
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise Unprocessable("invalid_metadata", f"{key} must be text of at most {limit} characters")
    return value


routes: list[BaseRoute] = [
    Route("/v1/apps/{ns}/{name}", get_app, methods=["GET"]),
    Route("/v1/apps/{ns}/{name}", patch_app, methods=["PATCH"]),
    Route("/v1/apps/{ns}/{name}", delete_app, methods=["DELETE"]),
]

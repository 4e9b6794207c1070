"""Retiring and tagging versions: dist-tags, yank/unyank, deprecate.

All need a token that may publish to the namespace; each is written to the audit log. Callers
who may not read the app get 404 (as everywhere); readers without publish rights get 403;
anonymous callers 401.
``latest`` follows the highest non-yanked release unless set explicitly; yanking the version it
points at (explicitly or not) makes it follow again, so ``latest`` never names a yanked version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from client.names import parse_version
from client.ranges import is_dist_tag
from registry.access import can_publish
from registry.api.bodies import json_object, only_keys
from registry.api.context import principal_of, state_of, who_of
from registry.db.models import App, DistTag, Version
from registry.errors import ApiError, Conflict, Forbidden, NotFound, Unauthorized
from registry.services import audit, dist_tags, search_index
from registry.services.audit import Who
from registry.services.documents import version_base
from registry.services.lookup import find_app, find_version

MAX_MESSAGE = 1024
_APP = "/v1/apps/{ns}/{name}"


@dataclass
class Target:
    session: AsyncSession
    app: App
    app_id: str  # display form, for documents
    namespace: str
    who: Who

    def audit(self, action: str, target: str, **details: Any) -> None:
        audit.record(
            self.session, self.who, action, namespace=self.namespace, target=target, **details
        )


@asynccontextmanager
async def publishable(request: Request) -> AsyncIterator[Target]:
    """The path's app in a write session, once the caller may publish to it; commits on exit."""
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "send a token that may publish here")
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    async with state_of(request).database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_publish(principal, ns):
            raise Forbidden("forbidden", f"this token may not publish to {ns!r}")
        # Take turns with publishes of this app (they lock it too) so latest stays consistent.
        await session.execute(sa.select(App.id).where(App.id == app.id).with_for_update())
        yield Target(session, app, f"{ns}/{app.name}", ns, who_of(request, principal))
        await search_index.refresh(session, app.id)  # the indexed readme follows latest
        await session.commit()


async def put_tag(request: Request) -> Response:
    tag = _tag(request)
    body = await json_object(request)
    only_keys(body, {"version"})
    version_text = body.get("version")
    if not isinstance(version_text, str):
        raise ApiError("invalid_request", 'send {"version": "<exact version>"}')
    parse_version(version_text)
    async with publishable(request) as target:
        version = await find_version(target.session, target.app, version_text)
        if version.yanked:
            raise Conflict("version_yanked", f"{version_text} is yanked; unyank it first")
        await dist_tags.set_tag(target.session, target.app.id, tag, version.id)
        target.audit("tag_move", target.app_id, tag=tag, version=version_text)
        tags = await dist_tags.tags_of(target.session, target.app.id)
    return JSONResponse({"dist_tags": tags})


async def delete_tag(request: Request) -> Response:
    tag = _tag(request)
    async with publishable(request) as target:
        if not await dist_tags.drop_tag(target.session, target.app.id, tag):
            raise NotFound("tag_not_found", f"{target.app_id} has no dist-tag {tag!r}")
        target.audit("tag_delete", target.app_id, tag=tag)
        tags = await dist_tags.tags_of(target.session, target.app.id)
    return JSONResponse({"dist_tags": tags})


def _tag(request: Request) -> str:
    tag: str = request.path_params["tag"]
    if not is_dist_tag(tag):
        raise ApiError(
            "invalid_tag",
            f"{tag!r} is not a dist-tag name: start with a letter, and it must not be a range",
        )
    return tag


async def yank(request: Request) -> Response:
    body = await json_object(request, optional=True)
    only_keys(body, {"reason"})
    reason = _text(body, "reason")
    return await _change_version(request, "yank", yanked=True, yanked_reason=reason)


async def unyank(request: Request) -> Response:
    only_keys(await json_object(request, optional=True), set())
    return await _change_version(request, "unyank", yanked=False, yanked_reason=None)


async def deprecate(request: Request) -> Response:
    body = await json_object(request)
    only_keys(body, {"message"})
    return await _change_version(request, "deprecate", deprecated=_text(body, "message"))


def _text(body: dict[str, Any], key: str) -> str | None:
    """An optional message: null or blank means none."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError("invalid_request", f"{key} must be a string or null")
    if value is not None and len(value) > MAX_MESSAGE:
        raise ApiError("invalid_request", f"{key} is longer than {MAX_MESSAGE} characters")
    return (value or "").strip() or None


async def _change_version(request: Request, action: str, **changes: Any) -> Response:
    async with publishable(request) as target:
        version = await find_version(target.session, target.app, request.path_params["version"])
        target.audit(action, f"{target.app_id}@{version.version}", **changes)
        for column, value in changes.items():
            setattr(version, column, value)
        await target.session.flush()
        if "yanked" in changes:
            await _follow_if_yanked(target.session, target.app.id, version)
            await dist_tags.recompute_latest(target.session, target.app.id)
        document = {"application": target.app_id, **version_base(version)}
    return JSONResponse(document)


async def _follow_if_yanked(session: AsyncSession, app_id: int, version: Version) -> None:
    """An explicit ``latest`` on a version being yanked goes back to following."""
    latest = await session.get(DistTag, (app_id, dist_tags.LATEST))
    if version.yanked and latest is not None and latest.version_id == version.id:
        await dist_tags.drop_tag(session, app_id, dist_tags.LATEST)


_VERSION = _APP + "/versions/{version}"

routes: list[BaseRoute] = [
    Route(_APP + "/dist-tags/{tag}", put_tag, methods=["PUT"]),
    Route(_APP + "/dist-tags/{tag}", delete_tag, methods=["DELETE"]),
    Route(_VERSION + "/yank", yank, methods=["POST"]),
    Route(_VERSION + "/unyank", unyank, methods=["POST"]),
    Route(_VERSION + "/deprecate", deprecate, methods=["POST"]),
]

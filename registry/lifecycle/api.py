"""Retiring and tagging versions over HTTP: dist-tags, yank/unyank, deprecate.

All need a token that may publish to the namespace (``registry.lifecycle.service`` holds the
rules). Callers who may not read the app get 404 (as everywhere); readers without publish rights
get 403; anonymous callers 401.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from client.names import parse_version
from client.ranges import is_dist_tag
from registry.apps.lookup import path_app
from registry.errors import ApiError
from registry.lifecycle import service
from registry.lifecycle.service import Target
from registry.lifecycle.shapes import DeprecateBody, DistTagBody, DistTags, UnyankBody, YankBody
from registry.serving.bodies import parse_body
from registry.serving.context import principal_of, state_of, who_of
from registry.serving.responses import shaped

_APP = "/v1/apps/{ns}/{name}"


@asynccontextmanager
async def publishable(request: Request) -> AsyncIterator[Target]:
    """The path's app locked for a lifecycle write by the caller; commits on exit."""
    principal = await principal_of(request)
    ns, name = path_app(request.path_params, write=True)
    database = state_of(request).database
    async with service.publishable(
        database, principal, ns, name, who_of(request, principal)
    ) as target:
        yield target


async def put_tag(request: Request) -> Response:
    tag = _tag(request)
    version_text = (await parse_body(request, DistTagBody)).version
    parse_version(version_text)
    async with publishable(request) as target:
        tags = await service.set_tag(target, tag, version_text)
    return shaped(DistTags(dist_tags=tags))


async def delete_tag(request: Request) -> Response:
    tag = _tag(request)
    async with publishable(request) as target:
        tags = await service.drop_tag(target, tag)
    return shaped(DistTags(dist_tags=tags))


def _tag(request: Request) -> str:
    tag: str = request.path_params["tag"]
    if not is_dist_tag(tag):
        raise ApiError(
            "invalid_tag",
            f"{tag!r} is not a dist-tag name: start with a letter, and it must not be a range",
        )
    return tag


async def yank(request: Request) -> Response:
    reason = _text((await parse_body(request, YankBody)).reason)
    return await _change_version(request, "yank", yanked=True, yanked_reason=reason)


async def unyank(request: Request) -> Response:
    await parse_body(request, UnyankBody)
    return await _change_version(request, "unyank", yanked=False, yanked_reason=None)


async def deprecate(request: Request) -> Response:
    message = (await parse_body(request, DeprecateBody)).message
    return await _change_version(request, "deprecate", deprecated=_text(message))


def _text(value: str | None) -> str | None:
    """An optional message: null or blank means none."""
    return (value or "").strip() or None


async def _change_version(request: Request, action: str, **changes: object) -> Response:
    async with publishable(request) as target:
        version = request.path_params["version"]
        document = await service.change_version(target, version, action, **changes)
    return shaped(document)


_VERSION = _APP + "/versions/{version}"

routes: list[BaseRoute] = [
    Route(_APP + "/dist-tags/{tag}", put_tag, methods=["PUT"]),
    Route(_APP + "/dist-tags/{tag}", delete_tag, methods=["DELETE"]),
    Route(_VERSION + "/yank", yank, methods=["POST"]),
    Route(_VERSION + "/unyank", unyank, methods=["POST"]),
    Route(_VERSION + "/deprecate", deprecate, methods=["POST"]),
]

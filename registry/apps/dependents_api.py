"""``GET /v1/apps/{ns}/{name}/dependents``: which app versions nest this app, a page at a time.

Only dependents the caller may read are listed; an app the caller may not read is 404. The
opaque ``cursor`` is a ``registry.serving.paging`` cursor carrying the last row's key.
"""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps.dependents import DEFAULT_LIMIT, MAX_LIMIT, Key, dependents_of
from registry.apps.lookup import find_app, path_app
from registry.apps.shapes import Dependents
from registry.serving import paging
from registry.serving.context import reader_of, state_of
from registry.serving.responses import shaped

KIND = "dependents"


async def dependents(request: Request) -> Response:
    principal = await reader_of(request)
    ns, name = path_app(request.path_params)
    limit, after = page_params(request.query_params)
    async with state_of(request).database.reader() as session:
        app = await find_app(session, ns, name, principal)
        rows, last = await dependents_of(
            session, f"{ns}/{app.name_canonical}", principal, limit=limit, after=after
        )
    return shaped(Dependents(dependents=rows, next_cursor=encode(last) if last else None))


def page_params(params: QueryParams) -> tuple[int, Key | None]:
    """``limit`` (1..500, default 100) and the decoded ``cursor``; 400 when malformed."""
    limit = paging.parse_limit(params.get("limit"), default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    cursor = params.get("cursor")
    return limit, (decode(cursor) if cursor else None)


def encode(key: Key) -> str:
    return paging.encode(KIND, key)


def decode(text: str) -> Key:
    ns, name, version_id, dependency_id = paging.decode(KIND, text, arity=4, listing="listing")
    try:
        ns, name = paging.strings(ns, name)
        version_id, dependency_id = paging.ids(version_id, dependency_id)
    except ValueError:
        raise paging.bad_cursor("listing") from None
    return ns, name, version_id, dependency_id


routes: list[BaseRoute] = [Route("/v1/apps/{ns}/{name}/dependents", dependents, methods=["GET"])]

"""``GET /v1/apps``: search (see ``registry.search.query`` for ranking and paging)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.search.params import encode_cursor, parse_query
from registry.search.query import search
from registry.search.shapes import SearchResults
from registry.serving.context import reader_of, state_of
from registry.serving.responses import shaped


async def search_apps(request: Request) -> Response:
    query = parse_query(request.query_params)
    principal = await reader_of(request)
    async with state_of(request).database.reader() as session:
        page = await search(session, query, principal)
    cursor = encode_cursor(query.sort, *page.last_key) if page.last_key else None
    return shaped(SearchResults(results=page.rows, next_cursor=cursor))


routes: list[BaseRoute] = [Route("/v1/apps", search_apps, methods=["GET"])]

"""``GET /v1/apps/{ns}/{name}/dependents``: which app versions nest this app, a page at a time.

Only dependents the caller may read are listed; an app the caller may not read is 404.
Pages are keyset pages in a fixed order (namespace, app, version id, reference id); the opaque
``cursor`` is URL-safe base64 JSON like search's, carrying the last row's key, so pages never
repeat or skip a row (rows published meanwhile appear in order, or on a later page).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry.access import readable_apps
from registry.api.context import reader_of, state_of
from registry.auth import Principal
from registry.db.models import App, Dependency, Namespace, Version
from registry.errors import ApiError
from registry.search_params import invalid
from registry.services.lookup import find_app

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
Key = tuple[str, str, int, int]  # namespace, canonical app name, version id, dependency id


async def dependents(request: Request) -> Response:
    principal = await reader_of(request)
    ns, name = request.path_params["ns"].lower(), request.path_params["name"]
    limit, after = page_params(request.query_params)
    async with state_of(request).database.reader() as session:
        app = await find_app(session, ns, name, principal)
        rows, last = await dependents_of(
            session, f"{ns}/{app.name_canonical}", principal, limit=limit, after=after
        )
    return JSONResponse({"dependents": rows, "next_cursor": encode(last) if last else None})


def page_params(params: QueryParams) -> tuple[int, Key | None]:
    """``limit`` (1..500, default 100) and the decoded ``cursor``; 400 when malformed."""
    raw = params.get("limit")
    if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT):
        raise invalid(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    cursor = params.get("cursor")
    return (int(raw) if raw else DEFAULT_LIMIT), (decode(cursor) if cursor else None)


def encode(key: Key) -> str:
    raw = json.dumps(["dependents", *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(text: str) -> Key:
    try:
        kind, ns, name, version_id, dependency_id = json.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        )
        if kind != "dependents" or not (isinstance(ns, str) and isinstance(name, str)):
            raise ValueError("not a dependents cursor")
        if not all(type(v) is int for v in (version_id, dependency_id)):
            raise ValueError("not ids")
    except (ValueError, TypeError, binascii.Error):
        raise ApiError(
            "invalid_cursor", "the cursor is not one this listing returned; start again"
        ) from None
    return ns, name, version_id, dependency_id


async def dependents_of(
    session: AsyncSession,
    canonical: str,
    principal: Principal,
    *,
    limit: int = DEFAULT_LIMIT,
    after: Key | None = None,
) -> tuple[list[dict[str, Any]], Key | None]:
    """One page of readable (app, version, logical id, range) nesting ``canonical``, and the
    key of its last row when more may follow."""
    order = (Namespace.name, App.name_canonical, Version.id, Dependency.id)
    query = (
        sa.select(App.name, Version.version, Dependency.logical_id, Dependency.range, *order)
        .select_from(Dependency)
        .join(Version, Version.id == Dependency.version_id)
        .join(App, App.id == Version.app_id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Dependency.kind == "registry", Dependency.target_app == canonical)
        .where(readable_apps(principal))
    )
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
    rows = (await session.execute(query.order_by(*order).limit(limit + 1))).all()
    page = [
        {
            "application": f"{row[4]}/{row[0]}",
            "version": row[1],
            "logical_id": row[2],
            "range": row[3] or "latest",
        }
        for row in rows[:limit]
    ]
    if len(rows) <= limit:
        return page, None
    last = rows[limit - 1]
    return page, (str(last[4]), str(last[5]), int(last[6]), int(last[7]))


routes: list[BaseRoute] = [Route("/v1/apps/{ns}/{name}/dependents", dependents, methods=["GET"])]

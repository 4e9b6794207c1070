"""Bugs answer a JSON 500 (logged), never a traceback; client errors keep their codes."""

from __future__ import annotations

import logging

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.serving.error_handlers import EXCEPTION_HANDLERS, CatchAllMiddleware


async def _broken(_request: Request) -> Response:
    raise RuntimeError("a bug")


def _app() -> Starlette:
    # The registry's own middleware and handlers around an endpoint with a bug in it.
    return Starlette(
        routes=[Route("/broken", _broken)],
        middleware=[Middleware(CatchAllMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
    )


async def test_unexpected_exception_is_json_500(caplog):
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="registry"):
            response = await client.get("/broken")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "the registry failed; see its log"}
    }
    assert "a bug" not in response.text
    assert any("unhandled error" in record.message for record in caplog.records)

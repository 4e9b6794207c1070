"""Service endpoints: the OpenAPI document and Prometheus metrics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from registry.openapi.document import SPEC
from registry.serving.metrics import SCOPE_KEY, Metrics

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def openapi_json(request: Request) -> Response:
    return JSONResponse(SPEC)


async def metrics(request: Request) -> Response:
    # Without the middleware nothing is counted; answer an empty exposition, not an error.
    found = request.scope.get(SCOPE_KEY)
    body = found.render() if isinstance(found, Metrics) else Metrics().render()
    return PlainTextResponse(body, media_type=PROMETHEUS_TEXT)


routes: list[BaseRoute] = [
    Route("/v1/openapi.json", openapi_json, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]

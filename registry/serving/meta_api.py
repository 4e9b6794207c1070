"""Service endpoints: the OpenAPI document and Prometheus metrics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from registry.openapi.document import SPEC
from registry.serving import metrics_files
from registry.serving.metrics import SCOPE_KEY, Metrics
from registry.state import RegistryState

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def openapi_json(request: Request) -> Response:
    return JSONResponse(SPEC)


async def metrics(request: Request) -> Response:
    # Without the middleware nothing is counted; answer an empty exposition, not an error.
    found = request.scope.get(SCOPE_KEY)
    if not isinstance(found, Metrics):
        found = Metrics()
    running = getattr(request.app.state, "registry", None)  # None: middleware alone, in tests
    shared = running.settings.metrics_dir if isinstance(running, RegistryState) else None
    if shared is not None:  # several workers: the sum of them all
        found = metrics_files.combined(found, shared)
    body = found.render()
    return PlainTextResponse(body, media_type=PROMETHEUS_TEXT)


routes: list[BaseRoute] = [
    Route("/v1/openapi.json", openapi_json, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]

"""The Prometheus text exposition and the middleware's labelling, on a bare Starlette app."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from registry.serving.meta_api import routes as meta_routes
from registry.serving.metrics import Metrics, MetricsMiddleware


def test_render_counts_histogram_and_publishes() -> None:
    metrics = Metrics()
    metrics.observe("GET", "/v1/apps/{ns}/{name}", 200, 0.02)
    metrics.observe("GET", "/v1/apps/{ns}/{name}", 200, 3.0)
    metrics.observe("PUT", "/v1/apps/{ns}/{name}/versions/{version}", 201, 0.2)
    metrics.observe("PUT", "/v1/apps/{ns}/{name}/versions/{version}", 409, 0.2)
    text = metrics.render()
    assert (
        'nestry_http_requests_total{method="GET",route="/v1/apps/{ns}/{name}",status="200"} 2'
        in text
    )
    bucket = 'nestry_http_request_duration_seconds_bucket{method="GET",route="/v1/apps/{ns}/{name}"'
    assert f'{bucket},le="0.025"}} 1' in text
    assert f'{bucket},le="5.0"}} 2' in text
    assert f'{bucket},le="+Inf"}} 2' in text
    assert 'nestry_publishes_total{result="created"} 1' in text
    assert 'nestry_publishes_total{result="refused"} 1' in text
    assert "# TYPE nestry_http_request_duration_seconds histogram" in text


def test_label_values_are_escaped() -> None:
    metrics = Metrics()
    metrics.observe("GET", 'a"b\\c\nd', 200, 0.0)
    assert 'route="a\\"b\\\\c\\nd"' in metrics.render()


async def boom(request: Request) -> Response:
    raise RuntimeError("boom")


async def item(request: Request) -> Response:
    return PlainTextResponse("ok")


def make_app() -> Starlette:
    routes = [Route("/items/{item_id}", item), Route("/boom", boom), *meta_routes]
    return Starlette(routes=routes, middleware=[Middleware(MetricsMiddleware)])


async def test_middleware_labels_by_template_not_raw_path() -> None:
    transport = httpx.ASGITransport(app=make_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for item_id in range(5):
            assert (await client.get(f"/items/{item_id}")).status_code == 200
        assert (await client.get("/nowhere/1")).status_code == 404
        assert (await client.get("/nowhere/2")).status_code == 404
        assert (await client.get("/boom")).status_code == 500
        for method in ("BREW", "WHEN", "PROPFIND"):
            await client.request(method, "/items/1")
        response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'route="/items/{item_id}",status="200"} 5' in text
    assert 'route="<unmatched>",status="404"} 2' in text
    assert 'route="/boom",status="500"} 1' in text
    assert "/items/3" not in text
    assert 'method="OTHER",route="/items/{item_id}",status="405"} 3' in text
    assert "BREW" not in text

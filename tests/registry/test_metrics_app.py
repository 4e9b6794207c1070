"""``/metrics`` on the real app: route templates, statuses and publishes are counted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
VERSION_ROUTE = "/v1/apps/{ns}/{name}/versions/{version}"


async def test_counts_by_template_and_publishes(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    assert (await publish("acme", "one", "1.0.0", TEMPLATE)).status_code == 201
    assert (await publish("acme", "one", "1.0.0", TEMPLATE)).status_code == 200
    assert (await publish("acme", "two", "1.0.0", "not: [a template")).status_code == 422
    for name in ("one", "two", "three"):
        await api.get(f"/v1/apps/acme/{name}")
    response = await api.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert f'method="PUT",route="{VERSION_ROUTE}",status="201"}} 1' in text
    assert 'route="/v1/apps/{ns}/{name}",status="200"} 1' in text
    assert 'route="/v1/apps/{ns}/{name}",status="404"} 2' in text
    assert 'nestry_publishes_total{result="created"} 1' in text
    assert 'nestry_publishes_total{result="unchanged"} 1' in text
    assert 'nestry_publishes_total{result="refused"} 1' in text
    assert "/v1/apps/acme/" not in text  # raw paths never become labels

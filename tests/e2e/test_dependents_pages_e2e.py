"""``RegistryClient.dependents`` pages through a real registry with ``limit`` and ``cursor``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx

from client.api.client import RegistryClient
from client.names import parse_app_id

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
from registry_samples import nested, template


def test_the_client_pages_through_every_dependent(live_registry: Any) -> None:
    http = httpx.Client(timeout=30)
    with RegistryClient(live_registry.url, live_registry.admin_token, http=http) as client:

        def publish(app: str, body: str) -> None:
            status, answer = client.publish(
                parse_app_id(app),
                "1.0.0",
                template=body.encode(),
                metadata={},
                readme=None,
                license=None,
                bundle=None,
            )
            assert status == 201, answer

        publish("acme/base", template(name="base"))
        for name in ("c", "a", "b"):
            publish(
                f"acme/{name}", template(name=name, extra_resources=nested("B", "acme/base", "^1"))
            )
        base = parse_app_id("acme/base")
        seen, cursor = [], None
        while True:
            page = client.dependents(base, limit=2, cursor=cursor)
            assert len(page["dependents"]) <= 2
            seen += [d["application"] for d in page["dependents"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["acme/a", "acme/b", "acme/c"]

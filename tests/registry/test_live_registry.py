"""The ``live_registry`` fixture: the real app over a real socket, as the CLI tests use it."""

from __future__ import annotations

import httpx
from registry_samples import template


def test_live_registry_publishes_and_serves(live_registry):
    headers = {"Authorization": f"Bearer {live_registry.admin_token}"}
    with httpx.Client(base_url=live_registry.url, headers=headers) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        response = client.put(
            "/v1/apps/acme/demo/versions/1.0.0",
            files={"template": ("template.yaml", template().encode(), "application/x-yaml")},
        )
        assert response.status_code == 201, response.text
        fetched = client.get("/v1/apps/acme/demo/versions/1.0.0/template")
        assert fetched.content == template().encode()
        whoami = client.get("/v1/whoami").json()
        assert whoami["admin"] is True

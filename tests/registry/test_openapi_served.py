"""``GET /v1/openapi.json`` serves the spec, and real responses validate against it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema

from registry.openapi.document import SPEC, schema_for


async def test_served_document_is_the_spec(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == SPEC


async def test_core_error_responses_match_the_error_schema(api: httpx.AsyncClient) -> None:
    for response in (
        await api.get("/v1/apps/acme/missing"),
        await api.get("/v1/whoami"),
        await api.get("/nowhere"),
        await api.delete("/v1/resolve"),
    ):
        assert response.status_code >= 400
        jsonschema.validate(response.json(), schema_for("Error"))


async def test_health_matches_its_schema(api: httpx.AsyncClient) -> None:
    response = await api.get("/healthz")
    jsonschema.validate(response.json(), schema_for("Health"))


async def test_documents_match_their_schemas(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str
) -> None:
    nested = {
        "Type": "AWS::Serverless::Application",
        "Properties": {"Location": {"ApplicationId": "acme/base", "SemanticVersion": "^1"}},
    }
    base = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    web = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Base": nested}}
    assert (await publish("acme", "base", "1.0.0", json.dumps(base))).status_code == 201
    created = await publish("acme", "web", "1.0.0", json.dumps(web), readme="# Web")
    assert created.status_code == 201
    jsonschema.validate(created.json(), schema_for("VersionDocument"))
    app = await api.get("/v1/apps/acme/web")
    jsonschema.validate(app.json(), schema_for("AppDocument"))
    version = await api.get("/v1/apps/acme/web/versions/1.0.0")
    jsonschema.validate(version.json(), schema_for("VersionDocument"))
    assert version.json()["dependencies"][0]["application"] == "acme/base"
    whoami = await api.get("/v1/whoami", headers={"Authorization": f"Bearer {admin_token}"})
    jsonschema.validate(whoami.json(), schema_for("Whoami"))

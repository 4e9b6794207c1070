"""``template_path`` (where the template sits in its bundle) in resolve results and documents."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import msgspec
from registry_samples import local_nested, tar_gz, template

from client.resolution import Request, Resolved, VersionInfo
from registry.openapi.document import schema_for
from registry.resolve.api import node_document


async def resolved(api: httpx.AsyncClient, app: str) -> dict[str, Any]:
    body = {"requests": [{"application": app, "range": "^1.0.0"}]}
    response = await api.post("/v1/resolve", json=body)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), schema_for("ResolveResponse"))
    result: dict[str, Any] = response.json()["results"][0]
    return result


async def version_document(api: httpx.AsyncClient, app: str) -> dict[str, Any]:
    response = await api.get(f"/v1/apps/{app}/versions/1.0.0")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    jsonschema.validate(document, schema_for("VersionDocument"))
    return document


async def test_a_version_without_template_path_has_its_template_at_the_bundle_root(
    api: httpx.AsyncClient, publish: Any
) -> None:
    bundle = tar_gz({"src/app.py": b"print(1)"})
    response = await publish("acme", "plain", "1.0.0", template(name="plain"), bundle=bundle)
    assert response.status_code == 201, response.text
    assert (await resolved(api, "acme/plain"))["template_path"] is None
    assert (await version_document(api, "acme/plain"))["template_path"] is None


async def test_template_path_is_exposed_where_install_reads_it(
    api: httpx.AsyncClient, publish: Any
) -> None:
    extra = local_nested("Backend", "../../backend/template.yaml")
    bundle = tar_gz({"backend/template.yaml": b"Resources: {}\n"})
    response = await publish(
        "acme",
        "placed",
        "1.0.0",
        template(name="placed", extra_resources=extra),
        bundle=bundle,
        extra={"template_path": "sam/app/template.yaml"},
    )
    assert response.status_code == 201, response.text
    assert (await resolved(api, "acme/placed"))["template_path"] == "sam/app/template.yaml"
    document = await version_document(api, "acme/placed")
    assert document["template_path"] == "sam/app/template.yaml"


def test_a_resolved_node_carries_its_versions_template_path() -> None:
    digest = "sha256:" + "a" * 64
    found = VersionInfo("1.0.0", digest, bundle_digest=digest, template_path="sam/app/t.yaml")
    node = Resolved(Request("acme/placed", "^1.0.0"), (), "acme/placed", "acme/placed", found)
    document = msgspec.to_builtins(node_document(node))
    jsonschema.validate({"results": [document]}, schema_for("ResolveResponse"))
    assert document["template_path"] == "sam/app/t.yaml"
    assert document["bundle_url"] == "/v1/apps/acme/placed/versions/1.0.0/bundle"

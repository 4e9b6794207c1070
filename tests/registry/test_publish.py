"""Publishing: documents, immutability, idempotent retries, metadata, nested references."""

from __future__ import annotations

import hashlib

from registry_samples import local_nested, nested, tar_gz, template


async def test_publish_creates_app_and_version_documents(api, publish):
    body = template(version="1.0.0")
    response = await publish("acme", "Demo", "1.0.0", body, readme="# Demo")
    assert response.status_code == 201, response.text
    doc = response.json()
    digest = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    assert doc["application"] == "acme/Demo"
    assert doc["version"] == "1.0.0"
    assert doc["digest"] == digest
    assert doc["parameters"] == {
        "Stage": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]}
    }
    assert doc["outputs"]["TopicArn"]["Description"] == "the topic"
    assert doc["metadata"]["author"] == "tester"
    assert doc["metadata"]["semantic_version"] == "1.0.0"
    assert doc["readme"] == "# Demo"
    assert doc["template_url"] == "/v1/apps/acme/Demo/versions/1.0.0/template"
    assert doc["bundle_url"] is None and doc["dependencies"] == []

    app_doc = (await api.get("/v1/apps/acme/demo")).json()
    assert app_doc["application"] == "acme/Demo"
    assert app_doc["description"] == "A demo app"
    assert app_doc["labels"] == ["demo", "test"]
    assert app_doc["dist_tags"] == {"latest": "1.0.0"}
    assert [v["version"] for v in app_doc["versions"]] == ["1.0.0"]
    assert app_doc["versions"][0]["digest"] == digest
    assert (await api.get("/v1/apps/acme/demo/versions/1.0.0")).json() == doc


async def test_identical_retry_is_200_and_different_bytes_409(publish, stored):
    assert (await publish("acme", "demo", "1.0.0", template())).status_code == 201
    retry = await publish("acme", "demo", "1.0.0", template())
    assert retry.status_code == 200
    before = await stored()
    conflict = await publish("acme", "demo", "1.0.0", template(marker="two"))
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "version_exists"
    assert await stored() == before


async def test_latest_follows_highest_release(api, publish):
    for version in ("1.0.0", "2.0.0-beta.1", "1.5.0", "1.2.0"):
        response = await publish("acme", "demo", version, template(marker=version))
        assert response.status_code == 201, response.text
    app_doc = (await api.get("/v1/apps/acme/demo")).json()
    assert app_doc["dist_tags"] == {"latest": "1.5.0"}
    versions = [v["version"] for v in app_doc["versions"]]
    assert versions == ["1.0.0", "1.2.0", "1.5.0", "2.0.0-beta.1"]


async def test_metadata_json_overrides_template_metadata(api, publish):
    metadata = {"Description": "From JSON", "home_page_url": "https://example.com", "Labels": ["x"]}
    response = await publish("acme", "demo", "1.0.0", template(), metadata=metadata)
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["description"] == "From JSON"
    app_doc = (await api.get("/v1/apps/acme/demo")).json()
    assert app_doc["description"] == "From JSON"
    assert app_doc["home_page_url"] == "https://example.com"
    assert app_doc["labels"] == ["x"]


async def test_nested_registry_reference_resolves_at_publish(api, publish):
    assert (await publish("acme", "child", "1.2.0", template(name="child"))).status_code == 201
    parent = template(extra_resources=nested("Child", "acme/child", "^1.0.0"))
    response = await publish("acme", "demo", "1.0.0", parent)
    assert response.status_code == 201, response.text
    assert response.json()["dependencies"] == [
        {
            "logical_id": "Child",
            "kind": "registry",
            "application": "acme/child",
            "range": "^1.0.0",
            "location": None,
        }
    ]


async def test_nested_dist_tag_reference(publish):
    assert (await publish("acme", "child", "1.2.0", template(name="child"))).status_code == 201
    parent = template(extra_resources=nested("Child", "acme/child", "latest"))
    assert (await publish("acme", "demo", "1.0.0", parent)).status_code == 201


async def test_sar_and_other_registry_references_are_recorded_as_external(publish):
    arn = "arn:aws:serverlessrepo:us-east-1:123456789012:applications/thing"
    extra = nested("Sar", arn, "1.0.0") + nested("Far", "other.example.com/x/y", "^1")
    response = await publish("acme", "demo", "1.0.0", template(extra_resources=extra))
    assert response.status_code == 201, response.text
    deps = {d["logical_id"]: d for d in response.json()["dependencies"]}
    assert deps["Sar"]["kind"] == "sar" and deps["Sar"]["application"] == arn
    assert deps["Far"]["application"] == "other.example.com/x/y"


async def test_local_reference_must_be_in_bundle(api, publish):
    extra = local_nested("Child", "child/template.yaml")
    bundle = tar_gz({"child/template.yaml": template(name="child").encode()})
    response = await publish(
        "acme", "demo", "1.0.0", template(extra_resources=extra), bundle=bundle
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["dependencies"][0]["location"] == "child/template.yaml"
    assert doc["bundle_url"] == "/v1/apps/acme/demo/versions/1.0.0/bundle"
    fetched = await api.get(doc["bundle_url"])
    assert fetched.status_code == 200 and fetched.content == bundle
    assert doc["bundle_digest"] == "sha256:" + hashlib.sha256(bundle).hexdigest()


async def test_template_path_places_the_template_inside_the_bundle(publish):
    extra = local_nested("Backend", "../../backend/template.yaml")
    bundle = tar_gz({"backend/template.yaml": b"x", "sam/app/template.yaml": b"y"})
    response = await publish(
        "acme",
        "demo",
        "1.0.0",
        template(extra_resources=extra),
        bundle=bundle,
        extra={"template_path": "sam/app/template.yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["dependencies"][0]["location"] == "backend/template.yaml"


async def test_publisher_may_use_a_publish_token_for_its_namespace(publish, publish_token_factory):
    token = publish_token_factory("acme")
    assert (await publish("acme", "demo", "1.0.0", template(), token=token)).status_code == 201

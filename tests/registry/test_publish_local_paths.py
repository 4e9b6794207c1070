"""Local paths that leave the app's own files are refused at publish (issue 13, item 2).

A template from a registry is packaged by its consumers (``sam build``/``sam package``): a
``CodeUri: ../../../../home/me/.aws`` there would upload the consumer's own files. Every local
code, definition, template and document path must name a file (or directory) of the bundle
published with it: else 422 ``unsafe_local_path`` naming the key, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from registry_samples import tar_gz

BUNDLE = tar_gz({"src/app.py": b"print('hi')\n", "api.yaml": b"openapi: 3.0.0\n"})
HEADER = (
    "Metadata:\n  AWS::ServerlessRepo::Application:\n"
    "    Name: tool\n    Description: d\n    Author: a\n"
)


def resource(kind: str, properties: str) -> str:
    return f"{HEADER}Resources:\n  It:\n    Type: {kind}\n    Properties:\n{properties}"


ESCAPES = ["../../../../home/me/.aws", "/etc/passwd", "C:\\Users\\me\\.aws", "src/../../x"]
PLACES = {
    "function CodeUri": lambda p: resource("AWS::Serverless::Function", f"      CodeUri: '{p}'\n"),
    "layer ContentUri": lambda p: resource(
        "AWS::Serverless::LayerVersion", f"      ContentUri: '{p}'\n"
    ),
    "api DefinitionUri": lambda p: resource(
        "AWS::Serverless::Api", f"      DefinitionUri: '{p}'\n"
    ),
    "state machine DefinitionUri": lambda p: resource(
        "AWS::Serverless::StateMachine", f"      DefinitionUri: '{p}'\n"
    ),
    "lambda Code": lambda p: resource("AWS::Lambda::Function", f"      Code: '{p}'\n"),
    "stack TemplateURL": lambda p: resource(
        "AWS::CloudFormation::Stack", f"      TemplateURL: '{p}'\n"
    ),
    "step functions DefinitionS3Location": lambda p: resource(
        "AWS::StepFunctions::StateMachine", f"      DefinitionS3Location: '{p}'\n"
    ),
    "Globals CodeUri": lambda p: (
        f"{HEADER}Globals:\n  Function:\n    CodeUri: '{p}'\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Handler: a.b\n"
    ),
    "ReadmeUrl": lambda p: (
        f"{HEADER}    ReadmeUrl: '{p}'\nResources:\n  T:\n    Type: AWS::SNS::Topic\n"
    ),
    "AWS::Include": lambda p: (
        f"{HEADER}Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
        f"    Properties:\n      Fn::Transform:\n        Name: AWS::Include\n"
        f"        Parameters:\n          Location: '{p}'\n"
    ),
}

Publish = Callable[..., Awaitable[httpx.Response]]


@pytest.mark.parametrize("place", sorted(PLACES))
async def test_paths_leaving_the_bundle_are_refused(
    publish: Publish, stored: Callable[[], Awaitable[Any]], place: str
) -> None:
    before = await stored()
    # A readme is uploaded beside the template: SAR templates name ../Readme.md.
    for path in ESCAPES if place != "ReadmeUrl" else ["/etc/passwd", "C:\\Users\\me\\.aws"]:
        response = await publish("acme", "tool", "1.0.0", PLACES[place](path), bundle=BUNDLE)
        assert response.status_code == 422, (place, path, response.text)
        error = response.json()["error"]
        assert error["code"] == "unsafe_local_path", (place, path, error)
        assert repr(path) in error["message"] or path in error["message"]
    assert await stored() == before


@pytest.mark.parametrize("place", sorted(set(PLACES) - {"ReadmeUrl"}))
async def test_a_path_not_in_the_bundle_is_refused(publish: Publish, place: str) -> None:
    missing = await publish("acme", "tool", "1.0.0", PLACES[place]("lib/"), bundle=BUNDLE)
    assert missing.status_code == 422, (place, missing.text)
    assert missing.json()["error"]["code"] == "unsafe_local_path"
    no_bundle = await publish("acme", "tool", "1.0.0", PLACES[place]("../src/"))
    assert no_bundle.status_code == 422, (place, no_bundle.text)
    assert no_bundle.json()["error"]["code"] == "unsafe_local_path"


@pytest.mark.parametrize("path", ["src/", "src/app.py", "./src", ".", "api.yaml"])
async def test_paths_inside_the_bundle_and_remote_ones_are_accepted(
    publish: Publish, path: str
) -> None:
    body = PLACES["function CodeUri"](path)
    response = await publish("acme", "tool", "1.0.0", body, bundle=BUNDLE)
    assert response.status_code == 201, (path, response.text)
    remote = PLACES["lambda Code"]("s3://bucket/key.zip")
    assert (await publish("acme", "tool", "1.0.1", remote)).status_code == 201


async def test_a_readme_path_need_not_be_in_the_bundle(publish: Publish) -> None:
    body = PLACES["ReadmeUrl"]("README.md")
    response = await publish("acme", "tool", "1.0.0", body, readme="# tool\n")
    assert response.status_code == 201, response.text


async def test_paths_are_relative_to_the_template_place(publish: Publish) -> None:
    bundle = tar_gz({"sam/app/template.yaml": b"x", "backend/src/app.py": b"y"})
    body = PLACES["function CodeUri"]("../../backend/src")
    placed = {"template_path": "sam/app/template.yaml"}
    ok = await publish("acme", "tool", "1.0.0", body, bundle=bundle, extra=placed)
    assert ok.status_code == 201, ok.text
    out = await publish("acme", "tool", "1.0.1", PLACES["function CodeUri"]("../../../x"))
    assert out.status_code == 422, out.text

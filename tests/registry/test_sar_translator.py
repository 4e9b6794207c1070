"""aws-sam-translator (what ``sam validate``/``build``/``package`` run) against ``/sar``.

The translator asks SAR for each ``AWS::Serverless::Application`` (CreateCloudFormationTemplate)
and writes the returned ``TemplateUrl`` into the nested stack; refusals must reach it as the
invalid-resource error it reports to users, not as a crash.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from registry_samples import template
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from sar_clients import sar_factory


def _app(location_id: Any, version: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Serverless::Application",
        "Properties": {"Location": {"ApplicationId": location_id, "SemanticVersion": version}},
    }


def translate(resources: dict[str, Any], mappings: dict[str, Any] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": resources,
    }
    if mappings:
        document["Mappings"] = mappings
    output: dict[str, Any] = Translator({}, Parser()).translate(document, parameter_values={})
    return output


def _stack_url(output: dict[str, Any], logical_id: str) -> str:
    resource = output["Resources"][logical_id]
    assert resource["Type"] == "AWS::CloudFormation::Stack"
    url: str = resource["Properties"]["TemplateURL"]
    return url


@pytest.fixture
def published(monkeypatch, live_registry, tmp_path, publish_token_factory):
    """acme/app 1.0.0 and 1.1.0 (public), acme/secret 1.0.0 (private); the AWS variables set
    for an anonymous caller (an access key, no session token)."""
    token = publish_token_factory("acme", scope="admin")
    acme = sar_factory(monkeypatch, live_registry.url, str(tmp_path))(token)
    arn = acme.create_application(
        Name="app",
        Description="d",
        Author="a",
        SemanticVersion="1.0.0",
        TemplateBody=template(name="app"),
    )["ApplicationId"]
    acme.create_application_version(
        ApplicationId=arn, SemanticVersion="1.1.0", TemplateBody=template(name="app", marker="b")
    )
    secret = acme.create_application(
        Name="secret",
        Description="d",
        Author="a",
        SemanticVersion="1.0.0",
        TemplateBody=template(name="secret"),
    )["ApplicationId"]
    acme.put_application_policy(ApplicationId=secret, Statements=[])  # private
    # The translator uses boto3's default session, which keeps the credentials it first read.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "anyone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unused")
    return {"arn": arn, "secret": secret, "token": token, "url": live_registry.url}


def test_nested_stacks_get_the_registry_template_urls(published):
    arn, base = published["arn"], published["url"]
    output = translate(
        {
            "ByArn": _app(arn, "1.0.0"),
            "ByMap": _app({"Fn::FindInMap": ["Apps", "Shared", "Id"]}, "1.0.0"),
            "ByName": _app("acme/app", "1.1.0"),
            "ByRange": _app("acme/app", "^1.0.0"),
        },
        mappings={"Apps": {"Shared": {"Id": arn}}},
    )
    template_url = base + "/v1/apps/acme/app/versions/{}/template"
    assert _stack_url(output, "ByArn") == template_url.format("1.0.0")
    assert _stack_url(output, "ByMap") == template_url.format("1.0.0")
    assert _stack_url(output, "ByName") == template_url.format("1.1.0")
    assert _stack_url(output, "ByRange") == template_url.format("1.1.0")


@pytest.mark.parametrize(
    ("application", "version"),
    [
        ("acme/missing", "1.0.0"),  # no such app
        ("{secret}", "1.0.0"),  # private, asked anonymously
        ("acme/app", "not-a-version"),
        ("acme/app", "^7.0.0"),  # nothing matches
        ("arn:aws:serverlessrepo:us-east-1:123456789012:applications/app", "1.0.0"),  # no alias
    ],
)
def test_refusals_are_invalid_resources(published, application, version):
    application = application.format(secret=published["secret"])
    with pytest.raises(InvalidDocumentException) as refused:
        translate({"Nested": _app(application, version)})
    assert "Nested" in str(refused.value)
    assert "Resource with id [Nested] is invalid" in refused.value.causes[0].message


def test_the_session_token_reads_private_apps(published, monkeypatch):
    monkeypatch.setenv("AWS_SESSION_TOKEN", published["token"])
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    output = translate({"Secret": _app(published["secret"], "1.0.0")})
    assert _stack_url(output, "Secret").endswith("/v1/apps/acme/secret/versions/1.0.0/template")

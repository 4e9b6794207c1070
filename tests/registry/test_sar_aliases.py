"""Aliases: ``nestry-registry alias add|list|remove`` maps a real SAR ARN to an app here, and
``/sar`` (boto3, the translator) and ``POST /v1/resolve`` honour it."""

from __future__ import annotations

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner
from registry_samples import template
from sar_clients import error_of, sar_factory
from test_sar_translator import translate

from registry.cli import main

REAL = "arn:aws:serverlessrepo:us-east-1:077246666028:applications/lambda-janitor"
OTHER_REGION = REAL.replace("us-east-1", "eu-west-1")


def _cli(live_registry, *args: str):
    env = {
        "NESTRY_DATABASE_URL": live_registry.settings.database_url,
        "NESTRY_DATA_DIR": str(live_registry.settings.data_dir),
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_alias_add_list_remove_through_sar_and_resolve(
    monkeypatch, live_registry, tmp_path, publish_token_factory
):
    make = sar_factory(monkeypatch, live_registry.url, str(tmp_path))
    mirror = make(publish_token_factory("mirror"), access_key="mirror")
    mirror.create_application(
        Name="lambda-janitor",
        Description="mirrored",
        Author="lumigo",
        SemanticVersion="1.6.0",
        TemplateBody=template(name="lambda-janitor"),
    )
    anonymous = make()
    with pytest.raises(ClientError) as before:
        anonymous.get_application(ApplicationId=REAL)
    assert error_of(before)[:2] == ("NotFoundException", 404)

    added = _cli(live_registry, "alias", "add", REAL, "mirror/lambda-janitor")
    assert added.exit_code == 0, added.output
    listed = _cli(live_registry, "alias", "list")
    assert listed.output.splitlines() == [
        "arn:aws:serverlessrepo:*:077246666028:applications/lambda-janitor -> mirror/lambda-janitor"
    ]
    # Any region's ARN of the app: SAR serves one app in every region.
    for arn in (REAL, OTHER_REGION):
        got = anonymous.create_cloud_formation_template(ApplicationId=arn, SemanticVersion="^1.0.0")
        assert got["TemplateUrl"] == (
            f"{live_registry.url}/v1/apps/mirror/lambda-janitor/versions/1.6.0/template"
        )
    resolved = httpx.post(
        f"{live_registry.url}/v1/resolve",
        json={"requests": [{"application": REAL, "range": "^1.0.0"}]},
    ).json()["results"][0]
    assert (resolved["application"], resolved["version"]) == ("mirror/lambda-janitor", "1.6.0")

    # The translator, with the template exactly as it names the public app.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "anyone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unused")
    application = {
        "Type": "AWS::Serverless::Application",
        "Properties": {"Location": {"ApplicationId": REAL, "SemanticVersion": "1.6.0"}},
    }
    output = translate({"Janitor": application})
    assert output["Resources"]["Janitor"]["Properties"]["TemplateURL"].endswith(
        "/v1/apps/mirror/lambda-janitor/versions/1.6.0/template"
    )

    removed = _cli(live_registry, "alias", "remove", REAL)
    assert removed.exit_code == 0, removed.output
    with pytest.raises(ClientError) as after:
        anonymous.get_application(ApplicationId=REAL)
    assert error_of(after)[:2] == ("NotFoundException", 404)
    again = _cli(live_registry, "alias", "remove", REAL)
    assert again.exit_code == 1 and "no alias" in again.output


def test_alias_refusals_are_one_line_errors(live_registry):
    for args, expected in (
        (("alias", "add", "not-an-arn", "acme/app"), "is not a serverlessrepo application ARN"),
        (("alias", "add", REAL, "acme"), "invalid application id"),
        (
            ("alias", "add", REAL.replace("arn:aws:", "arn:nestry:"), "acme/app"),
            "this registry's own ARN",
        ),
    ):
        result = _cli(live_registry, *args)
        assert result.exit_code == 1
        assert result.output.startswith("Error: ") and expected in result.output
        assert "Traceback" not in result.output
    assert _cli(live_registry, "alias", "list").output == ""

"""``/sar`` through boto3, as users run it: every operation, paginators, modelled errors.

A live registry on 127.0.0.1 (SQLite and PostgreSQL), clients configured only by the
environment variables the README gives.
"""

from __future__ import annotations

import re

import httpx
import pytest
from botocore.exceptions import ClientError
from registry_samples import nested, template
from sar_clients import SAM_CONFLICT_ARN, SarClient, error_of, sar_factory

ARN = re.compile(r"arn:nestry:serverlessrepo:us-east-1:([0-9]{12}):applications/(\S+)")


@pytest.fixture
def sar(monkeypatch, live_registry, tmp_path) -> SarClient:
    return sar_factory(monkeypatch, live_registry.url, str(tmp_path))


def _create(client, name, version="1.0.0", **extra):
    return client.create_application(
        Name=name,
        Description=f"{name} app",
        Author="tester",
        SemanticVersion=version,
        TemplateBody=extra.pop("body", template(name=name)),
        **extra,
    )


def test_publish_read_update_and_list(sar, live_registry, publish_token_factory):
    acme = sar(publish_token_factory("acme"))
    created = _create(
        acme, "demo", Labels=["demo"], ReadmeBody="# Demo", HomePageUrl="https://example.com"
    )
    arn = created["ApplicationId"]
    assert ARN.fullmatch(arn)[2] == "demo"
    version = created["Version"]
    assert version["SemanticVersion"] == "1.0.0"
    url = f"{live_registry.url}/v1/apps/acme/demo/versions/1.0.0/template"
    assert version["TemplateUrl"] == url
    assert httpx.get(url).content == template(name="demo").encode()
    stage = {p["Name"]: p for p in version["ParameterDefinitions"]}["Stage"]
    assert (stage["DefaultValue"], stage["AllowedValues"], stage["Type"]) == (
        "prod",
        ["prod", "dev"],
        "String",
    )

    # sam publish's path for an existing app: 409 with the ARN in the message, then a version.
    with pytest.raises(ClientError) as conflict:
        _create(acme, "demo")
    assert error_of(conflict) == ("ConflictException", 409, "ConflictException")
    assert SAM_CONFLICT_ARN.search(conflict.value.response["Error"]["Message"])[0] == arn
    newer = acme.create_application_version(
        ApplicationId=arn,
        SemanticVersion="1.1.0",
        TemplateBody=template(name="demo", marker="two"),
        SourceCodeUrl="https://example.com/src",
    )
    assert (newer["SemanticVersion"], newer["SourceCodeUrl"]) == (
        "1.1.0",
        "https://example.com/src",
    )
    with pytest.raises(ClientError) as same:
        acme.create_application_version(
            ApplicationId=arn,
            SemanticVersion="1.1.0",
            TemplateBody=template(name="demo", marker="two"),
        )
    assert error_of(same)[:2] == ("ConflictException", 409)
    with pytest.raises(ClientError) as changed:
        acme.create_application_version(
            ApplicationId=arn,
            SemanticVersion="1.1.0",
            TemplateBody=template(name="demo", marker="3"),
        )
    assert error_of(changed) == ("BadRequestException", 400, "BadRequestException")

    # Reads: latest, exact, range, dist-tag, plain id, missing version (404 for SAM's
    # --fail-on-same-version), anonymous.
    anonymous = sar()
    assert anonymous.get_application(ApplicationId=arn)["Version"]["SemanticVersion"] == "1.1.0"
    for wanted, expected in (("1.0.0", "1.0.0"), ("^1.0.0", "1.1.0"), ("latest", "1.1.0")):
        got = anonymous.get_application(ApplicationId=arn, SemanticVersion=wanted)
        assert got["Version"]["SemanticVersion"] == expected
    plain = anonymous.get_application(ApplicationId="acme/demo")
    assert (plain["ApplicationId"], plain["Name"], plain["Author"]) == (arn, "demo", "tester")
    with pytest.raises(ClientError) as missing:
        anonymous.get_application(ApplicationId=arn, SemanticVersion="9.9.9")
    assert error_of(missing) == ("NotFoundException", 404, "NotFoundException")

    updated = acme.update_application(ApplicationId=arn, Description="Better", Labels=["x", "y"])
    assert (updated["Description"], updated["Labels"]) == ("Better", ["x", "y"])
    assert anonymous.get_application(ApplicationId=arn)["Description"] == "Better"
    other = sar(publish_token_factory("other"), access_key="other")
    with pytest.raises(ClientError) as forbidden:
        other.update_application(ApplicationId=arn, Description="Mine")
    assert error_of(forbidden)[:2] == ("ForbiddenException", 403)

    for app in ("alpha", "zeta"):
        _create(acme, app)
    _create(other, "beta")
    pages = list(
        anonymous.get_paginator("list_applications").paginate(PaginationConfig={"PageSize": 2})
    )
    assert [len(page["Applications"]) for page in pages] == [2, 2]
    names = [a["Name"] for page in pages for a in page["Applications"]]
    assert names == ["alpha", "demo", "zeta", "beta"]  # by namespace, then name
    assert all(
        a["ApplicationId"].endswith(f":applications/{a['Name']}")
        for p in pages
        for a in p["Applications"]
    )
    versions = anonymous.get_paginator("list_application_versions").paginate(
        ApplicationId=arn, PaginationConfig={"PageSize": 1}
    )
    assert [v["SemanticVersion"] for page in versions for v in page["Versions"]] == [
        "1.0.0",
        "1.1.0",
    ]
    first = anonymous.list_application_versions(ApplicationId=arn, MaxItems=1)
    assert "NextToken" in first and len(first["Versions"]) == 1
    with pytest.raises(ClientError) as token:
        anonymous.list_applications(NextToken="not-ours")
    assert error_of(token)[:2] == ("BadRequestException", 400)


def test_templates_dependencies_change_sets_and_deletion(sar, live_registry, publish_token_factory):
    acme = sar(publish_token_factory("acme", scope="admin"))  # owners delete
    arn = _create(acme, "child")["ApplicationId"]
    acme.create_application_version(
        ApplicationId=arn, SemanticVersion="1.2.0", TemplateBody=template(name="child", marker="b")
    )
    body = template(name="parent", extra_resources=nested("Child", "acme/child", "^1.0.0"))
    parent = _create(acme, "parent", body=body)["ApplicationId"]

    anonymous = sar()
    created = anonymous.create_cloud_formation_template(ApplicationId=arn, SemanticVersion="~1.2")
    assert (created["Status"], created["SemanticVersion"]) == ("ACTIVE", "1.2.0")
    assert (
        created["TemplateUrl"] == f"{live_registry.url}/v1/apps/acme/child/versions/1.2.0/template"
    )
    got = anonymous.get_cloud_formation_template(
        ApplicationId=arn, TemplateId=created["TemplateId"]
    )
    assert (got["Status"], got["TemplateUrl"]) == ("ACTIVE", created["TemplateUrl"])
    with pytest.raises(ClientError) as unknown:
        anonymous.get_cloud_formation_template(ApplicationId=arn, TemplateId="7.7.7")
    assert error_of(unknown)[:2] == ("NotFoundException", 404)

    pages = anonymous.get_paginator("list_application_dependencies").paginate(ApplicationId=parent)
    dependencies = [d for page in pages for d in page["Dependencies"]]
    assert dependencies == [{"ApplicationId": arn, "SemanticVersion": "^1.0.0"}]

    with pytest.raises(ClientError) as change_set:
        anonymous.create_cloud_formation_change_set(ApplicationId=arn, StackName="s")
    code, status, _ = error_of(change_set)
    assert (code, status) == ("BadRequestException", 400)
    assert "nestry install" in change_set.value.response["Error"]["Message"]

    with pytest.raises(ClientError) as nested_by:
        acme.delete_application(ApplicationId=arn)
    assert error_of(nested_by)[:2] == ("ConflictException", 409)
    with pytest.raises(ClientError) as anonymous_delete:
        anonymous.delete_application(ApplicationId=parent)
    assert error_of(anonymous_delete)[:2] == ("ForbiddenException", 403)
    acme.delete_application(ApplicationId=parent)
    acme.delete_application(ApplicationId=arn)
    with pytest.raises(ClientError) as gone:
        anonymous.get_application(ApplicationId=arn)
    assert error_of(gone)[:2] == ("NotFoundException", 404)


def test_policies_map_onto_sharing(sar, publish_token_factory):
    acme = sar(publish_token_factory("acme", scope="admin"))
    partner_token = publish_token_factory("partner")
    partner = sar(partner_token, access_key="partner")
    arn = _create(acme, "shared")["ApplicationId"]
    partner_account = ARN.fullmatch(_create(partner, "own")["ApplicationId"])[1]

    statements = acme.get_application_policy(ApplicationId=arn)["Statements"]
    assert [s["Principals"] for s in statements] == [["*"]]
    acme.put_application_policy(
        ApplicationId=arn,
        Statements=[{"Principals": [partner_account], "Actions": ["Deploy", "GetApplication"]}],
    )
    with pytest.raises(ClientError) as hidden:
        sar().get_application(ApplicationId=arn)
    assert error_of(hidden)[:2] == ("NotFoundException", 404)
    assert partner.get_application(ApplicationId=arn)["Name"] == "shared"
    policy = acme.get_application_policy(ApplicationId=arn)["Statements"]
    assert [(s["Principals"], "Deploy" in s["Actions"]) for s in policy] == [
        ([partner_account], True)
    ]
    with pytest.raises(ClientError) as not_member:
        partner.get_application_policy(ApplicationId=arn)
    assert error_of(not_member)[:2] == ("ForbiddenException", 403)
    with pytest.raises(ClientError) as bad:
        acme.put_application_policy(
            ApplicationId=arn, Statements=[{"Principals": ["999999999999"], "Actions": ["Deploy"]}]
        )
    assert error_of(bad)[:2] == ("BadRequestException", 400)

    acme.unshare_application(ApplicationId=arn, OrganizationId="partner")
    with pytest.raises(ClientError) as unshared:
        partner.get_application(ApplicationId=arn)
    assert error_of(unshared)[:2] == ("NotFoundException", 404)


def test_refusals_answer_in_sars_shape(sar, publish_token_factory):
    anonymous = sar()
    with pytest.raises(ClientError) as unauthenticated:
        _create(anonymous, "nope")
    assert error_of(unauthenticated) == ("ForbiddenException", 403, "ForbiddenException")
    with pytest.raises(ClientError) as bad_token:
        sar("nst_not-a-real-token").list_applications()
    assert error_of(bad_token)[:2] == ("ForbiddenException", 403)
    acme = sar(publish_token_factory("acme"))
    with pytest.raises(ClientError) as bad_template:
        _create(acme, "broken", body="Resources: [not, a, mapping]")
    assert error_of(bad_template)[:2] == ("BadRequestException", 400)
    with pytest.raises(ClientError) as bad_id:
        anonymous.get_application(ApplicationId="not an id")
    assert error_of(bad_id)[:2] == ("BadRequestException", 400)
    with pytest.raises(ClientError) as foreign:
        anonymous.get_application(
            ApplicationId="arn:aws:serverlessrepo:us-east-1:123456789012:applications/unknown"
        )
    assert error_of(foreign)[:2] == ("NotFoundException", 404)
    with pytest.raises(ClientError) as wrong_namespace:
        _create(sar(publish_token_factory("acme"), access_key="elsewhere"), "x")
    assert error_of(wrong_namespace)[:2] == ("ForbiddenException", 403)


def test_failed_authentications_are_throttled(sar):
    # Retries off: botocore retries TooManyRequestsException, which would only add waiting.
    bad = sar("nst_guessed-token", retries=1)
    for _ in range(10):  # the registry's default limit per address and minute
        with pytest.raises(ClientError) as refused:
            bad.list_applications()
        assert error_of(refused)[:2] == ("ForbiddenException", 403)
    with pytest.raises(ClientError) as throttled:
        bad.list_applications()
    assert error_of(throttled) == ("TooManyRequestsException", 429, "TooManyRequestsException")
    assert int(throttled.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) > 0

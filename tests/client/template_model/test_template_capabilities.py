"""The capabilities a template needs, by SAR's rules."""

from __future__ import annotations

from typing import Any

import pytest

from client.template import required_capabilities

IAM = "CAPABILITY_IAM"
NAMED = "CAPABILITY_NAMED_IAM"
POLICY = "CAPABILITY_RESOURCE_POLICY"
EXPAND = "CAPABILITY_AUTO_EXPAND"


def _needs(resource: dict[str, Any], **sections: Any) -> tuple[str, ...]:
    return required_capabilities({"Resources": {"R": resource}, **sections})


def _function(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"Type": "AWS::SNS::Topic"}, ()),
        ({"Type": "AWS::IAM::Role", "Properties": {}}, (IAM,)),
        ({"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r"}}, (IAM, NAMED)),
        ({"Type": "AWS::IAM::User", "Properties": {"UserName": {"Ref": "N"}}}, (IAM, NAMED)),
        ({"Type": "AWS::IAM::Group", "Properties": {"GroupName": "g"}}, (IAM, NAMED)),
        (
            {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p"}},
            (IAM, NAMED),
        ),
        (
            {"Type": "AWS::IAM::InstanceProfile", "Properties": {"InstanceProfileName": "p"}},
            (IAM, NAMED),
        ),
        ({"Type": "AWS::IAM::ManagedPolicy"}, (IAM,)),
        ({"Type": "AWS::IAM::Policy"}, (IAM, POLICY)),
        ({"Type": "AWS::Lambda::Permission"}, (POLICY,)),
        ({"Type": "AWS::Lambda::LayerVersionPermission"}, (POLICY,)),
        ({"Type": "AWS::Events::EventBusPolicy"}, (POLICY,)),
        ({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy"}, (POLICY,)),
        ({"Type": "AWS::S3::BucketPolicy"}, (POLICY,)),
        ({"Type": "AWS::SQS::QueuePolicy"}, (POLICY,)),
        ({"Type": "AWS::SNS::TopicPolicy"}, (POLICY,)),
        ({"Type": "AWS::Serverless::Application"}, (EXPAND,)),
        (_function(), (IAM,)),
        (_function(Role="arn:aws:iam::123456789012:role/r"), ()),
        (_function(Role="r", Events={"A": {"Type": "Api"}}), (POLICY,)),
        (_function(Role="r", Events={"Q": {"Type": "SQS"}}), ()),
        (_function(Role="r", FunctionUrlConfig={"AuthType": "NONE"}), (POLICY,)),
        (_function(Role="r", DeploymentPreference={"Type": "AllAtOnce"}), (IAM,)),
        ({"Type": "AWS::Serverless::StateMachine", "Properties": {}}, (IAM,)),
        ({"Type": "AWS::Serverless::Connector", "Properties": {}}, (IAM,)),
    ],
)
def test_resource_capabilities(resource: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert _needs(resource) == expected


def test_any_transform_needs_auto_expand() -> None:
    assert _needs({"Type": "AWS::SNS::Topic"}, Transform="AWS::Serverless-2016-10-31") == (EXPAND,)


def test_a_macro_snippet_needs_auto_expand() -> None:
    snippet = {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}
    resource = {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [snippet]}}
    assert _needs(resource) == (EXPAND,)


def test_a_role_in_globals_spares_the_function_its_own() -> None:
    globals_ = {"Function": {"Role": "arn:aws:iam::123456789012:role/r"}}
    assert _needs(_function(), Globals=globals_) == ()


def test_capabilities_are_sorted_and_unique() -> None:
    document = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "A": _function(Events={"S": {"Type": "S3"}}),
            "B": _function(),
            "C": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "n"}},
            "D": {"Type": "AWS::Serverless::Application"},
        },
    }
    assert required_capabilities(document) == (EXPAND, IAM, NAMED, POLICY)

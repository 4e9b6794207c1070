"""Sample templates for the install tests, and the two judges of a build: cfn-lint and SAM."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cfnlint.api
from samtranslator.translator.transform import transform

from client.template import load_template

LEAF = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: leaf {version}
Parameters:
  Name:
    Type: String
    AllowedPattern: "[a-z]+"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Name
Outputs:
  TopicArn:
    Value: !Ref Topic
"""

MID = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: mid {version}
Parameters:
  Prefix:
    Type: String
    Default: mid
Resources:
  LeafOne:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/leaf
        SemanticVersion: ^1.0.0
      Parameters:
        Name: !Ref Prefix
  LeafTwo:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/leaf
        SemanticVersion: ^2.0.0
      Parameters:
        Name: two
Outputs:
  One:
    Value: !GetAtt LeafOne.Outputs.TopicArn
"""

USER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Mid:
    Type: AWS::Serverless::Application
    DependsOn: Queue
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Metadata:
      Owner: core
    Properties:
      Location:
        ApplicationId: acme/mid
        SemanticVersion: ^1.0.0
      Parameters:
        Prefix: abc
      TimeoutInMinutes: 10
      Tags:
        team: core
  Leaf:
    Type: AWS::Serverless::Application
    Condition: IsProd
    Properties:
      Location:
        ApplicationId: acme/leaf
        SemanticVersion: latest
      Parameters:
        Name: !Ref Env
Outputs:
  Topic:
    Value: !GetAtt Mid.Outputs.One
"""


def publish_samples(registry: Any) -> None:
    """leaf 1.0.0, 1.1.0, 2.0.0; mid 1.0.0 (nests leaf ^1 and ^2)."""
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        registry.publish("acme/leaf", version, LEAF.format(version=version))
    registry.publish("acme/mid", "1.0.0", MID.format(version="1.0.0"))


class AnyManagedPolicy:
    """Stands in for the IAM ListPolicies call SAM makes: every AWS managed policy exists."""

    def load(self) -> dict[str, str]:
        return _AnyPolicy()


class _AnyPolicy(dict[str, str]):
    def get(self, key: str, default: Any = None) -> str:  # type: ignore[override]
        return f"arn:aws:iam::aws:policy/{key}"

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> str:
        return self.get(key)


def lint_findings(path: Path) -> set[tuple[str, str]]:
    """cfn-lint's (rule id, message) pairs for a file; E3043 reads local nested templates."""
    return {(m.rule.id, m.message) for m in cfnlint.api.lint_file(path)}


def lint_errors(path: Path) -> set[tuple[str, str]]:
    return {f for f in lint_findings(path) if f[0].startswith("E")}


def sam_translate(path: Path) -> dict[str, Any]:
    return sam_translate_document(load_template(path.read_text(encoding="utf-8"), source=str(path)))


def sam_translate_document(document: dict[str, Any]) -> dict[str, Any]:
    if "Transform" not in document:
        return document
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  # SAM fills in pseudo parameters
    try:
        return transform(document, {}, AnyManagedPolicy())
    finally:
        if previous is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


# Plausible values for the corpus' required parameters (cfn-lint checks literal ARNs and
# names), shared by the flatten and the install corpus tests.
DUMMIES = {
    "SumoAccessID": "suABCDEF123456",
    "SumoAccessKey": "dummy-access-key",
    "AthenaCatalogName": "my-catalog",
    "SpillBucket": "my-spill-bucket",
    "DataBucket": "my-data-bucket",
    "DynamoDBStreamArn": (
        "arn:aws:dynamodb:us-east-1:123456789012:table/Table/stream/2020-01-01T00:00:00.000"
    ),
    "SearchText": "serverless",
    "TweetProcessorFunctionName": "my-function",
    "Stage": "dev",
    "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:alerts",
    "SourceSNSArn": "arn:aws:sns:us-east-1:123456789012:source",
    "DestinationSNSArn": "arn:aws:sns:us-east-1:123456789012:destination",
    "EventsRuleName": "my-rule",
    "FunctionResouceName": "my-function",
    "ApplicationId": "arn:aws:serverlessrepo:us-east-1:123456789012:applications/app",
    "StackName": "my-stack",
    "CodeBuildProjectName": "my-project",
    "DestinationArn": "arn:aws:lambda:us-east-1:123456789012:function:destination",
    "NRLicenseKey": "0123456789abcdef0123456789abcdef01234567",
    "EventProcessorFunctionName": "my-function",
}

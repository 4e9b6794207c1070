"""Exports, transforms, stack pseudo parameters, dropped sections, nesting, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from flatten_cases import doc, flat, parent_of

from client.flatten import FlattenError, UnsupportedChildError, flatten_reference

EXPORTING = """
Metadata:
  AWS::ServerlessRepo::Application: {Name: child}
Rules:
  R: {Assertions: [{Assert: !Equals [a, a]}]}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${AWS::StackName}-topic"
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export: {Name: !Sub "${AWS::StackName}-TopicArn"}
  Plain:
    Value: !GetAtt Topic.TopicName
"""


def test_exports_are_dropped_with_a_warning_and_other_outputs_are_not_copied() -> None:
    result = flat(parent_of(), EXPORTING)
    assert "Outputs" not in result.template
    assert result.warnings == (
        "App: the child's template-level Rules section is not inlined",
        "App: the child's template-level Metadata section is not inlined",
        "App: output TopicArn is exported; the export is dropped",
        "AppTopic uses AWS::StackName, which now names the parent stack",
    )


def test_exports_can_be_kept_as_prefixed_parent_outputs() -> None:
    result = flat(parent_of(extra="Outputs: {Mine: {Value: x}}"), EXPORTING, keep_exports=True)
    assert result.template["Outputs"] == {
        "Mine": {"Value": "x"},
        "AppTopicArn": {
            "Value": {"Ref": "AppTopic"},
            "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-TopicArn"}},
        },
    }
    assert result.warnings[-2:] == (
        "AppTopic uses AWS::StackName, which now names the parent stack",
        "AppTopicArn uses AWS::StackName, which now names the parent stack",
    )


@pytest.mark.parametrize(
    ("parent_transform", "child_transform", "expected"),
    [
        (None, "AWS::Serverless-2016-10-31", "AWS::Serverless-2016-10-31"),
        ("AWS::Serverless-2016-10-31", "AWS::Serverless-2016-10-31", "AWS::Serverless-2016-10-31"),
        ("Mine", "AWS::Serverless-2016-10-31", ["Mine", "AWS::Serverless-2016-10-31"]),
        (
            "AWS::Serverless-2016-10-31",
            ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
            ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
        ),
        (None, None, None),
    ],
)
def test_the_childs_transforms_are_added_to_the_parents(
    parent_transform: Any, child_transform: Any, expected: Any
) -> None:
    parent = parent_of()
    child = doc("Resources: {Topic: {Type: AWS::SNS::Topic}}")
    if parent_transform is not None:
        parent["Transform"] = parent_transform
    if child_transform is not None:
        child["Transform"] = child_transform
    result = flatten_reference(parent, "App", child)
    assert result.template.get("Transform") == expected


def test_properties_that_only_mean_something_for_a_stack_are_reported() -> None:
    parent = parent_of(ref="    DeletionPolicy: Retain")
    parent["Resources"]["App"]["Properties"]["Tags"] = [{"Key": "a", "Value": "b"}]
    warnings = flat(parent, "Resources: {Topic: {Type: AWS::SNS::Topic}}").warnings
    assert warnings == (
        "App: Tags applies to a nested stack only and is dropped",
        "App: DeletionPolicy on the reference is dropped (set it on the inlined resources)",
    )


CHILD_WITH_NESTED = """
Resources:
  Topic: {Type: AWS::SNS::Topic}
  Inner:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x
        SemanticVersion: 1.0.0
      Parameters: {Name: !Ref Topic}
Outputs:
  InnerQueue: {Value: !GetAtt Inner.Outputs.QueueArn}
"""
GRANDCHILD = """
Parameters:
  Name: {Type: String}
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Name}}
Outputs:
  QueueArn: {Value: !GetAtt Queue.Arn}
"""


def test_nested_references_stay_nested_stacks_by_default() -> None:
    parent = parent_of(extra="Outputs: {Q: {Value: !GetAtt App.Outputs.InnerQueue}}")
    result = flat(parent, CHILD_WITH_NESTED)
    inner = result.template["Resources"]["AppInner"]
    assert inner["Properties"]["Parameters"] == {"Name": {"Ref": "AppTopic"}}
    assert result.template["Outputs"]["Q"] == {
        "Value": {"Fn::GetAtt": ["AppInner", "Outputs.QueueArn"]}
    }


def test_a_resolver_inlines_nested_references_recursively() -> None:
    seen: list[tuple[str, ...]] = []

    def resolve(path: tuple[str, ...], resource: dict[str, Any]) -> dict[str, Any] | None:
        seen.append(path)
        return doc(GRANDCHILD)

    parent = parent_of(extra="Outputs: {Q: {Value: !GetAtt App.Outputs.InnerQueue}}")
    result = flat(parent, CHILD_WITH_NESTED, resolve_nested=resolve)
    assert seen == [("App", "Inner")]
    assert result.template["Resources"] == {
        "AppTopic": {"Type": "AWS::SNS::Topic"},
        "AppInnerQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Ref": "AppTopic"}},
        },
    }
    assert result.template["Outputs"]["Q"] == {"Value": {"Fn::GetAtt": ["AppInnerQueue", "Arn"]}}


def test_an_endless_nesting_is_refused() -> None:
    looping = """
Resources:
  Again: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: x.yaml}}
"""
    with pytest.raises(UnsupportedChildError, match="nest too deep"):
        flat(parent_of(), looping, resolve_nested=lambda path, res: doc(looping))


@pytest.mark.parametrize(
    ("parent", "child", "message"),
    [
        (parent_of(), "Resources: {}", "no Resources"),
        (parent_of(), "Resources: {A: 1}", "resource A is malformed"),
        (parent_of(), "Resources: {A: {Type: X}}\nOutputs: []", "Outputs is not a mapping"),
        (parent_of(), "Resources: {A: {Type: X}}\nConditions: {On: x}", "non-text id True"),
        (
            doc("Resources: {App: {Type: AWS::SNS::Topic}}"),
            "Resources: {A: {Type: X}}",
            "no nested",
        ),
    ],
)
def test_bad_input_is_a_flatten_error(parent: dict[str, Any], child: str, message: str) -> None:
    with pytest.raises(FlattenError, match=message) as caught:
        flatten_reference(parent, "App", doc(child))
    assert caught.value.hint


def test_kept_exports_follow_the_conditions_of_child_and_reference() -> None:
    child = """
Conditions:
  InUsEast: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Topic: {Type: AWS::SNS::Topic, Condition: InUsEast}
Outputs:
  TopicArn:
    Condition: InUsEast
    Value: !Ref Topic
    Export: {Name: topic-arn}
"""
    parent = parent_of(
        ref="    Condition: Wanted",
        extra="Conditions: {Wanted: !Equals [!Ref AWS::AccountId, '123456789012']}",
    )
    result = flat(parent, child, keep_exports=True)
    assert result.template["Outputs"] == {
        "AppTopicArn": {
            "Condition": "AppInUsEastAndWanted",
            "Value": {"Ref": "AppTopic"},
            "Export": {"Name": "topic-arn"},
        }
    }
    assert result.template["Resources"]["AppTopic"]["Condition"] == "AppInUsEastAndWanted"
    assert result.template["Conditions"]["AppInUsEastAndWanted"] == {
        "Fn::And": [{"Condition": "AppInUsEast"}, {"Condition": "Wanted"}]
    }

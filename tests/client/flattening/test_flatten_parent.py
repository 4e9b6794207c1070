"""The parent's side: output reads, DependsOn, collisions, the reference's own attributes."""

from __future__ import annotations

import pytest
from flatten_cases import doc, flat, parent_of

from client.flatten import IdCollisionError, StackReferenceError, UnknownOutputError
from client.template import dump_template

CHILD = """
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Condition: IsProd
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
  Both:
    Value: !Sub "${Queue.QueueName}/${Table}"
"""


def test_output_reads_in_all_three_forms_become_the_output_values() -> None:
    parent = parent_of(
        extra="""
Outputs:
  A: {Value: !GetAtt App.Outputs.QueueArn}
  B: {Value: {"Fn::GetAtt": "App.Outputs.QueueArn"}}
  C: {Value: !Sub "arn=${App.Outputs.QueueArn} both=${App.Outputs.Both}"}
"""
    )
    outputs = flat(parent, CHILD).template["Outputs"]
    assert outputs == {
        "A": {"Value": {"Fn::GetAtt": ["AppQueue", "Arn"]}},
        "B": {"Value": {"Fn::GetAtt": "AppQueue.Arn"}},  # the form the parent wrote
        "C": {
            "Value": {
                "Fn::Sub": [
                    "arn=${AppQueue.Arn} both=${AppOutputsBoth}",
                    {"AppOutputsBoth": {"Fn::Sub": "${AppQueue.QueueName}/${AppTable}"}},
                ]
            }
        },
    }


def test_reading_an_output_the_child_lacks_is_an_error() -> None:
    parent = parent_of(extra="Outputs: {A: {Value: !GetAtt App.Outputs.Nope}}")
    with pytest.raises(UnknownOutputError, match=r"App\.Outputs\.Nope.*outputs: Both, QueueArn"):
        flat(parent, CHILD)


@pytest.mark.parametrize("use", ["!Ref App", "!GetAtt App.Arn"])
def test_using_the_reference_as_a_stack_is_an_error(use: str) -> None:
    parent = parent_of(extra=f"Outputs: {{A: {{Value: {use}}}}}")
    with pytest.raises(StackReferenceError):
        flat(parent, CHILD)


def test_depends_on_the_reference_becomes_the_inlined_ids() -> None:
    parent = doc(
        """
Resources:
  Before: {Type: AWS::SNS::Topic}
  App:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: child.yaml}
  After:
    Type: AWS::SNS::Topic
    DependsOn: [Before, App]
"""
    )
    resources = flat(parent, CHILD).template["Resources"]
    assert list(resources) == ["Before", "AppQueue", "AppTable", "After"]
    assert resources["After"]["DependsOn"] == ["Before", "AppQueue", "AppTable"]


def test_condition_and_depends_on_of_the_reference_reach_every_inlined_resource() -> None:
    parent = parent_of(
        ref="    Condition: Wanted\n    DependsOn: Before",
        extra="""
Conditions:
  Wanted: !Equals [!Ref AWS::AccountId, "123456789012"]
  AppIsProdAndWanted: !Equals [a, a]
""",
    )
    parent["Resources"]["Before"] = {"Type": "AWS::SNS::Topic"}
    result = flat(parent, CHILD)
    resources = result.template["Resources"]
    assert resources["AppQueue"] == {
        "Type": "AWS::SQS::Queue",
        "Condition": "Wanted",
        "DependsOn": ["Before"],
    }
    # The natural name is taken, so the combined condition gets a number.
    assert resources["AppTable"]["Condition"] == "AppIsProdAndWanted2"
    assert result.template["Conditions"]["AppIsProdAndWanted2"] == {
        "Fn::And": [{"Condition": "AppIsProd"}, {"Condition": "Wanted"}]
    }


@pytest.mark.parametrize(
    ("section", "name", "kind"),
    [
        ("Resources", "AppQueue", "resource"),
        ("Parameters", "AppQueue", "parameter"),
        ("Conditions", "AppIsProd", "condition"),
    ],
)
def test_a_prefixed_id_already_in_the_parent_is_an_error_naming_both(
    section: str, name: str, kind: str
) -> None:
    parent = parent_of()
    parent.setdefault(section, {})[name] = (
        {"Type": "String"} if section == "Parameters" else {"Type": "AWS::SNS::Topic"}
    )
    if section == "Conditions":
        parent[section][name] = {"Fn::Equals": ["a", "b"]}
    with pytest.raises(IdCollisionError) as caught:
        flat(parent, CHILD)
    assert f"with the parent's {kind} {name}" in str(caught.value)
    assert f"App's {'condition IsProd' if kind == 'condition' else 'resource Queue'}" in str(
        caught.value
    )


def test_inserted_values_are_copies_not_shared_objects() -> None:
    child = """
Parameters:
  Name: {Type: String}
Resources:
  A: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Name}}
  B: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Name}}
"""
    result = flat(parent_of("{Name: !Join ['-', [a, b]]}"), child)
    assert "&id" not in dump_template(
        result.template
    )  # the dumper writes shared objects as aliases

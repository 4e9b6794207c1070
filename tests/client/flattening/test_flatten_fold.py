"""Conditions the passed parameters settle are decided before deployment."""

from __future__ import annotations

import pytest
from flatten_cases import doc, flat, parent_of

from client.flatten import UnknownOutputError

CHILD = """
Parameters:
  Mode: {Type: String, Default: small, AllowedValues: [small, big]}
  Names: {Type: CommaDelimitedList, Default: ""}
Conditions:
  IsBig: !Equals [!Ref Mode, big]
  IsSmall: !Not [!Condition IsBig]
  HasNames: !Not [!Equals [!Join ["", !Ref Names], ""]]
  InUsEast: !Equals [!Ref AWS::Region, us-east-1]
  BigHere: !And [!Condition IsBig, !Condition InUsEast]
  SmallHere: !And [!Condition IsSmall, !Condition InUsEast]
Mappings:
  OnlyWhenBig:
    us-east-1: {Size: 10}
Resources:
  Big:
    Type: AWS::SNS::Topic
    Condition: IsBig
    Properties:
      DisplayName: !FindInMap [OnlyWhenBig, !Ref AWS::Region, Size]
  Small:
    Type: AWS::SNS::Topic
    Condition: SmallHere
    DependsOn: [Big]
    Properties:
      TopicName: !If [IsBig, big, small]
      DisplayName: !If [HasNames, !Select [0, !Ref Names], !Ref AWS::NoValue]
      Tags:
        - !If [IsSmall, {Key: size, Value: small}, !Ref AWS::NoValue]
        - !If [IsBig, {Key: size, Value: big}, !Ref AWS::NoValue]
Outputs:
  BigArn:
    Condition: IsBig
    Value: !Ref Big
"""


def test_settled_conditions_are_applied_and_removed() -> None:
    # InUsEast is left unused once SmallHere stands for it alone: it goes too.
    result = flat(parent_of(), CHILD)
    assert result.settled == {
        "AppIsBig": False,
        "AppIsSmall": True,
        "AppHasNames": False,
        "AppBigHere": False,
    }
    assert result.dropped == ("AppBig",)
    assert result.template == doc(
        """
Resources:
  AppSmall:
    Type: AWS::SNS::Topic
    Condition: AppSmallHere
    Properties:
      TopicName: small
      Tags:
        - {Key: size, Value: small}
Conditions:
  AppSmallHere: !Equals [!Ref AWS::Region, us-east-1]
"""
    )


def test_the_other_choice_keeps_the_other_resources() -> None:
    result = flat(parent_of("{Mode: big, Names: 'x,y'}"), CHILD)
    assert result.dropped == ("AppSmall",)
    assert result.settled["AppHasNames"] is True
    assert result.template["Resources"] == {
        "AppBig": {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "DisplayName": {"Fn::FindInMap": ["AppOnlyWhenBig", {"Ref": "AWS::Region"}, "Size"]}
            },
        }
    }
    assert result.template["Mappings"] == {"AppOnlyWhenBig": {"us-east-1": {"Size": 10}}}
    assert "Outputs" not in result.template  # outputs without Export are not copied


def test_reading_an_output_whose_condition_is_false_is_an_error() -> None:
    parent = parent_of(extra="Outputs: {A: {Value: !GetAtt App.Outputs.BigArn}}")
    with pytest.raises(UnknownOutputError, match="condition that the passed parameters make false"):
        flat(parent, CHILD)


def test_conditions_on_parent_values_stay_open() -> None:
    child = """
Parameters:
  Arn: {Type: String}
Conditions:
  HasArn: !Not [!Equals [!Ref Arn, ""]]
Resources:
  Topic: {Type: AWS::SNS::Topic, Condition: HasArn}
"""
    result = flat(parent_of("{Arn: !Ref ParentArn}"), child)
    assert result.settled == {}
    assert result.template["Conditions"] == {
        "AppHasArn": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ParentArn"}, ""]}]}
    }


def test_depends_on_a_reference_that_became_nothing_goes() -> None:
    child = """
Parameters:
  Enabled: {Type: String, Default: "no"}
Conditions:
  IsOn: !Equals [!Ref Enabled, "yes"]
Resources:
  Topic: {Type: AWS::SNS::Topic, Condition: IsOn}
"""
    parent = parent_of()
    parent["Resources"]["Mine"] = {"Type": "AWS::SQS::Queue", "DependsOn": "App"}
    result = flat(parent, child)
    assert result.template["Resources"] == {"Mine": {"Type": "AWS::SQS::Queue"}}
    assert result.dropped == ("AppTopic",)

"""Child parameters become the values the reference passes, or their defaults."""

from __future__ import annotations

import pytest
from flatten_cases import flat, inlined, parent_of

from client.flatten import ChildParameterError, UnsupportedChildError

CHILD = """
Parameters:
  Name: {Type: String}
  Size: {Type: Number, Default: 5}
  Flag: {Type: String, Default: false}
  Subnets: {Type: CommaDelimitedList, Default: "a, b ,c"}
  Ports: {Type: "List<Number>"}
Resources:
  Thing:
    Type: Custom::Thing
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f
      Name: !Ref Name
      Size: !Ref Size
      Flag: !Ref Flag
      Subnets: !Ref Subnets
      Ports: !Ref Ports
      Text: !Sub "n=${Name} s=${Size}"
"""


def _props(params: str) -> dict:
    return inlined(CHILD, params)["AppThing"]["Properties"]


def test_literals_arrive_as_the_strings_cloudformation_would_pass() -> None:
    props = _props("{Name: n, Size: 7, Ports: [80, 443]}")
    assert props["Name"] == "n"
    assert props["Size"] == "7"  # Number parameters are strings, as in CloudFormation
    assert props["Flag"] == "false"  # default written as a YAML boolean
    assert props["Ports"] == {"Fn::Split": [",", "80,443"]}
    assert props["Text"] == "n=n s=7"  # nothing left to substitute: a plain string


def test_comma_lists_are_split_with_members_trimmed_like_cloudformation() -> None:
    assert _props("{Name: n, Ports: '1'}")["Subnets"] == {"Fn::Split": [",", "a,b,c"]}


def test_parent_expressions_are_inserted_unchanged() -> None:
    props = _props("{Name: !Ref Other, Ports: !Join [',', !Ref PortList]}")
    assert props["Name"] == {"Ref": "Other"}
    # Split(",", Join(",", X)) is X.
    assert props["Ports"] == {"Ref": "PortList"}
    assert props["Text"] == {"Fn::Sub": "n=${Other} s=5"}


def test_a_non_reference_expression_turns_the_sub_into_its_variable_form() -> None:
    props = _props("{Name: !Select [0, !Ref Names], Ports: '1'}")
    assert props["Text"] == {
        "Fn::Sub": ["n=${Name} s=5", {"Name": {"Fn::Select": [0, {"Ref": "Names"}]}}]
    }


def test_literal_text_with_a_dollar_brace_is_escaped_in_a_sub() -> None:
    child = """
Parameters:
  Pattern: {Type: String}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${AWS::StackName}-${Pattern}"
"""
    topic = inlined(child, "{Pattern: '${x}'}")["AppTopic"]["Properties"]
    assert topic["TopicName"] == {"Fn::Sub": "${AWS::StackName}-${!x}"}


def test_a_bound_variable_never_shadows_a_name_the_text_still_reads() -> None:
    child = """
Parameters:
  Queue: {Type: String}
Resources:
  AppQueue: {Type: AWS::SQS::Queue}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Queue}-${AppQueue}"
"""
    topic = inlined(child, "{Queue: !Join ['', [a, b]]}")["AppTopic"]["Properties"]
    assert topic["TopicName"] == {
        "Fn::Sub": ["${Queue}-${AppAppQueue}", {"Queue": {"Fn::Join": ["", ["a", "b"]]}}]
    }


def test_an_ssm_parameter_type_reads_the_parameter_value() -> None:
    child = """
Parameters:
  Ami: {Type: "AWS::SSM::Parameter::Value<String>", Default: /aws/ami}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Ami
"""
    topic = inlined(child)["AppTopic"]["Properties"]
    assert topic["TopicName"] == "{{resolve:ssm:/aws/ami}}"
    with pytest.raises(UnsupportedChildError):
        inlined(child, "{Ami: !Ref Other}")


def test_a_missing_required_parameter_is_an_error() -> None:
    with pytest.raises(ChildParameterError, match="does not pass the required parameter Name"):
        flat(parent_of("{Ports: '1'}"), CHILD)


def test_an_undeclared_parameter_is_an_error() -> None:
    with pytest.raises(ChildParameterError, match="passes Nmae, which the child does not declare"):
        flat(parent_of("{Name: n, Ports: '1', Nmae: x}"), CHILD)


def test_child_parameters_never_reach_the_parent() -> None:
    result = flat(parent_of("{Name: n, Ports: '1'}"), CHILD)
    assert "Parameters" not in result.template


def test_a_literal_outside_the_parameters_constraints_is_an_error() -> None:
    # A nested stack would have refused it at deploy time; inlined, nothing else would.
    child = """
Parameters:
  Mode: {Type: String, AllowedValues: [small, big]}
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Mode}}
"""
    with pytest.raises(ChildParameterError, match="passes Mode a value that has value 'huge'"):
        flat(parent_of("{Mode: huge}"), child)
    assert inlined(child, "{Mode: !Ref Other}")["AppTopic"]["Properties"]["TopicName"] == {
        "Ref": "Other"
    }


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("<${Pattern}>", "plain", "<plain>"),
        ("<${Pattern}{x}>", "a$", {"Fn::Sub": ["<${Pattern}{x}>", {"Pattern": "a$"}]}),
        ("<$${Pattern}>", "{x}", {"Fn::Sub": ["<$${Pattern}>", {"Pattern": "{x}"}]}),
    ],
)
def test_a_literal_never_forms_a_new_variable_with_the_text_around_it(
    text: str, value: str, expected: object
) -> None:
    child = f"""
Parameters:
  Pattern: {{Type: String}}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "{text}"
"""
    topic = inlined(child, f"{{Pattern: '{value}'}}")["AppTopic"]["Properties"]
    assert topic["TopicName"] == expected

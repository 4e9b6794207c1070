"""A child's implicit SAM APIs stay its own instead of joining the parent's."""

from __future__ import annotations

import pytest
from flatten_cases import doc, flat
from flatten_harness import id_types, packaged, translate

from client.flatten import UnsupportedChildError

CHILD = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    TracingEnabled: true
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
        Http: {Type: HttpApi, Properties: {Path: /h, Method: get}}
Outputs:
  Url:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
"""
PARENT = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Own:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Get: {Type: Api, Properties: {Path: /own, Method: get}}
  App:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: child.yaml}
Outputs:
  ChildUrl: {Value: !GetAtt App.Outputs.Url}
"""


def test_the_childs_implicit_apis_are_declared_and_named() -> None:
    result = flat(PARENT, CHILD)
    resources = result.template["Resources"]
    assert resources["AppServerlessRestApi"] == {
        "Type": "AWS::Serverless::Api",
        "Properties": {"StageName": "Prod", "TracingEnabled": True},  # the child's Globals
    }
    assert resources["AppServerlessHttpApi"] == {"Type": "AWS::Serverless::HttpApi"}
    events = resources["AppFn"]["Properties"]["Events"]
    assert events["Get"]["Properties"]["RestApiId"] == {"Ref": "AppServerlessRestApi"}
    assert events["Http"]["Properties"]["ApiId"] == {"Ref": "AppServerlessHttpApi"}
    assert result.template["Outputs"]["ChildUrl"]["Value"] == {
        "Fn::Sub": "https://${AppServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
    }


@pytest.mark.usefixtures("aws_region")
def test_sam_makes_the_same_apis_as_for_the_child_alone_plus_the_parents() -> None:
    flattened = id_types(translate(packaged(flat(PARENT, CHILD).template)))
    parent_alone = doc(PARENT)
    del parent_alone["Resources"]["App"], parent_alone["Outputs"]
    child_alone = {("App" + name, kind) for name, kind in id_types(translate(packaged(doc(CHILD))))}
    assert flattened == id_types(translate(packaged(parent_alone))) | child_alone


def test_a_child_resource_squatting_the_implicit_id_is_refused() -> None:
    squatting = CHILD.replace("Resources:\n", "Resources:\n  ServerlessRestApi: {Type: X}\n", 1)
    with pytest.raises(UnsupportedChildError, match="declares ServerlessRestApi itself"):
        flat(PARENT, squatting)

"""Child ids move to ``<Ref><Id>`` and every reference to them follows; nothing else moves."""

from __future__ import annotations

from flatten_cases import doc, flat, inlined, parent_of

CHILD = """
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
  IsBig: !Or [!Condition IsProd, !Not [!Condition IsProd]]
  Both: !And [!Condition IsProd, !Condition IsBig]
Mappings:
  Sizes:
    us-east-1: {Memory: 512}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Condition: IsProd
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: Table
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: [Table, Queue]
    Properties:
      TopicName: Table
      DisplayName: !If [Both, !Ref Table, !GetAtt Queue.Arn]
      Tags:
        - Key: a
          Value: !GetAtt [Queue, QueueName]
        - Key: b
          Value: !FindInMap [Sizes, !Ref AWS::Region, Memory]
        - Key: c
          Value: !Sub "${Table}/${Queue.Arn}/${!Table}/${AWS::Region}/${Local}"
        - Key: d
          Value: !Sub ["${Table}-${Local}", {Local: !Ref Queue}]
Outputs:
  TableName:
    Condition: IsProd
    Value: !Ref Table
"""


def test_ids_and_every_kind_of_reference_are_prefixed() -> None:
    result = flat(parent_of(), CHILD)
    assert result.template == doc(
        """
Resources:
  AppTable:
    Type: AWS::DynamoDB::Table
    Condition: AppIsProd
  AppQueue:
    Type: AWS::SQS::Queue
    DependsOn: AppTable
  AppTopic:
    Type: AWS::SNS::Topic
    DependsOn: [AppTable, AppQueue]
    Properties:
      TopicName: Table
      DisplayName: !If [AppBoth, !Ref AppTable, !GetAtt AppQueue.Arn]
      Tags:
        - Key: a
          Value: !GetAtt [AppQueue, QueueName]
        - Key: b
          Value: !FindInMap [AppSizes, !Ref AWS::Region, Memory]
        - Key: c
          Value: !Sub "${AppTable}/${AppQueue.Arn}/${!Table}/${AWS::Region}/${Local}"
        - Key: d
          Value: !Sub ["${AppTable}-${Local}", {Local: !Ref AppQueue}]
Conditions:
  AppIsProd: !Equals [!Ref AWS::Region, us-east-1]
  AppIsBig: !Or [!Condition AppIsProd, !Not [!Condition AppIsProd]]
  AppBoth: !And [!Condition AppIsProd, !Condition AppIsBig]
Mappings:
  AppSizes:
    us-east-1: {Memory: 512}
"""
    )


def test_getatt_string_form_stays_a_string() -> None:
    # The YAML loader reads !GetAtt A.B as a list; JSON templates may write the string form.
    child = """
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: {"Fn::GetAtt": "Queue.QueueName"}
      TopicName: {"Fn::GetAtt": "Elsewhere.Name"}
"""
    props = inlined(child)["AppTopic"]["Properties"]
    assert props == {
        "DisplayName": {"Fn::GetAtt": "AppQueue.QueueName"},
        "TopicName": {"Fn::GetAtt": "Elsewhere.Name"},
    }


def test_ids_sam_derives_from_a_resource_follow_it() -> None:
    child = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.handler
      Runtime: python3.12
      AutoPublishAlias: live
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmActions: [!GetAtt FnRole.Arn]
      Dimensions:
        - Name: Resource
          Value: !Ref Fn.Alias
"""
    alarm = inlined(child)["AppAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Fn::GetAtt": ["AppFnRole", "Arn"]}]
    assert alarm["Dimensions"][0]["Value"] == {"Ref": "AppFn.Alias"}


def test_connectors_name_resources_by_plain_id() -> None:
    child = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Connectors:
      ToQueue:
        Properties:
          Destination: {Id: Queue}
          Permissions: [Write]
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Topic}
      Destination:
        - {Id: Queue}
        - {Arn: "arn:aws:sqs:us-east-1:123456789012:other", Type: AWS::SQS::Queue}
      Permissions: [Write]
"""
    resources = inlined(child)
    connector = resources["AppTopic"]["Connectors"]["ToQueue"]["Properties"]
    assert connector["Destination"] == {"Id": "AppQueue"}
    link = resources["AppLink"]["Properties"]
    assert link["Source"] == {"Id": "AppTopic"}
    assert link["Destination"][0] == {"Id": "AppQueue"}
    assert "Id" not in link["Destination"][1]


def test_parameters_and_pseudo_parameters_keep_their_names_until_substituted() -> None:
    child = """
Parameters:
  Name: {Type: String, Default: n}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${AWS::StackName}-${Name}"
"""
    assert inlined(child)["AppTopic"]["Properties"]["TopicName"] == {
        "Fn::Sub": "${AWS::StackName}-n"
    }

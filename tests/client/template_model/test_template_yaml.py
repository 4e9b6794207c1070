"""Loading intrinsic tags into long forms and dumping them back as short forms."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from client.template import dump_template, load_template

RESOURCES = "Resources: {A: {Type: AWS::SNS::Topic}}\n"


def _value(text: str) -> Any:
    return load_template(f"V: {text}\n")["V"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Bucket", {"Ref": "Bucket"}),
        ("!Ref AWS::Region", {"Ref": "AWS::Region"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Sub 'arn:${AWS::Partition}:s3:::${B}'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"}),
        ('!Sub [ "x${A}", {A: !Ref B} ]', {"Fn::Sub": ["x${A}", {"A": {"Ref": "B"}}]}),
        ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!GetAtt App.Outputs.TopicArn", {"Fn::GetAtt": ["App", "Outputs.TopicArn"]}),
        ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        (
            "!If [IsProd, a, !Ref AWS::NoValue]",
            {"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]},
        ),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!Not [!Condition C]", {"Fn::Not": [{"Condition": "C"}]}),
        (
            "!And [!Condition C, !Condition D]",
            {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]},
        ),
        ("!Or [!Condition C, !Condition D]", {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', !Ref L]", {"Fn::Split": [",", {"Ref": "L"}]}),
        (
            "!FindInMap [M, !Ref AWS::Region, K]",
            {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]},
        ),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!GetAZs us-east-1", {"Fn::GetAZs": "us-east-1"}),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
            {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        ),
    ],
)
def test_short_forms_load_as_long_forms_and_dump_back(text: str, expected: Any) -> None:
    assert _value(text) == expected
    document = {"V": expected}
    assert load_template(dump_template(document)) == document


def test_dump_uses_the_short_forms() -> None:
    document = load_template(
        "V:\n  a: !GetAtt App.Outputs.Arn\n  b: !Ref B\n  c: !If [C, !Sub 'x-${A}', '']\n"
    )
    assert dump_template(document) == (
        "V:\n"
        "  a: !GetAtt App.Outputs.Arn\n"
        "  b: !Ref B\n"
        "  c: !If\n"
        "    - C\n"
        "    - !Sub x-${A}\n"
        "    - ''\n"
    )


def test_a_tagged_scalar_keeps_a_non_string_looking_text() -> None:
    assert _value("!Ref 1") == {"Ref": "1"}
    assert load_template(dump_template({"V": {"Ref": "yes"}}))["V"] == {"Ref": "yes"}


@pytest.mark.parametrize(
    ("value", "long_form"),
    [
        ({"Ref": 5}, "Ref: 5"),
        ({"Ref": ["A"]}, "Ref:"),
        ({"Fn::GetAtt": "A.B"}, "Fn::GetAtt: A.B"),  # a scalar !GetAtt would read back split
        ({"Fn::Sub": None}, "Fn::Sub: null"),
    ],
)
def test_intrinsics_without_an_exact_short_form_stay_long(value: Any, long_form: str) -> None:
    dumped = dump_template({"V": value})
    assert long_form in dumped
    assert "!" not in dumped
    assert load_template(dumped) == {"V": value}


@pytest.mark.parametrize("value", ["a\x85b", "a\u2028b", "a\u2029b"])
def test_unicode_line_breaks_are_escaped(value: str) -> None:
    dumped = dump_template({"V": value, "W": {"Fn::Sub": value}})
    assert load_template(dumped) == {"V": value, "W": {"Fn::Sub": value}}


def test_getatt_with_a_dotted_resource_uses_the_list_form() -> None:
    dumped = dump_template({"V": {"Fn::GetAtt": ["A.B", "C"]}})
    assert dumped == "V: !GetAtt\n  - A.B\n  - C\n"
    assert load_template(dumped) == {"V": {"Fn::GetAtt": ["A.B", "C"]}}


@pytest.mark.parametrize(
    "text", ["2010-09-09", "yes", "no", "on", "1.0", "0123", "1e3", "null", "~", "true"]
)
def test_strings_yaml_would_retype_are_quoted(text: str) -> None:
    dumped = dump_template({"V": text})
    assert dumped == f"V: '{text}'\n"
    assert yaml.safe_load(dumped) == {"V": text}  # any YAML 1.1 reader agrees
    assert load_template(dumped) == {"V": text}


def test_unquoted_dates_load_as_strings() -> None:
    document = load_template("AWSTemplateFormatVersion: 2010-09-09\nWhen: 2024-01-02T03:04:05Z\n")
    assert document == {"AWSTemplateFormatVersion": "2010-09-09", "When": "2024-01-02T03:04:05Z"}


def test_multiline_strings_dump_as_blocks() -> None:
    code = "import os\n\ndef handler(event, context):\n    return os.environ['X']\n"
    document = {"ZipFile": code, "Script": {"Fn::Sub": "echo ${A}\necho done\n"}}
    dumped = dump_template(document)
    assert "ZipFile: |\n  import os\n\n  def handler" in dumped
    assert "Script: !Sub |\n  echo ${A}\n  echo done\n" in dumped
    assert load_template(dumped) == document


def test_long_lines_are_not_folded() -> None:
    text = "word " * 60 + "end"
    assert dump_template({"V": text}) == f"V: {text}\n"


def test_dump_keeps_the_document_key_order() -> None:
    document = {"Resources": {"Z": {"Type": "T"}, "A": {"Type": "T"}}, "Outputs": {}}
    assert dump_template(document).splitlines()[:3] == ["Resources:", "  Z:", "    Type: T"]


def test_shared_objects_dump_without_anchors() -> None:
    shared = {"Key": "v"}
    dumped = dump_template({"A": shared, "B": shared})
    assert "&" not in dumped
    assert "*" not in dumped


def test_aliases_load_as_independent_copies() -> None:
    document = load_template("A: &tags {Key: v}\nB: *tags\n")
    assert document == {"A": {"Key": "v"}, "B": {"Key": "v"}}
    document["A"]["Key"] = "changed"
    assert document["B"]["Key"] == "v"


def test_json_templates_load_including_tab_indentation() -> None:
    text = (
        '{\n\t"Resources": {\n\t\t"A": {"Type": "AWS::SNS::Topic",\n'
        '\t\t"Properties": {"N": {"Fn::Sub": "x\\/y"}}}\n\t}\n}\n'
    )
    assert load_template(text) == {
        "Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"N": {"Fn::Sub": "x/y"}}}}
    }


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert load_template(b"\xef\xbb\xbf" + RESOURCES.encode()) == {
        "Resources": {"A": {"Type": "AWS::SNS::Topic"}}
    }


def test_unicode_text_survives_a_round_trip() -> None:
    document = {"Description": "Überwachung — 監視"}
    dumped = dump_template(document)
    assert "Überwachung — 監視" in dumped
    assert load_template(dumped.encode()) == document

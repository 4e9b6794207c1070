"""``nestry remove``'s text edit: what ``add`` added comes out again, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import CORPUS

from client.editing.add import NewReference, add_reference
from client.editing.remove import RemoveError, remove_resources
from client.template import load_template

TEMPLATES = sorted(
    p
    for p in CORPUS.glob("*.yaml")
    if "aws-sam-cli__tests_integration" not in p.name  # refused by add (corpus README)
)
REF = NewReference("NestedTweets", "acme/tweets", "^2", {"SearchText": "<REQUIRED>"})


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name[:60])
def test_remove_undoes_add_on_the_corpus(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    added = add_reference(original, REF, source=path.name)
    removed = remove_resources(added, ["NestedTweets"], source=path.name)
    # add may give a last line without a line end one; everything else is as it was.
    assert removed in (original, original + "\n", original + "\r\n")


def test_comments_blank_lines_and_quoted_keys() -> None:
    text = (
        "Resources:  # mine\r\n"
        "  A:\r\n"
        "    Type: AWS::S3::Bucket\r\n"
        "\r\n"
        "  'B':\r\n"
        "    Type: AWS::Serverless::Application\r\n"
        "    # a comment inside B goes with it\r\n"
        "    Properties:\r\n"
        "      Location: {ApplicationId: acme/b, SemanticVersion: '1.0.0'}\r\n"
        "\r\n"
        "  # C's comment stays\r\n"
        "  C:\r\n"
        "    Type: AWS::SNS::Topic\r\n"
        "Outputs:\r\n"
        "  T:\r\n"
        "    Value: !Ref C\r\n"
    )
    assert remove_resources(text, ["B"]) == (
        "Resources:  # mine\r\n"
        "  A:\r\n"
        "    Type: AWS::S3::Bucket\r\n"
        "\r\n"
        "  # C's comment stays\r\n"
        "  C:\r\n"
        "    Type: AWS::SNS::Topic\r\n"
        "Outputs:\r\n"
        "  T:\r\n"
        "    Value: !Ref C\r\n"
    )
    assert remove_resources(text, ["A", "B"]).startswith("Resources:  # mine\r\n\r\n  # C's")


@pytest.mark.parametrize(
    ("use", "where"),
    [
        ("Outputs:\n  O:\n    Value: !GetAtt B.Outputs.X\n", "Outputs.O"),
        ("Outputs:\n  O:\n    Value: !Sub '${B.Outputs.X}-x'\n", "Outputs.O"),
        ("Outputs:\n  O:\n    Value: !Ref B\n", "Outputs.O"),
        ("  D:\n    Type: AWS::SNS::Topic\n    DependsOn: [A, B]\n", "Resources.D"),
    ],
)
def test_a_resource_still_used_is_refused(use: str, where: str) -> None:
    text = "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n" + use
    with pytest.raises(RemoveError, match=f"still used by {where}"):
        remove_resources(text, ["B"])


def test_removed_resources_may_use_each_other() -> None:
    text = (
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n"
        "  C:\n    Type: AWS::SNS::Topic\n    DependsOn: B\n"
    )
    assert remove_resources(text, ["B", "C"]) == "Resources:\n  A:\n    Type: AWS::S3::Bucket\n"


def test_json_keeps_order_and_indentation() -> None:
    document = {"Resources": {"Z": {"Type": "AWS::S3::Bucket"}, "B": {"Type": "X::Y::Z"}}}
    text = json.dumps({**document, "Outputs": {}}, indent=3) + "\n"
    edited = remove_resources(text, ["B"])
    assert (
        edited
        == json.dumps({"Resources": {"Z": document["Resources"]["Z"]}, "Outputs": {}}, indent=3)
        + "\n"
    )
    assert list(load_template(edited)) == ["Resources", "Outputs"]


def test_the_only_resource_and_a_missing_one_are_refused() -> None:
    with pytest.raises(RemoveError, match="would leave Resources empty"):
        remove_resources("Resources:\n  A:\n    Type: AWS::S3::Bucket\n", ["A"])
    with pytest.raises(RemoveError, match="no resource Q to remove"):
        remove_resources("Resources:\n  A:\n    Type: AWS::S3::Bucket\n", ["Q"])

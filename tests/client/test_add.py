"""``nestry add``'s text edit: every original line stays byte for byte; the result parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import CORPUS

from client.editing.add import AddError, NewReference, add_reference, default_logical_id
from client.template import LocationKind, load_template, parse_template

TEMPLATES = sorted(
    p
    for p in CORPUS.glob("*.yaml")
    # the two the corpus README says must be refused: no Resources, placeholder Name
    if "aws-sam-cli__tests_integration" not in p.name
)
REF = NewReference(
    "NestedTweets", "acme/twitter-event-source", ">=2.0.0 <3", {"SearchText": "<REQUIRED>"}
)


def inserted_block(original: str, edited: str) -> list[str]:
    """The lines ``edited`` adds, asserting the original lines are all there, unchanged, in order.

    A file that ended without a line end may get one; the line's text stays the same.
    """
    old, new = original.splitlines(keepends=True), edited.splitlines(keepends=True)
    end = "\r\n" if "\r\n" in original else "\n"
    for lines in (old, new):
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += end
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    added = len(new) - len(old)
    assert added > 0
    assert new[:start] == old[:start]
    assert new[start + added :] == old[start:]
    return new[start : start + added]


def check_reference(text: str, ref: NewReference) -> None:
    parsed = parse_template(text, source="edited")
    added = parsed.reference(ref.logical_id)
    assert added.kind == LocationKind.REGISTRY
    assert str(added.application_id) == ref.application_id
    assert added.version_spec == ref.version_spec
    assert added.parameters == ref.parameters


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name[:60])
def test_corpus_templates_keep_every_line(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    edited = add_reference(original, REF, source=path.name)
    block = inserted_block(original, edited)
    assert block[0].strip() == "NestedTweets:"
    check_reference(edited, REF)
    before = load_template(original)["Resources"]
    after = load_template(edited)["Resources"]
    assert {k: v for k, v in after.items() if k != "NestedTweets"} == before
    assert list(after)[-1] == "NestedTweets"  # appended at the end of Resources


COMMENTED = """# My service
AWSTemplateFormatVersion: "2010-09-09"   # quoted on purpose
Resources:
    # the queue first
    Queue:
        Type: AWS::SQS::Queue   # trailing comment
        Properties: {VisibilityTimeout: 60}

    Topic:
        Type: 'AWS::SNS::Topic'

# Outputs below
Outputs:
    QueueUrl:
        Value: !Ref Queue
"""


def test_detects_four_space_indentation_and_keeps_top_level_comments_after() -> None:
    edited = add_reference(COMMENTED, REF)
    block = inserted_block(COMMENTED, edited)
    assert block[0] == "    NestedTweets:\n"
    assert block[1] == "        Type: AWS::Serverless::Application\n"
    assert edited.index("NestedTweets") < edited.index("# Outputs below")
    check_reference(edited, REF)


def test_crlf_file_gets_crlf_lines() -> None:
    crlf = COMMENTED.replace("\n", "\r\n")
    edited = add_reference(crlf, REF)
    assert all(line.endswith("\r\n") for line in inserted_block(crlf, edited))
    check_reference(edited, REF)


def test_file_without_final_newline() -> None:
    text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic"
    edited = add_reference(text, REF)
    inserted_block(text, edited)
    check_reference(edited, REF)


def test_no_required_parameters_means_no_parameters_key() -> None:
    ref = NewReference("Plain", "registry.example.com/acme/app", "^1.2.0")
    edited = add_reference(COMMENTED, ref)
    assert "Parameters:" not in "".join(inserted_block(COMMENTED, edited))
    check_reference(edited, ref)


def test_collision_names_the_logical_id() -> None:
    with pytest.raises(AddError, match="already has a resource named Queue"):
        add_reference(COMMENTED, NewReference("Queue", "acme/app", "^1.0.0"))


def test_bad_logical_id() -> None:
    with pytest.raises(AddError, match="logical id"):
        add_reference(COMMENTED, NewReference("my-app", "acme/app", "^1.0.0"))


def test_flow_style_resources_is_refused_clearly() -> None:
    with pytest.raises(AddError, match="block-style"):
        add_reference("Resources: {Topic: {Type: AWS::SNS::Topic}}\n", REF)


def test_default_logical_id_is_pascal_case() -> None:
    assert default_logical_id("twitter-event-source") == "TwitterEventSource"
    assert default_logical_id("SAR-Lambda-Janitor") == "SARLambdaJanitor"


PRETTY_JSON = """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Topic": {
      "Type": "AWS::SNS::Topic"
    }
  },
  "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}
}
"""


def test_json_template_appends_at_the_end_of_resources() -> None:
    """As in YAML, the new resource is the last one; only the previous last resource's closing
    line changes (it gains JSON's comma)."""
    edited = add_reference(PRETTY_JSON, REF)
    old, new = PRETTY_JSON.splitlines(keepends=True), edited.splitlines(keepends=True)
    assert new[:5] == old[:5]  # up to the Topic's body
    assert new[5] == "    },\n"  # Topic's closing brace, now followed by a comma
    assert new[6] == '    "NestedTweets": {\n'
    assert new[-4:] == old[-4:]  # the end of Resources and everything after it
    assert list(json.loads(edited)["Resources"]) == ["Topic", "NestedTweets"]
    check_reference(edited, REF)


def test_json_with_empty_resources_and_compact_json() -> None:
    empty = '{\n  "Resources": {\n  }\n}\n'
    check_reference(add_reference(empty, REF), REF)
    compact = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Description": "Resources"}'
    edited = add_reference(compact, REF)
    assert json.loads(edited)["Resources"]["Topic"] == {"Type": "AWS::SNS::Topic"}
    check_reference(edited, REF)

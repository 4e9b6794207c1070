"""The issue's example: the Twitter event source inlined into a user's template, exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flatten_harness import CORPUS, findings, id_types, packaged, translate

from client.flatten import FlattenResult, flatten_reference
from client.template import dump_template, load_template

CHILD = CORPUS / "awslabs__aws-serverless-twitter-event-source__template.yaml"
DATA = Path(__file__).parent / "data"
# The user's template, and what inlining makes of it, written out in full.
PARENT = (DATA / "twitter_parent.yaml").read_text(encoding="utf-8")
EXPECTED = (DATA / "twitter_expected.yaml").read_text(encoding="utf-8")


def _flatten() -> tuple[dict[str, Any], dict[str, Any], FlattenResult]:
    child = load_template(CHILD.read_text(encoding="utf-8"), source=CHILD.name)
    parent = load_template(PARENT)
    return child, parent, flatten_reference(parent, "TweetSource", child)


def test_the_merged_template_is_exactly_the_expected_one() -> None:
    _, _, result = _flatten()
    assert dump_template(result.template) == EXPECTED
    assert result.inlined == ("TweetSourceTwitterSearchPoller", "TweetSourceSearchCheckpoint")
    # PollingFrequencyInMinutes defaults to 1: the child's only condition is settled, true.
    assert result.settled == {"TweetSourceIsPollingFrequencyInMinutesSingular": True}
    assert result.warnings == ()


def test_inputs_are_left_alone() -> None:
    child, parent, _ = _flatten()
    assert child == load_template(CHILD.read_text(encoding="utf-8"))
    assert parent == load_template(PARENT)


def test_lint_adds_nothing_to_the_childs_own_findings() -> None:
    child, _, result = _flatten()
    # The child's only finding: python3.6 is deprecated (E2533).
    assert {rule for rule, _ in findings(child)} == {"E2533"}
    assert findings(result.template, "TweetSource") == findings(child)


@pytest.mark.usefixtures("aws_region")
def test_sam_translates_it_into_both_resource_sets() -> None:
    _, _, result = _flatten()
    assert id_types(translate(packaged(result.template))) == {
        ("MyFunction", "AWS::Lambda::Function"),
        ("MyFunctionRole", "AWS::IAM::Role"),
        ("TweetSourceSearchCheckpoint", "AWS::DynamoDB::Table"),
        ("TweetSourceTwitterSearchPoller", "AWS::Lambda::Function"),
        ("TweetSourceTwitterSearchPollerRole", "AWS::IAM::Role"),
        ("TweetSourceTwitterSearchPollerTimer", "AWS::Events::Rule"),
        ("TweetSourceTwitterSearchPollerTimerPermission", "AWS::Lambda::Permission"),
    }

from __future__ import annotations

from typing import Any

import pytest

from client.parameters import check_parameters, check_value

DECLARED: dict[str, Any] = {
    "SearchText": {"Type": "String"},
    "PollingFrequency": {"Type": "Number", "Default": 1, "MinValue": 1, "MaxValue": 5},
    "Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
    "Prefix": {"Type": "String", "Default": "a", "AllowedPattern": "[a-z]+", "MaxLength": 4},
}


def test_valid_parameters_have_no_problems() -> None:
    assert check_parameters("Tweets", {"SearchText": "#sam", "Stage": "prod"}, DECLARED) == []


def test_undeclared_parameter_is_named_with_the_reference_path() -> None:
    problems = check_parameters("Parent/Tweets", {"SearchText": "x", "Serch": "y"}, DECLARED)
    assert len(problems) == 1
    assert problems[0].startswith("Parent/Tweets: parameter 'Serch' is not declared")


def test_missing_required_parameter() -> None:
    assert check_parameters("Tweets", {}, DECLARED) == [
        "Tweets: required parameter 'SearchText' is not passed"
    ]


def test_every_problem_is_reported_at_once() -> None:
    problems = check_parameters("T", {"Stage": "qa", "Extra": "1"}, DECLARED)
    assert len(problems) == 3


def test_intrinsic_values_are_not_checked_literally() -> None:
    passed = {"SearchText": {"Ref": "Text"}, "Stage": {"Fn::Sub": "${Env}"}}
    assert check_parameters("T", passed, DECLARED) == []


@pytest.mark.parametrize(
    ("value", "definition", "fragment"),
    [
        ("qa", {"AllowedValues": ["dev", "prod"]}, "not one of AllowedValues"),
        ("abc1", {"AllowedPattern": "[a-z]+"}, "does not match AllowedPattern"),
        # CloudFormation anchors the pattern: a partial match is not enough.
        ("1abc", {"AllowedPattern": "[a-z]+"}, "does not match AllowedPattern"),
        ("abcdef", {"MaxLength": 4}, "longer than MaxLength 4"),
        ("", {"MinLength": 1}, "shorter than MinLength 1"),
        ("ten", {"Type": "Number"}, "must be a number"),
        ("9", {"Type": "Number", "MaxValue": 5}, "above MaxValue 5"),
        (0, {"Type": "Number", "MinValue": 1}, "below MinValue 1"),
        ("1,x", {"Type": "List<Number>"}, "must be a number, got 'x'"),
        ("a,zz", {"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]}, "'zz'"),
        ({"Nope": 1}, {"Type": "String"}, "neither a string nor an intrinsic"),
    ],
)
def test_literal_outside_the_definition(
    value: Any, definition: dict[str, Any], fragment: str
) -> None:
    problems = check_value(value, definition)
    assert len(problems) == 1
    assert fragment in problems[0]


@pytest.mark.parametrize(
    ("value", "definition"),
    [
        ("prod", {"AllowedValues": ["dev", "prod"]}),
        (True, {"AllowedValues": ["true", "false"]}),
        ("true", {"AllowedValues": [True, False]}),
        (3, {"Type": "Number", "MinValue": 1, "MaxValue": 5}),
        ("2.5", {"Type": "Number"}),
        ("1.0", {"Type": "Number", "AllowedValues": [1, 2]}),
        ("1, 2", {"Type": "List<Number>"}),
        ([1, 2], {"Type": "List<Number>"}),
        ("a,b", {"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]}),
        ("/my/param", {"Type": "AWS::SSM::Parameter::Value<String>", "AllowedPattern": "x"}),
        ("anything", {"AllowedPattern": "(?<=x)\\p{L}"}),  # Java-only syntax is not judged
    ],
)
def test_literal_inside_the_definition(value: Any, definition: dict[str, Any]) -> None:
    assert check_value(value, definition) == []

"""Property: whatever the input, parsing ends in a template or a TemplateError, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.errors import TemplateError
from client.template import parse_template

# YAML's punctuation, tags and a few keywords, so that inputs get past the first token.
PIECES = st.sampled_from(
    [
        "\n",
        " ",
        "  ",
        "\t",
        ":",
        ": ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "'",
        '"',
        "&a ",
        "*a",
        "!Ref ",
        "!GetAtt ",
        "!Sub ",
        "!If ",
        "!Foo ",
        "!!binary ",
        "!!python/object ",
        "? ",
        "<<: ",
        "#",
        "|",
        ">",
        "---",
        "...",
        "1.0",
        "2010-09-09",
        "yes",
        "~",
        "\\",
        "\x85",
        "Resources",
        "Type",
        "Properties",
        "Location",
        "ApplicationId",
        "SemanticVersion",
        "AWS::Serverless::Application",
        "acme/app",
        "Metadata",
        "AWS::ServerlessRepo::Application",
        "Parameters",
        "Outputs",
        "Value",
        "Default",
        "Name",
        "A",
        "B.C",
    ]
)
YAMLISH = st.lists(PIECES, max_size=60).map("".join)


def _parses_or_refuses(data: bytes | str) -> None:
    try:
        parse_template(data, source="fuzz.yaml")
    except TemplateError as error:
        assert str(error).startswith("fuzz.yaml: ")
        assert error.code and error.hint


@settings(max_examples=400, deadline=None)
@given(YAMLISH)
def test_yaml_like_text(text: str) -> None:
    _parses_or_refuses(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(data: bytes) -> None:
    _parses_or_refuses(data)


@pytest.mark.parametrize(
    "text",
    [
        "Resources:\n  A:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        "      Location: {ApplicationId: !Ref X, SemanticVersion: [1]}\n",
        "Resources:\n  A: {Type: AWS::IAM::Role, Properties: [x]}\n",
        "Resources:\n  A: {Type: AWS::Serverless::Function, Properties: {Events: [x]}}\n",
        "Metadata: [x]\nResources:\n  A: {Type: T}\n",
        "Transform: {Name: AWS::Include}\nGlobals: [x]\nResources:\n  A: {Type: T}\n",
    ],
)
def test_odd_shapes_are_tolerated_or_refused(text: str) -> None:
    _parses_or_refuses(text)

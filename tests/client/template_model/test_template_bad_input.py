"""Hostile and broken input: each case is refused with its own error class and a clear message."""

from __future__ import annotations

import pytest

from client.errors import (
    DuplicateKeyError,
    MetadataError,
    TemplateAliasError,
    TemplateError,
    TemplateLimitError,
    TemplateStructureError,
    TemplateSyntaxError,
    TemplateTooDeepError,
    TemplateTooLargeError,
)
from client.template import Limits, load_template, loader, parse_template
from client.template.model import DEFAULT_LIMITS
from client.template.yaml_loader import FAST_LOADER, PURE_LOADER

SOURCE = "bad.yaml"


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check must hold with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "python":
        monkeypatch.setattr(loader, "_LOADER", PURE_LOADER)
    else:
        assert loader._LOADER is FAST_LOADER


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _refused(data: bytes | str, error: type[TemplateError], limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(error) as caught:
        load_template(data, source=SOURCE, limits=limits)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ")
    assert caught.value.hint
    assert caught.value.code
    return message


def test_a_billion_laughs_is_refused() -> None:
    message = _refused(BILLION_LAUGHS, TemplateAliasError)
    assert "aliases expand to" in message
    assert "over the limit of 10000" in message


def test_alias_expansion_within_the_limit_is_fine() -> None:
    text = "t: &t {A: 1, B: 2}\nu: [*t, *t, *t]\n"
    assert load_template(text)["u"] == [{"A": 1, "B": 2}] * 3
    message = _refused(text, TemplateAliasError, Limits(max_alias_nodes=8))
    assert "aliases expand to 15 more nodes, over the limit of 8" in message


def test_a_self_referencing_alias_is_refused() -> None:
    message = _refused("a: &a [1, *a]\n", TemplateAliasError)
    assert "containing itself" in message


def test_an_oversized_template_is_refused_before_parsing() -> None:
    data = b"Description: " + b"x" * (1024 * 1024)
    message = _refused(data, TemplateTooLargeError)
    assert "more than the limit of 1048576" in message


def test_the_size_limit_is_configurable_and_counts_bytes_of_text() -> None:
    assert load_template("A: 1\n", limits=Limits(max_bytes=5)) == {"A": 1}
    _refused("A: é\n", TemplateTooLargeError, Limits(max_bytes=5))


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 150 + "]" * 150,
        "".join(f"{'  ' * level}k{level}:\n" for level in range(150)) + "  " * 150 + "v\n",
        "a: " + "[" * 5000 + "]" * 5000,  # past libyaml's own nesting limit
    ],
    ids=["flow", "block", "very-deep"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    _refused(text, TemplateLimitError)


def test_the_depth_limit_names_the_limit() -> None:
    message = _refused("a: " + "[" * 150 + "]" * 150, TemplateTooDeepError)
    assert "nesting deeper than 100 levels" in message


def test_depth_reached_through_an_alias_counts() -> None:
    deep = "[" * 60 + "]" * 60
    text = f"a: &d {deep}\nb: " + "[" * 60 + "*d" + "]" * 60 + "\n"
    _refused(text, TemplateTooDeepError)


def test_deep_json_is_refused() -> None:
    text = '{\n\t"Resources": ' + "[" * 150 + "]" * 150 + "\n}"
    _refused(text, TemplateTooDeepError)


def test_duplicate_keys_name_the_key_and_both_lines() -> None:
    text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n  Topic:\n    Type: AWS::SQS::Queue\n"
    message = _refused(text, DuplicateKeyError)
    assert "duplicate key 'Topic' at line 4 (first at line 2)" in message


@pytest.mark.parametrize(("text", "key"), [("1: a\n01: b\n", "01"), ("yes: a\ntrue: b\n", "true")])
def test_keys_that_read_the_same_are_duplicates(text: str, key: str) -> None:
    message = _refused(text, DuplicateKeyError)
    assert f"duplicate key {key!r} at line 2 (first at line 1)" in message


def test_tagged_keys_are_refused() -> None:
    message = _refused("!Ref A: b\n", TemplateSyntaxError)
    assert "line 1: mapping keys must be plain strings" in message


def test_duplicate_keys_inside_an_intrinsic_are_found() -> None:
    message = _refused("V: !Transform {Name: a, Name: b}\n", DuplicateKeyError)
    assert "duplicate key 'Name'" in message


def test_duplicate_keys_in_json_are_refused() -> None:
    message = _refused('{\n\t"A": 1,\n\t"A": 2\n}', DuplicateKeyError)
    assert "duplicate key 'A'" in message


def test_yaml_merge_keys_may_override_merged_values() -> None:
    text = "base: &b {A: 1, B: 2}\nv:\n  <<: *b\n  B: 3\n"
    assert load_template(text)["v"] == {"A": 1, "B": 3}


def test_non_utf8_bytes_are_named() -> None:
    message = _refused(b"Description: caf\xe9\nResources: {}\n", TemplateSyntaxError)
    assert "not UTF-8: byte 0xe9 at offset 16 (line 1)" in message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: 1\nb: !Foo bar\n", "!Foo"),
        ("a: !!python/object:os.system {}\n", "!!python/object:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x, y}\n", "!!set"),
        ("a: !!timestamp 2020-01-01\n", "!!timestamp"),
    ],
)
def test_unknown_tags_are_named_with_their_line(text: str, tag: str) -> None:
    message = _refused(text, TemplateSyntaxError)
    assert (
        f"line {text.count(chr(10), 0, text.index('!')) + 1}: unknown or unsupported tag {tag}"
        in message
    )


def test_getatt_without_an_attribute_is_refused() -> None:
    message = _refused("a: 1\nb: !GetAtt Role\n", TemplateSyntaxError)
    assert "line 2: !GetAtt 'Role' must read Resource.Attribute" in message


def test_ref_of_a_list_is_refused() -> None:
    message = _refused("a: !Ref [A, B]\n", TemplateSyntaxError)
    assert "!Ref takes a single logical id, not a list" in message


def test_yaml_syntax_errors_give_line_and_column() -> None:
    message = _refused("a: 1\nb: [1, 2\nc: 3\n", TemplateSyntaxError)
    assert "line 3, column 2" in message


def test_broken_json_reports_both_readings() -> None:
    message = _refused('{"A": 1,, "B": 2}', TemplateSyntaxError)
    assert "line 1, column 9: while parsing a flow node" in message
    assert "(read as JSON: line 1, column 9: Expecting property name" in message


def test_json_nan_is_refused() -> None:
    message = _refused('{"A": NaN, "B": [1,, 2]}', TemplateSyntaxError)
    assert "NaN is not a JSON value" in message


def test_several_documents_are_refused() -> None:
    message = _refused("a: 1\n---\nb: 2\n", TemplateSyntaxError)
    assert "expected a single document" in message


def test_mapping_keys_must_be_scalars() -> None:
    message = _refused("? [a, b]\n: 1\n", TemplateSyntaxError)
    assert "line 1: mapping keys must be plain strings" in message


@pytest.mark.parametrize(
    ("text", "what"),
    [("", "an empty document"), ("- a\n- b\n", "a list"), ("just text\n", "a string")],
)
def test_the_top_level_must_be_a_mapping(text: str, what: str) -> None:
    message = _refused(text, TemplateStructureError)
    assert f"the top level must be a mapping, not {what}" in message


def test_control_characters_are_refused() -> None:
    _refused("a: b\x00c\n", TemplateSyntaxError)


def test_semantic_version_read_as_a_float_is_a_metadata_error() -> None:
    text = (
        "Metadata:\n  AWS::ServerlessRepo::Application:\n    Name: app\n    Description: d\n"
        "    Author: me\n    SemanticVersion: 1.0\n"
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
    )
    with pytest.raises(MetadataError) as caught:
        parse_template(text, source=SOURCE)
    assert str(caught.value) == (
        f"{SOURCE}: Metadata.AWS::ServerlessRepo::Application.SemanticVersion: "
        "YAML read 1.0 as a float, not a version: write three parts (1.0.0) or quote it"
    )

"""SAM Globals: the child's apply to its own resources only, the parent's never to them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flatten_cases import doc, flat, parent_of
from flatten_harness import corpus_files, load, packaged, translate
from hypothesis import given
from hypothesis import strategies as st
from samtranslator.plugins.globals.globals import Globals

from client.flatten.globals import apply_globals

CHILD = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Architectures: [arm64]
    Environment: {Variables: {FROM_CHILD_GLOBALS: "1", SHARED: child}}
    Tags: {team: child}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: "def handler(event, context): pass"
      Architectures: [x86_64]
      Environment: {Variables: {SHARED: own}}
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:l:1]
  Quiet:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Tags, Environment]
    Properties:
      Handler: index.handler
      InlineCode: "def handler(event, context): pass"
"""
PARENT_GLOBALS = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    MemorySize: 1024
    Layers: [arn:aws:lambda:us-east-1:123456789012:layer:parent:1]
    Environment: {Variables: {FROM_PARENT_GLOBALS: "1"}}
Resources:
  Own:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: "exports.handler = async () => {}"
  App:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: child.yaml}
"""


def test_child_globals_merge_like_sam_does() -> None:
    resources = apply_globals(doc(CHILD))["Resources"]
    assert resources["Worker"]["Properties"] == {
        "Runtime": "python3.12",
        "Timeout": 30,
        "Architectures": ["x86_64"],  # replaced, not concatenated
        "Environment": {"Variables": {"FROM_CHILD_GLOBALS": "1", "SHARED": "own"}},
        "Tags": {"team": "child"},
        "Handler": "index.handler",
        "InlineCode": "def handler(event, context): pass",
        "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"],
    }
    assert set(resources["Quiet"]["Properties"]) == {
        "Runtime",
        "Timeout",
        "Architectures",
        "Handler",
        "InlineCode",
    }


def _sam_merged(child: dict[str, Any]) -> dict[str, Any]:
    globals_ = Globals(copy.deepcopy(child))
    return {
        name: globals_.merge(
            res["Type"], copy.deepcopy(res.get("Properties", {})), name, res.get("IgnoreGlobals")
        )
        for name, res in child["Resources"].items()
        if res.get("Type", "").startswith("AWS::Serverless::")
    }


WITH_GLOBALS = [p for p in corpus_files() if "Globals" in load(p)]


@pytest.mark.parametrize("path", WITH_GLOBALS, ids=lambda p: p.name[:60])
def test_the_merge_equals_sam_translators_on_the_corpus(path: Path) -> None:
    child = load(path)
    ours = apply_globals(child)["Resources"]
    assert {name: ours[name]["Properties"] for name in _sam_merged(child)} == _sam_merged(child)


def test_parent_globals_do_not_reach_inlined_resources() -> None:
    result = flat(PARENT_GLOBALS, CHILD)
    resources = result.template["Resources"]
    assert "Globals" not in resources["AppWorker"]
    assert resources["AppWorker"]["IgnoreGlobals"] == "*"
    assert resources["AppQuiet"]["IgnoreGlobals"] == "*"  # its own list was for the child's
    assert "IgnoreGlobals" not in resources["Own"]
    assert result.template["Globals"] == doc(PARENT_GLOBALS)["Globals"]


def test_without_parent_globals_nothing_is_marked() -> None:
    resources = flat(parent_of(), CHILD).template["Resources"]
    assert "IgnoreGlobals" not in resources["AppWorker"]
    assert "IgnoreGlobals" not in resources["AppQuiet"]


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: res["Properties"]
        for name, res in translate(packaged(template)).items()
        if res["Type"] == "AWS::Lambda::Function"
    }


@pytest.mark.usefixtures("aws_region")
def test_translated_functions_are_the_same_as_in_their_own_templates() -> None:
    flattened = _functions(flat(PARENT_GLOBALS, CHILD).template)
    child_alone = _functions(doc(CHILD))
    parent_alone = doc(PARENT_GLOBALS)
    del parent_alone["Resources"]["App"]
    for name in ("Worker", "Quiet"):
        # Same properties, up to the renamed role they point at.
        ours = {k: v for k, v in flattened[f"App{name}"].items() if k != "Role"}
        assert ours == {k: v for k, v in child_alone[name].items() if k != "Role"}
    assert flattened["Own"] == _functions(parent_alone)["Own"]


_VALUES = st.recursive(
    st.one_of(st.integers(), st.sampled_from(["a", "b"]), st.just({"Ref": "X"})),
    lambda children: st.one_of(
        st.lists(children, max_size=2),
        st.dictionaries(st.sampled_from(["Variables", "K", "Architectures"]), children, max_size=2),
    ),
    max_leaves=8,
)
_FUNCTION_PROPS = st.dictionaries(
    st.sampled_from(["Environment", "Tags", "Layers", "Architectures", "Timeout", "VpcConfig"]),
    _VALUES,
    max_size=4,
)


@given(_FUNCTION_PROPS, _FUNCTION_PROPS)
def test_the_merge_equals_sam_translators_on_generated_properties(
    global_props: dict[str, Any], local_props: dict[str, Any]
) -> None:
    child = {
        "Globals": {"Function": global_props},
        "Resources": {"F": {"Type": "AWS::Serverless::Function", "Properties": local_props}},
    }
    ours = apply_globals(copy.deepcopy(child))["Resources"]["F"]["Properties"]
    assert ours == _sam_merged(child)["F"]

"""Every usable corpus template, inlined into a small user template.

Checks that (1) cfn-lint finds nothing in the result beyond what it finds in the child itself
and in the parent's own function, and (2) SAM translates the result into exactly the parent's
resources plus the child's (prefixed), less the ones whose condition the passed parameters make
false: nothing lost, nothing leaked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flatten_harness import (
    corpus_files,
    findings,
    id_types,
    load,
    packaged,
    required_values,
    translate,
)

from client.flatten import FlattenResult, flatten_reference
from client.template import load_template

pytestmark = pytest.mark.slow
PREFIX = "Zq"  # appears in no corpus template, so taking it out of messages is exact
PARENT = f"""
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    MemorySize: 256
    Tags:
      owner: parent
Resources:
  UserFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context): pass"
  {PREFIX}:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/child
        SemanticVersion: 1.0.0
"""


def _parent(child: dict[str, Any]) -> dict[str, Any]:
    parent = load_template(PARENT)
    parent["Resources"][PREFIX]["Properties"]["Parameters"] = required_values(child)
    readable = [
        name for name, out in (child.get("Outputs") or {}).items() if "Condition" not in out
    ]
    if readable:
        parent["Outputs"] = {
            f"Read{name}": {"Value": {"Fn::GetAtt": [PREFIX, f"Outputs.{name}"]}}
            for name in readable
        }
    return parent


def _flatten(path: Path) -> tuple[dict[str, Any], dict[str, Any], FlattenResult]:
    child = load(path)
    parent = _parent(child)
    return child, parent, flatten_reference(parent, PREFIX, child)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_lint_finds_nothing_new(path: Path) -> None:
    child, parent, result = _flatten(path)
    own_function = {
        "Transform": parent["Transform"],
        "Resources": {"UserFunction": parent["Resources"]["UserFunction"]},
    }
    assert findings(result.template, PREFIX) - findings(child) - findings(own_function) == set()


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
@pytest.mark.usefixtures("aws_region")
def test_translation_is_the_union(path: Path) -> None:
    child, parent, result = _flatten(path)
    parent_alone = {key: value for key, value in parent.items() if key != "Outputs"}
    expected_parent = translate(packaged(parent_alone))
    del expected_parent[PREFIX]
    false = {name for name, value in result.settled.items() if not value}
    expected_child = {
        PREFIX + name: res
        for name, res in translate(packaged(child), required_values(child)).items()
        if PREFIX + res.get("Condition", "") not in false
    }
    flattened = translate(packaged(result.template))
    assert id_types(flattened) == id_types(expected_parent) | id_types(expected_child)

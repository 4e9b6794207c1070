"""Small hand-written parents and children for the unit tests."""

from __future__ import annotations

from typing import Any

from client.flatten import FlattenResult, flatten_reference
from client.template import load_template


def doc(text: str) -> dict[str, Any]:
    return load_template(text)


def parent_of(params: str = "{}", *, extra: str = "", ref: str = "") -> dict[str, Any]:
    """A parent whose resource ``App`` nests the child; ``extra`` adds top-level YAML."""
    return doc(
        f"""
Resources:
  App:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters: {params}
{ref}
{extra}
"""
    )


def flat(parent: dict[str, Any] | str, child: str, **options: Any) -> FlattenResult:
    parent_doc = doc(parent) if isinstance(parent, str) else parent
    return flatten_reference(parent_doc, "App", doc(child), **options)


def inlined(child: str, params: str = "{}") -> dict[str, Any]:
    """The child's resources as they arrive in a parent that has nothing else."""
    resources: dict[str, Any] = flat(parent_of(params), child).template["Resources"]
    return resources

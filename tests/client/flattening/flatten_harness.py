"""Helpers for the corpus tests: cfn-lint findings and SAM translation, both offline."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import cfnlint.api
from corpus import CORPUS
from install_samples import DUMMIES, AnyManagedPolicy
from samtranslator.translator.transform import transform

from client.template import dump_template, load_template

# Both refused by publish (no Resources / placeholder app); nothing to inline.
UNUSABLE = {
    "awslabs__aws-sam-cli__tests_integration_testdata_package_aws-serverlessrepo-application.yaml",
    "awslabs__aws-sam-cli__tests_integration_testdata_publish_template_create_app.yaml",
}

# Optional parameters whose defaults ("") only make sense with a condition the child does not
# check: the child's own lint cannot see the default, the flattened output's lint can.
OVERRIDES = {"CloudTrailTargetS3BucketName": "my-trail-bucket"}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.yaml") if p.name not in UNUSABLE)


def load(path: Path) -> dict[str, Any]:
    return load_template(path.read_text(encoding="utf-8"), source=path.name)


def required_values(child: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name, spec in (child.get("Parameters") or {}).items():
        if spec.get("Default") is None:
            allowed = spec.get("AllowedValues")
            values[name] = str(allowed[0]) if allowed else DUMMIES[name]
        elif name in OVERRIDES:
            values[name] = OVERRIDES[name]
    return values


def findings(doc: dict[str, Any], prefix: str = "") -> set[tuple[str, str]]:
    """cfn-lint's (rule id, message) pairs, with ``prefix`` taken out of the messages."""
    matches = cfnlint.api.lint(dump_template(doc), regions=["us-east-1"])
    return {(m.rule.id, _unprefix(m.message, prefix)) for m in matches}


def _unprefix(message: str, prefix: str) -> str:
    return message.replace(prefix, "") if prefix else message


def translate(doc: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The resources SAM generates for ``doc`` (a copy: the translator edits its input)."""
    out = transform(copy.deepcopy(doc), parameters or {}, AnyManagedPolicy())  # type: ignore[arg-type]
    resources: dict[str, Any] = out["Resources"]
    return resources


_HASHED = re.compile(r"[0-9a-f]{10}$")
# SAM names these after a hash of their content, which renaming changes.
_HASHED_TYPES = {
    "AWS::Lambda::Version",
    "AWS::Lambda::LayerVersion",
    "AWS::ApiGateway::Deployment",
}


def id_types(resources: dict[str, Any]) -> set[tuple[str, str]]:
    """(logical id, type) pairs, SAM's content-hashed id suffixes normalised away."""
    return {
        (_HASHED.sub("<hash>", name) if res["Type"] in _HASHED_TYPES else name, res["Type"])
        for name, res in resources.items()
    }


_ARTIFACT_KEYS = ("CodeUri", "ContentUri", "DefinitionUri")


def packaged(doc: dict[str, Any]) -> dict[str, Any]:
    """What ``sam package`` does to local artifact paths, so the translator accepts them.

    Nested applications become the stacks SAM would make of them: SAM's translator would
    otherwise call the Serverless Application Repository to look each one up.
    """
    out = copy.deepcopy(doc)
    for res in out.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Application":
            res["Type"] = "AWS::CloudFormation::Stack"
            props = res.setdefault("Properties", {})
            props.pop("Location", None)
            props["TemplateURL"] = "https://bucket.s3.amazonaws.com/app.yaml"
    default_code = "CodeUri" in ((out.get("Globals") or {}).get("Function") or {})
    for res in out.get("Resources", {}).values():
        props = res.setdefault("Properties", {})
        code = {"CodeUri", "InlineCode", "ImageUri"} & set(props)
        if res.get("Type") == "AWS::Serverless::Function" and not code and not default_code:
            props["CodeUri"] = "."  # sam package's default
    sections = [r.get("Properties") for r in out.get("Resources", {}).values()]
    sections += list((out.get("Globals") or {}).values())
    for props in sections:
        for key in _ARTIFACT_KEYS:
            value = props.get(key) if isinstance(props, dict) else None
            if isinstance(value, str) and not value.startswith("s3://"):
                props[key] = "s3://bucket/" + (props[key].strip("./") or "code")
    return out

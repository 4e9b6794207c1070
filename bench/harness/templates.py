"""Small, valid SAM templates for generated apps, optionally nesting other registry apps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Ref:
    """A nested registry app: ``logical_id`` in the parent, ``app`` as ``ns/name``, a range."""

    logical_id: str
    app: str
    range: str = "^1.0.0"


def app_template(
    name: str, version: str, description: str, labels: Sequence[str], refs: Sequence[Ref] = ()
) -> str:
    """YAML text; strings are JSON-quoted (valid YAML) so that no value needs escaping."""
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: {json.dumps(description)}",
        "Metadata:",
        "  AWS::ServerlessRepo::Application:",
        f"    Name: {json.dumps(name)}",
        f"    Description: {json.dumps(description)}",
        "    Author: bench",
        "    SpdxLicenseId: MIT",
        f"    Labels: {json.dumps(list(labels))}",
        f"    SemanticVersion: {json.dumps(version)}",
        "Parameters:",
        "  Stage:",
        "    Type: String",
        "    Default: prod",
        "    AllowedValues: [dev, prod]",
        "Resources:",
        "  Queue:",
        "    Type: AWS::SQS::Queue",
        "    Properties:",
        "      QueueName: !Sub '${AWS::StackName}-${Stage}'",
    ]
    for ref in refs:
        lines += [
            f"  {ref.logical_id}:",
            "    Type: AWS::Serverless::Application",
            "    Properties:",
            "      Location:",
            f"        ApplicationId: {ref.app}",
            f"        SemanticVersion: {json.dumps(ref.range)}",
            "      Parameters:",
            "        Stage: !Ref Stage",
        ]
    lines += ["Outputs:", "  QueueUrl:", "    Value: !Ref Queue", ""]
    return "\n".join(lines)


def metadata(name: str, version: str, description: str, labels: Sequence[str]) -> str:
    fields = {
        "name": name,
        "description": description,
        "author": "bench",
        "spdx_license_id": "MIT",
        "labels": list(labels),
        "semantic_version": version,
    }
    return json.dumps(fields)

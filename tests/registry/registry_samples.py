"""Small templates for registry tests."""

from __future__ import annotations

import io
import tarfile


def template(
    *,
    name: str | None = "demo",
    version: str | None = None,
    description: str = "A demo app",
    extra_resources: str = "",
    marker: str = "one",
) -> str:
    """A minimal SAM template; ``marker`` changes its bytes without changing its meaning."""
    metadata = ""
    if name is not None:
        metadata = (
            "Metadata:\n  AWS::ServerlessRepo::Application:\n"
            f"    Name: {name}\n    Description: {description}\n    Author: tester\n"
            "    Labels: [demo, test]\n"
        )
        if version is not None:
            metadata += f"    SemanticVersion: {version}\n"
    return (
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        f"Description: {marker}\n"
        f"{metadata}"
        "Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"
        "    AllowedValues: [prod, dev]\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        f"{extra_resources}"
        "Outputs:\n  TopicArn:\n    Description: the topic\n    Value: !Ref Topic\n"
    )


def nested(logical_id: str, application_id: str, version: str) -> str:
    return (
        f"  {logical_id}:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        f"      Location:\n        ApplicationId: {application_id}\n"
        f"        SemanticVersion: '{version}'\n"
    )


def local_nested(logical_id: str, path: str) -> str:
    return (
        f"  {logical_id}:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        f"      Location: {path}\n"
    )


def tar_gz(files: dict[str, bytes]) -> bytes:
    """A tar.gz of regular files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()

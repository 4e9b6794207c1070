"""Templates and READMEs for the web UI's tests."""

from __future__ import annotations

HOSTILE_README = """# Thumbnailer

Makes thumbnails. <script>window.__pwned = 1; alert("script")</script>

<img src=x onerror="window.__pwned = 2; alert('img')">

[click me](javascript:alert('link')) <a href="javascript:alert('a')" onclick="alert('c')">also</a>

| Size | Use |
|------|-----|
| 64   | list |
"""


def app_template(
    name: str,
    *,
    description: str = "Resizes images",
    labels: str = "[images, media]",
    nested: str = "",
    required: bool = True,
) -> str:
    """A SAM template with metadata, parameters (one required), outputs and ``nested``
    resources (``AWS::Serverless::Application`` blocks)."""
    width = "  Width:\n    Type: Number\n    Description: Width in pixels\n" if required else ""
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Metadata:\n  AWS::ServerlessRepo::Application:\n"
        f"    Name: {name}\n    Description: {description}\n    Author: Ada\n"
        f"    SpdxLicenseId: MIT\n    Labels: {labels}\n"
        "    HomePageUrl: https://example.com/thumbs\n"
        "Parameters:\n"
        f"{width}"
        "  Stage:\n    Type: String\n    Default: prod\n    AllowedValues: [prod, dev]\n"
        "    Description: Deployment stage\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        f"{nested}"
        "Outputs:\n  TopicArn:\n    Description: The topic's ARN\n    Value: !Ref Topic\n"
    )


def nested(logical_id: str, application_id: str, version: str) -> str:
    return (
        f"  {logical_id}:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        f"      Location:\n        ApplicationId: {application_id}\n"
        f"        SemanticVersion: '{version}'\n"
    )

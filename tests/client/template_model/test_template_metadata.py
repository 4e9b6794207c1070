"""SAR application metadata, validated the way SAR's CreateApplication does."""

from __future__ import annotations

from typing import Any

import pytest

from client.errors import MetadataError
from client.template import AppMetadata, parse_metadata

VALID = {
    "Name": "my-app",
    "Description": "Does things",
    "Author": "Eiji KOMINAMI",
    "SpdxLicenseId": "Apache-2.0",
    "LicenseUrl": "LICENSE.txt",
    "ReadmeUrl": "s3://bucket/README.md",
    "Labels": ["serverless", "a+b", "c:d/e@f_g-h"],
    "HomePageUrl": "https://github.com/me/my-app",
    "SemanticVersion": "1.2.3-beta.1",
    "SourceCodeUrl": "https://github.com/me/my-app/tree/1.2.3",
}


def test_every_field_is_read() -> None:
    assert parse_metadata(VALID) == AppMetadata(
        name="my-app",
        description="Does things",
        author="Eiji KOMINAMI",
        spdx_license_id="Apache-2.0",
        license_url="LICENSE.txt",
        readme_url="s3://bucket/README.md",
        labels=("serverless", "a+b", "c:d/e@f_g-h"),
        home_page_url="https://github.com/me/my-app",
        semantic_version="1.2.3-beta.1",
        source_code_url="https://github.com/me/my-app/tree/1.2.3",
    )


def test_snake_case_names_are_accepted_and_given_back() -> None:
    metadata = parse_metadata(VALID)
    assert parse_metadata(metadata.to_dict()) == metadata
    assert metadata.to_dict()["labels"] == ["serverless", "a+b", "c:d/e@f_g-h"]


def test_only_name_description_and_author_are_required() -> None:
    metadata = parse_metadata({"Name": "a", "Description": "d", "Author": "me", "Labels": None})
    assert metadata.semantic_version is None
    assert metadata.labels == ()


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("Name", None, "Name is required"),
        ("Name", "<application-name>", "'<application-name>' is not a valid name"),
        ("Name", "my_app", "is not a valid name"),
        ("Name", "a" * 141, "must be 1-140 characters"),
        ("Description", "", "must be 1-256 characters, not 0"),
        ("Description", "d" * 257, "must be 1-256 characters, not 257"),
        ("Author", None, "Author is required"),
        ("Author", "a" * 128, "must be 1-127 characters"),
        ("Author", 42, "must be text, not an integer"),
        ("Author", "bell\x07", "control characters"),
        ("Labels", ["x"] * 11, "at most 10 labels"),
        ("Labels", "tag", "must be a list"),
        ("Labels", ["has space"], "'has space' is not a label"),
        ("Labels", ["a" * 128], "is not a label"),
        ("Labels", [3], "3 is not a label"),
        ("HomePageUrl", "https://x/" + "a" * 5000, "1-5000 characters"),
        ("SourceCodeUrl", 7, "must be a URL or path"),
        ("SpdxLicenseId", "MIT OR Apache-2.0", "not an SPDX license id"),
        ("SemanticVersion", 1.0, "YAML read 1.0 as a float"),
        ("SemanticVersion", 2, "YAML read 2 as an integer"),
        ("SemanticVersion", "1.0", "invalid version '1.0'"),
        ("SemanticVersion", "v1.0.0", "invalid version 'v1.0.0'"),
    ],
)
def test_invalid_fields_are_named(field: str, value: Any, text: str) -> None:
    with pytest.raises(MetadataError) as caught:
        parse_metadata({**VALID, field: value}, source="t.yaml")
    assert caught.value.path == f"Metadata.AWS::ServerlessRepo::Application.{field}"
    assert str(caught.value).startswith(f"t.yaml: {caught.value.path}: ")
    assert text in str(caught.value)
    assert caught.value.code == "invalid_metadata"


def test_metadata_must_be_a_mapping() -> None:
    with pytest.raises(MetadataError, match="must be a mapping, not a list"):
        parse_metadata(["Name"])


def test_multi_line_descriptions_are_fine() -> None:
    assert parse_metadata({**VALID, "Description": "One.\nTwo.\n"}).description == "One.\nTwo.\n"

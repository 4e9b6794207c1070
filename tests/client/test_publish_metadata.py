"""Publish metadata: read as sam publish does, flags fill in or override, local docs uploaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from corpus import CORPUS

from client.errors import MetadataError
from client.publish.request import PublishInputError, merge_metadata, prepare

JANITOR = CORPUS / "lumigo-io__SAR-Lambda-Janitor__template.yaml"
TWITTER = CORPUS / "awslabs__aws-serverless-twitter-event-source__template.yaml"
CREATE_APP = (
    CORPUS / "awslabs__aws-sam-cli__tests_integration_testdata_publish_template_create_app.yaml"
)


def copy(src: Path, tmp_path: Path, *extra: str) -> Path:
    """The corpus template in a fresh directory, with stub files it names (README, code...)."""
    target = tmp_path / "template.yaml"
    shutil.copyfile(src, target)
    for name in extra:
        stub = tmp_path / name
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(f"stub {name}\n")
    return target


def test_flags_override_template_fields() -> None:
    section = {"Name": "app", "Description": "from template", "Author": "A", "Labels": ["x"]}
    merged = merge_metadata(
        section, {"Description": "from flag", "Labels": ["y", "z"], "Author": None}, source="t"
    )
    assert merged.description == "from flag"
    assert merged.labels == ("y", "z")
    assert merged.author == "A"  # None means "not given"
    assert merged.name == "app"


def test_flags_fill_in_a_template_without_metadata() -> None:
    merged = merge_metadata(
        None, {"Name": "tweets", "Description": "d", "Author": "me"}, source="t"
    )
    assert (merged.name, merged.description, merged.author) == ("tweets", "d", "me")


def test_missing_metadata_hint_names_the_flags() -> None:
    with pytest.raises(MetadataError) as info:
        merge_metadata(None, {}, source="t")
    assert "--name" in info.value.hint


def test_prepare_reads_metadata_and_local_readme_and_license(tmp_path: Path) -> None:
    template = copy(JANITOR, tmp_path, "README.md", "LICENSE.txt")
    plan = prepare(template, namespace="lumigo", version=None, overrides={})
    assert plan.app.display == "lumigo/lambda-janitor"
    assert plan.version == "1.7.0"
    assert plan.readme == b"stub README.md\n"
    assert plan.license == b"stub LICENSE.txt\n"
    assert plan.metadata["readme_url"] is None  # uploaded instead of a meaningless local path
    assert plan.metadata["author"] == "Lumigo"
    assert plan.template == JANITOR.read_bytes()  # nothing to rewrite: sent as written


def test_version_flag_wins_over_semantic_version(tmp_path: Path) -> None:
    template = copy(JANITOR, tmp_path, "README.md", "LICENSE.txt")
    plan = prepare(template, namespace="lumigo", version="2.0.0-rc.1", overrides={})
    assert plan.version == "2.0.0-rc.1"
    assert plan.metadata["semantic_version"] == "2.0.0-rc.1"


def test_template_without_metadata_publishes_with_flags(tmp_path: Path) -> None:
    template = copy(TWITTER, tmp_path, "app/index.js")
    overrides = {
        "Name": "twitter-event-source",
        "Description": "Tweets",
        "Author": "awslabs",
        "Labels": ["twitter"],
        "SpdxLicenseId": "MIT",
    }
    plan = prepare(template, namespace="acme", version="1.0.0", overrides=overrides)
    assert plan.app.display == "acme/twitter-event-source"
    assert plan.metadata["labels"] == ["twitter"]
    assert plan.metadata["spdx_license_id"] == "MIT"
    assert set(plan.bundle_files) == {"app/index.js"}


def test_placeholder_name_is_refused(tmp_path: Path) -> None:
    template = copy(CREATE_APP, tmp_path)
    with pytest.raises(MetadataError, match="Name"):
        prepare(template, namespace="acme", version=None, overrides={})


def test_missing_readme_file_is_a_metadata_error(tmp_path: Path) -> None:
    template = copy(JANITOR, tmp_path, "LICENSE.txt")
    with pytest.raises(MetadataError, match=r"README\.md"):
        prepare(template, namespace="lumigo", version=None, overrides={})


def test_namespace_and_version_are_required(tmp_path: Path) -> None:
    template = copy(TWITTER, tmp_path, "app/index.js")
    flags = {"Name": "t", "Description": "d", "Author": "a"}
    with pytest.raises(PublishInputError, match="namespace"):
        prepare(template, namespace=None, version="1.0.0", overrides=flags)
    with pytest.raises(PublishInputError, match="version"):
        prepare(template, namespace="acme", version=None, overrides=flags)

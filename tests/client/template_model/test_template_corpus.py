"""The real SAR templates of the corpus: load, extract, round-trip, agree with cfn-lint."""

from __future__ import annotations

import datetime
import re
from typing import Any

import cfnlint.decode
import pytest
from corpus import CORPUS

from client.errors import MetadataError, TemplateStructureError
from client.template import LocationKind, dump_template, load_template, parse_template

NO_RESOURCES = (
    "awslabs__aws-sam-cli__tests_integration_testdata_package_aws-serverlessrepo-application.yaml"
)
PLACEHOLDER_NAME = (
    "awslabs__aws-sam-cli__tests_integration_testdata_publish_template_create_app.yaml"
)
BROKEN = {NO_RESOURCES, PLACEHOLDER_NAME}


def _table() -> dict[str, list[str]]:
    """The README's table: file -> [params, conditions, outputs, nested, metadata version]."""
    rows = {}
    for line in (CORPUS / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].endswith(".yaml"):
            rows[cells[0]] = cells[1:]
    return rows


TABLE = _table()
FILES = sorted(path.name for path in CORPUS.glob("*.yaml"))
GOOD = [name for name in FILES if name not in BROKEN]


def test_the_table_covers_the_corpus() -> None:
    assert len(FILES) == 33
    assert set(TABLE) == set(FILES)


@pytest.mark.parametrize("name", GOOD)
def test_extraction_matches_the_readme_table(name: str) -> None:
    params, conditions, outputs, nested, version = TABLE[name]
    template = parse_template((CORPUS / name).read_bytes(), source=name)

    assert len(template.parameters) == int(params)
    assert len(template.conditions) == int(conditions)
    assert len(template.outputs) == int(outputs)
    assert _describe_references(template.references) == ("" if nested == "-" else nested)
    semantic_version = template.metadata.semantic_version if template.metadata else None
    assert semantic_version == (None if version.startswith("-") else version)
    assert template.is_sam


def _describe_references(references: Any) -> str:
    parts = []
    for ref in references:
        if ref.kind is LocationKind.SAR:
            app = ref.sar_application_id.rsplit("/", 1)[1]
            parts.append(f"{ref.logical_id}->SAR:{app}@{ref.version_spec}")
        else:
            assert ref.kind is LocationKind.LOCAL
            parts.append(f"{ref.logical_id}->local:{ref.location}")
    return ", ".join(parts)


def test_the_twitter_example_has_no_metadata_at_all() -> None:
    name = "awslabs__aws-serverless-twitter-event-source__template.yaml"
    assert parse_template((CORPUS / name).read_bytes()).metadata is None


def test_metadata_fields_are_extracted_whole() -> None:
    name = "SumoLogic__sumologic-aws-lambda__sumologic-app-utils_sumo_app_utils.yaml"
    metadata = parse_template((CORPUS / name).read_bytes()).metadata
    assert metadata is not None
    assert metadata.name == "sumologic-app-utils"
    assert metadata.author == "Sumo Logic"  # breaks SAR's documented regex; accepted on purpose
    assert metadata.semantic_version == "2.0.21"
    assert metadata.home_page_url == "https://github.com/SumoLogic/sumologic-aws-lambda"


def test_a_template_without_resources_is_refused_naming_it() -> None:
    with pytest.raises(TemplateStructureError) as caught:
        parse_template((CORPUS / NO_RESOURCES).read_bytes(), source=NO_RESOURCES)
    assert NO_RESOURCES in str(caught.value)
    assert "no Resources" in str(caught.value)
    assert caught.value.path == "Resources"


def test_a_placeholder_application_name_is_refused() -> None:
    with pytest.raises(MetadataError) as caught:
        parse_template((CORPUS / PLACEHOLDER_NAME).read_bytes(), source=PLACEHOLDER_NAME)
    message = str(caught.value)
    assert PLACEHOLDER_NAME in message
    assert "'<application-name>' is not a valid name" in message
    assert caught.value.path == "Metadata.AWS::ServerlessRepo::Application.Name"


@pytest.mark.parametrize("name", FILES)
def test_load_dump_load_is_lossless_and_stable(name: str) -> None:
    document = load_template((CORPUS / name).read_bytes(), source=name)
    dumped = dump_template(document)

    assert load_template(dumped) == document
    assert dump_template(load_template(dumped)) == dumped
    assert list(load_template(dumped)) == list(document)  # the document's own key order


@pytest.mark.parametrize("name", FILES)
def test_long_forms_agree_with_cfn_lint(name: str) -> None:
    text = (CORPUS / name).read_text()
    ours = load_template(text)
    theirs, errors = cfnlint.decode.decode_str(text)
    assert not errors
    assert ours == _plain(theirs)

    reread, errors = cfnlint.decode.decode_str(dump_template(ours))
    assert not errors
    assert ours == _plain(reread)


def _plain(value: Any) -> Any:
    """cfn-lint's node types as plain values; it reads 2010-09-09 as a date where we keep text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def test_version_strings_stay_strings() -> None:
    name = "lumigo-io__SAR-Propagate-CFN-Tags__template.yaml"
    document = load_template((CORPUS / name).read_bytes())
    assert document["AWSTemplateFormatVersion"] == "2010-09-09"
    assert re.search(r"^AWSTemplateFormatVersion: '2010-09-09'$", dump_template(document), re.M)

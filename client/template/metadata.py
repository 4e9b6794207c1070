"""``Metadata: AWS::ServerlessRepo::Application``, checked against SAR's CreateApplication rules."""

from __future__ import annotations

import re
from typing import Any

from client.errors import InvalidVersionError, MetadataError
from client.names import parse_version
from client.template.describe import kind_of
from client.template.model import AppMetadata

SECTION = "AWS::ServerlessRepo::Application"
PATH = f"Metadata.{SECTION}"

NAME_RE = re.compile(r"[A-Za-z0-9-]{1,140}")
LABEL_RE = re.compile(r"[A-Za-z0-9+\-_:/@]{1,127}")
SPDX_RE = re.compile(r"[A-Za-z0-9.+-]{1,100}")
# SAR documents ^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$ for Author, yet real published
# applications say "Sumo Logic" and "Eiji KOMINAMI": only length and printability are checked.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # newlines and tabs are fine
MAX_LABELS = 10
MAX_URL = 5000

# SAR's field names, and the snake_case ones that publish's metadata JSON may use instead.
FIELDS = {
    "Name": "name",
    "Description": "description",
    "Author": "author",
    "SpdxLicenseId": "spdx_license_id",
    "LicenseUrl": "license_url",
    "ReadmeUrl": "readme_url",
    "Labels": "labels",
    "HomePageUrl": "home_page_url",
    "SemanticVersion": "semantic_version",
    "SourceCodeUrl": "source_code_url",
}
URL_FIELDS = ("LicenseUrl", "ReadmeUrl", "HomePageUrl", "SourceCodeUrl")


def metadata_section(document: dict[str, Any]) -> Any:
    """The raw SAR metadata of a template, or None when it has none."""
    metadata = document.get("Metadata")
    return metadata.get(SECTION) if isinstance(metadata, dict) else None


def parse_metadata(raw: Any, *, source: str = "<template>", path: str = PATH) -> AppMetadata:
    """Validate SAR application metadata given with SAR's names or snake_case ones."""
    if not isinstance(raw, dict):
        raise MetadataError(f"must be a mapping, not {kind_of(raw)}", source=source, path=path)
    values = _by_sar_name(raw)
    check = _Checker(source, path)
    return AppMetadata(
        name=check.name(values.get("Name")),
        description=check.text("Description", values.get("Description"), 256),
        author=check.text("Author", values.get("Author"), 127),
        spdx_license_id=check.spdx(values.get("SpdxLicenseId")),
        license_url=check.url("LicenseUrl", values.get("LicenseUrl")),
        readme_url=check.url("ReadmeUrl", values.get("ReadmeUrl")),
        labels=check.labels(values.get("Labels")),
        home_page_url=check.url("HomePageUrl", values.get("HomePageUrl")),
        semantic_version=check.version(values.get("SemanticVersion")),
        source_code_url=check.url("SourceCodeUrl", values.get("SourceCodeUrl")),
    )


def _by_sar_name(raw: dict[Any, Any]) -> dict[str, Any]:
    # Other keys are ignored, as `sam publish` ignores them; null counts as absent.
    snake_to_sar = {snake: sar for sar, snake in FIELDS.items()}
    return {snake_to_sar.get(key, key): value for key, value in raw.items() if value is not None}


class _Checker:
    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path

    def fail(self, field: str, message: str) -> MetadataError:
        return MetadataError(message, source=self.source, path=f"{self.path}.{field}")

    def name(self, value: Any) -> str:
        text = self.text("Name", value, 140)
        if not NAME_RE.fullmatch(text):
            raise self.fail(
                "Name", f"{text!r} is not a valid name: use 1-140 of A-Z, a-z, 0-9 and '-'"
            )
        return text

    def text(self, field: str, value: Any, limit: int) -> str:
        if value is None:
            raise self.fail(field, f"{field} is required")
        if not isinstance(value, str):
            raise self.fail(field, f"must be text, not {kind_of(value)}")
        if not value.strip() or len(value) > limit:
            raise self.fail(field, f"must be 1-{limit} characters, not {len(value)}")
        if CONTROL_RE.search(value):
            raise self.fail(field, "must not contain control characters")
        return value

    def spdx(self, value: Any) -> str | None:
        if value is not None and not (isinstance(value, str) and SPDX_RE.fullmatch(value)):
            raise self.fail("SpdxLicenseId", f"{value!r} is not an SPDX license id such as MIT")
        return value

    def url(self, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL:
            raise self.fail(field, f"must be a URL or path of 1-{MAX_URL} characters")
        return value

    def labels(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > MAX_LABELS:
            raise self.fail("Labels", f"must be a list of at most {MAX_LABELS} labels")
        for label in value:
            if not isinstance(label, str) or not LABEL_RE.fullmatch(label):
                raise self.fail(
                    "Labels", f"{label!r} is not a label: use 1-127 of A-Z, a-z, 0-9 and +-_:/@"
                )
        return tuple(value)

    def version(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(
                "SemanticVersion",
                f"YAML read {value!r} as {kind_of(value)}, not a version: "
                "write three parts (1.0.0) or quote it",
            )
        try:
            parse_version(value)
        except InvalidVersionError as error:
            raise self.fail("SemanticVersion", error.message) from None
        return value

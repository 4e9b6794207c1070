"""What ``nestry publish`` sends: metadata (as ``sam publish`` reads it), template and bundle.

Metadata comes from ``Metadata: AWS::ServerlessRepo::Application``; flags fill in or override
its fields (so a template without the section can be published too). A local ``ReadmeUrl`` /
``LicenseUrl`` file is read and uploaded; local code and child templates go into the bundle
(``client.publish.packing`` explains the layout). Nothing here talks to the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.errors import MetadataError, NestryError
from client.names import AppId, parse_version, validate_namespace
from client.publish.packing import BundlePlan, apply_rewrites, plan_bundle
from client.publish.tarball import pack
from client.template import AppMetadata, dump_template, load_template, parse_metadata
from client.template.metadata import metadata_section

MAX_DOC_BYTES = 1024 * 1024  # readme and license files
_NO_METADATA_HINT = "No AWS::ServerlessRepo::Application: pass --name, --description, --author."
_SAR_NAMES = {"readme_url": "ReadmeUrl", "license_url": "LicenseUrl"}


class PublishInputError(NestryError):
    code = "invalid_publish"
    hint = "Pass --namespace (or set `namespace` in the config) and --version (or SemanticVersion)."


@dataclass(frozen=True)
class PublishPlan:
    app: AppId
    version: str
    template: bytes
    metadata: dict[str, Any]
    readme: bytes | None
    license: bytes | None
    bundle: bytes | None
    bundle_files: dict[str, int]  # bundle path -> size
    rewritten: bool  # the template was re-serialized with in-bundle paths


def merge_metadata(section: Any, overrides: dict[str, Any], *, source: str) -> AppMetadata:
    """The template's metadata section with ``overrides`` (SAR field names) laid over it."""
    if section is not None and not isinstance(section, dict):
        raise MetadataError("must be a mapping", source=source, path="Metadata")
    merged = dict(section or {})
    merged.update({key: value for key, value in overrides.items() if value not in (None, ())})
    if "Labels" in merged and isinstance(merged["Labels"], tuple):
        merged["Labels"] = list(merged["Labels"])
    try:
        return parse_metadata(merged, source=source)
    except MetadataError as error:
        if section is None:
            error.hint = _NO_METADATA_HINT
        raise


def prepare(
    template_path: Path,
    *,
    namespace: str | None,
    version: str | None,
    overrides: dict[str, Any],
) -> PublishPlan:
    """Read the template and everything it names; raise a ``NestryError`` on any problem."""
    source = str(template_path)
    raw = _read(template_path, limit=MAX_DOC_BYTES)
    document = load_template(raw, source=source)
    metadata = merge_metadata(metadata_section(document), overrides, source=source)
    version = version or metadata.semantic_version
    if not namespace:
        raise PublishInputError(
            f"{source}: no namespace to publish under",
            hint="Pass --namespace (or set `namespace` in the config file).",
        )
    if not version:
        raise PublishInputError(
            f"{source}: no version to publish",
            hint="Pass --version, or set SemanticVersion in the template's "
            "AWS::ServerlessRepo::Application metadata.",
        )
    app = AppId(validate_namespace(namespace), metadata.name)
    parse_version(version)
    plan = plan_bundle(template_path, document)
    fields = metadata.to_dict() | {"semantic_version": version}
    readme = _local_doc(template_path, metadata.readme_url, fields, "readme_url")
    license_ = _local_doc(template_path, metadata.license_url, fields, "license_url")
    return PublishPlan(
        app=app,
        version=version,
        template=_template_bytes(raw, document, plan),
        metadata=fields,
        readme=readme,
        license=license_,
        bundle=pack(plan.files) if plan.files else None,
        bundle_files={name: path.stat().st_size for name, path in plan.files.items()},
        rewritten=bool(plan.rewrites),
    )


def _template_bytes(raw: bytes, document: dict[str, Any], plan: BundlePlan) -> bytes:
    """The bytes as written, unless paths had to be rewritten to their in-bundle form."""
    if not plan.rewrites:
        return raw
    return dump_template(apply_rewrites(document, plan.rewrites)).encode("utf-8")


def _local_doc(
    template_path: Path, url: str | None, fields: dict[str, Any], key: str
) -> bytes | None:
    """Read a ReadmeUrl/LicenseUrl that names a local file; a URL stays in the metadata."""
    if not url or "://" in url:
        return None
    fields[key] = None  # the registry serves the uploaded file; a local path means nothing there
    path = template_path.parent / url
    if not path.is_file():
        raise MetadataError(
            f"{url!r} is not a file (looked for {path})",
            source=str(template_path),
            path=f"Metadata.AWS::ServerlessRepo::Application.{_SAR_NAMES[key]}",
            hint="Create the file (relative to the template) or give an https:// URL instead.",
        )
    return _read(path, limit=MAX_DOC_BYTES)


def _read(path: Path, *, limit: int) -> bytes:
    try:
        with path.open("rb") as src:
            data = src.read(limit + 1)
    except OSError as exc:
        raise PublishInputError(
            f"cannot read {path}: {exc.strerror}", hint="Check the path."
        ) from None
    if len(data) > limit:
        raise PublishInputError(f"{path} is larger than {limit} bytes", hint="Shrink the file.")
    return data

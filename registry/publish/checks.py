"""Publish checks that need no database: names, permission, template, metadata, bundle, and
the template's local paths (each must name a file of the bundle: ``unsafe_local_path``).

``authorize`` runs before the body is read; ``check_request`` on the body. Nothing is stored.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from client.names import parse_version, validate_app_name, validate_namespace
from client.template import Limits, Template, parse_template
from client.template.local_paths import escapes
from registry.auth.access import can_publish
from registry.auth.credentials import Principal
from registry.blobs.files import digest_of
from registry.db.models import utcnow
from registry.errors import Forbidden, Unauthorized, Unprocessable
from registry.publish import metadata
from registry.publish.bundles import BundleInfo, BundleLimits, check_bundle
from registry.publish.child_capabilities import version_capabilities
from registry.state import RegistryState


@dataclass(frozen=True)
class PublishInput:
    template: bytes
    metadata: dict[str, Any]  # already ``metadata.normalize``d
    readme: str | None = None
    license: str | None = None
    bundle: bytes | None = None
    template_path: str | None = None  # where the template sits inside the bundle
    tag: str | None = None  # a dist-tag (never ``latest``) to point at it; ``latest`` stays


@dataclass(frozen=True)
class Checked:
    """A publish that passed every check that needs no database."""

    namespace: str
    name: str
    version: str
    template: Template
    metadata: dict[str, Any]
    digest: str
    bundle_digest: str | None
    bundle: BundleInfo | None
    template_dir: str  # the template's directory inside the bundle ("" = its root)
    template_path: str | None = None  # the template's normalised place in the bundle (root)
    capabilities: tuple[str, ...] | None = None  # local child templates' included (None: its own)


def version_values(app_id: int, checked: Checked, data: PublishInput) -> dict[str, Any]:
    """The ``versions`` row (by column name) a checked publish stores; every column but ``id``,
    so that the answer to the publish can be given without reading the row back."""
    semver = parse_version(checked.version)
    template = checked.template
    return {
        "app_id": app_id,
        "version": checked.version,
        "major": semver.major,
        "minor": semver.minor,
        "patch": semver.patch,
        "prerelease": semver.prerelease,
        "digest": checked.digest,
        "template_size": len(data.template),
        "bundle_digest": checked.bundle_digest,
        "bundle_size": len(data.bundle) if data.bundle is not None else None,
        "template_path": checked.template_path,
        "parameters": {key: p.to_cfn() for key, p in template.parameters.items()},
        "outputs": {key: o.to_cfn() for key, o in template.outputs.items()},
        "capabilities": list(
            template.capabilities if checked.capabilities is None else checked.capabilities
        ),
        "metadata": checked.metadata,
        "readme": data.readme,
        "license": data.license,
        "yanked": False,
        "yanked_reason": None,
        "deprecated": None,
        "downloads": 0,
        "published_at": utcnow(),
        "publisher_id": None,
    }


def authorize(principal: Principal, ns: str, name: str, version: str) -> None:
    """Checks that need no body: run them before reading it."""
    validate_namespace(ns)
    validate_app_name(name)
    parse_version(version)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "publishing needs a token")
    if not can_publish(principal, ns):
        raise Forbidden("forbidden", f"this token may not publish to the namespace {ns!r}")


def check_request(
    state: RegistryState, ns: str, name: str, version: str, data: PublishInput
) -> Checked:
    """Checks of the body that need no database: template, metadata, bundle."""
    settings = state.settings
    limits = Limits(max_bytes=settings.max_template_bytes)
    template = parse_template(data.template, source="template", limits=limits)
    merged = metadata.merge(template.metadata, data.metadata, name=name, version=version)
    bundle = None
    if data.bundle is not None:
        limit = BundleLimits(settings.max_unpacked_bytes, settings.max_bundle_members)
        bundle = check_bundle(data.bundle, limit)
    place = _template_path(data.template_path)
    _check_place(place, bundle)
    template_dir = posixpath.dirname(place) if place else ""
    _check_local_paths(template, template_dir, bundle)
    capabilities = version_capabilities(
        template, data.bundle, template_dir, settings.max_template_bytes
    )
    return Checked(
        ns,
        name,
        version,
        template,
        merged,
        digest_of(data.template),
        digest_of(data.bundle) if data.bundle is not None else None,
        bundle,
        template_dir,
        place,
        capabilities,
    )


def _check_local_paths(template: Template, template_dir: str, bundle: BundleInfo | None) -> None:
    """422 ``unsafe_local_path`` for the first local code, template or document path that does
    not stay inside the version's own files (``client.template.local_paths``): installed, it
    would make ``sam package`` upload the consumer's files."""
    files = bundle.files if bundle is not None else None
    nested = {
        ("Resources", ref.logical_id, "Properties", "Location") for ref in template.references
    }
    for local, reason in escapes(template.document, template_dir, files):
        if local.key_path in nested:
            continue  # a nested template: ``registry.publish.nested.check_local`` answers it
        raise Unprocessable(
            "unsafe_local_path",
            f"{local.where}: {local.value!r} {reason}; local paths must name files of the "
            "bundle published with the template",
        )


def _template_path(raw: str | None) -> str | None:
    """The normalised bundle-relative file path (None: the root), as install will read it.

    Refuses what ``client.install.pins.checked_template_path`` would refuse, so that no stored
    version
    is one that install cannot place.
    """
    if not raw:
        return None
    normalized = posixpath.normpath(raw)
    if raw.startswith("/") or normalized == ".." or normalized.startswith("../"):
        raise Unprocessable("invalid_template_path", "template_path must stay inside the bundle")
    if normalized == "." or raw.endswith("/") or "\\" in raw or "\0" in raw:
        raise Unprocessable(
            "invalid_template_path",
            f"template_path {raw!r} must name the template file inside the bundle, with '/' "
            "as separator (e.g. sam/app/template.yaml)",
        )
    return normalized


def _check_place(place: str | None, bundle: BundleInfo | None) -> None:
    """A place inside the bundle needs a bundle, and must not be one of its directories.

    The template itself need not be in the bundle: install writes the published template at
    ``place`` (over any copy the bundle holds there), but refuses when a directory is there.
    """
    if place is None:
        return
    if bundle is None:
        raise Unprocessable(
            "invalid_template_path",
            f"template_path {place!r} names a place inside the bundle, but no bundle was sent; "
            "send the bundle, or leave template_path out",
        )
    inside = place + "/"
    if any(path.startswith(inside) for path in bundle.files):
        raise Unprocessable(
            "invalid_template_path",
            f"template_path {place!r} is a directory in the bundle; name the template file "
            f"(e.g. {place}/template.yaml)",
        )

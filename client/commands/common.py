"""Helpers shared by the commands: ``APP[@RANGE]`` specs and resolving them to a version."""

from __future__ import annotations

from typing import Any

from client.api.client import RegistryClient, RegistryError
from client.commands.failures import usage_failure
from client.errors import InvalidVersionError
from client.names import AppId, parse_app_id, parse_version
from client.ranges import Range, is_dist_tag


def parse_spec(text: str) -> tuple[AppId, str | None]:
    """``acme/app``, ``acme/app@^2.0.0``, ``acme/app@latest`` -> (id, range or None)."""
    app_text, at, spec = text.partition("@")
    app = parse_app_id(app_text.strip())
    if not at:
        return app, None
    spec = spec.strip()
    if not is_dist_tag(spec):
        Range.parse(spec)  # raises InvalidRangeError with the reason
    return app, spec


def parse_exact(text: str) -> tuple[AppId, str]:
    """``acme/app@1.2.3`` with an exact version (for yank, deprecate, dist-tag add)."""
    app, spec = parse_spec(text)
    if spec is None:
        raise InvalidVersionError(
            f"{text!r} names no version: write APP@VERSION such as acme/app@1.2.3"
        )
    parse_version(spec)
    return app, spec


def checked_tag(tag: str) -> str:
    """``tag`` if it is a dist-tag name, else a usage failure (a range is not one)."""
    if not is_dist_tag(tag):
        raise usage_failure(
            f"{tag!r} is not a dist-tag name", "Use a name such as beta or stable (not a range)."
        )
    return tag


def resolve_version(client: RegistryClient, app: AppId, spec: str | None) -> str:
    """The version ``spec`` (default: the ``latest`` dist-tag) picks, per the registry."""
    result = client.resolve([(app.display, spec or "latest")], recursive=False)[0]
    error = result.get("error")
    if isinstance(error, dict):
        status = 404 if error.get("code") in ("app_not_found", "no_matching_version") else 422
        raise RegistryError(str(error.get("message")), status=status, code=str(error.get("code")))
    return str(result["version"])


def versions_of(app_document: dict[str, Any]) -> list[dict[str, Any]]:
    versions = app_document.get("versions")
    return [v for v in versions if isinstance(v, dict)] if isinstance(versions, list) else []

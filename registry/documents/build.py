"""The JSON documents of docs/ARCHITECTURE.md "HTTP shapes": app and version.

Bodies are rendered once into bytes (``render``); the version document is split into a head
of fields that can change (yank, deprecation, downloads) and an immutable tail, cached
rendered per version by the read endpoint.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime
from typing import Any, Protocol

import semver
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.names import parse_version
from client.paths import version_path
from registry.auth.credentials import as_utc
from registry.db.models import App, Dependency, DistTag, Version


class VersionFields(Protocol):
    version: str
    digest: str
    published_at: datetime
    yanked: bool
    yanked_reason: str | None
    deprecated: str | None
    downloads: int


def iso(moment: datetime | None) -> str | None:
    utc = as_utc(moment)
    return utc.isoformat().replace("+00:00", "Z") if utc else None


def render(document: dict[str, Any]) -> tuple[bytes, str]:
    """Compact UTF-8 JSON and its ETag."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return body, etag_of(body)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match_hits(header: str, etag: str) -> bool:
    """Does an ``If-None-Match`` header name ``etag`` (weak or strong) or ``*``?"""
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def version_base(version: VersionFields) -> dict[str, Any]:
    """The fields the app document lists per version (and the version document starts with)."""
    return {
        "version": version.version,
        "digest": version.digest,
        "published_at": iso(version.published_at),
        "yanked": version.yanked,
        "yanked_reason": version.yanked_reason,
        "deprecated": version.deprecated,
        "downloads": version.downloads,
    }


def dependency_entry(row: Dependency) -> dict[str, Any]:
    return {
        "logical_id": row.logical_id,
        "kind": row.kind,
        "application": row.target_app or row.external_id,
        "range": row.range,
        "location": row.location,
    }


async def version_tail(session: AsyncSession, app_id: str, version: Version) -> dict[str, Any]:
    """The immutable rest of a version document."""
    deps = await session.scalars(
        sa.select(Dependency).where(Dependency.version_id == version.id).order_by(Dependency.id)
    )
    path = version_path(app_id, version.version)
    return {
        "parameters": version.parameters,
        "outputs": version.outputs,
        "capabilities": version.capabilities,
        "dependencies": [dependency_entry(row) for row in deps],
        "metadata": version.app_metadata,
        "readme": version.readme,
        "template_url": f"{path}/template",
        "bundle_url": f"{path}/bundle" if version.bundle_digest else None,
        "bundle_digest": version.bundle_digest,
        "template_path": version.template_path,
    }


async def version_tail_bytes(session: AsyncSession, app_id: str, version_id: int) -> bytes | None:
    """The immutable part of a version document as JSON members without braces (``None`` when
    the version is gone), to be joined to a fresh head by ``join_version``."""
    full = await session.get(Version, version_id)
    if full is None:
        return None
    return render(await version_tail(session, app_id, full))[0][1:-1]


def join_version(app_id: str, row: VersionFields, tail: bytes) -> bytes:
    """The version document's bytes: its changeable head, then the cached immutable tail."""
    return render(version_head(app_id, row))[0][:-1] + b"," + tail + b"}"


def version_head(app_id: str, version: VersionFields) -> dict[str, Any]:
    return {"application": app_id, **version_base(version)}


async def version_document(session: AsyncSession, app_id: str, version: Version) -> dict[str, Any]:
    return {**version_head(app_id, version), **await version_tail(session, app_id, version)}


@functools.lru_cache(maxsize=65_536)
def precedence(version: str) -> tuple[semver.Version, str]:
    """SemVer precedence, ties (build metadata) by text, as ``client.ranges.sort_versions``."""
    return parse_version(version), version


async def app_document(session: AsyncSession, namespace: str, app: App) -> dict[str, Any]:
    app_id = f"{namespace}/{app.name}"
    columns = [getattr(Version, name) for name in VersionFields.__annotations__]
    rows = (await session.execute(sa.select(*columns).where(Version.app_id == app.id))).all()
    tags = await session.execute(
        sa.select(DistTag.tag, Version.version)
        .join(Version, Version.id == DistTag.version_id)
        .where(DistTag.app_id == app.id)
        .order_by(DistTag.tag)
    )
    return {
        "application": app_id,
        "namespace": namespace,
        "name": app.name,
        "description": app.description,
        "author": app.author,
        "labels": list(app.labels or []),
        "home_page_url": app.home_page_url,
        "source_code_url": app.source_code_url,
        "spdx_license_id": app.spdx_license_id,
        "visibility": app.visibility,
        "dist_tags": {tag: version for tag, version in tags},
        "downloads": app.downloads,
        "created_at": iso(app.created_at),
        "updated_at": iso(app.updated_at),
        "versions": [
            version_base(row) for row in sorted(rows, key=lambda r: precedence(r.version))
        ],
    }

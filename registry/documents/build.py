"""The JSON documents of docs/ARCHITECTURE.md "HTTP shapes": app and version, built by pure
functions from what the database holds (``registry.documents.queries`` reads it).

Each document is one function of plain values (``app_document``, ``version_document``) that
builds its declared shape (``registry.documents.shapes``: what the OpenAPI document states), so a
field the shape lacks fails when the document is built, never ships unstated; bodies are
rendered once into bytes (``render``, msgspec) and kept by the documents service
(``registry.documents.service``). Download counts are an argument, not part of the stored
values: they change every few seconds and must not make anything else be read again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import msgspec
import semver

from client.names import parse_version
from client.paths import version_path
from registry.auth.credentials import as_utc
from registry.documents.shapes import AppDocument, Dependency, VersionDocument, VersionSummary
from registry.serving.shapes import Shape


class VersionFields(Protocol):
    @property
    def version(self) -> str: ...

    @property
    def digest(self) -> str: ...

    @property
    def published_at(self) -> datetime: ...

    @property
    def yanked(self) -> bool: ...

    @property
    def yanked_reason(self) -> str | None: ...

    @property
    def deprecated(self) -> str | None: ...

    @property
    def downloads(self) -> int: ...


class DependencyFields(Protocol):
    @property
    def logical_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def target_app(self) -> str | None: ...

    @property
    def external_id(self) -> str | None: ...

    @property
    def range(self) -> str | None: ...

    @property
    def location(self) -> str | None: ...


class ImmutableFields(Protocol):
    """What a version keeps forever (besides version and digests)."""

    @property
    def version(self) -> str: ...

    @property
    def parameters(self) -> Any: ...

    @property
    def outputs(self) -> Any: ...

    @property
    def capabilities(self) -> Any: ...

    @property
    def app_metadata(self) -> Any: ...

    @property
    def readme(self) -> str | None: ...

    @property
    def bundle_digest(self) -> str | None: ...

    @property
    def template_path(self) -> str | None: ...


@dataclass(frozen=True)
class VersionInfo:
    """A version's row as the read path keeps it: ids, digests, changeable fields."""

    id: int
    version: str
    digest: str
    bundle_digest: str | None
    published_at: datetime
    yanked: bool
    yanked_reason: str | None
    deprecated: str | None
    downloads: int  # when read; documents take counts from ``Counts``


@dataclass(frozen=True)
class AppInfo:
    """An app's row and the fields of its document, except download counts."""

    id: int
    namespace: str
    name: str  # as its publisher spelled it
    fields: Mapping[str, Any]  # description, author, labels, urls, license, visibility, times
    dist_tags: Mapping[str, str]
    versions: Sequence[VersionInfo]  # in SemVer precedence

    @property
    def application(self) -> str:
        return f"{self.namespace}/{self.name}"

    @functools.cached_property
    def by_version(self) -> Mapping[str, VersionInfo]:
        return {row.version: row for row in self.versions}


@dataclass(frozen=True)
class Counts:
    """Download counts of an app and of each of its versions (by version id)."""

    app: int
    versions: Mapping[int, int]


def iso(moment: datetime | None) -> str | None:
    utc = as_utc(moment)
    return utc.isoformat().replace("+00:00", "Z") if utc else None


def render(document: Shape | Mapping[str, Any]) -> tuple[bytes, str]:
    """Compact UTF-8 JSON and its ETag: a declared shape (or a mapping of shapes and plain
    values, as ``version_tail``) encoded by msgspec; every field is present (``Shape`` keeps
    defaults and nulls)."""
    body = msgspec.json.encode(document)
    return body, etag_of(body)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match_hits(header: str, etag: str) -> bool:
    """Does an ``If-None-Match`` header name ``etag`` (weak or strong) or ``*``?"""
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def version_base(version: VersionFields, downloads: int | None = None) -> VersionSummary:
    """The fields the app document lists per version (and the version document starts with)."""
    return VersionSummary(
        version=version.version,
        digest=version.digest,
        published_at=_utc(version.published_at),
        yanked=version.yanked,
        yanked_reason=version.yanked_reason,
        deprecated=version.deprecated,
        downloads=version.downloads if downloads is None else downloads,
    )


def _utc(moment: datetime) -> datetime:
    """A stored moment as UTC (SQLite hands back naive ones): msgspec writes it ``...Z``."""
    utc = as_utc(moment)
    assert utc is not None
    return utc


def dependency_entry(row: DependencyFields) -> Dependency:
    return Dependency(
        logical_id=row.logical_id,
        kind=row.kind,  # type: ignore[arg-type]  # the column holds one of Dependency's kinds
        application=row.target_app or row.external_id,
        range=row.range,
        location=row.location,
    )


def version_tail(
    app_id: str, version: ImmutableFields, dependencies: Sequence[DependencyFields]
) -> dict[str, Any]:
    """The immutable rest of a version document (it never changes once published): keyword
    arguments of ``VersionDocument``, kept by the documents service as a mapping (``render``
    takes it as is; ``version_document`` refuses a key the shape does not declare)."""
    path = version_path(app_id, version.version)
    return {
        "parameters": version.parameters,
        "outputs": version.outputs,
        "capabilities": version.capabilities,
        "dependencies": [dependency_entry(row) for row in dependencies],
        "metadata": version.app_metadata,
        "readme": version.readme,
        "template_url": f"{path}/template",
        "bundle_url": f"{path}/bundle" if version.bundle_digest else None,
        "bundle_digest": version.bundle_digest,
        "template_path": version.template_path,
    }


def version_document(
    app_id: str, version: VersionFields, tail: Mapping[str, Any], downloads: int | None = None
) -> VersionDocument:
    """The version document: its changeable head, then the immutable ``version_tail`` (a key
    ``VersionDocument`` does not declare is a ``TypeError`` here)."""
    head = msgspec.structs.asdict(version_base(version, downloads))
    return VersionDocument(application=app_id, **head, **tail)


@functools.lru_cache(maxsize=65_536)
def precedence(version: str) -> tuple[semver.Version, str]:
    """SemVer precedence, ties (build metadata) by text, as ``client.ranges.sort_versions``."""
    return parse_version(version), version


def app_document(app: AppInfo, counts: Counts) -> AppDocument:
    """The app document, with ``counts`` for its downloads."""
    fields = app.fields
    return AppDocument(
        application=app.application,
        namespace=app.namespace,
        name=app.name,
        description=fields["description"],
        author=fields["author"],
        labels=list(fields["labels"] or []),
        home_page_url=fields["home_page_url"],
        source_code_url=fields["source_code_url"],
        spdx_license_id=fields["spdx_license_id"],
        visibility=fields["visibility"],
        dist_tags=dict(sorted(app.dist_tags.items())),
        downloads=counts.app,
        created_at=as_utc(fields["created_at"]),
        updated_at=as_utc(fields["updated_at"]),
        versions=[
            version_base(row, counts.versions.get(row.id, row.downloads)) for row in app.versions
        ],
    )

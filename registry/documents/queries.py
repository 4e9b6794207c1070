"""What the documents service reads from the database: an app's rows, a version's immutable
rest, download counts. Plain values out (``registry.documents.build``), no ORM objects kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from registry.auth.access import AppAccess
from registry.db.models import App, AppGrant, Dependency, DistTag, Namespace, Version
from registry.db.session import Database
from registry.documents.build import AppInfo, Counts, VersionInfo, precedence

_APP_FIELDS = (
    "description",
    "author",
    "labels",
    "home_page_url",
    "source_code_url",
    "spdx_license_id",
    "visibility",
    "created_at",
    "updated_at",
)
_VERSION_COLUMNS = [getattr(Version, field) for field in VersionInfo.__annotations__]


@dataclass(frozen=True)
class LoadedApp:
    info: AppInfo
    access: AppAccess
    counts: Counts


async def load_app(database: Database, namespace: str, name: str) -> LoadedApp | None:
    """The app ``namespace/name`` (canonical spellings), with its versions, tags, grants and
    counts; ``None`` when there is none. Who may read it is the caller's to decide."""
    async with database.reader() as session:
        app = (
            await session.execute(
                sa.select(App.id, App.name, App.downloads, *[getattr(App, f) for f in _APP_FIELDS])
                .join(Namespace, Namespace.id == App.namespace_id)
                .where(Namespace.name == namespace, App.name_canonical == name)
            )
        ).first()
        if app is None:
            return None
        versions = (
            await session.execute(sa.select(*_VERSION_COLUMNS).where(Version.app_id == app.id))
        ).all()
        tags = await session.execute(
            sa.select(DistTag.tag, Version.version)
            .join(Version, Version.id == DistTag.version_id)
            .where(DistTag.app_id == app.id)
        )
        grantee = aliased(Namespace)
        grants = await session.execute(
            sa.select(grantee.name, AppGrant.grantee_user_id)
            .outerjoin(grantee, grantee.id == AppGrant.grantee_namespace_id)
            .where(AppGrant.app_id == app.id)
        )
        tag_map = {tag: version for tag, version in tags}
        grant_rows = grants.all()
    rows = sorted((VersionInfo(**row._mapping) for row in versions), key=_precedence)
    info = AppInfo(
        id=app.id,
        namespace=namespace,
        name=app.name,
        fields={field: getattr(app, field) for field in _APP_FIELDS},
        dist_tags=tag_map,
        versions=tuple(rows),
    )
    access = AppAccess(
        namespace=namespace,
        visibility=app.visibility,
        grant_namespaces=frozenset(ns for ns, _ in grant_rows if ns is not None),
        grant_users=frozenset(user for _, user in grant_rows if user is not None),
    )
    counts = Counts(app.downloads, {row.id: row.downloads for row in rows})
    return LoadedApp(info, access, counts)


def _precedence(row: VersionInfo) -> Any:
    return precedence(row.version)


async def load_counts(database: Database, app_id: int) -> Counts:
    """The download counts of an app and its versions, as flushed so far."""
    async with database.reader() as session:
        total = await session.scalar(sa.select(App.downloads).where(App.id == app_id))
        rows = await session.execute(
            sa.select(Version.id, Version.downloads).where(Version.app_id == app_id)
        )
        return Counts(int(total or 0), {version_id: count for version_id, count in rows})


@dataclass(frozen=True)
class _Dependency:
    logical_id: str
    kind: str
    target_app: str | None
    external_id: str | None
    range: str | None
    location: str | None


async def load_tail_values(
    database: Database, version_id: int
) -> tuple[Any, list[_Dependency]] | None:
    """A version's immutable columns and its dependencies; ``None`` when it is gone."""
    async with database.reader() as session:
        version = await session.get(Version, version_id)
        if version is None:
            return None
        deps = await session.execute(
            sa.select(
                Dependency.logical_id,
                Dependency.kind,
                Dependency.target_app,
                Dependency.external_id,
                Dependency.range,
                Dependency.location,
            )
            .where(Dependency.version_id == version_id)
            .order_by(Dependency.id)
        )
        return version, [_Dependency(*row) for row in deps]

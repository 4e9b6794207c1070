"""Find an app or version the caller may read; anything else is ``app_not_found``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db.models import App, Namespace, Version
from registry.db.session import Database
from registry.documents.build import VersionFields
from registry.errors import NotFound

VersionRow = sa.Row[Any]  # app_id, app_name, visibility, id, bundle_digest, VersionFields


async def find_app(session: AsyncSession, namespace: str, name: str, principal: Principal) -> App:
    """The app ``namespace/name`` (case-insensitive), if ``principal`` may read it."""
    app = (
        await session.scalars(
            sa.select(App)
            .join(Namespace, Namespace.id == App.namespace_id)
            .where(Namespace.name == namespace.lower(), App.name_canonical == name.lower())
            .where(readable_apps(principal))
        )
    ).first()
    if app is None:
        raise NotFound("app_not_found", f"no application {namespace}/{name}")
    return app


async def app_stamp(
    database: Database, namespace: str, name: str, principal: Principal
) -> sa.Row[Any]:
    """``(id, visibility, updated_at, downloads)`` of a readable app: one cheap query."""
    row = await database.first(
        sa.select(App.id, App.visibility, App.updated_at, App.downloads)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Namespace.name == namespace.lower(), App.name_canonical == name.lower())
        .where(readable_apps(principal))
    )
    if row is None:
        raise NotFound("app_not_found", f"no application {namespace}/{name}")
    return row


async def version_row(
    database: Database, namespace: str, name: str, version: str, principal: Principal
) -> VersionRow:
    """App id, name and visibility with the version's id, digests and changeable fields."""
    query = (
        sa.select(
            App.id.label("app_id"),
            App.name.label("app_name"),
            App.visibility,
            Version.id,
            Version.bundle_digest,
            *[getattr(Version, field) for field in VersionFields.__annotations__],
        )
        .join(Namespace, Namespace.id == App.namespace_id)
        .join(Version, Version.app_id == App.id)
        .where(Namespace.name == namespace.lower(), App.name_canonical == name.lower())
        .where(Version.version == version, readable_apps(principal))
    )
    row = await database.first(query)
    if row is None:
        raise NotFound("version_not_found", f"no version {version} of {namespace}/{name}")
    return row


async def find_version(session: AsyncSession, app: App, version: str) -> Version:
    row = (
        await session.scalars(
            sa.select(Version).where(Version.app_id == app.id, Version.version == version)
        )
    ).first()
    if row is None:
        raise NotFound("version_not_found", f"no version {version} of this application")
    return row


async def namespace_name(session: AsyncSession, app: App) -> str:
    name = await session.scalar(sa.select(Namespace.name).where(Namespace.id == app.namespace_id))
    return str(name)

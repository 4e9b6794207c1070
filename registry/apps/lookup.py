"""Find an app or version the caller may read; anything else is ``app_not_found``.

Names arrive as the caller spelled them; ``canonical`` turns them into the one spelling every
lookup and cache uses (``client.names.canonical_app``), or refuses them: 404 on reads (no such
app can exist), 422 on writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.errors import InvalidNameError
from client.names import canonical_app, canonical_namespace
from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db.models import App, Namespace, Version
from registry.errors import NotFound


def canonical(namespace: str, name: str, *, write: bool = False) -> tuple[str, str]:
    """``canonical_app``; a name outside the pattern is ``app_not_found`` (404) on reads and
    ``InvalidNameError`` (422) on writes."""
    try:
        return canonical_app(namespace, name)
    except InvalidNameError:
        if write:
            raise
        raise NotFound("app_not_found", "no such application") from None


def path_app(params: Mapping[str, Any], *, write: bool = False) -> tuple[str, str]:
    """The canonical ``(namespace, name)`` of a route's ``{ns}``/``{name}`` path parameters."""
    return canonical(str(params["ns"]), str(params["name"]), write=write)


def path_namespace(params: Mapping[str, Any]) -> str:
    """The canonical namespace of a route's ``{ns}``; ``namespace_not_found`` (404) if none
    such can exist."""
    try:
        return canonical_namespace(str(params["ns"]))
    except InvalidNameError:
        raise NotFound("namespace_not_found", "no such namespace") from None


async def find_app(session: AsyncSession, namespace: str, name: str, principal: Principal) -> App:
    """The app ``namespace/name`` (any ASCII case), if ``principal`` may read it."""
    namespace, name = canonical(namespace, name)
    app = (
        await session.scalars(
            sa.select(App)
            .join(Namespace, Namespace.id == App.namespace_id)
            .where(Namespace.name == namespace, App.name_canonical == name)
            .where(readable_apps(principal))
        )
    ).first()
    if app is None:
        raise NotFound("app_not_found", f"no application {namespace}/{name}")
    return app


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

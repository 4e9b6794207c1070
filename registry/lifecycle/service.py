"""Lifecycle writes on one app: dist-tags, yank/unyank, deprecate, each in one transaction.

Every write takes the app's row lock first, so it takes turns with publishes of the same app
(which lock it too) and ``latest`` stays consistent; each is written to the audit log.
``latest`` follows the highest non-yanked release not held back (``dist_tags``) unless set
explicitly; yanking the version it points at (explicitly or not) makes it follow again, so
``latest`` never names a yanked version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.apps.lookup import find_app, find_version
from registry.auth.access import can_publish
from registry.auth.credentials import Principal
from registry.db.models import App, DistTag, Version
from registry.db.session import Database
from registry.documents.build import version_base
from registry.errors import Conflict, Forbidden, NotFound, Unauthorized
from registry.lifecycle import dist_tags
from registry.lifecycle.shapes import VersionStatus
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.search import index as search_index


@dataclass
class Target:
    """An app locked for a lifecycle write, and who is writing."""

    session: AsyncSession
    app: App
    app_id: str  # display form, for documents
    namespace: str
    who: Who

    def audit(self, action: str, target: str, **details: Any) -> None:
        audit.record(
            self.session, self.who, action, namespace=self.namespace, target=target, **details
        )


@asynccontextmanager
async def publishable(
    database: Database, principal: Principal, ns: str, name: str, who: Who
) -> AsyncIterator[Target]:
    """The app in a write session, once ``principal`` may publish to it; commits on exit.

    401 for anonymous callers, 404 for an app they may not read, 403 for readers without
    publish rights."""
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "send a token that may publish here")
    async with database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not can_publish(principal, ns):
            raise Forbidden("forbidden", f"this token may not publish to {ns!r}")
        await session.execute(sa.select(App.id).where(App.id == app.id).with_for_update())
        yield Target(session, app, f"{ns}/{app.name}", ns, who)
        await search_index.refresh(session, app.id)  # the indexed readme follows latest
        await session.commit()


async def set_tag(target: Target, tag: str, version_text: str) -> dict[str, str]:
    """Point ``tag`` at an existing, non-yanked version; the app's tags after."""
    version = await find_version(target.session, target.app, version_text)
    if version.yanked:
        raise Conflict("version_yanked", f"{version_text} is yanked; unyank it first")
    await dist_tags.set_tag(target.session, target.app.id, tag, version.id)
    target.audit("tag_move", target.app_id, tag=tag, version=version_text)
    return await dist_tags.tags_of(target.session, target.app.id)


async def drop_tag(target: Target, tag: str) -> dict[str, str]:
    """Remove ``tag`` (404 when the app has none by that name); the app's tags after."""
    if not await dist_tags.drop_tag(target.session, target.app.id, tag):
        raise NotFound("tag_not_found", f"{target.app_id} has no dist-tag {tag!r}")
    target.audit("tag_delete", target.app_id, tag=tag)
    return await dist_tags.tags_of(target.session, target.app.id)


async def change_version(
    target: Target, version_text: str, action: str, **changes: Any
) -> VersionStatus:
    """Set ``changes`` on one version (yank, unyank, deprecate); its lifecycle document."""
    version = await find_version(target.session, target.app, version_text)
    target.audit(action, f"{target.app_id}@{version.version}", **changes)
    for column, value in changes.items():
        setattr(version, column, value)
    await target.session.flush()
    if "yanked" in changes:
        await _follow_if_yanked(target.session, target.app.id, version)
        await dist_tags.recompute_latest(target.session, target.app.id)
    summary = msgspec.structs.asdict(version_base(version))
    return VersionStatus(application=target.app_id, **summary)


async def _follow_if_yanked(session: AsyncSession, app_id: int, version: Version) -> None:
    """An explicit ``latest`` on a version being yanked goes back to following."""
    latest = await session.get(DistTag, (app_id, dist_tags.LATEST))
    if version.yanked and latest is not None and latest.version_id == version.id:
        await dist_tags.drop_tag(session, app_id, dist_tags.LATEST)

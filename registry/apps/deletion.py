"""Deleting an app: refused while versions of other apps nest it, else all of it in one go.

The app, its versions, dist-tags, dependency rows, sharing grants and search document go in one
transaction, audited in that same transaction (audit rows keep names, not foreign keys, so they
outlive the app). Each version leaves a tombstone (``VersionTombstone``): it may be published
again only with the same content. Blobs stay: they are content-addressed and may be shared
with other versions (and a version that comes back needs the same ones).
The app row is locked first (PostgreSQL), and publish locks a child it nests for share, so a
publish that nests this app either commits before the dependents check sees it or fails after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db.models import (
    App,
    AppGrant,
    Dependency,
    DistTag,
    Namespace,
    Version,
    VersionTombstone,
    utcnow,
)
from registry.db.upsert import insert_ignore
from registry.errors import Conflict, NotFound
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.search import index as search_index

_SHOWN = 5  # dependents named in the refusal


async def delete_app(
    session: AsyncSession, app: App, namespace: str, principal: Principal, who: Who
) -> list[str]:
    """Delete ``app`` of ``namespace`` (the caller commits); return its deleted versions."""
    locked = await session.scalar(sa.select(App.id).where(App.id == app.id).with_for_update())
    if locked is None:  # deleted by a concurrent call since it was found
        raise NotFound("app_not_found", f"no application {namespace}/{app.name}")
    target = f"{namespace}/{app.name}"
    await _refuse_if_nested(session, app, f"{namespace}/{app.name_canonical}", principal, target)
    rows = (
        await session.execute(
            sa.select(Version.version, Version.digest, Version.bundle_digest, Version.template_path)
            .where(Version.app_id == app.id)
            .order_by(Version.id)
        )
    ).all()
    versions = [row.version for row in rows]
    await _bury(session, namespace, app.name_canonical, rows)
    version_ids = sa.select(Version.id).where(Version.app_id == app.id)
    # Explicit deletes rather than ON DELETE CASCADE: nothing depends on the connection's
    # foreign-key pragma (SQLite), and the order keeps every statement valid on its own.
    for statement in (
        sa.delete(DistTag).where(DistTag.app_id == app.id),
        sa.delete(Dependency).where(Dependency.version_id.in_(version_ids)),
        sa.delete(AppGrant).where(AppGrant.app_id == app.id),
        sa.delete(Version).where(Version.app_id == app.id),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))
    await search_index.remove(session, app.id)
    await session.execute(
        sa.delete(App).where(App.id == app.id).execution_options(synchronize_session=False)
    )
    audit.record(session, who, "app_delete", namespace=namespace, target=target, versions=versions)
    return versions


async def _bury(session: AsyncSession, namespace: str, app: str, rows: Sequence[Any]) -> None:
    """A tombstone per version; one left by an earlier deletion of the same version stays (a
    version can only have come back with the content it holds)."""
    for row in rows:
        values = {
            "namespace": namespace,
            "app": app,
            "version": row.version,
            "digest": row.digest,
            "bundle_digest": row.bundle_digest,
            "template_path": row.template_path,
            "deleted_at": utcnow(),
        }
        await insert_ignore(session, VersionTombstone, values, ["namespace", "app", "version"])


async def _refuse_if_nested(
    session: AsyncSession, app: App, canonical: str, principal: Principal, target: str
) -> None:
    """409 while any version of another app nests ``canonical``; names and counts only the
    readable ones."""
    nesting = (
        sa.select(Namespace.name, App.name, Version.version, readable_apps(principal))
        .distinct()
        .select_from(Dependency)
        .join(Version, Version.id == Dependency.version_id)
        .join(App, App.id == Version.app_id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Dependency.kind == "registry", Dependency.target_app == canonical)
        .where(Version.app_id != app.id)
        .order_by(Namespace.name, App.name, Version.version)
    )
    rows = (await session.execute(nesting)).all()
    if not rows:
        return
    shown = [f"{ns}/{name}@{version}" for ns, name, version, readable in rows if readable]
    hidden = len(shown) < len(rows)
    raise Conflict(
        "app_has_dependents",
        f"{target} is nested by {_nesting_text(shown, hidden)}; deleting it would break their "
        f"installs (GET /v1/apps/{target}/dependents lists them)",
    )


def _nesting_text(shown: list[str], hidden: bool) -> str:
    """Who nests the app, as the caller may know it: the versions it can read, counted and
    named, and only *that* apps it cannot see nest it too: how many would leak their existence."""
    if not shown:
        return "apps you cannot see"
    named = ", ".join(shown[:_SHOWN]) + (" and more" if len(shown) > _SHOWN else "")
    text = f"{len(shown)} version(s) of other apps ({named})"
    return text + (", and by apps you cannot see" if hidden else "")

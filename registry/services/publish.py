"""Publishing a version: validate everything, then store blobs, then rows in one transaction.

Order matters for "a failed publish leaves nothing": every check (names, permission, template,
metadata, bundle, nested references, an existing version) runs before the first byte is
written; blobs are written before the transaction that makes them reachable commits, so no row
ever points at missing bytes. A version is immutable: identical bytes and the same normalised
``template_path`` again → ``created=False`` (200), anything different → 409 ``version_exists``.
Concurrent publishes of one version are decided by the unique constraint (and, on PostgreSQL, a
row lock on the app).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from client.names import parse_version
from registry.auth import Principal
from registry.db.models import App, Dependency, DistTag, Namespace, Version, utcnow
from registry.errors import Conflict
from registry.services import audit, dist_tags, search_index
from registry.services.accounts import ensure_namespace
from registry.services.audit import Who
from registry.services.nested import NestedContext, dependency_rows
from registry.services.publish_checks import Checked, PublishInput
from registry.services.upsert import insert_ignore
from registry.state import RegistryState


async def publish(
    state: RegistryState, principal: Principal, checked: Checked, data: PublishInput, who: Who
) -> tuple[bool, int]:
    """Store the version (audited as ``who``); return ``(created, version_id)``."""
    async with state.database.writer() as session:
        try:
            return await _publish_in(session, state, principal, checked, data, who)
        except IntegrityError:
            await session.rollback()  # a concurrent publish of this version won the race
    async with state.database.reader() as session:
        existing = await _existing(session, checked)
        if existing is None:
            raise Conflict("publish_conflict", "a concurrent change interfered; retry")
        return False, _same_or_conflict(existing, checked)


async def _publish_in(
    session: AsyncSession,
    state: RegistryState,
    principal: Principal,
    checked: Checked,
    data: PublishInput,
    who: Who,
) -> tuple[bool, int]:
    existing = await _existing(session, checked)
    if existing is not None:
        return False, _same_or_conflict(existing, checked)
    context = NestedContext(
        principal,
        state.registry_host,
        checked.bundle.files if checked.bundle else None,
        checked.template_dir,
        checked.namespace,
    )
    deps = await dependency_rows(session, checked.template.references, context)
    await anyio.to_thread.run_sync(_store_blobs, state, data)
    app = await _app_for_update(session, checked, state.settings.default_visibility)
    existing = await _existing(session, checked)  # a publish that held the lock before us
    if existing is not None:
        return False, _same_or_conflict(existing, checked)
    version = _version_row(app.id, checked, data, principal)
    session.add(version)
    await session.flush()  # IntegrityError here when a concurrent publish won
    session.add_all(Dependency(version_id=version.id, **row) for row in deps)
    await dist_tags.recompute_latest(session, app.id)
    if await _is_latest(session, app.id, version.id):
        _apply_metadata(app, checked.metadata)
    app.updated_at = utcnow()
    await session.flush()
    await search_index.refresh(session, app.id)
    target = f"{checked.namespace}/{app.name}@{checked.version}"
    audit.record(session, who, "publish", namespace=checked.namespace, target=target)
    await session.commit()
    return True, version.id


def _store_blobs(state: RegistryState, data: PublishInput) -> None:
    state.blobs.put(data.template)
    if data.bundle is not None:
        state.blobs.put(data.bundle)


async def _existing(session: AsyncSession, checked: Checked) -> Version | None:
    query = (
        sa.select(Version)
        .join(App, App.id == Version.app_id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(Namespace.name == checked.namespace)
        .where(App.name_canonical == checked.name.lower(), Version.version == checked.version)
    )
    return (await session.scalars(query)).first()


def _same_or_conflict(existing: Version, checked: Checked) -> int:
    # The template's place in the bundle is content too: install puts the template there.
    if (existing.digest, existing.bundle_digest, existing.template_path) == (
        checked.digest,
        checked.bundle_digest,
        checked.template_path,
    ):
        return existing.id
    raise Conflict(
        "version_exists",
        f"{checked.namespace}/{checked.name}@{checked.version} is already published with "
        "different content; versions are immutable, publish a new version",
    )


async def _app_for_update(session: AsyncSession, checked: Checked, default: str) -> App:
    """Get or create the app, locked (PostgreSQL) so publishes of one app take turns.

    A new app takes its namespace's default visibility, else the registry's (``default``).
    """
    namespace = await ensure_namespace(session, checked.namespace)
    keys = {"namespace_id": namespace.id, "name_canonical": checked.name.lower()}
    now = utcnow()
    visibility = namespace.default_visibility or default
    values = {**keys, "name": checked.name, "labels": [], "visibility": visibility, "downloads": 0}
    await insert_ignore(session, App, {**values, "created_at": now, "updated_at": now}, list(keys))
    query = sa.select(App).filter_by(**keys).with_for_update()
    return (await session.scalars(query)).one()


def _version_row(
    app_id: int, checked: Checked, data: PublishInput, principal: Principal
) -> Version:
    semver = parse_version(checked.version)
    template = checked.template
    return Version(
        app_id=app_id,
        version=checked.version,
        major=semver.major,
        minor=semver.minor,
        patch=semver.patch,
        prerelease=semver.prerelease,
        digest=checked.digest,
        template_size=len(data.template),
        bundle_digest=checked.bundle_digest,
        bundle_size=len(data.bundle) if data.bundle is not None else None,
        template_path=checked.template_path,
        parameters={key: p.to_cfn() for key, p in template.parameters.items()},
        outputs={key: o.to_cfn() for key, o in template.outputs.items()},
        capabilities=list(template.capabilities),
        app_metadata=checked.metadata,
        readme=data.readme,
        license=data.license,
    )


async def _is_latest(session: AsyncSession, app_id: int, version_id: int) -> bool:
    tags = await session.get(DistTag, (app_id, dist_tags.LATEST))
    return tags is None or tags.version_id == version_id


def _apply_metadata(app: App, merged: dict[str, Any]) -> None:
    """The newest release describes the app (a PATCH may override until the next one)."""
    for field in ("description", "author", "home_page_url", "source_code_url", "spdx_license_id"):
        setattr(app, field, merged.get(field))
    app.labels = list(merged.get("labels") or [])

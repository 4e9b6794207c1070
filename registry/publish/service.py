"""Publishing a version: validate everything, then rows and blobs in one transaction.

Order matters for "a failed publish leaves nothing": the checks that need no database run
before this module (``publish_checks``); here the app is locked (PostgreSQL; SQLite has one
writer at a time), the version row is inserted unless it exists, nested references are checked,
and only then are blobs written, before the transaction that makes them reachable commits: no
row ever points at missing bytes, and a refused publish writes no blob. A version is immutable:
identical bytes and the same normalised ``template_path`` again → ``created=False`` (200, and
its ``tag``, if any, is not moved: the first attempt moved it, or ``dist-tag add`` does),
anything different → 409 ``version_exists``; immutable forever: a version of a deleted app
comes back only with the content its tombstone keeps (else 409 ``version_exists`` too).
Concurrent publishes of one version take turns on
the app's row lock and are decided by the unique constraint.

Round trips are most of what a publish costs, so the usual one (a new version of an existing
app) makes nine on PostgreSQL: BEGIN, lock, insert, tombstone, read ``latest``, move it, one
``UPDATE`` of the app (metadata, ``updated_at``, search vector), audit row, COMMIT; the answer
is built from the values stored, not read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.accounts import ensure_namespace
from registry.auth.credentials import Principal
from registry.db.models import App, Dependency, Namespace, Version, VersionTombstone, utcnow
from registry.db.upsert import insert_new
from registry.errors import Conflict
from registry.lifecycle import dist_tags
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.publish.checks import Checked, PublishInput, version_values
from registry.publish.metadata import app_columns
from registry.publish.nested import NestedContext, dependency_rows
from registry.search import index as search_index
from registry.state import RegistryState

_LOCK = (
    sa.select(App.id, App.name)
    .join(Namespace, Namespace.id == App.namespace_id)
    .where(Namespace.name == sa.bindparam("ns"), App.name_canonical == sa.bindparam("name"))
    .with_for_update(of=App)
)
_EXISTING = (
    sa.select(Version, App.name)
    .join(App, App.id == Version.app_id)
    .join(Namespace, Namespace.id == App.namespace_id)
    .where(Namespace.name == sa.bindparam("ns"), App.name_canonical == sa.bindparam("name"))
    .where(Version.version == sa.bindparam("version"))
)
_TOMBSTONE = sa.select(
    VersionTombstone.digest, VersionTombstone.bundle_digest, VersionTombstone.template_path
).where(
    VersionTombstone.namespace == sa.bindparam("ns"),
    VersionTombstone.app == sa.bindparam("name"),
    VersionTombstone.version == sa.bindparam("version"),
)
_DEPENDENCIES = (
    sa.select(Dependency)
    .where(Dependency.version_id == sa.bindparam("version_id"))
    .order_by(Dependency.id)
)


@dataclass(frozen=True)
class Published:
    """The version as stored (``row`` may be outside any session), for the answer."""

    created: bool
    app_name: str
    row: Version
    dependencies: tuple[Dependency, ...]


async def publish(
    state: RegistryState, principal: Principal, checked: Checked, data: PublishInput, who: Who
) -> Published:
    """Store the version (audited as ``who``)."""
    async with state.database.writer() as session:
        try:
            return await _publish_in(session, state, principal, checked, data, who)
        except IntegrityError:
            await session.rollback()  # a concurrent publish of this version won the race
    async with state.database.reader() as session:
        existing = await existing_version(session, checked)
        if existing is None:
            raise Conflict("publish_conflict", "a concurrent change interfered; retry")
        return existing


async def _publish_in(
    session: AsyncSession,
    state: RegistryState,
    principal: Principal,
    checked: Checked,
    data: PublishInput,
    who: Who,
) -> Published:
    default = state.settings.default_visibility
    app_id, app_name, new_app = await _app_for_update(session, checked, default)
    values = version_values(app_id, checked, data)
    version_id = await insert_new(session, Version, values, ["app_id", "version"])
    if version_id is None:  # published before (perhaps by a publish that held the lock)
        existing = await existing_version(session, checked)
        assert existing is not None  # under the lock, or on SQLite's only writer
        return existing
    await _refuse_other_content_of_deleted(session, checked)
    context = NestedContext(
        principal,
        state.registry_host,
        checked.bundle.files if checked.bundle else None,
        checked.template_dir,
        checked.namespace,
    )
    deps = [
        {**row, "version_id": version_id}
        for row in await dependency_rows(session, checked.template.references, context)
    ]
    await _store_blobs(state, data)  # before the commit: no row points at missing bytes
    if deps:
        await session.execute(sa.insert(Dependency), deps)
    row = _transient(version_id, values)
    new = dist_tags.NewVersion(version_id, row.major, row.minor, row.patch, row.prerelease)
    if await dist_tags.follow_publish(session, app_id, new, data.tag, only=new_app):
        # The newest release describes the app (a PATCH may override until the next one),
        # and its readme is the one searched.
        columns = app_columns(checked.metadata)
        document = search_index.fields(
            app_name, columns["description"], columns["labels"], columns["author"], data.readme
        )
        await search_index.store(session, app_id, columns, document)
    else:
        await search_index.touch(session, app_id)
    target = f"{checked.namespace}/{app_name}@{checked.version}"
    tagged = {"tag": data.tag} if data.tag is not None else {}
    audit.record(session, who, "publish", namespace=checked.namespace, target=target, **tagged)
    await session.commit()
    return Published(True, app_name, row, tuple(Dependency(**dep) for dep in deps))


async def _store_blobs(state: RegistryState, data: PublishInput) -> None:
    """Raises ``BlobStoreUnavailable`` (503) when the store fails: the transaction rolls back."""
    await state.blobs.put(data.template)
    if data.bundle is not None:
        await state.blobs.put(data.bundle)


def _content(checked: Checked) -> tuple[str, str | None, str | None]:
    """What makes a version's content: install verifies the first two and places by the third."""
    return checked.digest, checked.bundle_digest, checked.template_path


async def _refuse_other_content_of_deleted(session: AsyncSession, checked: Checked) -> None:
    """409 when this version was deleted with other content (lockfiles pin that content)."""
    params = {"ns": checked.namespace, "name": checked.name.lower(), "version": checked.version}
    buried = (await session.execute(_TOMBSTONE, params)).first()
    if buried is not None and tuple(buried) != _content(checked):
        raise Conflict(
            "version_exists",
            f"{checked.namespace}/{checked.name}@{checked.version} was published before (and "
            "deleted) with different content; versions are immutable, publish a new version",
        )


async def existing_version(session: AsyncSession, checked: Checked) -> Published | None:
    """The version as published before: the same content (a retry), else 409."""
    params = {"ns": checked.namespace, "name": checked.name.lower(), "version": checked.version}
    found = (await session.execute(_EXISTING, params)).first()
    if found is None:
        return None
    existing: Version = found.Version
    # The template's place in the bundle is content too: install puts the template there.
    if (existing.digest, existing.bundle_digest, existing.template_path) != _content(checked):
        raise Conflict(
            "version_exists",
            f"{checked.namespace}/{checked.name}@{checked.version} is already published with "
            "different content; versions are immutable, publish a new version",
        )
    deps = await session.scalars(_DEPENDENCIES, {"version_id": existing.id})
    return Published(False, found.name, existing, tuple(deps))


async def _app_for_update(
    session: AsyncSession, checked: Checked, default: str
) -> tuple[int, str, bool]:
    """The app's id and name, got or created (then True), locked so publishes of it take turns
    (PostgreSQL; a row this transaction inserted is its own until it commits).

    An existing app (the usual case) costs the one locking read. A new app takes its
    namespace's default visibility, else the registry's (``default``).
    """
    params = {"ns": checked.namespace, "name": checked.name.lower()}
    found = (await session.execute(_LOCK, params)).first()
    if found is not None:
        return found.id, found.name, False
    namespace = await ensure_namespace(session, checked.namespace)
    keys = {"namespace_id": namespace.id, "name_canonical": checked.name.lower()}
    now = utcnow()
    visibility = namespace.default_visibility or default
    values = {**keys, "name": checked.name, "labels": [], "visibility": visibility, "downloads": 0}
    stamped = {**values, "created_at": now, "updated_at": now}
    app_id = await insert_new(session, App, stamped, list(keys))
    if app_id is not None:
        return app_id, checked.name, True
    found = (await session.execute(_LOCK, params)).one()  # created meanwhile by another publish
    return found.id, found.name, False


def _transient(version_id: int, values: dict[str, Any]) -> Version:
    """The row just inserted, as an object outside the session (for the answer only)."""
    fields = {key: value for key, value in values.items() if key != "metadata"}
    return Version(id=version_id, app_metadata=values["metadata"], **fields)

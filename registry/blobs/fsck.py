"""``fsck`` and ``gc``: compare the blob store with the rows that reference it.

A publish writes its blobs before the transaction that references them commits, so a publish
that dies halfway leaves unreferenced blobs, never a row without its bytes; so does deleting an
app. ``check`` finds both kinds of trouble: rows whose blob is missing (or whose bytes no longer
hash to their digest) and objects no row references. Repairing removes only unreferenced objects
older than a grace period: a blob younger than that may belong to a publish still running (a
publish re-storing bytes already there refreshes their time, see ``BlobStore.put``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.blobs.store import BlobStore, StoredObject
from registry.db.models import App, Namespace, Version
from registry.db.session import Database

_REFERENCES = (
    sa.select(Namespace.name, App.name, Version.version, Version.digest, Version.bundle_digest)
    .join(App, App.id == Version.app_id)
    .join(Namespace, Namespace.id == App.namespace_id)
)


@dataclass(frozen=True)
class Missing:
    version: str  # namespace/name@version
    what: str  # template | bundle
    digest: str


@dataclass
class Report:
    objects: int = 0  # everything found in the store
    verified: int = 0  # blobs read back and hashed
    corrupt: list[str] = field(default_factory=list)  # keys whose bytes hash to another digest
    missing: list[Missing] = field(default_factory=list)
    unreferenced: list[StoredObject] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # keys deleted by the repair

    @property
    def healthy(self) -> bool:
        """No row lacks its bytes and no blob is damaged (unreferenced objects are harmless)."""
        return not self.corrupt and not self.missing


async def references(database: Database) -> dict[str, list[tuple[str, str]]]:
    """digest → [(namespace/name@version, template|bundle)] for every version row."""
    async with database.reader() as session:
        return await references_in(session)


async def references_in(session: AsyncSession) -> dict[str, list[tuple[str, str]]]:
    """``references`` as ``session`` sees them (``registry.backup`` reads them inside the
    transaction its database snapshot is taken in)."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ns, name, version, digest, bundle_digest in await session.execute(_REFERENCES):
        label = f"{ns}/{name}@{version}"
        found[digest].append((label, "template"))
        if bundle_digest is not None:
            found[bundle_digest].append((label, "bundle"))
    return found


def plan(
    objects: list[StoredObject],
    referenced: dict[str, list[tuple[str, str]]],
    *,
    older_than: datetime,
) -> tuple[list[Missing], list[StoredObject], list[StoredObject]]:
    """Pure: (rows' missing blobs, unreferenced objects, those of them old enough to remove)."""
    present = {obj.digest for obj in objects if obj.digest is not None}
    missing = [
        Missing(label, what, digest)
        for digest, users in sorted(referenced.items())
        if digest not in present
        for label, what in users
    ]
    unreferenced = sorted(
        (obj for obj in objects if obj.digest is None or obj.digest not in referenced),
        key=lambda obj: obj.key,
    )
    removable = [obj for obj in unreferenced if obj.modified < older_than]
    return missing, unreferenced, removable


async def check(
    database: Database,
    store: BlobStore,
    *,
    verify: bool,
    repair: bool,
    grace: timedelta,
    now: datetime,
) -> Report:
    """Scan the store against the rows; hash every blob when ``verify``; remove unreferenced
    objects older than ``now - grace`` when ``repair``."""
    # Rows first: a blob published after this read is young, so within the grace period.
    referenced = await references(database)
    objects = [obj async for obj in store.scan()]
    missing, unreferenced, removable = plan(objects, referenced, older_than=now - grace)
    report = Report(len(objects), missing=missing, unreferenced=unreferenced)
    if verify:
        for obj in objects:
            if obj.digest is None:
                continue
            if await _hash(store, obj.digest) != obj.digest:
                report.corrupt.append(obj.key)
            report.verified += 1
    if repair:
        for obj in removable:
            # Asked again just before: a publish may have re-stored these bytes since the scan.
            modified = await store.modified(obj.key)
            if modified is not None and modified < now - grace:
                await store.delete(obj.key)
                report.removed.append(obj.key)
    return report


async def _hash(store: BlobStore, digest: str) -> str:
    hasher = hashlib.sha256()
    blob = await store.open(digest)
    async for piece in blob.pieces:
        hasher.update(piece)
    return "sha256:" + hasher.hexdigest()

"""Backup and restore: the database snapshot, the blobs it references, the manifest; and the
way back, every digest checked before anything is written."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

from registry.backup import database
from registry.backup.manifest import (
    DATABASE_FILES,
    BackupError,
    BlobEntry,
    Manifest,
    blob_path,
)
from registry.blobs.store import BlobStore, open_blob_store
from registry.db import migrate
from registry.settings import Settings

CHUNK = 1024 * 1024
_ARCHIVES = {".tar": "", ".tar.gz": "gz", ".tgz": "gz"}


def archive_compression(path: Path) -> str | None:
    """``""`` for ``.tar``, ``"gz"`` for ``.tar.gz`` / ``.tgz``, ``None`` for a directory."""
    name = path.name.lower()
    for suffix, compression in _ARCHIVES.items():
        if name.endswith(suffix):
            return compression
    return None


async def backup(settings: Settings, dest: Path) -> Manifest:
    """Write a backup of the configured registry to ``dest`` (a new directory, or a ``.tar`` /
    ``.tar.gz`` archive); it appears only once complete."""
    compression = archive_compression(dest)
    if dest.exists() and (compression is not None or not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists", hint="name a new file or an empty directory")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        manifest = await _write(settings, staging)
        if compression is None:
            if dest.exists():
                dest.rmdir()  # empty, checked above
            staging.rename(dest)
        else:
            _pack(staging, dest, compression)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


async def _write(settings: Settings, staging: Path) -> Manifest:
    kind = database.kind_of(settings.database_url)
    database_file = staging / DATABASE_FILES[kind]
    # The database first: every blob its snapshot references is in the store by now, and
    # stays there (immutable; gc removes only what no row references).
    snapshot = await database.snapshot(settings.database_url, database_file)
    store = open_blob_store(settings.blob_store_url)
    blobs = [await _save_blob(store, digest, staging) for digest in snapshot.digests]
    counts = {**snapshot.counts, "blobs": len(blobs), "blob_bytes": sum(b.size for b in blobs)}
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        nestry_version=_nestry_version(),
        database_kind=kind,
        database_file=database_file.name,
        database_sha256=_sha256(database_file),
        alembic_revision=snapshot.revision,
        counts=counts,
        blobs=blobs,
    )
    manifest.write(staging)
    return manifest


async def _save_blob(store: BlobStore, digest: str, staging: Path) -> BlobEntry:
    """Copy one blob into the backup, hashing it on the way: a damaged blob fails the backup."""
    target = blob_path(staging, digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    hasher = hashlib.sha256()
    size = 0
    try:
        blob = await store.open(digest)
    except KeyError:
        raise BackupError(
            f"the store has no blob {digest}, which a version references",
            hint="`nestry-registry fsck` lists what is missing; restore it before backing up",
        ) from None
    with target.open("wb") as handle:
        async for piece in blob.pieces:
            hasher.update(piece)
            handle.write(piece)
            size += len(piece)
    if f"sha256:{hasher.hexdigest()}" != digest:
        raise BackupError(
            f"the blob {digest} in the store is damaged (its bytes hash to another digest)",
            hint="`nestry-registry fsck` lists damaged blobs",
        )
    return BlobEntry(digest, size)


def _pack(staging: Path, dest: Path, compression: str) -> None:
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        mode: Literal["w", "w:gz"] = "w:gz" if compression == "gz" else "w"
        with tarfile.open(partial, mode) as archive:
            for path in sorted(staging.rglob("*")):
                archive.add(path, arcname=path.relative_to(staging).as_posix(), recursive=False)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


async def restore(settings: Settings, source: Path, *, force: bool) -> Manifest:
    """Put the backup at ``source`` back: check the manifest, the database file and every
    blob's digest first, refuse a non-empty target unless ``force``, then store the blobs and
    then the database (a failure between leaves only unreferenced blobs, which gc removes).
    Migrating to head is the caller's next step."""
    url = settings.database_url
    with _unpacked(source) as directory:
        manifest = Manifest.read(directory)
        kind = database.kind_of(url)
        if manifest.database_kind != kind:
            raise BackupError(
                f"this backup is of a {manifest.database_kind} database and "
                f"NESTRY_DATABASE_URL names a {kind} one",
                hint="a backup restores into the kind of database it came from (docs/registry.md)",
            )
        if not migrate.is_known(manifest.alembic_revision):
            raise BackupError(
                f"the backup's schema revision {manifest.alembic_revision} is newer than this "
                f"nestry knows (newest: {migrate.head_revision()})",
                hint=f"restore it with nestry {manifest.nestry_version} or newer",
            )
        _verify(directory, manifest)
        store = open_blob_store(settings.blob_store_url)
        if not force:
            await _refuse_unless_empty(url, store)
        for entry in manifest.blobs:
            data = blob_path(directory, entry.digest).read_bytes()
            if await store.put(data) != entry.digest:
                raise BackupError(f"the blob {entry.digest} changed while it was restored")
        await database.restore(url, directory / manifest.database_file)
    return manifest


def _verify(directory: Path, manifest: Manifest) -> None:
    database_file = directory / manifest.database_file
    if not database_file.is_file() or _sha256(database_file) != manifest.database_sha256:
        raise BackupError(
            f"{manifest.database_file} in the backup is missing or damaged "
            "(its sha256 is not the manifest's)"
        )
    for entry in manifest.blobs:
        path = blob_path(directory, entry.digest)
        if not path.is_file():
            raise BackupError(f"the backup lacks the blob {entry.digest}")
        if "sha256:" + _sha256(path) != entry.digest:
            raise BackupError(
                f"the blob {entry.digest} in the backup is damaged: its bytes hash to another "
                "digest",
                hint="nothing was restored; use an intact copy of the backup",
            )


async def _refuse_unless_empty(url: str, store: BlobStore) -> None:
    if not await database.is_empty(url):
        raise BackupError(
            "the database NESTRY_DATABASE_URL names is not empty",
            hint="restore into a new database, or pass --force to replace what it holds",
        )
    async for _ in store.scan():
        raise BackupError(
            f"the blob store {store.url} is not empty",
            hint="restore into an empty store, or pass --force (blobs already there are kept)",
        )


@contextlib.contextmanager
def _unpacked(source: Path) -> Iterator[Path]:
    """The backup's directory: ``source`` itself, or an archive extracted to a temp dir."""
    if source.is_dir():
        yield source
        return
    if archive_compression(source) is None or not source.is_file():
        raise BackupError(f"{source} is neither a backup directory nor a .tar / .tar.gz archive")
    with tempfile.TemporaryDirectory(prefix="nestry-restore-") as temporary:
        try:
            with tarfile.open(source) as archive:
                # The "data" filter refuses absolute paths, "..", links out and devices.
                archive.extractall(temporary, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"cannot read the archive {source}: {exc}") from None
        yield Path(temporary)


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(CHUNK):
            hasher.update(piece)
    return hasher.hexdigest()


def _nestry_version() -> str:
    try:
        return version("nestry")
    except PackageNotFoundError:
        return "unknown"

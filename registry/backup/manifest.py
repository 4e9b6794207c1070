"""A backup's layout and its ``manifest.json``: what was saved, and the digests to check it by.

A backup is a directory (or a ``.tar`` / ``.tar.gz`` of one)::

    manifest.json
    database.sqlite3 | database.pgdump   the database snapshot (SQLite file / pg_dump -Fc)
    blobs/sha256/<aa>/<hex>              every referenced blob (the ``file://`` store layout)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from client.errors import NestryError
from registry.blobs.store import key_of

FORMAT = "nestry-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BLOBS = "blobs"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(NestryError):
    """A backup or restore that cannot go on; nothing was changed by the step that raised."""

    code = "backup_failed"


@dataclass(frozen=True)
class BlobEntry:
    digest: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """Everything a restore checks before it writes anything."""

    created_at: str  # ISO 8601, UTC
    nestry_version: str
    database_kind: str  # sqlite | postgresql
    database_file: str
    database_sha256: str
    alembic_revision: str
    counts: dict[str, int]  # rows per table, and blobs / blob_bytes
    blobs: list[BlobEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def write(self, directory: Path) -> None:
        document = asdict(self)
        # The format first: what a reader checks before anything else.
        ordered = {"format": self.format, "format_version": self.format_version, **document}
        (directory / MANIFEST).write_text(json.dumps(ordered, indent=2) + "\n")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """The manifest in ``directory``; ``BackupError`` unless it is one this code reads."""
        path = directory / MANIFEST
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            raise BackupError(
                f"{directory} is not a nestry backup: it has no {MANIFEST}",
                hint="name a directory or archive written by `nestry-registry backup`",
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BackupError(f"{path} is not valid JSON ({exc})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(f"{path} is not a nestry backup manifest (no format {FORMAT!r})")
        version = document.get("format_version")
        if version != FORMAT_VERSION:
            raise BackupError(
                f"unknown backup format version {version!r}: this nestry reads version "
                f"{FORMAT_VERSION}",
                hint="restore it with the nestry release that wrote it (`nestry_version` in the "
                "manifest), or a newer one",
            )
        try:
            return _parse(document)
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"{path} is damaged: {exc!r} is missing or malformed") from None


def blob_path(directory: Path, digest: str) -> Path:
    """Where a blob lives in a backup; ``KeyError`` for a malformed digest (never a path
    outside ``directory``: the key is built from 64 hex digits)."""
    return directory / BLOBS / key_of(digest)


def _parse(document: dict[str, Any]) -> Manifest:
    kind = str(document["database_kind"])
    if kind not in DATABASE_FILES or document["database_file"] != DATABASE_FILES[kind]:
        raise ValueError("database_kind")
    blobs = [BlobEntry(str(b["digest"]), int(b["size"])) for b in document["blobs"]]
    for blob in blobs:
        key_of(blob.digest)  # KeyError for anything but sha256:<64 hex>
    return Manifest(
        created_at=str(document["created_at"]),
        nestry_version=str(document["nestry_version"]),
        database_kind=kind,
        database_file=DATABASE_FILES[kind],
        database_sha256=str(document["database_sha256"]),
        alembic_revision=str(document["alembic_revision"]),
        counts={str(k): int(v) for k, v in dict(document["counts"]).items()},
        blobs=blobs,
    )

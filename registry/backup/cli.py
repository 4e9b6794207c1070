"""``nestry-registry backup DEST`` and ``nestry-registry restore SRC`` (registered in
``registry.cli``)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError

from registry.backup import service
from registry.backup.manifest import BackupError, Manifest
from registry.blobs.store import BlobStoreUnavailable, BlobStoreUrlError

T = TypeVar("T")


@click.command()
@click.argument("dest", type=click.Path(path_type=Path))
def backup(dest: Path) -> None:
    """Write a consistent snapshot of the database and every blob it references to DEST: a
    new directory, or an archive when DEST ends in .tar or .tar.gz. Safe while the registry
    serves."""
    from registry.cli import existing_database_or_exit

    settings = existing_database_or_exit(any_revision=True)  # elsewhere: say so, create nothing
    manifest = _run(service.backup(settings, dest))
    click.echo(f"backed up to {dest}: {_summary(manifest)}")


@click.command()
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database that is not empty (and add to a blob store that is not).",
)
def restore(src: Path, force: bool) -> None:
    """Restore the backup SRC (a directory or .tar / .tar.gz archive made by `backup`) into
    the configured database and blob store, then migrate to the newest schema. Stop the
    registry first."""
    from registry.cli import migrate_or_exit, settings_or_exit

    settings = settings_or_exit()
    manifest = _run(service.restore(settings, src, force=force))
    migrate_or_exit(settings)
    click.echo(f"restored from {src}: {_summary(manifest)}")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """``work``'s result; an error the operator can act on → one line and exit 1."""
    try:
        return asyncio.run(work)
    except BackupError as exc:
        hint = f"\nhint: {exc.hint}" if exc.hint else ""
        raise click.ClickException(f"{exc.message}{hint}") from None
    except (BlobStoreUnavailable, BlobStoreUrlError) as exc:
        raise click.ClickException(str(exc)) from None
    except (DBAPIError, ConnectionError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"the database did not answer: {detail}") from None
    except OSError as exc:  # the backup's files: no space left, no permission...
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(f"{exc.strerror or exc}{where}") from None


def _summary(manifest: Manifest) -> str:
    counts = manifest.counts
    rows = ", ".join(
        f"{counts.get(name, 0)} {name}" for name in ("apps", "versions", "users", "tokens")
    )
    return (
        f"{manifest.database_kind} database at revision {manifest.alembic_revision} ({rows}), "
        f"{counts.get('blobs', 0)} blobs ({counts.get('blob_bytes', 0)} bytes)"
    )

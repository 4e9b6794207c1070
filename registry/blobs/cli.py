"""``nestry-registry fsck`` and ``nestry-registry gc`` (registered in ``registry.cli``)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import click

from registry.blobs.fsck import Report, check
from registry.blobs.store import BlobStoreUnavailable, BlobStoreUrlError, open_blob_store
from registry.db.session import Database
from registry.settings import Settings

_GRACE = click.option(
    "--grace-hours",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Never remove an object younger than this (a publish may be about to reference it).",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")


@click.command()
@click.option("--repair", is_flag=True, help="Remove unreferenced objects past the grace period.")
@click.option("--no-verify", is_flag=True, help="Do not read blobs back to check their digest.")
@_GRACE
@_JSON
def fsck(repair: bool, no_verify: bool, grace_hours: float, as_json: bool) -> None:
    """Check the blob store against the database: every blob's digest, rows whose blob is
    missing, objects no row references. Exits 1 when a row lacks its bytes or a blob is
    damaged."""
    report = _run(verify=not no_verify, repair=repair, grace_hours=grace_hours)
    _print(report, as_json)
    if not report.healthy:
        raise SystemExit(1)


@click.command()
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@_GRACE
@_JSON
def gc(dry_run: bool, grace_hours: float, as_json: bool) -> None:
    """Remove blobs no version references (deleted apps, publishes that died halfway) once
    they are older than the grace period."""
    report = _run(verify=False, repair=not dry_run, grace_hours=grace_hours)
    _print(report, as_json)


def _run(*, verify: bool, repair: bool, grace_hours: float) -> Report:
    from registry.cli import existing_database_or_exit

    settings = existing_database_or_exit()
    try:
        return asyncio.run(_check(settings, verify, repair, timedelta(hours=grace_hours)))
    except (BlobStoreUnavailable, BlobStoreUrlError) as exc:
        raise click.ClickException(str(exc)) from None


async def _check(settings: Settings, verify: bool, repair: bool, grace: timedelta) -> Report:
    store = open_blob_store(settings.blob_store_url)
    database = Database(settings.database_url, listen=False)
    try:
        now = datetime.now(UTC)
        return await check(database, store, verify=verify, repair=repair, grace=grace, now=now)
    finally:
        await database.dispose()


def _print(report: Report, as_json: bool) -> None:
    removed = set(report.removed)
    if as_json:
        document = {
            "objects": report.objects,
            "verified": report.verified,
            "corrupt": report.corrupt,
            "missing": [vars(m) for m in report.missing],
            "unreferenced": [
                {
                    "key": obj.key,
                    "size": obj.size,
                    "modified": obj.modified.isoformat(),
                    "removed": obj.key in removed,
                }
                for obj in report.unreferenced
            ],
            "healthy": report.healthy,
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"{report.objects} object(s) in the store, {report.verified} verified")
    for missing in report.missing:
        click.echo(f"missing: {missing.version} {missing.what} {missing.digest}")
    for key in report.corrupt:
        click.echo(f"corrupt: {key} (its bytes hash to another digest)")
    for obj in report.unreferenced:
        state = "removed" if obj.key in removed else "kept"
        click.echo(
            f"unreferenced: {obj.key} ({obj.size} bytes, {obj.modified:%Y-%m-%d %H:%M}) {state}"
        )
    if not report.healthy:
        click.echo(
            "hint: restore the missing or damaged blobs from a backup of the store", err=True
        )

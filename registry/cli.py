"""``nestry-registry``: serve, migrate, token create, fsck, gc, backup, restore, alias (user
and token administration: ``registry.auth.admin_cli``)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

import click
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from client.errors import NestryError
from registry.auth.accounts import bootstrap_admin, ensure_user, has_users, issue_token
from registry.backup import cli as backup_commands
from registry.blobs import cli as blob_commands
from registry.blobs.files import FilesystemBlobStore
from registry.db import migrate as migrations
from registry.db.models import utcnow
from registry.db.session import Database
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.sar import aliases
from registry.serving.connection_guard import protocol_for
from registry.settings import Settings, SettingsError

T = TypeVar("T")
FIRST_TOKEN = "nestry-registry token create --user admin --admin --scope admin"


def settings_or_exit(*, create: bool = True) -> Settings:
    """The settings from the environment, or a one-line error and exit 1; ``create``: make
    the data directory when missing (``serve`` and ``migrate`` only)."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if create:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


NO_DATABASE_HINT = (
    "run `nestry-registry serve` (or `migrate`) once to create it, or set NESTRY_DATA_DIR "
    "(or NESTRY_DATABASE_URL) to your registry's"
)


def existing_database_or_exit(*, any_revision: bool = False) -> Settings:
    """The settings of a registry whose database exists and has its schema: what the
    administration commands (token, user, alias, fsck, gc) need. Otherwise a one-line error
    naming where it looked, and exit 1; nothing is created (run from another folder, the
    embedded default would be a new, empty ``.nestry-data`` there). ``any_revision``: accept
    a schema older than this code's newest (``backup``: the copy to keep before upgrading)."""
    settings = settings_or_exit(create=False)
    where = _where(settings)
    file = migrations.sqlite_file(settings.database_url)
    if file is not None and file.parent == settings.data_dir:  # the embedded default
        where += f" (data directory {settings.data_dir})"
    try:
        revision = migrations.current_revision(settings.database_url)
    except migrations.DatabaseMissing:
        raise click.ClickException(
            f"no registry database at {where}\nhint: {NO_DATABASE_HINT}"
        ) from None
    except Exception as exc:
        first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        raise click.ClickException(f"cannot open the database at {where}: {first}") from None
    if revision is None:
        raise click.ClickException(
            f"the database at {where} has no registry schema\nhint: {NO_DATABASE_HINT}"
        )
    if any_revision:
        return settings
    try:
        head = migrations.head_revision()
    except migrations.MigrationsNotFound:  # an install without alembic/: cannot compare
        return settings
    if revision != head:
        raise click.ClickException(
            f"the database at {where} is at revision {revision}, this nestry-registry needs "
            f"{head}\nhint: run `nestry-registry migrate` first"
        )
    return settings


def _where(settings: Settings) -> str:
    """The database, for messages: its SQLite file, or its URL without the password."""
    file = migrations.sqlite_file(settings.database_url)
    return str(file) if file is not None else _safe_url(settings)


def migrate_or_exit(settings: Settings) -> tuple[str | None, str]:
    """Upgrade the schema to the newest revision; the revisions before (None: no schema, or
    no database file yet) and after."""
    try:
        try:
            before = migrations.current_revision(settings.database_url)
        except migrations.DatabaseMissing:
            before = None  # upgrade creates it (SQLite) or says it is missing (PostgreSQL)
        migrations.upgrade(settings.database_url)
        return before, migrations.head_revision()
    except Exception as exc:
        raise click.ClickException(f"migrating {_safe_url(settings)} failed: {exc}") from None


def _safe_url(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    url = settings.database_url
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


async def _bootstrap(settings: Settings, create: bool) -> str | None:
    """On an empty database: the first admin's token when ``create``, else ``""``; ``None``
    once there are users."""
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            if not create:
                return None if await has_users(session) else ""
            token = await bootstrap_admin(session)
            await session.commit()
            return token
    finally:
        await database.dispose()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})  # as nestry's
def main() -> None:
    """The nestry registry server."""


main.add_command(blob_commands.fsck)
main.add_command(blob_commands.gc)
main.add_command(backup_commands.backup)
main.add_command(backup_commands.restore)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--no-migrate", is_flag=True, help="Do not run migrations first.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option(
    "--admin-token/--no-admin-token",
    default=True,
    show_default=True,
    help="On an empty database, create the admin user and print its token. Off where stdout "
    "is kept (containers): create it with `token create`, printed to your terminal only.",
)
@click.option(
    "--http",
    type=click.Choice(["auto", "hot", "httptools", "h11"]),
    default="auto",
    show_default=True,
    help="HTTP implementation; auto: hot (httptools, hot reads in one write) when installed.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    no_migrate: bool,
    access_log: bool,
    admin_token: bool,
    http: str,
) -> None:
    """Migrate the database, create the first admin on an empty one, and serve."""
    settings = settings_or_exit()
    if not no_migrate:
        migrate_or_exit(settings)
    # Before any worker starts: what a crash left half-written in the blob store goes.
    removed = FilesystemBlobStore(settings.blob_dir).remove_stale_temp_files()
    if removed:
        click.echo(f"removed {removed} unfinished blob file(s) left by an earlier crash")
    token = asyncio.run(_bootstrap(settings, create=admin_token))
    if token == "":
        click.echo("No users yet. Create the first administrator's token (shown once, on your")
        click.echo(f"terminal, never in this log):\n\n    {FIRST_TOKEN}\n")
        click.echo(f"In a container: docker compose exec <registry service> {FIRST_TOKEN}")
    elif token is not None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = settings.public_url or f"http://{shown}:{port}"
        click.echo("Created the admin user. Its token is shown only this once:\n")
        click.echo(f"    {token}\n")
        click.echo(f"Log in with:  nestry login --registry {url}  (paste the token)")
        click.echo(f"Browse it:    open {url}/ in a browser")
    os.environ["NESTRY_ACCESS_LOG"] = "on" if access_log else "off"  # read by every worker
    shared = None
    if workers > 1 and not os.environ.get("NESTRY_METRICS_DIR"):
        # Each worker's counters meet here, so a scrape answers their sum
        # (registry.serving.metrics_files).
        shared = os.environ["NESTRY_METRICS_DIR"] = tempfile.mkdtemp(prefix="nestry-metrics-")
    try:
        _run(host, port, workers, http, settings)
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)


def _run(host: str, port: int, workers: int, http: str, settings: Settings) -> None:
    fast = all(importlib.util.find_spec(m) for m in ("uvloop", "httptools"))
    if http == "auto":
        http = "hot" if fast else "h11"
    uvicorn.run(
        "registry.app:from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvloop + httptools: faster, and h11 under --workers loses TCP_NODELAY (uvicorn #3149);
        # on httptools, hot reads are answered in one write (registry.serving.hot_protocol).
        loop="uvloop" if fast else "auto",
        # Read deadlines, idle timeout and connection cap (registry.serving.connection_guard).
        http=protocol_for(http),
        timeout_keep_alive=settings.idle_timeout_seconds,
        # X-Forwarded-For only from the proxies named in NESTRY_TRUSTED_PROXIES (default none):
        # otherwise any caller could pick the address the failed-auth limiter counts.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or "",
        # Ours instead (registry.serving.access_log): batched, a fraction of the cost.
        access_log=False,
        server_header=False,  # no "server: uvicorn": names nothing clients need, helps attackers
    )


@main.command()
def migrate() -> None:
    """Create the database schema, or upgrade it to the newest revision."""
    settings = settings_or_exit()
    before, after = migrate_or_exit(settings)
    where = _where(settings)
    if before is None:
        click.echo(f"created the schema at revision {after} in {where}")
    elif before != after:
        click.echo(f"upgraded {where} from revision {before} to {after}")
    else:
        click.echo(f"{where} is already at revision {after}")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--user", "user_name", required=True, help="Created when missing.")
@click.option("--namespace", "namespaces", multiple=True, help="Repeatable; created when missing.")
@click.option(
    "--scope",
    type=click.Choice(["read", "publish", "admin"]),
    default="publish",
    show_default=True,
    help="admin: may also manage members, policies and tokens (the user becomes an owner).",
)
@click.option("--admin", is_flag=True, help="Make the user an administrator (all namespaces).")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None)
def token_create(
    user_name: str,
    namespaces: tuple[str, ...],
    scope: str,
    admin: bool,
    expires_in_days: int | None,
) -> None:
    """Create a token and print it alone on the last line (it is not stored in plain text)."""
    settings = existing_database_or_exit()
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        secret = asyncio.run(_create(settings, user_name, list(namespaces), scope, admin, expires))
    except NestryError as exc:
        raise click.ClickException(exc.message) from None
    where = "every namespace" if admin else ", ".join(namespaces) or "no namespace"
    click.echo(f"New {scope} token for {user_name} on {where} (shown only once):")
    click.echo(secret)


async def _create(
    settings: Settings,
    user_name: str,
    namespaces: list[str],
    scope: str,
    admin: bool,
    expires: datetime | None,
) -> str:
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            user = await ensure_user(session, user_name, is_admin=admin)
            if admin and not user.is_admin:
                user.is_admin = True
            secret = await issue_token(
                session, user, scope=scope, namespaces=namespaces, expires_at=expires
            )
            who = Who("nestry-registry", "local")
            for namespace in [*namespaces] if namespaces else [None]:
                audit.record(
                    session,
                    who,
                    "token_create",
                    namespace=namespace,
                    target=user_name,
                    scope=scope,
                    admin=admin,
                )
            await session.commit()
            return secret
    finally:
        await database.dispose()


def _add_admin_commands() -> None:
    from registry.auth.admin_cli import register

    register(main, token, existing_database_or_exit)


_add_admin_commands()


@main.group()
def alias() -> None:
    """Serve real SAR application ARNs from apps of this registry (mirrors)."""


@alias.command("add")
@click.argument("arn")
@click.argument("target")
def alias_add(arn: str, target: str) -> None:
    """Resolve ARN (arn:aws:serverlessrepo:<region>:<account>:applications/<name>; any region)
    to TARGET (namespace/name on this registry), in /sar and in /v1/resolve."""
    shown = _run_aliases(lambda session: aliases.add(session, arn, target))
    click.echo(f"{shown.arn} -> {shown.target}")


@alias.command("list")
def alias_list() -> None:
    """Print every alias, one `ARN -> namespace/name` a line."""
    for shown in _run_aliases(aliases.listed):
        click.echo(f"{shown.arn} -> {shown.target}")


@alias.command("remove")
@click.argument("arn")
def alias_remove(arn: str) -> None:
    """Forget the alias of ARN."""
    if not _run_aliases(lambda session: aliases.remove(session, arn)):
        raise click.ClickException(f"no alias for {arn}; `nestry-registry alias list` shows them")
    click.echo(f"removed the alias of {arn}")


def _run_aliases(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``action`` in one committed transaction; NestryError → message."""
    from registry.auth.admin_cli import in_transaction

    settings = existing_database_or_exit()
    try:
        return in_transaction(settings, action)
    except NestryError as exc:
        hint = f"\nhint: {exc.hint}" if exc.hint else ""
        raise click.ClickException(f"{exc.message}{hint}") from None

"""The database half of a backup: a snapshot in one transaction, and putting one back.

Each kind uses its own native, consistent dump: SQLite's ``VACUUM INTO`` (a transactional copy
of the whole file, taken while the registry runs) and PostgreSQL's ``pg_dump`` in custom format.
On PostgreSQL the dump runs inside a ``REPEATABLE READ`` transaction of ours, through
``pg_dump --snapshot``, so the blob list and the counts we read are those of the very snapshot
pg_dump writes. A backup restores into the same kind of database it came from
(docs/registry.md, "Backup and restore", says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from registry.backup.manifest import BackupError
from registry.blobs.fsck import references_in
from registry.db.connect import LOOPBACK_HOSTS, postgres_connect_args
from registry.db.models import App, Namespace, Token, User, Version
from registry.settings import sqlite_url

COUNTED = {
    "namespaces": Namespace,
    "apps": App,
    "versions": Version,
    "users": User,
    "tokens": Token,
}
# SQLite keeps these beside the database file: a write-ahead log and its index from before the
# restore would be replayed onto the restored file; the change feed's ring names old notices.
_SQLITE_SIDECARS = ("-wal", "-shm", "-journal", "-changes")
_POSTGRES_TOOLS_HINT = (
    "install the PostgreSQL client tools of the server's major version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client); the Docker image has them"
)


@dataclass(frozen=True)
class Snapshot:
    """What the snapshot holds: its schema revision, row counts and referenced blobs."""

    revision: str
    counts: dict[str, int]
    digests: list[str]  # every blob a version row references, sorted


def kind_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; ``BackupError`` for anything else."""
    kind = make_url(url).get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {kind} database: nestry runs on SQLite or PostgreSQL")
    return kind


async def snapshot(url: str, target: Path) -> Snapshot:
    """Write the database at ``url`` to ``target`` as one consistent snapshot; describe it."""
    if kind_of(url) == "sqlite":
        return await _sqlite_snapshot(_sqlite_file(url), target)
    return await _postgres_snapshot(url, target)


async def is_empty(url: str) -> bool:
    """Whether the database holds no table (a new file, a new PostgreSQL database)."""
    if kind_of(url) == "sqlite":
        path = _sqlite_file(url)
        if not path.is_file() or path.stat().st_size == 0:
            return True
        with contextlib.closing(sqlite3.connect(path)) as connection:
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
            return int(tables.fetchone()[0]) == 0
    async with _postgres(url) as connection:
        return await _postgres_relations(connection) == 0


async def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the snapshot ``source`` (emptiness is the
    caller's check). The schema stays at the snapshot's revision: migrating is the caller's."""
    if kind_of(url) == "sqlite":
        _sqlite_restore(_sqlite_file(url), source)
    else:
        await _postgres_restore(url, source)


# SQLite


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


async def _sqlite_snapshot(source: Path, target: Path) -> Snapshot:
    if not source.is_file():
        raise BackupError(f"no database at {source}", hint="is NESTRY_DATA_DIR the registry's?")

    def copy() -> None:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as connection:
            connection.execute("VACUUM INTO ?", (str(target),))
        with contextlib.closing(sqlite3.connect(target)) as connection:
            # The copy keeps the WAL flag: a rollback journal leaves no -wal/-shm files behind
            # when the snapshot is read (below, and by whoever inspects the backup).
            connection.execute("PRAGMA journal_mode=DELETE")

    await asyncio.to_thread(copy)
    engine = create_async_engine(sqlite_url(target), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await _describe(connection)
    finally:
        await engine.dispose()


def _sqlite_restore(target: Path, source: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, temporary)
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    for suffix in _SQLITE_SIDECARS:
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, target)  # whole: the old file or the restored one, never a mix


# PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH", hint=_POSTGRES_TOOLS_HINT)
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """pg_dump's connection string for ``url``, and the environment carrying its password
    (never on the command line, where ``ps`` shows it)."""
    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if k == "sslmode"}
    if not query and parsed.host in LOOPBACK_HOSTS:
        query = {"sslmode": "disable"}  # as the registry's own connections (registry.db.connect)
    conninfo = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=query,
    ).render_as_string(hide_password=False)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return conninfo, env


async def _run(args: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines()
        detail = lines[0] if lines else f"exit status {process.returncode}"
        raise BackupError(f"{Path(args[0]).name} failed: {detail}")


@contextlib.asynccontextmanager
async def _postgres(url: str, isolation: str = "READ COMMITTED") -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(url, poolclass=NullPool, connect_args=postgres_connect_args(url))
    try:
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level=isolation)
    finally:
        await engine.dispose()


async def _postgres_snapshot(url: str, target: Path) -> Snapshot:
    pg_dump = _tool("pg_dump")
    conninfo, env = _libpq(url)
    async with _postgres(url, "REPEATABLE READ") as connection, connection.begin():
        exported = await connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        args = [pg_dump, "--format=custom", "--no-owner", "--no-privileges"]
        args += [f"--snapshot={exported}", f"--file={target}", f"--dbname={conninfo}"]
        await _run(args, env)
        return await _describe(connection)  # the same snapshot pg_dump saw


async def _postgres_relations(connection: AsyncConnection) -> int:
    counted = await connection.scalar(
        sa.text(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
    )
    return int(counted or 0)


# Everything of ours in the current schema: tables (their indexes, triggers and sequences go
# with them), views, other sequences, functions (the change feed's trigger function).
_DROP_ALL = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT viewname FROM pg_views WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', item.viewname);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', item.sequencename);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema() LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END $$
"""


async def _postgres_restore(url: str, source: Path) -> None:
    pg_restore = _tool("pg_restore")
    conninfo, env = _libpq(url)
    async with _postgres(url) as connection, connection.begin():
        if await _postgres_relations(connection):  # only with --force: the caller checked
            await connection.execute(sa.text(_DROP_ALL))
    args = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction"]
    args += ["--exit-on-error", f"--dbname={conninfo}", str(source)]
    await _run(args, env)


# Both


async def _describe(connection: AsyncConnection) -> Snapshot:
    """Revision, counts and referenced digests, as ``connection``'s transaction sees them."""
    revision = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    if revision is None:
        hint = "run `nestry-registry migrate`"
        raise BackupError("the database has no schema revision", hint=hint)
    counts = {}
    for name, model in COUNTED.items():
        counted = await connection.scalar(sa.select(sa.func.count()).select_from(model))
        counts[name] = int(counted or 0)
    session = AsyncSession(bind=connection)
    try:
        referenced = await references_in(session)
    finally:
        await session.close()
    return Snapshot(str(revision), counts, sorted(referenced))

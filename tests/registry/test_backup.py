"""``nestry-registry backup`` and ``restore`` as operators run them: real ``serve`` processes,
the real ``nestry`` client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from nestry_test_support import PG_ENV, _pg_admin, run_isolated
from server_process import ServerProcess
from sqlalchemy.engine import make_url
from test_fsck_gc import registry_cli

from registry.db import migrate
from registry.settings import Settings, sqlite_url

BIN = Path(sys.executable).parent
APP_TEMPLATE = b"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""
PLAIN_TEMPLATE = b"Transform: AWS::Serverless-2016-10-31\nResources: {Q: {Type: AWS::SNS::Topic}}\n"
CONSUMER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Code:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/withcode
        SemanticVersion: '^1.0.0'
  Plain:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/plain
        SemanticVersion: '^2.0.0'
"""


def bundle() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"def handler(event, context):\n    return 1\n"
        info = tarfile.TarInfo("src/app.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Target:
    """Where a registry keeps its rows and blobs, and how to lose them all (the disaster)."""

    settings: Settings
    wipe: Callable[[], None]


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        settings = Settings(database_url=sqlite_url(data_dir / "registry.db"), data_dir=data_dir)
        yield Target(settings, lambda: shutil.rmtree(data_dir))
        return
    url: str = request.getfixturevalue("empty_postgres_url")
    name = make_url(url).database
    server = os.environ[PG_ENV]

    def wipe() -> None:  # drop the database, make a new empty one; and lose the blob files
        run_isolated(lambda: _pg_admin(server, f'DROP DATABASE "{name}" WITH (FORCE)'))
        run_isolated(lambda: _pg_admin(server, f'CREATE DATABASE "{name}"'))
        shutil.rmtree(data_dir)

    yield Target(Settings(database_url=url, data_dir=data_dir), wipe)


def nestry(
    project: Path, cache: str, url: str, token: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """The real ``nestry`` client, with its own config under ``project`` and cache ``cache``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NESTRY_")}
    env.update(
        HOME=str(project),
        XDG_CONFIG_HOME=str(project / "config"),
        NESTRY_REGISTRY=url,
        NESTRY_TOKEN=token,
        NESTRY_CACHE_DIR=str(project.parent / cache),
    )
    command = [str(BIN / "nestry"), *args]
    return subprocess.run(
        command, env=env, cwd=project, capture_output=True, text=True, timeout=120
    )


def publish(url: str, token: str, app: str, version: str, template: bytes, code: bytes | None):
    files: dict[str, Any] = {"template": ("template.yaml", template, "application/x-yaml")}
    if code is not None:
        files["bundle"] = ("bundle.tar.gz", code, "application/gzip")
    metadata = {"description": f"{app} for the backup test", "author": "t"}
    answer = httpx.put(
        f"{url}/v1/apps/{app}/versions/{version}",
        files=files,
        data={"metadata": json.dumps(metadata)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text


def whoami(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/v1/whoami", headers={"Authorization": f"Bearer {token}"})


def test_round_trip_restores_what_a_lockfile_pins(target: Target, tmp_path: Path) -> None:
    """Publish, install (nestry.lock), back up while serving, lose everything, restore, serve
    again: `nestry install --frozen` gets the same bytes, and the old tokens still work."""
    settings = target.settings
    server = ServerProcess(settings.database_url, settings.data_dir)
    server.start()
    try:
        admin = server.admin_token
        assert admin is not None
        publish(server.url, admin, "acme/withcode", "1.0.0", APP_TEMPLATE, bundle())
        publish(server.url, admin, "acme/plain", "2.0.0", PLAIN_TEMPLATE, None)
        publish(server.url, admin, "acme/plain", "2.1.0", PLAIN_TEMPLATE + b"# 2.1\n", None)
        made = registry_cli(settings, "token", "create", "--user", "reader", "--scope", "read")
        reader = made.stdout.strip().splitlines()[-1]
        project = tmp_path / "project"
        project.mkdir()
        (project / "template.yaml").write_text(CONSUMER)
        installed = nestry(project, "cache", server.url, admin, "install", "-t", "template.yaml")
        assert installed.returncode == 0, installed.stderr
        lock = (project / "nestry.lock").read_bytes()
        pinned = json.loads(lock)["references"]
        assert pinned["Code"]["bundle_digest"].startswith("sha256:")
        assert pinned["Plain"]["version"] == "2.1.0"
        dest = tmp_path / "backups" / ("nightly.tar.gz" if settings.is_sqlite else "nightly")
        made = registry_cli(settings, "backup", str(dest))  # while the registry serves
        assert made.returncode == 0, made.stderr
        assert "3 versions" in made.stdout and "4 blobs" in made.stdout
    finally:
        server.stop()

    target.wipe()
    assert not settings.data_dir.exists()
    restored = registry_cli(settings, "restore", str(dest))
    assert restored.returncode == 0, restored.stderr
    assert "3 versions" in restored.stdout and "4 blobs" in restored.stdout
    checked = registry_cli(settings, "fsck", "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["verified"] == 4

    server.start()  # the same port: the lockfile's registry
    try:
        assert server.admin_token == admin  # printed at the first start only, not again
        assert whoami(server.url, admin).json()["user"] == "admin"
        assert whoami(server.url, reader).json()["user"] == "reader"
        build = project / ".nestry"
        shutil.rmtree(build)
        frozen = nestry(project, "empty-cache", server.url, reader, "install", "--frozen")
        assert frozen.returncode == 0, frozen.stderr
        assert (project / "nestry.lock").read_bytes() == lock
        vendored = build / "build" / "apps" / "acme" / "withcode" / "1.0.0" / "src" / "app.py"
        assert vendored.read_text().startswith("def handler")
    finally:
        server.stop()


@pytest.fixture
def sqlite_registry(tmp_path: Path) -> Settings:
    """A SQLite registry with one version published (template and code bundle)."""
    data_dir = tmp_path / "source"
    settings = Settings(database_url=sqlite_url(data_dir / "registry.db"), data_dir=data_dir)
    server = ServerProcess(settings.database_url, settings.data_dir)
    server.start()
    try:
        assert server.admin_token is not None
        publish(server.url, server.admin_token, "acme/withcode", "1.0.0", APP_TEMPLATE, bundle())
    finally:
        server.stop()
    return settings


def elsewhere(tmp_path: Path) -> Settings:
    data_dir = tmp_path / "restored"
    return Settings(database_url=sqlite_url(data_dir / "registry.db"), data_dir=data_dir)


def nothing_restored(settings: Settings) -> bool:
    blobs = settings.blob_dir
    return not (settings.data_dir / "registry.db").exists() and not (
        blobs.exists() and any(p.is_file() for p in blobs.rglob("*"))
    )


def test_restore_refuses_a_tampered_blob(sqlite_registry: Settings, tmp_path: Path) -> None:
    dest = tmp_path / "backup"
    assert registry_cli(sqlite_registry, "backup", str(dest)).returncode == 0
    blob = next(p for p in (dest / "blobs").rglob("*") if p.is_file())
    blob.write_bytes(blob.read_bytes() + b"tampered")
    target = elsewhere(tmp_path)
    refused = registry_cli(target, "restore", str(dest))
    assert refused.returncode == 1
    assert f"sha256:{blob.name} in the backup is damaged" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert nothing_restored(target)


def test_restore_refuses_a_changed_database_file(sqlite_registry: Settings, tmp_path: Path):
    dest = tmp_path / "backup"
    assert registry_cli(sqlite_registry, "backup", str(dest)).returncode == 0
    with (dest / "database.sqlite3").open("ab") as handle:
        handle.write(b"\0")
    refused = registry_cli(elsewhere(tmp_path), "restore", str(dest))
    assert refused.returncode == 1 and "database.sqlite3 in the backup" in refused.stderr
    assert nothing_restored(elsewhere(tmp_path))


def test_restore_refuses_a_non_empty_target_without_force(
    sqlite_registry: Settings, tmp_path: Path
) -> None:
    dest = tmp_path / "backup.tar"
    assert registry_cli(sqlite_registry, "backup", str(dest)).returncode == 0
    again = registry_cli(sqlite_registry, "backup", str(dest))
    assert again.returncode == 1 and "already exists" in again.stderr  # never overwritten

    target = elsewhere(tmp_path)
    assert registry_cli(target, "migrate").returncode == 0
    registry_cli(target, "token", "create", "--user", "someone-else")
    refused = registry_cli(target, "restore", str(dest))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    users = sa.text("SELECT name FROM users ORDER BY name")
    assert _rows(target, users) == [("someone-else",)]  # untouched

    forced = registry_cli(target, "restore", "--force", str(dest))
    assert forced.returncode == 0, forced.stderr
    assert _rows(target, users) == [("admin",)]
    assert registry_cli(target, "fsck").returncode == 0


def test_restore_refuses_an_unknown_manifest_format(
    sqlite_registry: Settings, tmp_path: Path
) -> None:
    dest = tmp_path / "backup"
    assert registry_cli(sqlite_registry, "backup", str(dest)).returncode == 0
    manifest = json.loads((dest / "manifest.json").read_text())
    assert (
        manifest["format"] == "nestry-backup"
        and manifest["alembic_revision"] == migrate.head_revision()
    )
    digests = [b["digest"] for b in manifest["blobs"]]
    assert len(digests) == 2 and digests == sorted(digests)  # template and bundle
    (dest / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    refused = registry_cli(elsewhere(tmp_path), "restore", str(dest))
    assert refused.returncode == 1
    assert "unknown backup format version 99" in refused.stderr
    (dest / "manifest.json").write_text(json.dumps({**manifest, "alembic_revision": "9999"}))
    newer = registry_cli(elsewhere(tmp_path), "restore", str(dest))
    assert newer.returncode == 1 and "revision 9999 is newer" in newer.stderr
    (dest / "manifest.json").unlink()
    bare = registry_cli(elsewhere(tmp_path), "restore", str(dest))
    assert bare.returncode == 1 and "not a nestry backup" in bare.stderr
    assert nothing_restored(elsewhere(tmp_path))


def test_backup_of_an_older_schema_restores_and_upgrades(tmp_path: Path) -> None:
    old = Settings(
        database_url=sqlite_url(tmp_path / "old" / "registry.db"), data_dir=tmp_path / "old"
    )
    old.data_dir.mkdir()
    migrate.upgrade(old.database_url, "0008")
    dest = tmp_path / "old.tar.gz"
    made = registry_cli(old, "backup", str(dest))
    assert made.returncode == 0 and "revision 0008" in made.stdout, made.stderr
    target = elsewhere(tmp_path)
    restored = registry_cli(target, "restore", str(dest))
    assert restored.returncode == 0, restored.stderr
    assert _rows(target, sa.text("SELECT version_num FROM alembic_version")) == [
        (migrate.head_revision(),)
    ]


def test_restore_into_a_postgresql_database_refuses_a_sqlite_backup(
    sqlite_registry: Settings, tmp_path: Path, empty_postgres_url: str
) -> None:
    dest = tmp_path / "backup"
    assert registry_cli(sqlite_registry, "backup", str(dest)).returncode == 0
    target = Settings(database_url=empty_postgres_url, data_dir=tmp_path / "pg")
    refused = registry_cli(target, "restore", str(dest))
    assert refused.returncode == 1
    assert "of a sqlite database and NESTRY_DATABASE_URL names a postgresql one" in (refused.stderr)


def test_backup_needs_pg_dump(tmp_path: Path, empty_postgres_url: str) -> None:
    settings = Settings(database_url=empty_postgres_url, data_dir=tmp_path / "pg")
    assert registry_cli(settings, "migrate").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("NESTRY_")}
    env.update(NESTRY_DATABASE_URL=empty_postgres_url, NESTRY_DATA_DIR=str(settings.data_dir))
    env["PATH"] = str(tmp_path / "no-tools")  # nothing on PATH: no pg_dump
    result = subprocess.run(
        [sys.executable, str(BIN / "nestry-registry"), "backup", str(tmp_path / "b")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "pg_dump was not found" in result.stderr and "postgresql-client" in result.stderr
    assert not (tmp_path / "b").exists() and not list(tmp_path.glob(".b.*"))


def _rows(settings: Settings, statement: sa.TextClause) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(make_url(settings.database_url).set(drivername="sqlite"))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(statement)]
    finally:
        engine.dispose()


def test_blobs_move_between_files_and_s3(
    sqlite_registry: Settings, tmp_path: Path, s3_bucket: str
) -> None:
    """The blob store seam: a backup of a file store restores into an S3 bucket (moto), and a
    backup of that registry holds the same blobs."""
    first = tmp_path / "from-files"
    assert registry_cli(sqlite_registry, "backup", str(first)).returncode == 0
    on_s3 = dataclasses.replace(elsewhere(tmp_path), blob_url=f"s3://{s3_bucket}/blobs")
    restored = registry_cli(on_s3, "restore", str(first))
    assert restored.returncode == 0, restored.stderr
    assert registry_cli(on_s3, "fsck").returncode == 0
    assert not on_s3.blob_dir.exists()
    second = tmp_path / "from-s3"
    made = registry_cli(on_s3, "backup", str(second))
    assert made.returncode == 0, made.stderr
    blobs = [json.loads((b / "manifest.json").read_text())["blobs"] for b in (first, second)]
    assert blobs[0] == blobs[1] and len(blobs[0]) == 2


def test_force_replaces_a_postgresql_database(tmp_path: Path, empty_postgres_url: str) -> None:
    """--force on PostgreSQL: what the database holds (tables, the change feed's triggers and
    function) is dropped and the backup's put in its place, in a database still usable."""
    settings = Settings(database_url=empty_postgres_url, data_dir=tmp_path / "pg")
    assert registry_cli(settings, "migrate").returncode == 0
    registry_cli(settings, "token", "create", "--user", "kept")
    dest = tmp_path / "pg-backup"
    made = registry_cli(settings, "backup", str(dest))
    assert made.returncode == 0, made.stderr
    assert (dest / "database.pgdump").read_bytes().startswith(b"PGDMP")  # pg_dump -Fc
    registry_cli(settings, "token", "create", "--user", "later")
    refused = registry_cli(settings, "restore", str(dest))
    assert refused.returncode == 1 and "is not empty" in refused.stderr
    forced = registry_cli(settings, "restore", "--force", str(dest))
    assert forced.returncode == 0, forced.stderr
    listed = registry_cli(settings, "user", "list", "--json")
    assert [user["name"] for user in json.loads(listed.stdout)] == ["kept"]
    again = registry_cli(settings, "token", "create", "--user", "after")  # writes still work
    assert again.returncode == 0, again.stderr

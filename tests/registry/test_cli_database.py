"""``nestry-registry`` run as an operator runs it (a real process, in a folder of its own):
the administration commands never create a database, and ``migrate`` says what it did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.db import migrate

BIN = Path(sys.executable).parent / "nestry-registry"
ADMIN_COMMANDS = [
    ["token", "create", "--user", "alice", "--namespace", "acme"],
    ["user", "list"],
    ["token", "list"],
    ["alias", "list"],
    ["fsck"],
    ["gc", "--dry-run"],
    ["backup", "snapshot.tar.gz"],
]


def registry_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``nestry-registry ARGS`` in ``cwd`` with no NESTRY_* setting but ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NESTRY_")}
    environment.update(env)
    command = [str(BIN), *args]
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def files_under(root: Path) -> list[Path]:
    return sorted(root.rglob("*"))


@pytest.mark.parametrize("args", ADMIN_COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_admin_commands_outside_the_checkout_create_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    result = registry_cli(tmp_path, *args)
    assert result.returncode == 1
    data_dir = tmp_path / ".nestry-data"
    assert result.stderr.splitlines() == [
        f"Error: no registry database at {data_dir / 'registry.db'} (data directory {data_dir})",
        "hint: run `nestry-registry serve` (or `migrate`) once to create it, or set "
        "NESTRY_DATA_DIR (or NESTRY_DATABASE_URL) to your registry's",
    ]
    assert result.stdout == ""
    assert files_under(tmp_path) == []  # no stray data directory, no empty database


def test_an_empty_database_file_is_not_a_registry(tmp_path: Path) -> None:
    stray = tmp_path / "data" / "registry.db"  # what earlier versions left behind
    stray.parent.mkdir()
    stray.touch()
    result = registry_cli(tmp_path, "token", "create", "--user", "a", NESTRY_DATA_DIR="data")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: the database at {stray} (data directory {stray.parent}) has no registry "
        "schema\nhint: run `nestry-registry serve`"
    )
    assert "Traceback" not in result.stderr
    assert stray.stat().st_size == 0 and files_under(tmp_path) == [stray.parent, stray]


def test_migrate_says_what_it_did(tmp_path: Path) -> None:
    head = migrate.head_revision()
    database = tmp_path / ".nestry-data" / "registry.db"
    created = registry_cli(tmp_path, "migrate")
    assert created.returncode == 0, created.stderr
    assert created.stdout == f"created the schema at revision {head} in {database}\n"
    again = registry_cli(tmp_path, "migrate")
    assert again.stdout == f"{database} is already at revision {head}\n"
    token = registry_cli(tmp_path, "token", "create", "--user", "alice")
    assert token.returncode == 0, token.stderr
    assert token.stdout.splitlines()[-1].startswith("nst_")
    # A wheel install without the migrations (NESTRY_MIGRATIONS_DIR unset): still usable.
    elsewhere = str(tmp_path / "no-migrations")
    listed = registry_cli(tmp_path, "user", "list", NESTRY_MIGRATIONS_DIR=elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert "alice" in listed.stdout


def test_an_old_schema_is_named_and_migrate_upgrades_it(tmp_path: Path) -> None:
    head = migrate.head_revision()
    database = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{database}"
    migrate.upgrade(url, "0008")
    refused = registry_cli(tmp_path, "user", "list", NESTRY_DATABASE_URL=url)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: the database at {database} is at revision 0008, this nestry-registry needs "
        f"{head}\nhint: run `nestry-registry migrate` first\n"
    )
    upgraded = registry_cli(tmp_path, "migrate", NESTRY_DATABASE_URL=url)
    assert upgraded.stdout == f"upgraded {database} from revision 0008 to {head}\n"
    assert registry_cli(tmp_path, "user", "list", NESTRY_DATABASE_URL=url).returncode == 0


def test_postgresql_databases_missing_or_empty(tmp_path: Path, empty_postgres_url: str) -> None:
    missing_url = empty_postgres_url.rsplit("/", 1)[0] + "/nestry_no_such_database"
    missing = registry_cli(tmp_path, "token", "list", NESTRY_DATABASE_URL=missing_url)
    assert missing.returncode == 1
    first = missing.stderr.splitlines()[0]
    assert first.startswith("Error: no registry database at postgresql+asyncpg://")
    assert first.endswith("/nestry_no_such_database")
    assert "Traceback" not in missing.stderr

    empty = registry_cli(tmp_path, "token", "list", NESTRY_DATABASE_URL=empty_postgres_url)
    assert empty.returncode == 1
    assert "has no registry schema\nhint: run `nestry-registry serve`" in empty.stderr
    assert files_under(tmp_path) == []
    created = registry_cli(tmp_path, "migrate", NESTRY_DATABASE_URL=empty_postgres_url)
    assert created.stdout.startswith(f"created the schema at revision {migrate.head_revision()}")


def test_help_is_h_too_and_shows_no_rst_markup(tmp_path: Path) -> None:
    for args in (["-h"], ["token", "create", "-h"], ["alias", "list", "-h"], ["user", "-h"]):
        result = registry_cli(tmp_path, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Usage: nestry-registry {' '.join(args[:-1])}".rstrip())
        assert "``" not in result.stdout
    assert files_under(tmp_path) == []

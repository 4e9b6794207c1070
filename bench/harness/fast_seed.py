"""Seed a registry fast: one model app through the publish API, then SQL clones of it."""

from __future__ import annotations

import time
from pathlib import Path

from harness import corpus, sql_seed, sqlite_seed
from harness.nestry_seed import corpus_publish
from harness.publisher import publish_all


def publish_model(base: str, token: str, versions: int) -> None:
    """``corpus.App(0)`` with ``versions`` versions, oldest first, through the API."""
    items = [corpus_publish(corpus.App(0), v) for v in corpus.versions(versions)]
    outcome = publish_all(base, token, items, concurrency=1)
    if outcome.failed:
        raise RuntimeError(f"publishing the model app failed: {outcome.first_error}")


def grow(database: str | Path, apps: int) -> int:
    """Grow to ``apps``: ``database`` is a PostgreSQL DSN or a SQLite file path."""
    if str(database).startswith("postgresql://"):
        return sql_seed.grow(str(database), apps)
    return sqlite_seed.grow(Path(database), apps)


def seed(base: str, token: str, database: str | Path, apps: int, versions: int) -> float:
    """The whole corpus (``apps`` x ``versions``); returns the seconds it took."""
    began = time.monotonic()
    publish_model(base, token, versions)
    grow(database, apps)
    return time.monotonic() - began

"""Registry settings, read from ``NESTRY_*`` environment variables.

With nothing configured the registry is self-contained: SQLite and blob files under
``./.nestry-data`` (relative to the working directory, like ``.git``), so ``nestry-registry
serve`` in an empty folder just works. Sizes are bytes.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
DEFAULT_DATA_DIR = ".nestry-data"
DEFAULT_TOKEN_MAX_DAYS = 365  # the longest expires_in_days POST /v1/tokens accepts, by default


class SettingsError(ValueError):
    """An environment variable holds a value the registry cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; immutable, built once per process."""

    database_url: str
    data_dir: Path
    public_url: str | None = None
    max_template_bytes: int = 1 * MIB
    max_bundle_bytes: int = 50 * MIB
    max_unpacked_bytes: int = 500 * MIB
    max_bundle_members: int = 10_000
    anonymous_read: bool = True
    download_flush_seconds: float = 5.0
    # Staleness bound of what anonymous callers are told about public apps when no change feed
    # is live (SQLite; or PostgreSQL with listen_for_changes off or its listener down).
    public_cache_seconds: float = 1.0
    # Every cached answer of the read path, per process (``registry.documents.service``).
    cache_bytes: int = 128 * MIB
    listen_for_changes: bool = True  # PostgreSQL LISTEN (registry.serving.change_feed)
    access_log: bool = (
        False  # registry.serving.access_log; `serve` turns it on unless --no-access-log
    )
    default_visibility: str = "private"  # of apps first published in a namespace without one
    auth_failure_limit: int = 10  # failed authentications per address and window → 429
    auth_failure_window_seconds: int = 60
    blob_url: str | None = None  # NESTRY_BLOB_URL; None: file://<data_dir>/blobs
    bundle_redirect: bool = False  # answer bundle downloads with a presigned URL (s3:// only)
    presign_seconds: int = 300
    replica: str = ""  # the `replica` label of /metrics; NESTRY_REPLICA, default the host name
    metrics_dir: Path | None = None  # workers' metrics snapshots (registry.serving.metrics_files)
    # Slow and idle connections (registry.serving.connection_guard): a request's headers (and
    # each pause in its body) within read_timeout; a connection without a request in progress
    # closed after idle_timeout; past max_connections (0: from the open-file limit) the
    # longest-idle connection is shed.
    # X-Forwarded-For is believed only from these proxies (comma-separated addresses or
    # networks; empty: from nobody, the client address is the socket's peer).
    trusted_proxies: str = ""
    redis_url: str | None = None  # failed-auth counts in Redis instead of the database
    # PostgreSQL: give up connecting / on a statement after these (then 503 database_unavailable)
    db_connect_timeout_seconds: int = 5
    db_statement_timeout_seconds: int = 10
    read_timeout_seconds: int = 10
    idle_timeout_seconds: int = 5
    max_connections: int = 0
    token_max_days: int = DEFAULT_TOKEN_MAX_DAYS  # the longest expires_in_days accepted

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def blob_store_url(self) -> str:
        return self.blob_url or self.blob_dir.absolute().as_uri()

    @property
    def max_body_bytes(self) -> int:
        """Publish bodies: a bundle, a template, a readme and a license plus multipart framing."""
        return self.max_bundle_bytes + 3 * self.max_template_bytes + MIB

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``); raise ``SettingsError``."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("NESTRY_DATA_DIR") or DEFAULT_DATA_DIR).absolute()
        return cls(
            database_url=env.get("NESTRY_DATABASE_URL") or sqlite_url(data_dir / "registry.db"),
            data_dir=data_dir,
            public_url=(env.get("NESTRY_PUBLIC_URL") or "").rstrip("/") or None,
            max_template_bytes=_int(env, "NESTRY_MAX_TEMPLATE_BYTES", 1 * MIB),
            max_bundle_bytes=_int(env, "NESTRY_MAX_BUNDLE_BYTES", 50 * MIB),
            max_unpacked_bytes=_int(env, "NESTRY_MAX_UNPACKED_BYTES", 500 * MIB),
            max_bundle_members=_int(env, "NESTRY_MAX_BUNDLE_FILES", 10_000),
            anonymous_read=_bool(env, "NESTRY_ANONYMOUS_READ", True),
            download_flush_seconds=float(_int(env, "NESTRY_DOWNLOAD_FLUSH_SECONDS", 5)),
            public_cache_seconds=_int(env, "NESTRY_PUBLIC_CACHE_MS", 1000, minimum=0) / 1000,
            cache_bytes=_int(env, "NESTRY_CACHE_BYTES", 128 * MIB, minimum=MIB),
            listen_for_changes=_bool(env, "NESTRY_LISTEN", True),
            access_log=_bool(env, "NESTRY_ACCESS_LOG", False),
            default_visibility=_visibility(env, "NESTRY_DEFAULT_VISIBILITY"),
            auth_failure_limit=_int(env, "NESTRY_AUTH_FAILURE_LIMIT", 10),
            auth_failure_window_seconds=_int(env, "NESTRY_AUTH_FAILURE_WINDOW_SECONDS", 60),
            blob_url=_blob_url(env, "NESTRY_BLOB_URL"),
            bundle_redirect=_bool(env, "NESTRY_BUNDLE_REDIRECT", False),
            presign_seconds=_int(env, "NESTRY_PRESIGN_SECONDS", 300),
            replica=env.get("NESTRY_REPLICA") or socket.gethostname(),
            metrics_dir=Path(env["NESTRY_METRICS_DIR"]) if env.get("NESTRY_METRICS_DIR") else None,
            trusted_proxies=_proxies(env, "NESTRY_TRUSTED_PROXIES"),
            redis_url=env.get("NESTRY_REDIS_URL") or None,
            db_connect_timeout_seconds=_int(env, "NESTRY_DB_CONNECT_TIMEOUT_SECONDS", 5),
            db_statement_timeout_seconds=_int(env, "NESTRY_DB_STATEMENT_TIMEOUT_SECONDS", 10),
            read_timeout_seconds=_int(env, "NESTRY_READ_TIMEOUT_SECONDS", 10),
            idle_timeout_seconds=_int(env, "NESTRY_IDLE_TIMEOUT_SECONDS", 5),
            max_connections=_int(env, "NESTRY_MAX_CONNECTIONS", 0, minimum=0),
            token_max_days=_int(env, "NESTRY_TOKEN_MAX_DAYS", DEFAULT_TOKEN_MAX_DAYS),
        )


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _int(env: Mapping[str, str], key: str, default: int, *, minimum: int = 1) -> int:
    text = env.get(key)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{key}={text!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{key} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    text = (env.get(key) or "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key}={text!r}: use on/off, true/false, yes/no or 1/0")


def _proxies(env: Mapping[str, str], key: str) -> str:
    """Comma-separated IP addresses or networks, normalised; ``*`` is refused (it would let
    every caller choose its own address)."""
    text = env.get(key) or ""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(f"{key}: {entry!r} is not an IP address or network") from None
    return ",".join(entries)


def _visibility(env: Mapping[str, str], key: str) -> str:
    text = (env.get(key) or "private").strip().lower()
    if text not in ("public", "private"):
        raise SettingsError(f"{key}={text!r}: use public or private")
    return text


def _blob_url(env: Mapping[str, str], key: str) -> str | None:
    text = (env.get(key) or "").strip()
    if text and not text.startswith(("file:///", "s3://")):
        raise SettingsError(f"{key}={text!r}: use file:///absolute/path or s3://bucket/prefix")
    return text or None

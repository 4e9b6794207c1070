"""Connection arguments shared by the engines and the change feed's own connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


DEFAULT_CONNECT_TIMEOUT = 5.0


def postgres_connect_args(
    url: str,
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = None,
) -> dict[str, Any]:
    """asyncpg's arguments: give up connecting after ``connect_timeout`` seconds; with
    ``statement_timeout``, give up on a statement after it (the client stops waiting, and the
    server cancels it too); ``ssl=False`` on a loopback host unless the URL chooses SSL."""
    parsed = make_url(url)
    if parsed.get_driver_name() != "asyncpg":
        return {}
    args: dict[str, Any] = {"timeout": connect_timeout}
    if statement_timeout is not None:
        args["command_timeout"] = statement_timeout
        args["server_settings"] = {"statement_timeout": str(int(statement_timeout * 1000))}
    chooses_ssl = any(key in parsed.query for key in ("ssl", "sslmode"))
    if not chooses_ssl and parsed.host in LOOPBACK_HOSTS:
        args["ssl"] = False
    return args

"""Connection arguments shared by the engines and the change feed's own connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def postgres_connect_args(url: str) -> dict[str, Any]:
    """``ssl=False`` for asyncpg on a loopback host unless the URL chooses SSL itself."""
    parsed = make_url(url)
    chooses_ssl = any(key in parsed.query for key in ("ssl", "sslmode"))
    if parsed.get_driver_name() != "asyncpg" or chooses_ssl or parsed.host not in LOOPBACK_HOSTS:
        return {}
    return {"ssl": False}

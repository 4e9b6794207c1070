"""A short-lived cache of authenticated principals, so a token costs one query per few seconds.

A principal carries its user's roles, so the cache holds authorization data. Every change to
it (token revoked, member added, removed or given another role) calls ``clear()`` in the
process that made the change: there it takes effect at once. Other processes (uvicorn
``--workers``, other replicas) keep what they cached for at most ``ttl`` seconds (5 s): that
is the documented bound on how long a revoked token or removed role can still act elsewhere.
Expiry is checked on every request.
"""

from __future__ import annotations

import time
from datetime import datetime

from registry.auth import Principal
from registry.errors import Unauthorized

MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, ttl: float = 5.0) -> None:
        self._ttl = ttl
        self._items: dict[str, tuple[float, Principal]] = {}

    def get(self, token_hash: str, now: datetime) -> Principal | None:
        item = self._items.get(token_hash)
        if item is None or time.monotonic() - item[0] > self._ttl:
            return None
        principal = item[1]
        if principal.expires_at is not None and principal.expires_at <= now:
            del self._items[token_hash]
            raise Unauthorized("token_expired", "the token has expired; create a new one")
        return principal

    def put(self, token_hash: str, principal: Principal) -> None:
        if len(self._items) >= MAX_ENTRIES:
            self._items.clear()  # crude but bounded; entries refill within one TTL
        self._items[token_hash] = (time.monotonic(), principal)

    def clear(self) -> None:
        """Forget everything (after a revocation or a membership change)."""
        self._items.clear()

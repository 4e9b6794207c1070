"""A short-lived cache of authenticated principals, so a token costs one query per few seconds.

A principal carries its user's roles, so the cache holds authorization data. An entry is used
only while the change feed's generation (``registry.serving.change_feed``) is the one it was read
under: every commit in this process, and every change notice from other processes (PostgreSQL
triggers on users, namespaces, memberships and tokens; SQLite's shared generation), retires all
entries at once, so a revoked token or a removed role stops acting everywhere as soon as the
change commits. While no feed is live (PostgreSQL with ``NESTRY_LISTEN=off`` or its listener
down), entries also expire after ``ttl`` seconds (5 s): the bound then. Expiry of the token
itself is checked on every request.
"""

from __future__ import annotations

import time
from datetime import datetime

from registry.auth.credentials import Principal
from registry.errors import Unauthorized
from registry.serving.change_feed import ChangeFeed

MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, feed: ChangeFeed | None = None, ttl: float = 5.0) -> None:
        self._feed = feed if feed is not None else ChangeFeed()
        self._ttl = ttl
        # token hash -> (time stored, generation read under, principal)
        self._items: dict[str, tuple[float, int, Principal]] = {}
        self._feed.subscribe(lambda _apps: self.clear())  # any notice: roles may change

    @property
    def generation(self) -> int:
        """Note it before the authentication query; pass it to ``put``."""
        return self._feed.generation

    def get(self, token_hash: str, now: datetime) -> Principal | None:
        item = self._items.get(token_hash)
        if item is None or item[1] != self._feed.generation:
            return None
        if not self._feed.live and time.monotonic() - item[0] > self._ttl:
            return None
        principal = item[2]
        if principal.expires_at is not None and principal.expires_at <= now:
            del self._items[token_hash]
            raise Unauthorized("token_expired", "the token has expired; create a new one")
        return principal

    def put(self, token_hash: str, principal: Principal, generation: int) -> None:
        """Keep ``principal`` unless a change was noticed since ``generation`` was read."""
        if generation != self._feed.generation:
            return
        if len(self._items) >= MAX_ENTRIES:
            self._items.clear()  # crude but bounded; entries refill on their next use
        self._items[token_hash] = (time.monotonic(), generation, principal)

    def clear(self) -> None:
        """Forget everything (after a revocation or a membership change)."""
        self._items.clear()

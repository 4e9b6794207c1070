"""A cache of authenticated principals, so a token costs one query until its principal changes.

A principal carries its user's roles, so the cache holds authorization data. Entries are
retired per principal by the change feed (``registry.serving.change_feed``): a notice naming a
user (its row, its memberships) drops every principal of that user's tokens, one naming a token
(its row, its namespaces) that token's principal, one naming a namespace (rare: created,
deleted, its settings changed) or ``None`` everything. Notices come from every commit in this
process and from other processes (PostgreSQL triggers, SQLite's shared ring), so a revoked
token or a removed role stops acting everywhere as soon as the change commits, and a publish
(a notice about an application) leaves every principal in place. A principal read while a
notice about its user or token arrived is not kept (``Epochs``). While no feed is live
(PostgreSQL with ``NESTRY_LISTEN=off`` or its listener down), entries also expire after
``ttl`` seconds (5 s): the bound then. Expiry of the token itself is checked on every request.
"""

from __future__ import annotations

import time
from datetime import datetime

from registry.auth.credentials import Principal
from registry.errors import Unauthorized
from registry.serving.change_feed import ChangeFeed, Changes, Epochs

MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self, feed: ChangeFeed | None = None, ttl: float = 5.0) -> None:
        self._feed = feed if feed is not None else ChangeFeed()
        self._ttl = ttl
        self._epochs = Epochs()  # keyed by ("user", id) and ("token", id)
        # token hash -> (time stored, principal)
        self._items: dict[str, tuple[float, Principal]] = {}
        self._of_user: dict[int, set[str]] = {}  # user id -> token hashes held
        self._of_token: dict[int, str] = {}  # token id -> its hash
        self._feed.subscribe(self._on_notice)

    @property
    def epoch(self) -> int:
        """Note it before the authentication query; pass it to ``put``."""
        self._feed.poll()
        return self._epochs.epoch

    def get(self, token_hash: str, now: datetime) -> Principal | None:
        self._feed.poll()
        item = self._items.get(token_hash)
        if item is None:
            return None
        if not self._feed.live and time.monotonic() - item[0] > self._ttl:
            self._drop(token_hash)
            return None
        principal = item[1]
        if principal.expires_at is not None and principal.expires_at <= now:
            self._drop(token_hash)
            raise Unauthorized("token_expired", "the token has expired; create a new one")
        return principal

    def put(self, token_hash: str, principal: Principal, epoch: int) -> None:
        """Keep ``principal`` unless a notice about its user or token arrived since ``epoch``."""
        self._feed.poll()
        keys = (("user", principal.user_id), ("token", principal.token_id))
        if principal.user_id is None or not self._epochs.fresh(epoch, *keys):
            return
        if len(self._items) >= MAX_ENTRIES:
            self.clear()  # crude but bounded; entries refill on their next use
        self._drop(token_hash)
        self._items[token_hash] = (time.monotonic(), principal)
        self._of_user.setdefault(principal.user_id, set()).add(token_hash)
        if principal.token_id is not None:
            self._of_token[principal.token_id] = token_hash

    def clear(self) -> None:
        """Forget everything."""
        self._items.clear()
        self._of_user.clear()
        self._of_token.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _on_notice(self, notice: Changes) -> None:
        if notice is None or notice.namespaces:
            self._epochs.advance(None)
            self.clear()
            return
        if not notice.users and not notice.tokens:
            return  # applications only: no principal depends on them
        self._epochs.advance(
            [*(("user", u) for u in notice.users), *(("token", t) for t in notice.tokens)]
        )
        for user_id in notice.users:
            for token_hash in list(self._of_user.get(user_id, ())):
                self._drop(token_hash)
        for token_id in notice.tokens:
            held = self._of_token.get(token_id)
            if held is not None:
                self._drop(held)

    def _drop(self, token_hash: str) -> None:
        item = self._items.pop(token_hash, None)
        if item is None:
            return
        principal = item[1]
        if principal.user_id is not None:
            hashes = self._of_user.get(principal.user_id)
            if hashes is not None:
                hashes.discard(token_hash)
                if not hashes:
                    del self._of_user[principal.user_id]
        if principal.token_id is not None and self._of_token.get(principal.token_id) == token_hash:
            del self._of_token[principal.token_id]

"""In-process caches of rendered documents (the read path's ready bytes).

Two kinds. For authenticated callers, entries carry a *stamp* read from the database on every
request (for apps: ``(updated_at, downloads)``) and are used only while it matches: every
change to an app or its versions bumps ``apps.updated_at`` (``search_index.refresh``) and every
download flush changes ``apps.downloads``. For anonymous callers of public apps (``PublicReads``)
no query at all: validity comes from the change feed (``registry.serving.change_feed``) or a time
bound.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from registry.serving.change_feed import ChangeFeed

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._max:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def drop(self, keep: Callable[[V], bool]) -> None:
        """Remove the entries whose value ``keep`` rejects."""
        for key in [key for key, value in self._items.items() if not keep(value)]:
            del self._items[key]


class PublicReads:
    """What anonymous callers are told about *public* apps, reused without a query.

    Holds version lookups (for the template and bundle endpoints) and whole ready responses
    (for ``registry.serving.hot_reads``). Anything an anonymous caller may read is public, so one
    answer serves them all; what can change it is a write to the app (visibility, yank, tags,
    deletion). Validity comes from the ``ChangeFeed``: while it is live, entries last until a
    change notice clears them; without it, at most ``ttl`` seconds (``NESTRY_PUBLIC_CACHE_MS``;
    0 turns reuse off). Download counts change unnoticed (``DownloadCounter`` flushes are not
    reported), so answers showing them are kept at most ``max_age``. Commits made by this
    process clear the table at once either way. Authenticated callers never use it.
    """

    def __init__(self, feed: ChangeFeed, ttl: float, max_entries: int = 8192) -> None:
        self.ttl = ttl
        self._feed = feed
        # key -> (expiry without a live feed, expiry with one, generation, value)
        self._items: LruCache[Hashable, tuple[float, float, int, object]] = LruCache(max_entries)
        feed.subscribe(self.clear)

    @property
    def generation(self) -> int:
        """Note it before querying; pass it to ``put`` with the answer."""
        return self._feed.generation

    def get(self, key: Hashable) -> object | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        unfed_expiry, fed_expiry, generation, value = entry
        if generation != self._feed.generation:
            return None
        if (fed_expiry if self._feed.live else unfed_expiry) < time.monotonic():
            return None
        return value

    def stale(self, key: Hashable) -> object | None:
        """What ``key`` holds whatever its age, unless a change was noticed since it was kept:
        for answering while the database is away (``registry.db.health``), when the choice is
        between a possibly dated public answer and none."""
        entry = self._items.get(key)
        if entry is None or entry[2] != self._feed.generation:
            return None
        return entry[3]

    def put(
        self, key: Hashable, value: object, generation: int, max_age: float | None = None
    ) -> None:
        """Keep ``value`` unless a change was noticed since ``generation`` was read.

        ``max_age`` bounds an answer that also shows what changes unnoticed (download counts).
        """
        if generation != self._feed.generation or not (self._feed.live or self.ttl > 0):
            return
        now = time.monotonic()
        live_expiry = math.inf if max_age is None else now + max_age
        self._items.put(key, (min(now + self.ttl, live_expiry), live_expiry, generation, value))

    def clear(self) -> None:
        self._items.clear()

    def forget_counts(self) -> None:
        """Drop the answers showing download counts (this process has just flushed its own)."""
        self._items.drop(lambda entry: entry[1] == math.inf)

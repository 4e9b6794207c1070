"""Version lists of *public* applications, kept between resolves: most resolves need no query.

Keyed by canonical application name (``ns/name``), so the documents service can take it over
later. Only public apps are kept: anyone allowed to call ``POST /v1/resolve`` may read them, so
one entry serves every caller and no access decision is made here (private apps are read with
``registry.auth.access.readable_apps`` on every resolve). Validity is the change feed's, like
``registry.documents.cache.PublicReads``: an entry is used only while the feed's generation is
the one it was read under (any write to an app, its versions, tags or visibility changes it),
and, while the feed is not live, for at most ``ttl`` seconds. Bounded by the number of versions
held (``max_versions``): the least recently used apps go first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from client.resolution import AppVersions, Request
from registry.serving.change_feed import ChangeFeed


@dataclass
class AppEntry:
    versions: AppVersions
    ids: dict[str, int]  # version -> its row id, to read its references
    # digest -> the registry references its template nests; filled on first use (immutable)
    references: dict[str, tuple[Request, ...]] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return 1 + len(self.ids)


class VersionLists:
    def __init__(self, feed: ChangeFeed, ttl: float, max_versions: int = 100_000) -> None:
        self.ttl = ttl
        self._feed = feed
        self._max = max_versions
        self._weight = 0
        # canonical name -> (time stored, generation read under, entry)
        self._items: OrderedDict[str, tuple[float, int, AppEntry]] = OrderedDict()
        feed.subscribe(lambda _apps: self.clear())

    @property
    def generation(self) -> int:
        """Note it before querying; pass it to ``put`` with the answer."""
        return self._feed.generation

    def get(self, name: str) -> AppEntry | None:
        return self.get_many([name]).get(name)

    def get_many(self, names: Iterable[str]) -> dict[str, AppEntry]:
        """The current entries among ``names`` (the generation is read once)."""
        generation, live, now = self._feed.generation, self._feed.live, time.monotonic()
        found: dict[str, AppEntry] = {}
        for name in names:
            item = self._items.get(name)
            if item is None or item[1] != generation or (not live and now - item[0] > self.ttl):
                continue
            self._items.move_to_end(name)
            found[name] = item[2]
        return found

    def put(self, name: str, entry: AppEntry, generation: int) -> None:
        """Keep ``entry`` unless a change was noticed since ``generation`` was read."""
        if generation != self._feed.generation or not (self._feed.live or self.ttl > 0):
            return
        if entry.weight > self._max:
            return
        self._drop(name)
        self._items[name] = (time.monotonic(), generation, entry)
        self._weight += entry.weight
        while self._weight > self._max:
            self._drop(next(iter(self._items)))

    def clear(self) -> None:
        self._items.clear()
        self._weight = 0

    def __len__(self) -> int:
        return len(self._items)

    def _drop(self, name: str) -> None:
        item = self._items.pop(name, None)
        if item is not None:
            self._weight -= item[2].weight

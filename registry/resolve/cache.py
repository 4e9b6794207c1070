"""Version lists of applications, kept between resolves: a warm resolve runs no query.

Keyed by canonical application name (``ns/name``). Each entry holds who may read the app
(``AppAccess``), so one entry serves every caller: ``DatabaseSource`` decides per caller with
``registry.auth.access.may_read`` (a lookup in the principal's roles, no statement). Validity is
the change feed's, per application, like ``registry.documents.service.Documents``: a notice
naming an app (its row, versions, tags, grants or visibility changed) drops that app's entry
and nothing else, so a publish of ``acme/a`` leaves ``acme/b``'s list in place; an entry read
while a notice for its app arrived is not kept (``Epochs``); ``None`` notices drop everything.
While the feed is not live, entries are used for at most ``ttl`` seconds. Bounded by the
number of versions held (``max_versions``): the least recently used apps go first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from client.resolution import AppVersions, Request
from registry.auth.access import AppAccess
from registry.serving.change_feed import ChangeFeed, Changes, Epochs


@dataclass
class AppEntry:
    app_id: int
    access: AppAccess
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
        self._epochs = Epochs()  # keyed by app id
        # canonical name -> (time stored, entry)
        self._items: OrderedDict[str, tuple[float, AppEntry]] = OrderedDict()
        self._names: dict[int, str] = {}  # app id -> the name its entry is held under
        feed.subscribe(self._on_notice)

    @property
    def epoch(self) -> int:
        """Note it before querying; pass it to ``put`` with the answer."""
        self._feed.poll()
        return self._epochs.epoch

    def get(self, name: str) -> AppEntry | None:
        return self.get_many([name]).get(name)

    def get_many(self, names: Iterable[str]) -> dict[str, AppEntry]:
        """The entries held among ``names`` (the feed is polled once)."""
        self._feed.poll()
        bounded = not self._feed.live
        now = time.monotonic() if bounded else 0.0
        found: dict[str, AppEntry] = {}
        for name in names:
            item = self._items.get(name)
            if item is None:
                continue
            if bounded and now - item[0] > self.ttl:
                self._drop(name)
                continue
            self._items.move_to_end(name)
            found[name] = item[1]
        return found

    def put(self, name: str, entry: AppEntry, epoch: int) -> None:
        """Keep ``entry`` unless a notice about its app arrived since ``epoch`` was read."""
        self._feed.poll()
        if not self._epochs.fresh(epoch, entry.app_id):
            return
        if not (self._feed.live or self.ttl > 0) or entry.weight > self._max:
            return
        self._drop(name)
        held = self._names.get(entry.app_id)
        if held is not None:  # renamed meanwhile: one entry per app
            self._drop(held)
        self._items[name] = (time.monotonic(), entry)
        self._names[entry.app_id] = name
        self._weight += entry.weight
        while self._weight > self._max:
            self._drop(next(iter(self._items)))

    def clear(self) -> None:
        self._items.clear()
        self._names.clear()
        self._weight = 0

    def __len__(self) -> int:
        return len(self._items)

    def _on_notice(self, notice: Changes) -> None:
        if notice is None:
            self._epochs.advance(None)
            self.clear()
            return
        if not notice.apps:
            return
        self._epochs.advance(notice.apps)
        for app_id in notice.apps:
            name = self._names.get(app_id)
            if name is not None:
                self._drop(name)

    def _drop(self, name: str) -> None:
        item = self._items.pop(name, None)
        if item is not None:
            self._weight -= item[1].weight
            if self._names.get(item[1].app_id) == name:
                del self._names[item[1].app_id]

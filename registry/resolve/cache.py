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

Whole answers are kept too (``answer``, ``remember``): the bytes of a ``POST /v1/resolve``
whose every node is a public app (the same for every caller who may resolve at all), keyed
by the request's body and host, dropped when a notice names any app in it; bounded in bytes
(``max_answer_bytes``), least recently used first. Most installs send what others sent.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Collection, Hashable, Iterable
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


MAX_ANSWER_BYTES = 16 << 20


class VersionLists:
    def __init__(
        self,
        feed: ChangeFeed,
        ttl: float,
        max_versions: int = 100_000,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.ttl = ttl
        self._feed = feed
        self._max = max_versions
        self._weight = 0
        # key -> (time stored, answer's bytes, the apps it shows)
        self._answers: OrderedDict[Hashable, tuple[float, bytes, frozenset[int]]] = OrderedDict()
        self._answers_of: dict[int, set[Hashable]] = {}  # app id -> keys of answers showing it
        self._answer_bytes = 0
        self._max_answer_bytes = max_answer_bytes
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

    def answer(self, key: Hashable) -> bytes | None:
        """A whole answer kept by ``remember`` (the feed is polled first)."""
        self._feed.poll()
        item = self._answers.get(key)
        if item is None:
            return None
        if not self._feed.live and time.monotonic() - item[0] > self.ttl:
            self._forget(key)
            return None
        self._answers.move_to_end(key)
        return item[1]

    def remember(self, key: Hashable, body: bytes, apps: Collection[int], epoch: int) -> None:
        """Keep a whole answer showing ``apps`` (all public), computed since ``epoch``."""
        self._feed.poll()
        size = len(body) + 2 * _size_of(key)
        if not self._epochs.fresh(epoch, *apps) or size > self._max_answer_bytes // 8:
            return
        if not (self._feed.live or self.ttl > 0):
            return
        self._forget(key)
        shown = frozenset(apps)
        self._answers[key] = (time.monotonic(), body, shown)
        for app_id in shown:
            self._answers_of.setdefault(app_id, set()).add(key)
        self._answer_bytes += size
        while self._answer_bytes > self._max_answer_bytes:
            self._forget(next(iter(self._answers)))

    def clear(self) -> None:
        self._items.clear()
        self._names.clear()
        self._weight = 0
        self._answers.clear()
        self._answers_of.clear()
        self._answer_bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def answers_held(self) -> int:
        return len(self._answers)

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
            for key in list(self._answers_of.get(app_id, ())):
                self._forget(key)

    def _drop(self, name: str) -> None:
        item = self._items.pop(name, None)
        if item is not None:
            self._weight -= item[1].weight
            if self._names.get(item[1].app_id) == name:
                del self._names[item[1].app_id]

    def _forget(self, key: Hashable) -> None:
        item = self._answers.pop(key, None)
        if item is None:
            return
        self._answer_bytes -= len(item[1]) + 2 * _size_of(key)
        for app_id in item[2]:
            keys = self._answers_of.get(app_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._answers_of[app_id]


def answer_key(host: str | None, body: bytes) -> Hashable:
    """The key of a whole answer: the request's ``Host`` header (ids naming it are ours) and
    its body as sent (what the answer is computed from)."""
    return ("resolve", host, body)


def _size_of(key: Hashable) -> int:
    """What a key holds, roughly: its bytes and strings (the request's body, its host)."""
    parts = key if isinstance(key, tuple) else (key,)
    return 64 + sum(len(part) for part in parts if isinstance(part, (bytes, str)))

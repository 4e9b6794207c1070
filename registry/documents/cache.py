"""One cache for every answer of the read path, bounded in bytes by one policy.

Entries are kept least-recently-used first out, until the sizes they declare add up to no more
than ``max_bytes`` (``NESTRY_CACHE_BYTES``); an entry larger than an eighth of that is not kept
at all, so that one answer cannot flush everything else. Each entry may belong to applications
(their database ids, the *tags*; a resolve answer shows several): ``drop_app`` removes the
entries of that application and nothing else; untagged entries (immutable: templates by digest,
versions' immutable parts and references) leave only by the byte bound. Sizes are estimates
of what an entry holds (its bytes plus a fixed overhead per Python object); ``stats`` reports
them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field

OVERHEAD = 256  # bytes an entry costs besides what it declares (key, record, dict slot)


@dataclass
class Entry:
    value: object
    size: int
    tags: tuple[int, ...]  # the applications it belongs to; none: immutable
    stored_at: float  # for what shows download counts: when those counts were read
    shows_counts: bool  # holds download counts (dropped when this process flushes them)
    refreshing_since: float | None = None  # one caller is reading its counts again


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    stores: int = 0
    evictions: int = 0  # by the byte bound
    invalidations: int = 0  # by change notices or count flushes
    by_kind: dict[str, int] = field(default_factory=dict)  # stores per kind of entry


class ByteCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.stats = Stats()
        self._items: OrderedDict[Hashable, Entry] = OrderedDict()
        self._tagged: dict[int, set[Hashable]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def count(self, kind: str) -> int:
        """How many entries of ``kind`` (the first item of their tuple keys) are held."""
        return sum(1 for key in self._items if isinstance(key, tuple) and key[:1] == (kind,))

    def held(self) -> list[Hashable]:
        """The keys held, least recently used first."""
        return list(self._items)

    def held_for(self, app_id: int) -> set[Hashable]:
        """The keys held for an application."""
        return set(self._tagged.get(app_id, ()))

    def peek(self, key: Hashable) -> Entry | None:
        """The entry, without counting a hit or refreshing its place."""
        return self._items.get(key)

    def get(self, key: Hashable) -> Entry | None:
        entry = self._items.get(key)
        if entry is None:
            self.stats.misses += 1
            return None
        self._items.move_to_end(key)
        self.stats.hits += 1
        return entry

    def put(
        self,
        key: Hashable,
        value: object,
        size: int,
        tags: Collection[int] = (),
        *,
        shows_counts: bool = False,
        born: float | None = None,
    ) -> None:
        """Keep ``value`` of the applications ``tags`` (``born``: when what it shows was read;
        default now)."""
        size += OVERHEAD
        if size > self.max_bytes // 8:
            return
        self.remove(key)
        stored_at = time.monotonic() if born is None else born
        held = tuple(sorted(set(tags)))
        self._items[key] = Entry(value, size, held, stored_at, shows_counts)
        self.size += size
        for tag in held:
            self._tagged.setdefault(tag, set()).add(key)
        self.stats.stores += 1
        kind = str(key[0]) if isinstance(key, tuple) and key else type(key).__name__
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
        while self.size > self.max_bytes:
            oldest = next(iter(self._items))
            self.remove(oldest)
            self.stats.evictions += 1

    def remove(self, key: Hashable) -> None:
        entry = self._items.pop(key, None)
        if entry is None:
            return
        self.size -= entry.size
        for tag in entry.tags:
            keys = self._tagged.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tagged[tag]

    def drop_app(self, app_id: int) -> None:
        """Remove an application's entries."""
        for key in list(self._tagged.get(app_id, ())):
            self.remove(key)
            self.stats.invalidations += 1

    def age_counts(self, app_id: int, read_at: float) -> None:
        """Date the download counts an application's entries show back to ``read_at`` (no
        later than it), so that their next reader reads them again; nothing is removed."""
        for key in self._tagged.get(app_id, ()):
            entry = self._items[key]
            if entry.shows_counts:
                entry.stored_at = min(entry.stored_at, read_at)
                entry.refreshing_since = None

    def drop_all_apps(self) -> None:
        """Remove every application's entries; immutable ones stay."""
        for app_id in list(self._tagged):
            self.drop_app(app_id)

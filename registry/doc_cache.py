"""In-process caches of rendered documents (the read path's ready bytes).

Entries carry a *stamp* read from the database on every request (for apps:
``(updated_at, downloads)``); a cached body is used only while its stamp still matches, so
several workers, each with its own cache, never serve a stale document. Every change to an app
or its versions bumps ``apps.updated_at`` (``search_index.refresh`` does it) and every download
flush changes ``apps.downloads``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

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

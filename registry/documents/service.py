"""The documents service: every cached answer of the read path, in one place.

Endpoints (``registry.apps.api``, ``registry.apps.versions_api``) and the hot path
(``registry.serving.hot_reads``) ask it for an app, a version, their documents' bytes, a
template's bytes or a ready answer; it answers from one ``ByteCache`` (bounded in bytes by
``NESTRY_CACHE_BYTES``) or reads the database (``registry.documents.queries``) and keeps the
answer. What other rooms keep lives in the same cache under the same rules (``keep``,
``kept``): the resolver's version lists and whole answers (``registry.resolve.cache``), the
web UI's pages (``page``). Everything is keyed by the canonical name
(``client.names.canonical_app``), so any spelling of one app shares one entry.

Validity:

- What belongs to applications (their rows, access data, documents, ready answers, version
  lists, resolve answers) is tagged with their ids and dropped when the change feed
  (``registry.serving.change_feed``) names one of them — a publish of ``acme/a`` leaves
  ``acme/b``'s answers alone. An answer computed while a notice for one of its applications
  arrived is not kept (``epoch``). Without a live feed, such entries are used at most ``ttl``
  seconds (``NESTRY_PUBLIC_CACHE_MS``; 0: not kept).
- Templates (by digest) and versions' immutable parts never go stale: no notice, lost feed or
  count flush removes them, only the byte bound.
- Download counts are served with bounded staleness: read again at most every
  ``count_seconds`` (the flush interval) and by the first reader after this process's own
  flush, without reading anything else again (``Counts`` is a separate entry; documents are
  re-rendered from the kept rows). Counting a download evicts nothing.

Who may read an app is decided by the caller from ``AppAccess`` (``registry.auth.access``):
the answer is the same bytes for every reader.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from registry.auth.access import AppAccess
from registry.blobs.store import BlobStore
from registry.db.session import Database
from registry.documents.build import (
    AppInfo,
    Counts,
    VersionInfo,
    app_document,
    render,
    version_document,
    version_tail,
)
from registry.documents.cache import ByteCache, Entry
from registry.documents.queries import load_app, load_counts, load_tail_values
from registry.errors import NotFound
from registry.serving.change_feed import ChangeFeed, Changes, Epochs

T = TypeVar("T")
REFRESH_PATIENCE = 1.0  # s before another caller takes over a refresh of counts
# The tag of answers that show every app (the web UI's pages: lists, trees, dependents):
# dropped on any change notice. Database ids start at 1, so no app has it.
SITE = 0


@dataclass(frozen=True)
class AppEntry:
    info: AppInfo
    access: AppAccess


@dataclass(frozen=True)
class Body:
    """A rendered JSON document, its ETag, and when the download counts it shows were read."""

    body: bytes
    etag: str
    counts_read_at: float


class Documents:
    def __init__(
        self,
        database: Database,
        blobs: BlobStore,
        feed: ChangeFeed,
        *,
        max_bytes: int,
        ttl: float,
        count_seconds: float,
    ) -> None:
        self.cache = ByteCache(max_bytes)
        self._database = database
        self._blobs = blobs
        self._feed = feed
        self._ttl = ttl
        self._count_seconds = count_seconds
        self._epochs = Epochs()  # keyed by app id (and SITE)
        self.loads = 0  # apps read from the database (``stats``)
        self._loading: dict[Hashable, asyncio.Future[Any]] = {}  # reads under way, by key
        feed.subscribe(self._on_notice)

    # -- validity -------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """Note it before computing an answer to keep; pass it to ``remember``."""
        self._feed.poll()
        return self._epochs.epoch

    def _on_notice(self, notice: Changes) -> None:
        if notice is None:
            self._epochs.advance(None)
            self.cache.drop_all_apps()
            return
        changed = (*notice.apps, SITE)
        self._epochs.advance(changed)
        for app_id in changed:
            self.cache.drop_app(app_id)

    def counts_flushed(self, app_ids: Collection[int]) -> None:
        """This process wrote download counts: the next reader of those apps' answers that
        show counts reads the counts again, while other readers meanwhile get the answers as
        they are (``_stale_counts``); counting never evicts a document, and never makes every
        connection miss at once."""
        stale = time.monotonic() - self._count_seconds - 1e-3
        for app_id in app_ids:
            self.cache.age_counts(app_id, stale)

    def _get(self, key: Hashable) -> Entry | None:
        self._feed.poll()
        entry = self.cache.get(key)
        if entry is None or not entry.tags:
            return entry
        now = time.monotonic()
        age = now - entry.stored_at
        if not self._feed.live and age > self._ttl:
            self.cache.remove(key)
            return None
        if entry.shows_counts and age > self._count_seconds:
            return self._stale_counts(key, entry, age, now)
        return entry

    def _stale_counts(self, key: Hashable, entry: Entry, age: float, now: float) -> Entry | None:
        """Counts older than ``count_seconds``: the first caller reads them again (``None``),
        the others meanwhile get the entry as it is, for at most ``count_seconds`` more — so
        that many connections asking at once never all miss together."""
        if age > 2 * self._count_seconds:
            self.cache.remove(key)
            return None
        since = entry.refreshing_since
        if since is None or now - since > REFRESH_PATIENCE:
            entry.refreshing_since = now
            return None
        return entry

    def _put(
        self,
        key: Hashable,
        value: object,
        size: int,
        tags: Collection[int],
        epoch: int,
        *,
        shows_counts: bool = False,
        born: float | None = None,
    ) -> None:
        if tags:
            self._feed.poll()
            if not self._epochs.fresh(epoch, *tags):
                return  # a notice for one of them arrived while it was computed: maybe stale
            if not self._feed.live and self._ttl <= 0:
                return
        self.cache.put(key, value, size, tags, shows_counts=shows_counts, born=born)

    # -- apps and versions ----------------------------------------------------------------

    async def app(self, namespace: str, name: str) -> AppEntry:
        """The app of canonical ``namespace/name`` (``app_not_found`` if there is none)."""
        key = ("app", namespace, name)
        entry = self._get(key)
        if entry is not None:
            return entry.value  # type: ignore[return-value]
        return await self._once(key, lambda: self._load_app(key))

    async def _load_app(self, key: tuple[str, str, str]) -> AppEntry:
        _, namespace, name = key
        epoch = self.epoch
        loaded = await load_app(self._database, namespace, name)
        if loaded is None:
            raise NotFound("app_not_found", f"no application {namespace}/{name}")
        self.loads += 1
        found = AppEntry(loaded.info, loaded.access)
        tags = (loaded.info.id,)
        self._put(key, found, _app_size(loaded.info), tags, epoch)
        self._put(
            ("counts", loaded.info.id),
            loaded.counts,
            _counts_size(loaded.counts),
            tags,
            epoch,
            shows_counts=True,
        )
        return found

    async def _once(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, shared by every caller asking for ``key`` while it runs: an expired or
        dropped entry wanted by many connections at once is read once, not once each."""
        running = self._loading.get(key)
        if running is None:
            running = asyncio.ensure_future(load())
            self._loading[key] = running
            running.add_done_callback(lambda _: self._loading.pop(key, None))
        return await asyncio.shield(running)

    def access_of(self, namespace: str, name: str) -> AppAccess | None:
        """Who may read the app, if it is held (no query: ``None`` otherwise)."""
        entry = self._get(("app", namespace, name))
        return None if entry is None else entry.value.access  # type: ignore[attr-defined]

    def version(self, app: AppInfo, version: str) -> VersionInfo:
        """One version of ``app`` (``version_not_found`` if it has none such)."""
        found = app.by_version.get(version)
        if found is None:
            raise NotFound("version_not_found", f"no version {version} of {app.application}")
        return found

    async def counts(self, app: AppInfo) -> Counts:
        """Download counts, at most ``count_seconds`` old (fresh after this process's flush)."""
        key = ("counts", app.id)
        entry = self._get(key)
        if entry is not None:
            return entry.value  # type: ignore[return-value]
        return await self._once(key, lambda: self._load_counts(app.id))

    async def _load_counts(self, app_id: int) -> Counts:
        epoch = self.epoch
        counts = await load_counts(self._database, app_id)
        self._put(
            ("counts", app_id), counts, _counts_size(counts), (app_id,), epoch, shows_counts=True
        )
        return counts

    async def app_body(self, app: AppInfo) -> Body:
        """The app document's bytes."""
        counts = await self.counts(app)
        key = ("app-body", app.id)
        entry = self._get(key)
        if entry is not None and _made_from(entry, app, counts):
            return entry.value[2]  # type: ignore[index,no-any-return]
        epoch = self.epoch
        body = Body(*render(app_document(app, counts)), self._read_at(app.id))
        self._put(key, (app, counts, body), 2 * len(body.body), (app.id,), epoch)
        return body

    async def version_body(self, app: AppInfo, version: VersionInfo) -> Body:
        """The version document's bytes."""
        counts = await self.counts(app)
        key = ("version-body", app.id, version.version)
        entry = self._get(key)
        if entry is not None and _made_from(entry, app, counts):
            return entry.value[2]  # type: ignore[index,no-any-return]
        epoch = self.epoch
        tail = await self.tail(app, version)
        downloads = counts.versions.get(version.id, version.downloads)
        document = version_document(app.application, version, tail, downloads)
        body = Body(*render(document), self._read_at(app.id))
        self._put(key, (app, counts, body), 2 * len(body.body), (app.id,), epoch)
        return body

    def _read_at(self, app_id: int) -> float:
        entry = self.cache.peek(("counts", app_id))
        return time.monotonic() if entry is None else entry.stored_at

    async def tail(self, app: AppInfo, version: VersionInfo) -> Mapping[str, Any]:
        """The immutable rest of the version's document (``version_tail``), kept."""
        # Immutable once published; keyed by more than the id (SQLite hands the id of a deleted
        # highest row out again) and by the application id text the tail's URLs show.
        key = ("tail", app.application, version.id, version.digest, version.published_at)
        entry = self._get(key)
        if entry is not None:
            return entry.value  # type: ignore[return-value]
        values = await load_tail_values(self._database, version.id)
        if values is None:  # deleted since the app was read
            raise NotFound("version_not_found", f"no version {version.version}")
        row, dependencies = values
        tail = version_tail(app.application, row, dependencies)
        self.cache.put(key, tail, 3 * len(render(tail)[0]))
        return tail

    async def template(self, digest: str) -> bytes:
        """A template's bytes by digest (immutable: kept until the byte bound needs room)."""
        key = ("template", digest)
        entry = self._get(key)
        if entry is not None:
            return entry.value  # type: ignore[return-value]
        data: bytes = await self._blobs.get(digest)
        self.cache.put(key, data, len(data))
        return data

    # -- ready answers (registry.serving.hot_reads) ----------------------------------------

    def ready(self, key: Hashable) -> object | None:
        entry = self._get(("ready", key))
        return None if entry is None else entry.value

    def remember(
        self,
        key: Hashable,
        answer: object,
        size: int,
        app_id: int,
        epoch: int,
        *,
        counts_read_at: float | None,
    ) -> None:
        """Keep a whole answer of ``app_id`` (computed since ``epoch``) for ``ready``;
        ``counts_read_at``: when the download counts it shows were read (``None``: none)."""
        self._put(
            ("ready", key),
            answer,
            size,
            (app_id,),
            epoch,
            shows_counts=counts_read_at is not None,
            born=counts_read_at,
        )

    # -- web pages (registry.web) ----------------------------------------------------------

    def page(self, key: Hashable) -> bytes | None:
        """A page kept by ``remember_page`` (it shows download counts: kept as counts are)."""
        entry = self._get(("page", key))
        return entry.value if entry is not None and isinstance(entry.value, bytes) else None

    def remember_page(self, key: Hashable, body: bytes, epoch: int) -> None:
        """Keep a page for anonymous visitors until any app changes (``SITE``)."""
        self._put(("page", key), body, len(body), (SITE,), epoch, shows_counts=True)

    # -- what other rooms keep (registry.resolve.cache) ------------------------------------

    def kept(self, key: Hashable) -> object | None:
        """What ``keep`` kept under ``key`` (``None``: nothing, or no longer valid)."""
        entry = self._get(key)
        return None if entry is None else entry.value

    def keep(
        self, key: Hashable, value: object, size: int, apps: Collection[int], epoch: int
    ) -> None:
        """Keep ``value`` (about ``size`` bytes) until a notice names one of ``apps`` — unless
        one did since ``epoch`` was read; with no ``apps`` it is immutable (only the byte bound
        removes it). ``key`` is a tuple whose first item names its kind (``stats``)."""
        self._put(key, value, size, apps, epoch)

    def stats(self) -> dict[str, Any]:
        cache = self.cache
        return {
            "entries": len(cache),
            "bytes": cache.size,
            "max_bytes": cache.max_bytes,
            "hits": cache.stats.hits,
            "misses": cache.stats.misses,
            "stores": cache.stats.stores,
            "evictions": cache.stats.evictions,
            "invalidations": cache.stats.invalidations,
            "loads": self.loads,
        }


def _made_from(entry: Entry, app: AppInfo, counts: Counts) -> bool:
    made: tuple[object, ...] = entry.value  # type: ignore[assignment]
    return made[0] is app and made[1] is counts


def _app_size(info: AppInfo) -> int:
    """An estimate of what the kept rows hold in memory (Python objects, not just text)."""
    text = sum(len(str(value)) for value in info.fields.values())
    return 2048 + 4 * text + 700 * len(info.versions) + 200 * len(info.dist_tags)


def _counts_size(counts: Counts) -> int:
    return 256 + 120 * len(counts.versions)

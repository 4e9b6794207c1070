"""What resolving keeps between requests: version lists, references and whole answers.

All of it lives in the documents service's one cache (``registry.documents.service``), under
its one byte bound (``NESTRY_CACHE_BYTES``) and its validity rules; this module only says what
is kept, under which key, for which applications, and how big it is.

- **Version lists** (``get_many``, ``put``), keyed by canonical application name
  (``ns/name``): each ``AppEntry`` holds who may read the app (``AppAccess``), so one entry
  serves every caller — ``DatabaseSource`` decides per caller with
  ``registry.auth.access.may_read`` (a lookup in the principal's roles, no statement). A notice
  naming the app drops it; a publish of ``acme/a`` leaves ``acme/b``'s list in place.
- **References** (``references``, ``keep_references``): the registry references a version's
  template nests, by version row and digest. A version never changes once published, so these
  are immutable: only the byte bound removes them.
- **Whole answers** (``answer``, ``remember``): the bytes of a ``POST /v1/resolve`` whose every
  node is a public app (the same for every caller who may resolve at all), keyed by the
  request's body and host, dropped when a notice names any app it shows. Most installs send
  what others sent.

An entry read while a notice for one of its apps arrived is not kept (``epoch``); while the
change feed is not live, entries of apps are used for at most ``NESTRY_PUBLIC_CACHE_MS``.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass

from client.resolution import AppVersions, Request
from registry.auth.access import AppAccess
from registry.documents.service import Documents


@dataclass(frozen=True)
class AppEntry:
    app_id: int
    access: AppAccess
    versions: AppVersions
    ids: dict[str, int]  # version -> its row id, to read its references


class VersionLists:
    """The resolver's view of the documents service's cache."""

    def __init__(self, documents: Documents) -> None:
        self._documents = documents

    @property
    def epoch(self) -> int:
        """Note it before querying; pass it to ``put`` or ``remember`` with the answer."""
        return self._documents.epoch

    def get(self, name: str) -> AppEntry | None:
        return self.get_many([name]).get(name)

    def get_many(self, names: Iterable[str]) -> dict[str, AppEntry]:
        """The version lists held among ``names``."""
        found: dict[str, AppEntry] = {}
        for name in names:
            entry = self._documents.kept(("versions", name))
            if isinstance(entry, AppEntry):
                found[name] = entry
        return found

    def put(self, name: str, entry: AppEntry, epoch: int) -> None:
        """Keep ``entry`` unless a notice about its app arrived since ``epoch`` was read."""
        self._documents.keep(("versions", name), entry, _entry_size(entry), (entry.app_id,), epoch)

    def references(self, version_id: int, digest: str) -> tuple[Request, ...] | None:
        """The references of a version's template, if kept."""
        found = self._documents.kept(("references", version_id, digest))
        return found if isinstance(found, tuple) else None

    def keep_references(self, version_id: int, digest: str, found: tuple[Request, ...]) -> None:
        # Keyed by the digest too: SQLite may hand a deleted row's id out again.
        size = 64 + sum(
            len(r.application) + len(r.range) + len(r.logical_id or "") + 160 for r in found
        )
        self._documents.keep(("references", version_id, digest), found, size, (), 0)

    def answer(self, key: Hashable) -> bytes | None:
        """A whole answer kept by ``remember``."""
        found = self._documents.kept(key)
        return found if isinstance(found, bytes) else None

    def remember(self, key: Hashable, body: bytes, apps: Collection[int], epoch: int) -> None:
        """Keep a whole answer showing ``apps`` (all public), computed since ``epoch``."""
        if apps:  # an answer of no app at all (every request failed) is not worth keeping
            self._documents.keep(key, body, len(body) + 2 * _size_of(key), apps, epoch)

    @property
    def answers_held(self) -> int:
        return self._documents.cache.count("resolve")


def answer_key(host: str | None, body: bytes) -> Hashable:
    """The key of a whole answer: the request's ``Host`` header (ids naming it are ours) and
    its body as sent (what the answer is computed from)."""
    return ("resolve", host, body)


def _entry_size(entry: AppEntry) -> int:
    """An estimate of what a version list holds in memory (Python objects, not just text)."""
    versions = entry.versions.versions
    text = sum(len(v.version) + len(v.digest) + len(v.template_path or "") for v in versions)
    access = entry.access
    grants = len(access.grant_namespaces) + len(access.grant_users)
    tags = len(entry.versions.dist_tags)
    return 1024 + 2 * text + 500 * len(versions) + 150 * tags + 100 * grants


def _size_of(key: Hashable) -> int:
    """What a key holds, roughly: its bytes and strings (the request's body, its host)."""
    parts = key if isinstance(key, tuple) else (key,)
    return 64 + sum(len(part) for part in parts if isinstance(part, (bytes, str)))

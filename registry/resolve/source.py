"""The registry's driver of ``client.resolution``: candidates and references from our tables.

Each answer is at most a fixed number of queries however many applications it is about, and
none for applications already in ``VersionLists`` (``registry.resolve.cache``): a warm resolve
touches no database and builds no statement. Only applications the principal may read are
offered (``registry.auth.access.may_read`` on the entry's access data, in memory); the others
look missing: ``app_not_found``. An id naming another registry host is ``foreign_registry``:
the client resolves it there.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from client.resolution import (
    AppVersions,
    Candidates,
    Failure,
    NeedTemplates,
    NeedVersions,
    Open,
    Request,
    VersionInfo,
)
from registry.auth.access import AppAccess, may_read
from registry.auth.credentials import Principal
from registry.db import models as m
from registry.db.session import Database
from registry.resolve.cache import AppEntry, VersionLists

_IDS: sa.BindParameter[int] = sa.bindparam("ids", expanding=True)
_DEPENDENCIES = (
    sa.select(
        m.Dependency.version_id,
        m.Dependency.logical_id,
        m.Dependency.target_app,
        m.Dependency.external_id,
        m.Dependency.range,
    )
    .where(m.Dependency.version_id.in_(_IDS), m.Dependency.kind == "registry")
    .order_by(m.Dependency.id)
)
_VERSIONS = sa.select(
    m.Version.id,
    m.Version.app_id,
    m.Version.version,
    m.Version.digest,
    m.Version.yanked,
    m.Version.bundle_digest,
    m.Version.template_path,
).where(m.Version.app_id.in_(_IDS))
_TAGS = (
    sa.select(m.DistTag.app_id, m.DistTag.tag, m.Version.version)
    .join(m.Version, m.Version.id == m.DistTag.version_id)
    .where(m.DistTag.app_id.in_(_IDS))
)
_PAIRS: sa.BindParameter[tuple[str, str]] = sa.bindparam("pairs", expanding=True)
_GRANTEE = aliased(m.Namespace)
# One row per app and grant (one with NULLs for an app without grants): who may read it.
_APPS = (
    sa.select(
        m.App.id,
        m.Namespace.name,
        m.App.name,
        m.App.name_canonical,
        m.App.visibility,
        _GRANTEE.name,
        m.AppGrant.grantee_user_id,
    )
    .join(m.Namespace, m.Namespace.id == m.App.namespace_id)
    .outerjoin(m.AppGrant, m.AppGrant.app_id == m.App.id)
    .outerjoin(_GRANTEE, _GRANTEE.id == m.AppGrant.grantee_namespace_id)
    .where(sa.tuple_(m.Namespace.name, m.App.name_canonical).in_(_PAIRS))
)

Sessions = Callable[[], Awaitable[AsyncSession]]


@contextlib.asynccontextmanager
async def database_source(
    database: Database, principal: Principal, lists: VersionLists, local_hosts: Collection[str]
) -> AsyncIterator[DatabaseSource]:
    """A ``DatabaseSource`` whose read session is opened on its first query, closed after."""
    async with contextlib.AsyncExitStack() as stack:
        session: AsyncSession | None = None

        async def opened() -> AsyncSession:
            nonlocal session
            if session is None:
                session = await stack.enter_async_context(database.reader())
            return session

        yield DatabaseSource(opened, principal, lists, local_hosts)


class DatabaseSource:
    """One resolve's answers, as ``principal`` may see them (``client.resolution.AsyncSource``).

    ``session`` opens (once) the read session, only when an answer needs a query;
    ``local_hosts`` are the names this registry answers to: ids naming one of them are ours.
    """

    def __init__(
        self,
        session: Sessions,
        principal: Principal,
        lists: VersionLists,
        local_hosts: Collection[str],
    ) -> None:
        self._session = session
        self._principal = principal
        self._lists = lists
        self._hosts = local_hosts
        self._apps: dict[str, AppEntry] = {}  # every app this resolve has offered, by name

    @property
    def offered(self) -> Mapping[str, AppEntry]:
        """Every app this resolve has offered (readable by the principal), by canonical name."""
        return self._apps

    async def opened(self) -> AsyncSession:
        """The read session (opened on first use), for queries beside the resolve's own."""
        return await self._session()

    async def versions(self, need: NeedVersions) -> list[Candidates]:
        names = {o.canonical for o in need.requests if self._ours(o)} - self._apps.keys()
        found = self._lists.get_many(names)
        missing = names - found.keys()
        if missing:
            # Apps found missing on an earlier level are asked again: cheap, and rare.
            found.update(await self._load(missing))
        principal = self._principal
        self._apps.update(
            (name, entry) for name, entry in found.items() if may_read(principal, entry.access)
        )
        return [self._candidates(o) for o in need.requests]

    async def templates(self, need: NeedTemplates) -> dict[str, tuple[Request, ...]]:
        answer: dict[str, tuple[Request, ...]] = {}
        unread: dict[int, str] = {}  # version id -> digest
        for node in need.nodes:
            entry, digest = self._apps[node.canonical], node.found.digest
            version_id = entry.ids[node.found.version]
            kept = self._lists.references(version_id, digest)
            if kept is not None:
                answer[digest] = kept
            else:
                unread[version_id] = digest
        if unread:
            session = await self._session()
            rows = await session.execute(_DEPENDENCIES, {"ids": list(unread)})
            read: dict[int, list[Request]] = defaultdict(list)
            for version_id, logical_id, target_app, external_id, range_ in rows:
                # A reference without SemanticVersion means latest (as checked at publish time).
                application = target_app or external_id or ""
                read[version_id].append(Request(application, range_ or "latest", logical_id))
            for version_id, digest in unread.items():
                answer[digest] = tuple(read[version_id])
                self._lists.keep_references(version_id, digest, answer[digest])
        return answer

    def _ours(self, item: Open) -> bool:
        return item.app.registry is None or item.app.registry.lower() in self._hosts

    def _candidates(self, item: Open) -> Candidates:
        if not self._ours(item):
            return Failure(
                "foreign_registry", f"{item.request.application} is served by another registry."
            )
        entry = self._apps.get(item.canonical)
        if entry is None:
            return Failure("app_not_found", f"No application {item.request.application}.")
        return entry.versions

    async def _load(self, names: Collection[str]) -> dict[str, AppEntry]:
        """Every app among ``names`` that exists (readable or not: the caller decides), kept."""
        epoch = self._lists.epoch  # before the queries: see VersionLists.put
        session = await self._session()
        pairs = [tuple(name.split("/", 1)) for name in names]
        found: dict[int, tuple[str, str, str, str]] = {}
        grant_namespaces: dict[int, set[str]] = defaultdict(set)
        grant_users: dict[int, set[int]] = defaultdict(set)
        rows = await session.execute(_APPS, {"pairs": pairs})
        for app_id, ns, name, canonical, visibility, grantee, user_id in rows:
            found[app_id] = (f"{ns}/{canonical}", ns, f"{ns}/{name}", visibility)
            if grantee is not None:
                grant_namespaces[app_id].add(grantee)
            if user_id is not None:
                grant_users[app_id].add(user_id)
        if not found:
            return {}
        ids = {"ids": list(found)}
        versions: dict[int, list[VersionInfo]] = defaultdict(list)
        version_ids: dict[int, dict[str, int]] = defaultdict(dict)
        for version_id, app_id, version, digest, yanked, bundle, place in await session.execute(
            _VERSIONS, ids
        ):
            versions[app_id].append(VersionInfo(version, digest, yanked, bundle, place))
            version_ids[app_id][version] = version_id
        tags: dict[int, dict[str, str]] = defaultdict(dict)
        for app_id, tag, version in await session.execute(_TAGS, ids):
            tags[app_id][tag] = version
        loaded: dict[str, AppEntry] = {}
        for app_id, (name, namespace, display, visibility) in found.items():
            access = AppAccess(
                namespace,
                visibility,
                frozenset(grant_namespaces[app_id]),
                frozenset(grant_users[app_id]),
            )
            offered = AppVersions(display, tuple(versions[app_id]), tags[app_id])
            loaded[name] = AppEntry(app_id, access, offered, version_ids[app_id])
            self._lists.put(name, loaded[name], epoch)
        return loaded

"""The database side of ``POST /v1/resolve``: a ``VersionProvider`` over our tables.

Each provider call is a fixed number of queries however many applications it is asked about,
so resolving a tree costs a few queries per level. Only applications the principal may read are
returned (``registry.auth.access``); the others look missing, hence ``app_not_found``. The
statements that do not depend on the principal are built once, with expanding parameters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db import models as m
from registry.resolve.algorithm import AppVersions, Dependency, VersionInfo, VersionKey

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
_APPS = sa.select(m.App.id, m.Namespace.name, m.App.name, m.App.name_canonical).join(
    m.Namespace, m.Namespace.id == m.App.namespace_id
)


class DatabaseProvider:
    """Versions and dependencies as this principal may see them, one session long."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self._version_ids: dict[VersionKey, int] = {}
        self._loaded: dict[str, AppVersions] = {}

    async def versions_of(self, apps: Collection[str]) -> Mapping[str, AppVersions]:
        # Apps met on an earlier level are not loaded again (missing ones are asked again:
        # cheap, and they stay missing).
        missing = [a for a in apps if a not in self._loaded]
        found = await self._visible_apps(missing) if missing else {}
        if found:
            versions = await self._versions(found)
            tags = await self._tags(found)
            for app_id, (key, display) in found.items():
                self._loaded[key] = AppVersions(display, tuple(versions[app_id]), tags[app_id])
        return {a: self._loaded[a] for a in apps if a in self._loaded}

    async def dependencies_of(
        self, keys: Collection[VersionKey]
    ) -> Mapping[VersionKey, Sequence[Dependency]]:
        by_id = {self._version_ids[k]: k for k in keys if k in self._version_ids}
        if not by_id:
            return {}
        rows = await self.session.execute(_DEPENDENCIES, {"ids": list(by_id)})
        deps: dict[VersionKey, list[Dependency]] = defaultdict(list)
        for version_id, logical_id, target_app, external_id, range_ in rows:
            # A reference without SemanticVersion means latest (as checked at publish time).
            entry = Dependency(logical_id, target_app or external_id or "", range_ or "latest")
            deps[by_id[version_id]].append(entry)
        return deps

    async def _visible_apps(self, apps: Collection[str]) -> dict[int, tuple[str, str]]:
        """``{app id: (canonical, display)}`` of the readable ones among ``apps``."""
        pairs = [tuple(a.split("/", 1)) for a in apps]
        rows = await self.session.execute(
            _APPS.where(sa.tuple_(m.Namespace.name, m.App.name_canonical).in_(pairs)).where(
                readable_apps(self.principal)
            )
        )
        return {
            app_id: (f"{ns}/{canonical}", f"{ns}/{name}") for app_id, ns, name, canonical in rows
        }

    async def _versions(self, found: dict[int, tuple[str, str]]) -> dict[int, list[VersionInfo]]:
        rows = await self.session.execute(_VERSIONS, {"ids": list(found)})
        versions: dict[int, list[VersionInfo]] = defaultdict(list)
        for version_id, app_id, version, digest, yanked, bundle_digest, place in rows:
            self._version_ids[(found[app_id][0], version)] = version_id
            info = VersionInfo(version, digest, yanked, bundle_digest, place)
            versions[app_id].append(info)
        return versions

    async def _tags(self, found: dict[int, tuple[str, str]]) -> dict[int, dict[str, str]]:
        rows = await self.session.execute(_TAGS, {"ids": list(found)})
        tags: dict[int, dict[str, str]] = defaultdict(dict)
        for app_id, tag, version in rows:
            tags[app_id][tag] = version
        return tags

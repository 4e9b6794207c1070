"""Dist-tags. ``latest`` follows the highest release (non-prerelease, non-yanked) that was not
published under another tag, until someone sets it explicitly; dropping an explicit ``latest``
makes it follow again.

Call ``recompute_latest`` after anything that changes which versions exist or are yanked
(a publish calls ``follow_new``, its cheaper equivalent for one new version).

A publish under another tag (``publish --tag next``, as npm's) points that tag at the new
version and leaves ``latest`` where it was (``follow_publish``), unless the app has no
``latest`` yet; a version it leaves out is *held back* (``Version.held_back``): no later
recompute (a yank, an unyank, dropping an explicit ``latest``) moves ``latest`` onto it, so
yanking an unrelated version never promotes a ``next`` release. Promoting it is explicit:
``dist-tag add APP@X latest`` clears the hold. Only when every release is held back does
``latest`` follow the highest of those, rather than vanish (as npm's registry moves ``latest``
to a remaining version when its own is removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import DistTag, Version, utcnow

LATEST = "latest"

# What ``follow_new`` needs of the current ``latest``: is it explicit, and where does it point.
_CURRENT = (
    sa.select(
        DistTag.explicit,
        Version.major,
        Version.minor,
        Version.patch,
        Version.prerelease,
        Version.yanked,
        Version.held_back,
    )
    .join(Version, Version.id == DistTag.version_id)
    .where(DistTag.app_id == sa.bindparam("app_id"), DistTag.tag == LATEST)
)
_MOVE = (
    sa.update(DistTag)
    .where(DistTag.app_id == sa.bindparam("b_app"), DistTag.tag == LATEST, ~DistTag.explicit)
    .values(version_id=sa.bindparam("b_version"), updated_at=sa.bindparam("b_now"))
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True)
class NewVersion:
    """A version just inserted (by ``id``), with its precedence fields."""

    id: int
    major: int
    minor: int
    patch: int
    prerelease: str | None


def _highest(*columns: Any) -> sa.Select[Any]:
    """The highest non-prerelease, non-yanked version not held back — or, when every such
    version is held back, the highest of those (ties: the later published)."""
    return (
        sa.select(*columns)
        .where(Version.app_id == sa.bindparam("app_id"), Version.prerelease.is_(None))
        .where(~Version.yanked)
        .order_by(
            Version.held_back.asc(),
            Version.major.desc(),
            Version.minor.desc(),
            Version.patch.desc(),
            Version.published_at.desc(),
            Version.id.desc(),
        )
        .limit(1)
    )


_HIGHEST = _highest(Version.id)
_HIGHEST_ROW = _highest(Version)


async def highest_release(session: AsyncSession, app_id: int) -> Version | None:
    """The release ``latest`` follows (``_highest``)."""
    return (await session.scalars(_HIGHEST_ROW, {"app_id": app_id})).first()


async def recompute_latest(session: AsyncSession, app_id: int) -> int | None:
    """Point a following ``latest`` at ``highest_release``; drop it when there is none.

    Returns the version id ``latest`` points at afterwards (None: no ``latest``).
    """
    current = await session.get(DistTag, (app_id, LATEST))
    if current is not None and current.explicit:
        return current.version_id
    target = await highest_release(session, app_id)
    if target is None:
        if current is not None:
            await session.delete(current)
    elif current is None:
        session.add(DistTag(app_id=app_id, tag=LATEST, version_id=target.id, explicit=False))
    elif current.version_id != target.id:
        current.version_id = target.id
        current.updated_at = utcnow()
    await session.flush()
    return None if target is None else target.id


async def follow_new(
    session: AsyncSession, app_id: int, new: NewVersion, *, only: bool = False
) -> bool:
    """``recompute_latest`` right after ``new`` was inserted, in one read and at most one write.

    True when ``latest`` now points at ``new`` or there is no ``latest`` (then the newest
    version describes the app). Versions never change but for yanks, and every yank and every
    drop of an explicit ``latest`` recomputes it, so a following ``latest`` points at the
    highest release: the new highest is that one or ``new``. Ties on major.minor.patch (build
    metadata) go to the later published, ``new``. No ``latest`` yet: the highest release, if
    any, gets it; one at a yanked or prerelease version: the full recompute. ``only``: ``new``
    is the app's only version (the app was created with it), so there is nothing to read.
    """
    if only:
        if new.prerelease is None:
            await _add_latest(session, app_id, new.id)
        return True
    current = (await session.execute(_CURRENT, {"app_id": app_id})).first()
    if current is not None and current.explicit:
        return False  # an explicit latest was set before ``new`` existed
    if current is None:
        target = await session.scalar(_HIGHEST, {"app_id": app_id})
        if target is not None:
            await _add_latest(session, app_id, target)
        return target is None or target == new.id
    if current.prerelease is not None or current.yanked or current.held_back:
        # Not as maintained (or every other release was held back): start afresh.
        target = await recompute_latest(session, app_id)
        return target is None or target == new.id
    mine = (new.major, new.minor, new.patch)
    if new.prerelease is not None or mine < (current.major, current.minor, current.patch):
        return False
    await session.execute(_MOVE, {"b_app": app_id, "b_version": new.id, "b_now": utcnow()})
    return True


async def follow_publish(
    session: AsyncSession, app_id: int, new: NewVersion, tag: str | None, *, only: bool = False
) -> bool:
    """``follow_new``, or for a publish under ``tag`` (never ``latest``): point ``tag`` at
    ``new`` and move no ``latest``, but give an app without one its first (as ``follow_new``);
    a ``new`` that does not become ``latest`` is held back.

    True as for ``follow_new``: ``latest`` now points at ``new``, or there is none.
    """
    if tag is None:
        return await follow_new(session, app_id, new, only=only)
    await set_tag(session, app_id, tag, new.id)
    if only:
        return await follow_new(session, app_id, new, only=True)
    no_latest = await session.scalar(_HAS_LATEST, {"app_id": app_id}) is None
    if no_latest and await follow_new(session, app_id, new):
        return True
    await session.execute(_HOLD, {"b_version": new.id})
    return False


_HAS_LATEST = sa.select(DistTag.version_id).where(
    DistTag.app_id == sa.bindparam("app_id"), DistTag.tag == LATEST
)
_HOLD = (
    sa.update(Version)
    .where(Version.id == sa.bindparam("b_version"))
    .values(held_back=sa.bindparam("b_held", value=True))
    .execution_options(synchronize_session=False)
)


async def _add_latest(session: AsyncSession, app_id: int, version_id: int) -> None:
    values = {"app_id": app_id, "tag": LATEST, "version_id": version_id, "explicit": False}
    await session.execute(sa.insert(DistTag), values)


async def set_tag(session: AsyncSession, app_id: int, tag: str, version_id: int) -> None:
    """Point ``tag`` at a version explicitly (an explicit ``latest`` stops following; a version
    made ``latest`` is no longer held back)."""
    if tag == LATEST:
        await session.execute(_HOLD, {"b_version": version_id, "b_held": False})
    current = await session.get(DistTag, (app_id, tag))
    if current is None:
        session.add(DistTag(app_id=app_id, tag=tag, version_id=version_id, explicit=True))
    else:
        current.version_id, current.explicit, current.updated_at = version_id, True, utcnow()
    await session.flush()


async def drop_tag(session: AsyncSession, app_id: int, tag: str) -> bool:
    """Remove ``tag``; for ``latest`` go back to following. False when it did not exist."""
    current = await session.get(DistTag, (app_id, tag))
    if current is None:
        return False
    await session.delete(current)
    await session.flush()
    if tag == LATEST:
        await recompute_latest(session, app_id)
    return True


async def tags_of(session: AsyncSession, app_id: int) -> dict[str, str]:
    """``{tag: version}`` of an app, sorted by tag."""
    rows = await session.execute(
        sa.select(DistTag.tag, Version.version)
        .join(Version, Version.id == DistTag.version_id)
        .where(DistTag.app_id == app_id)
        .order_by(DistTag.tag)
    )
    return {tag: version for tag, version in rows}

"""Dist-tags. ``latest`` follows the highest non-prerelease, non-yanked version until someone
sets it explicitly; dropping an explicit ``latest`` makes it follow again.

Call ``recompute_latest`` after anything that changes which versions exist or are yanked.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db.models import DistTag, Version, utcnow

LATEST = "latest"


async def highest_release(session: AsyncSession, app_id: int) -> Version | None:
    """The highest non-prerelease, non-yanked version (ties: the later published)."""
    query = (
        sa.select(Version)
        .where(Version.app_id == app_id, Version.prerelease.is_(None), ~Version.yanked)
        .order_by(
            Version.major.desc(),
            Version.minor.desc(),
            Version.patch.desc(),
            Version.published_at.desc(),
            Version.id.desc(),
        )
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def recompute_latest(session: AsyncSession, app_id: int) -> None:
    """Point a following ``latest`` at ``highest_release``; drop it when there is none."""
    current = await session.get(DistTag, (app_id, LATEST))
    if current is not None and current.explicit:
        return
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


async def set_tag(session: AsyncSession, app_id: int, tag: str, version_id: int) -> None:
    """Point ``tag`` at a version explicitly (an explicit ``latest`` stops following)."""
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

"""Download counts, batched in memory so the read path never writes to the database.

Template and bundle fetches call ``record``; ``flush`` adds the pending counts to the rows in
one write transaction. The app flushes every ``download_flush_seconds`` and at shutdown, so
counts shown in documents lag by at most that long (and a crash loses at most that much).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection

import sqlalchemy as sa

from registry.db.health import is_unavailable
from registry.db.models import App, Version
from registry.db.session import Database
from registry.serving.background import background

log = logging.getLogger(__name__)


class DownloadCounter:
    def __init__(self, database: Database) -> None:
        self._database = database
        # told the app ids whose counts were written, after each flush
        self.flushed: Callable[[Collection[int]], None] | None = None
        self._versions: Counter[int] = Counter()
        self._apps: Counter[int] = Counter()

    def record(self, app_id: int, version_id: int) -> None:
        self._versions[version_id] += 1
        self._apps[app_id] += 1

    @property
    def pending(self) -> int:
        return sum(self._apps.values())

    async def flush(self) -> None:
        """Write pending counts; on failure they are put back for the next flush."""
        versions, apps = self._versions, self._apps
        if not apps:
            return
        self._versions, self._apps = Counter(), Counter()
        try:
            # Unreported: counts changing must not clear every worker's caches each flush.
            async with self._database.writer(report=False) as session:
                for model, counts in ((Version, versions), (App, apps)):
                    for row_id, count in sorted(counts.items()):
                        await session.execute(
                            sa.update(model)
                            .where(model.id == row_id)
                            .values(downloads=model.downloads + count)
                        )
                await session.commit()
        except Exception:
            self._versions.update(versions)
            self._apps.update(apps)
            raise
        if self.flushed is not None:
            self.flushed(list(apps))

    async def run_periodically(self, seconds: float) -> None:
        """Flush forever (until cancelled); a failed flush is logged and retried later."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.flush()
            except Exception as error:
                if is_unavailable(error):  # an outage: logged once, by the database's health
                    self._database.health.failed(error)
                else:
                    log.exception("flushing download counts failed; will retry")


@contextlib.asynccontextmanager
async def periodic_flush(counter: DownloadCounter, seconds: float) -> AsyncIterator[None]:
    try:
        async with background(counter.run_periodically(seconds)):
            yield
    finally:  # after the periodic task has stopped: the last counts, once
        try:
            await counter.flush()
        except Exception:  # shutting down: losing a few counts beats a failed shutdown
            log.exception("flushing download counts at shutdown failed")

"""The app factory: ``create_app(settings)``; ``from_env()`` for uvicorn's ``--factory``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import Message, Receive, Scope, Send

from registry import hot_reads
from registry.access_log import AccessLog
from registry.api import (
    apps,
    audit,
    dependents,
    lifecycle,
    meta,
    namespaces,
    policy,
    publish,
    resolve,
    search,
    system,
    tokens,
    versions,
)
from registry.api.errors import EXCEPTION_HANDLERS, CatchAllMiddleware
from registry.background import background
from registry.db.session import Database
from registry.metrics import Metrics, MetricsMiddleware
from registry.sar import endpoints as sar
from registry.services.downloads import DownloadCounter, periodic_flush
from registry.settings import Settings
from registry.state import RegistryState
from registry.storage import FilesystemBlobStore


def _routes() -> list[BaseRoute]:
    # Generic app/version routes last: feature paths such as /v1/apps/{ns}/{name}/dependents
    # must win over them.
    features = [search, resolve, lifecycle, dependents, policy, meta, namespaces, audit, tokens]
    routes: list[BaseRoute] = [*system.routes, *publish.routes]
    for module in features:
        routes += module.routes
    return [*routes, *apps.routes, *versions.routes, *sar.routes]  # /sar: SAR's API


def _middleware(metrics: Metrics) -> list[Middleware]:
    # Metrics outermost, so 500s produced by the catch-all are counted too.
    return [Middleware(MetricsMiddleware, metrics=metrics), Middleware(CatchAllMiddleware)]


class RegistryApp(Starlette):
    """Starlette, with the hot read path (``registry.hot_reads``) answered before routing."""

    def __init__(self, metrics: Metrics, **options: Any) -> None:
        super().__init__(middleware=_middleware(metrics), **options)
        self.metrics = metrics
        self.running: RegistryState | None = None  # while the lifespan runs (``app.state`` too)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.running
        if scope["type"] != "http" or state is None:
            await super().__call__(scope, receive, send)
            return
        status = await hot_reads.answer(state, self.metrics, scope, send)
        log = state.access_log
        if status is not None:
            if log is not None:
                log.record(scope, status)
            return
        if log is None:
            await super().__call__(scope, receive, send)
            return
        status = 500  # unless a response starts

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await super().__call__(scope, receive, noting_status)
        finally:
            log.record(scope, status)


def create_app(settings: Settings) -> RegistryApp:
    """A registry app; engines and counters live only while its lifespan runs."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        database = Database(settings.database_url, listen=settings.listen_for_changes)
        state = RegistryState(
            settings=settings,
            database=database,
            blobs=FilesystemBlobStore(settings.blob_dir),
            downloads=DownloadCounter(database),
            access_log=AccessLog(sys.stdout) if settings.access_log else None,
        )
        state.downloads.flushed = state.public_reads.forget_counts
        app.state.registry = state
        if isinstance(app, RegistryApp):
            app.running = state
        await database.changes.start()
        try:
            async with (
                periodic_flush(state.downloads, settings.download_flush_seconds),
                background(state.access_log.run() if state.access_log else None),
            ):
                yield {"registry": state}
        finally:
            if isinstance(app, RegistryApp):
                app.running = None
            await database.dispose()

    return RegistryApp(
        Metrics(),
        routes=_routes(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def from_env() -> Starlette:
    """uvicorn ``--factory`` entry point: settings from ``NESTRY_*`` variables."""
    return create_app(Settings.from_env())

"""The app factory: ``create_app(settings)``; ``from_env()`` for uvicorn's ``--factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

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
from registry.db.session import Database
from registry.doc_cache import ClearOnWrite
from registry.metrics import MetricsMiddleware
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
    return [*routes, *apps.routes, *versions.routes]


def _middleware() -> list[Middleware]:
    # Metrics outermost, so 500s produced by the catch-all are counted too.
    return [
        Middleware(MetricsMiddleware),
        Middleware(CatchAllMiddleware),
        Middleware(ClearOnWrite),
    ]


def create_app(settings: Settings) -> Starlette:
    """A registry app; engines and counters live only while its lifespan runs."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        database = Database(settings.database_url)
        state = RegistryState(
            settings=settings,
            database=database,
            blobs=FilesystemBlobStore(settings.blob_dir),
            downloads=DownloadCounter(database),
        )
        app.state.registry = state
        try:
            async with periodic_flush(state.downloads, settings.download_flush_seconds):
                yield {"registry": state}
        finally:
            await database.dispose()

    return Starlette(
        routes=_routes(),
        middleware=_middleware(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def from_env() -> Starlette:
    """uvicorn ``--factory`` entry point: settings from ``NESTRY_*`` variables."""
    return create_app(Settings.from_env())

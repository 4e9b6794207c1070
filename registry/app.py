"""The app factory: ``create_app(settings)``; ``from_env()`` for uvicorn's ``--factory``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import Message, Receive, Scope, Send

from registry.apps import api as apps
from registry.apps import dependents_api as dependents
from registry.apps import versions_api as versions
from registry.apps.downloads import DownloadCounter, periodic_flush
from registry.auth import api as tokens
from registry.blobs.store import open_blob_store
from registry.db.session import Database
from registry.lifecycle import api as lifecycle
from registry.orgs import api as namespaces
from registry.orgs import audit_api as audit
from registry.orgs import policy_api as policy
from registry.publish import api as publish
from registry.resolve import api as resolve
from registry.sar import endpoints as sar
from registry.search import api as search
from registry.serving import hot_reads, malformed, metrics_files
from registry.serving import meta_api as meta
from registry.serving import system_api as system
from registry.serving.access_log import AccessLog
from registry.serving.background import background
from registry.serving.bodies import BodyLimitMiddleware, body_limits
from registry.serving.error_handlers import EXCEPTION_HANDLERS, CatchAllMiddleware
from registry.serving.metrics import Metrics, MetricsMiddleware
from registry.settings import Settings
from registry.state import RegistryState
from registry.web import routes as web


def _routes() -> list[BaseRoute]:
    # Generic app/version routes last: feature paths such as /v1/apps/{ns}/{name}/dependents
    # must win over them.
    features = [search, resolve, lifecycle, dependents, policy, meta, namespaces, audit, tokens]
    routes: list[BaseRoute] = [*system.routes, *publish.routes]
    for module in features:
        routes += module.routes
    # /sar: SAR's API (raw-path routing); the web UI's pages last.
    return [*routes, *apps.routes, *versions.routes, *sar.routes, *web.routes]


def _middleware(metrics: Metrics, settings: Settings) -> list[Middleware]:
    # Metrics outermost, so 500s produced by the catch-all are counted too.
    return [
        Middleware(MetricsMiddleware, metrics=metrics),
        Middleware(CatchAllMiddleware),
        Middleware(BodyLimitMiddleware, limit_for=body_limits(settings)),
    ]


class RegistryApp(Starlette):
    """Starlette, with the hot read path (``registry.serving.hot_reads``) answered before
    routing."""

    def __init__(self, metrics: Metrics, settings: Settings, **options: Any) -> None:
        super().__init__(middleware=_middleware(metrics, settings), **options)
        self.metrics = metrics
        self.running: RegistryState | None = None  # while the lifespan runs (``app.state`` too)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.running
        if scope["type"] != "http" or state is None:
            await super().__call__(scope, receive, send)
            return
        refused = malformed.refusal(scope)
        if refused is not None:
            await malformed.refuse(send, *refused)
            status: int | None = refused[0]
        else:
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
        database = Database(
            settings.database_url,
            listen=settings.listen_for_changes,
            connect_timeout=settings.db_connect_timeout_seconds,
            statement_timeout=settings.db_statement_timeout_seconds,
        )
        state = RegistryState(
            settings=settings,
            database=database,
            blobs=open_blob_store(settings.blob_store_url),
            downloads=DownloadCounter(database),
            access_log=AccessLog(sys.stdout) if settings.access_log else None,
        )
        state.downloads.flushed = state.documents.counts_flushed
        app.state.registry = state
        if isinstance(app, RegistryApp):
            app.running = state
        await database.changes.start()
        try:
            async with (
                periodic_flush(state.downloads, settings.download_flush_seconds),
                background(state.access_log.run() if state.access_log else None),
                background(_metrics_writer(app, settings)),
            ):
                yield {"registry": state}
        finally:
            if isinstance(app, RegistryApp):
                app.running = None
            await state.limiter.close()
            await database.dispose()

    return RegistryApp(
        Metrics(settings.replica),
        settings,
        routes=_routes(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def _metrics_writer(app: Starlette, settings: Settings) -> Coroutine[Any, Any, None] | None:
    if settings.metrics_dir is None or not isinstance(app, RegistryApp):
        return None
    return metrics_files.keep_writing(app.metrics, settings.metrics_dir)


def from_env() -> Starlette:
    """uvicorn ``--factory`` entry point: settings from ``NESTRY_*`` variables."""
    return create_app(Settings.from_env())

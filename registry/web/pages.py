"""Rendering pages: the Jinja2 environment, HTML responses with their headers, static files.

Templates are autoescaped; the only markup they insert unescaped (``|safe``) is what ``readme``
(sanitized), ``tree_svg`` and ``source`` (both escape every text) produced. Every page carries a
strict Content-Security-Policy (scripts and styles from this origin only, no inline script), so
even markup that slipped past the sanitizer could not run script."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from registry.documents.build import etag_of, iso

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _static_version()


def _when(value: str | datetime | None) -> str:
    """``2026-03-01T12:00:00Z`` -> ``2026-03-01``."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text[:10]


def _count(value: int | None) -> str:
    number = int(value or 0)
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M".replace(".0M", "M")
    if number >= 10_000:
        return f"{number / 1000:.0f}k"
    return f"{number:,}"


def _http_url(value: str | None) -> str | None:
    """``value`` when it is an ``http(s)`` URL (metadata links are publisher input), else None."""
    if value and value.lower().startswith(("https://", "http://")):
        return value
    return None


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
ENVIRONMENT.filters["when"] = _when
ENVIRONMENT.filters["count"] = _count
ENVIRONMENT.filters["iso"] = iso  # a document's moment as the JSON API writes it (``...Z``)
ENVIRONMENT.filters["http_url"] = _http_url
ENVIRONMENT.globals["static"] = lambda name: f"/static/{name}?v={STATIC_VERSION}"


def render(template: str, context: dict[str, Any]) -> bytes:
    return ENVIRONMENT.get_template(template).render(context).encode()


def html(body: bytes, *, status: int = 200, private: bool) -> Response:
    """An HTML page; ``private`` for a logged-in caller's pages (never shared caches)."""
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "private, no-cache" if private else "no-cache",
        "Vary": "Cookie",
        "ETag": etag_of(body),
    }
    return Response(body, status, headers, "text/html; charset=utf-8")


class Static(StaticFiles):
    """The UI's CSS, script and icon; URLs carry a content hash (``?v=``), so cached long."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_files() -> Static:
    return Static(directory=STATIC_DIR)

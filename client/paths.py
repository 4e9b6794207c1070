"""The registry's URL paths, built in one place for both sides: the documents the registry
writes (``template_url``, resolve results) and the requests the client sends.

Each segment is percent-encoded; ``+`` (SemVer build metadata) stays literal, as it may in a
path, so that documents and requests spell one version the same way.
"""

from __future__ import annotations

from urllib.parse import quote

API = "/v1"

# ``GET /v1/apps?sort=``: the orders search offers (the registry validates by this tuple).
SEARCH_SORTS = ("relevance", "downloads", "name", "updated")


def _segment(text: str) -> str:
    return quote(text, safe="+")


def app_path(application: str) -> str:
    """``/v1/apps/{ns}/{name}`` for ``application`` written ``ns/name``."""
    namespace, _, name = application.partition("/")
    return f"{API}/apps/{_segment(namespace)}/{_segment(name)}"


def version_path(application: str, version: str) -> str:
    """The path of one version; its template and bundle hang below it."""
    return f"{app_path(application)}/versions/{_segment(version)}"

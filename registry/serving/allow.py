"""The ``Allow`` header of a 405: every method some route serves at the request's path.

Starlette's router stops at the first route whose path matches, so its own ``Allow`` names
only that route's methods, while a path such as ``/v1/tokens`` is served by several routes
(GET and POST). RFC 9110 wants them all.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match, Route


def allowed_methods(request: Request) -> str:
    """The methods the app serves at ``request``'s path, sorted, comma-separated."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": next(iter(route.methods))})
            if match is Match.FULL:
                methods |= route.methods
    return ", ".join(sorted(methods))

"""The least an ASGI app can do: answer every request with fixed bytes and fixed headers.

``bench/ceiling.py`` serves it with the very uvicorn settings ``nestry-registry serve`` uses, to
show how much of the gap to nginx is the server's and how much is the registry's. The body and
headers come from the files named by ``NESTRY_BARE_BODY`` and ``NESTRY_BARE_HEADERS`` (JSON
list of [name, value]), read once at start-up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

_BODY = Path(os.environ["NESTRY_BARE_BODY"]).read_bytes()
_HEADERS = [
    (name.encode(), value.encode())
    for name, value in json.loads(Path(os.environ["NESTRY_BARE_HEADERS"]).read_text())
]
_START = {"type": "http.response.start", "status": 200, "headers": _HEADERS}
_BODY_MESSAGE = {"type": "http.response.body", "body": _BODY}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(_START)
    await send(_BODY_MESSAGE)

"""A counting reverse proxy on 127.0.0.1: how many HTTP requests a client really makes.

It runs in a thread of the benchmark process (no extra process to clean up) and forwards every
request verbatim to one upstream, keeping the client's ``Host`` so that servers which build
absolute URLs from it (Verdaccio's tarball links) point back through the proxy.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from harness.procs import free_port

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


class CountingApp:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.counts: Counter[tuple[str, str]] = Counter()
        self._client: httpx.AsyncClient | None = None

    def reset(self) -> None:
        self.counts.clear()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope["query_string"].decode()
        path = scope["raw_path"].decode() + (f"?{query}" if query else "")
        self.counts[(scope["method"], scope["path"])] += 1
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.upstream, timeout=120)
        headers = [(k, v) for k, v in scope["headers"] if k.decode().lower() not in _HOP]
        request = self._client.build_request(scope["method"], path, headers=headers, content=body)
        answer = await self._client.send(request, stream=True)
        raw = b"".join([chunk async for chunk in answer.aiter_raw()])
        await answer.aclose()
        out = [
            (k.encode(), v.encode())
            for k, v in answer.headers.multi_items()
            if k.lower() not in _HOP
        ]
        out.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": answer.status_code, "headers": out})
        await send({"type": "http.response.body", "body": raw})


@contextmanager
def counting(upstream: str) -> Iterator[tuple[str, CountingApp]]:
    """Yields (proxy base URL, app whose ``counts`` tally (method, path) pairs)."""
    app = CountingApp(upstream)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)

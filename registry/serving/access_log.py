"""The access log: one line per request, written in batches.

uvicorn's access log goes through ``logging`` for every request (a ``LogRecord``, a formatter
copying it, a locked write): a third of a worker's time when it answers from memory. Here a
request costs one formatted string appended to a list; a task writes the pending lines every
``interval`` seconds, and at once when ``max_pending`` pile up, and at shutdown. A crash loses at
most the last interval's lines. ``nestry-registry serve`` turns uvicorn's own log off and this one
on (``--no-access-log`` turns it off).

Lines look like uvicorn's: ``127.0.0.1:50412 - "GET /v1/apps/acme/demo HTTP/1.1" 200``. The
path is the raw, still percent-encoded request target, so no client can write a line break or
a control character into the log.
"""

from __future__ import annotations

import asyncio
import re
from typing import TextIO

from starlette.types import Scope

_UNPRINTABLE = re.compile(rb"[^\x21-\x7e]")


class AccessLog:
    def __init__(self, stream: TextIO, interval: float = 0.2, max_pending: int = 4096) -> None:
        self._stream = stream
        self._interval = interval
        self._max_pending = max_pending
        self._lines: list[str] = []

    def record(self, scope: Scope, status: int) -> None:
        client = scope.get("client")
        address = f"{client[0]}:{client[1]}" if client else "-"
        target = scope.get("raw_path") or scope["path"].encode()
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        method = scope["method"]
        if not method.isalpha():
            method = _printable(method.encode())
        self._lines.append(
            f'{address} - "{method} {_printable(target)} HTTP/{scope["http_version"]}" {status}\n'
        )
        if len(self._lines) >= self._max_pending:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            lines, self._lines = self._lines, []
            self._stream.write("".join(lines))
            self._stream.flush()

    async def run(self) -> None:
        """Write pending lines every ``interval`` seconds until cancelled, then the rest."""
        try:
            while True:
                await asyncio.sleep(self._interval)
                self.flush()
        finally:
            self.flush()


def _printable(raw: bytes) -> str:
    """``raw`` as text, every byte outside visible ASCII written as ``\\xNN``."""
    if not _UNPRINTABLE.search(raw):
        return raw.decode("ascii")
    return "".join(chr(b) if 0x21 <= b <= 0x7E else f"\\x{b:02x}" for b in raw)

"""A TCP proxy between a server under test and its database that a test can stall or cut.

``pass``: bytes flow both ways. ``stall``: connections stay open (and new ones are accepted)
but no byte moves, as with a hung database host or a network partition that drops packets.
``drop``: every connection is closed and new ones are refused, as with a stopped database.
Runs on its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from server_process import free_port


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.mode = "pass"
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._server: asyncio.Server | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._listen())
        started.set()
        self._loop.run_forever()

    async def _listen(self) -> None:
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "drop":
            writer.close()
            return
        await self._flowing.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        for each in (writer, up_writer):
            self._writers.discard(each)
            each.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await self._flowing.wait()  # stalled: hold the bytes
            if self.mode == "drop":
                break
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()

    def _set(self, mode: str) -> None:
        self.mode = mode
        if mode == "stall":
            self._flowing.clear()
            return
        self._flowing.set()
        if mode == "drop":
            for writer in list(self._writers):
                writer.close()

    def set_mode(self, mode: str) -> None:
        """``pass``, ``stall`` or ``drop`` (takes effect at once)."""
        asyncio.run_coroutine_threadsafe(self._async_set(mode), self._loop).result(5)

    async def _async_set(self, mode: str) -> None:
        self._set(mode)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        self._set("drop")
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:  # their sockets are closed: they end by themselves
            await asyncio.wait(tasks, timeout=5)

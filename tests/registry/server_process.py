"""A real ``nestry-registry serve`` process for tests about the server itself.

``ServerProcess`` starts the console script the way an operator does (its own process, its own
event loop, the protocol ``serve`` picks), waits for ``/healthz``, and can be stopped politely,
killed with SIGKILL, and started again on the same data directory and database.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

SCRIPT = Path(sys.executable).with_name("nestry-registry")
_TOKEN = re.compile(r"^\s+(nst_\S+)\s*$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """``nestry-registry serve`` on 127.0.0.1 with ``NESTRY_*`` settings from ``env``."""

    def __init__(
        self, database_url: str, data_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "NESTRY_DATABASE_URL": database_url,
            "NESTRY_DATA_DIR": str(data_dir),
            "NESTRY_DEFAULT_VISIBILITY": "public",
            **(env or {}),
        }
        self.process: subprocess.Popen[str] | None = None
        self.admin_token: str | None = None
        self.output = ""
        self.log_path = data_dir.parent / f"serve-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *args: str, wait: float = 30, **popen: Any) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log: IO[str] = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(SCRIPT), "serve", "--port", str(self.port), "--no-access-log", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            **popen,
        )
        log.close()
        deadline = time.monotonic() + wait
        while not self._answers():
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"serve did not answer within {wait} s:\n{self.log()}")
            time.sleep(0.05)
        found = _TOKEN.findall(self.log())
        if found and self.admin_token is None:
            self.admin_token = found[0]

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(
                    b"GET /v1/openapi.json HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n"
                )
                return sock.recv(12).startswith(b"HTTP/1.1")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (what a crash or the OOM killer does)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self) -> int:
        """Resident memory of the server process, in KiB (Linux)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)[1])  # type: ignore[index]


def figure(name: str, **numbers: object) -> None:
    """Print one line of figures for ``scripts/security_figures`` (shown with ``pytest -s``)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "")
    database = next((db for db in ("postgresql", "sqlite") if f"[{db}" in test), "")
    label = f"{name} ({database})" if database else name
    print("\nsecurity-figure: " + label + " | " + " ".join(f"{k}={v}" for k, v in numbers.items()))

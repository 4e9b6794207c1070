"""Our registry as the benchmarks run it: migrate, mint a publish token, serve with N workers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import procs

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
REGISTRY = str(VENV_BIN / "nestry-registry")


@dataclass(frozen=True)
class Registry:
    database_url: str
    data_dir: Path
    extra_env: tuple[tuple[str, str], ...] = ()  # more settings (NESTRY_BLOB_URL, AWS_*...)

    @property
    def env(self) -> dict[str, str]:
        return {
            "NESTRY_DATABASE_URL": self.database_url,
            "NESTRY_DATA_DIR": str(self.data_dir),
            # Apps are private by default; the benchmarks read public apps anonymously, as
            # Verdaccio's `$all` packages are read.
            "NESTRY_DEFAULT_VISIBILITY": "public",
            **dict(self.extra_env),
        }

    def migrate(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        procs.run([REGISTRY, "migrate"], env=self.env)

    def token(self, user: str, namespace: str) -> str:
        out = procs.run(
            [
                REGISTRY,
                "token",
                "create",
                "--user",
                user,
                "--namespace",
                namespace,
                "--scope",
                "publish",
            ],
            env=self.env,
        )
        return out.strip().splitlines()[-1].strip()

    @contextmanager
    def serve(self, workers: int, log: Path) -> Iterator[str]:
        """Run ``nestry-registry serve`` on a free loopback port; yields the base URL."""
        with self.serve_with_pid(workers, log) as (base, _):
            yield base

    @contextmanager
    def serve_with_pid(self, workers: int, log: Path) -> Iterator[tuple[str, int]]:
        """As ``serve``, also yielding the server's process id (the only one with 1 worker)."""
        port = procs.free_port()
        argv = [
            REGISTRY,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        proc: subprocess.Popen[bytes] = procs.start(argv, log=log, env=self.env)
        try:
            base = f"http://127.0.0.1:{port}"
            procs.wait_http(f"{base}/healthz", proc, log, timeout=90)
            yield base, proc.pid
        finally:
            procs.stop(proc)

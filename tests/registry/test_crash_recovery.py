"""Crash safety under publish load: a real ``nestry-registry serve`` process is killed with
SIGKILL at random moments while several clients publish, then restarted on the same database
and blob directory. Every version the registry acknowledged (201) must read back with the
digest it was acknowledged with, no version row may name a blob that is not stored, and the
half-written blob files a kill leaves behind are removed when ``serve`` starts again.

The figures (publishes tried, acknowledged, lost to the kills) are printed for
``scripts/security_figures`` and ``docs/security.md``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from registry_samples import template
from server_process import ServerProcess, figure

from registry.db.session import Database

KILLS = 4
PUBLISHERS = 4


@dataclass
class Tally:
    tried: int = 0
    acknowledged: dict[tuple[str, str], str] = field(default_factory=dict)  # (app, ver) -> digest
    failed: int = 0
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _publisher(
    server: ServerProcess, cycle: int, worker: int, stop: threading.Event, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    with httpx.Client(timeout=20) as client:
        number = 0
        while not stop.is_set():
            number += 1
            name, version = f"crash{worker}", f"{cycle + 1}.0.{number}"
            body = template(name=name, marker=f"{cycle}-{worker}-{number}").encode()
            files = {"template": ("template.yaml", body)}
            url = f"{server.url}/v1/apps/acme/{name}/versions/{version}"
            with tally.lock:
                tally.tried += 1
            try:
                answer = client.put(url, files=files, headers=headers)
            except httpx.HTTPError:
                with tally.lock:
                    tally.failed += 1  # the kill came first: not acknowledged, may or may not exist
                time.sleep(0.05)
                continue
            if answer.status_code == 201:
                digest = "sha256:" + hashlib.sha256(body).hexdigest()
                assert answer.json()["digest"] == digest
                with tally.lock:
                    tally.acknowledged[(name, version)] = digest
            else:
                with tally.lock:
                    tally.failed += 1
                    tally.refusals.append(f"{answer.status_code} {answer.text[:200]}")
                time.sleep(0.05)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, tmp_path / "data")
    try:
        yield process
    finally:
        process.stop()


def _plant_stale_temp_file(blob_dir: Path) -> Path:
    """A half-written blob as a kill leaves it, old enough to be nobody's put in progress."""
    folder = blob_dir / "sha256" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    planted = folder / ".tmp-crashed"
    planted.write_bytes(b"half a blob")
    an_hour_ago = time.time() - 3600
    os.utime(planted, (an_hour_ago, an_hour_ago))
    return planted


async def _stored_digests(database_url: str) -> list[str]:
    database = Database(database_url, listen=False)
    try:
        async with database.reader() as session:
            rows = await session.execute(sa.text("SELECT digest, bundle_digest FROM versions"))
            return [digest for row in rows for digest in row if digest is not None]
    finally:
        await database.dispose()


def test_acknowledged_versions_survive_kill_9(
    server: ServerProcess, database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(os.environ.get("NESTRY_CRASH_SEED", "13"))
    blob_dir = server.data_dir / "blobs"
    server.start()
    tally = Tally()
    planted: list[Path] = []
    for cycle in range(KILLS):
        stop = threading.Event()
        workers = [
            threading.Thread(target=_publisher, args=(server, cycle, n, stop, tally))
            for n in range(PUBLISHERS)
        ]
        for worker in workers:
            worker.start()
        time.sleep(rng.uniform(0.5, 2.0))
        server.kill()  # mid-publish: no shutdown code runs
        stop.set()
        for worker in workers:
            worker.join(30)
        planted.append(_plant_stale_temp_file(blob_dir))
        server.start()
        assert not planted[-1].exists(), "serve left a stale temp blob in place"

    # Every acknowledged version reads back, with its digest, from the restarted server.
    assert tally.acknowledged, tally  # the load got through between the kills
    with httpx.Client(base_url=server.url, timeout=20) as client:
        for (name, version), digest in tally.acknowledged.items():
            document = client.get(f"/v1/apps/acme/{name}/versions/{version}")
            assert document.status_code == 200, (name, version, document.text)
            assert document.json()["digest"] == digest
            body = client.get(f"/v1/apps/acme/{name}/versions/{version}/template").content
            assert "sha256:" + hashlib.sha256(body).hexdigest() == digest

    # No row names a missing blob.
    for digest in asyncio.run(_stored_digests(database_url)):
        path = blob_dir / "sha256" / digest[7:9] / digest[7:]
        assert path.is_file(), f"a version row names {digest}, which is not stored"

    figure(
        "kill -9 under publish load",
        kills=KILLS,
        publishes=tally.tried,
        acknowledged=len(tally.acknowledged),
        acknowledged_lost=0,
        cut_off_by_kills=tally.failed,
    )

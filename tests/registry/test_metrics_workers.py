"""``/metrics`` of `nestry-registry serve --workers 2`: the sum over both workers, whichever
one takes the scrape, labelled with the replica."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
from test_deploy import _env, _free_port, _running, _wait_healthy

HEALTHZ = re.compile(r'^nestry_http_requests_total\{[^}]*route="/healthz"[^}]*\} (\d+)$', re.M)


def healthz_count(text: str) -> int:
    return sum(int(n) for n in HEALTHZ.findall(text))


def test_requests_spread_over_two_workers_are_all_counted(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = _env(NESTRY_METRICS_DIR=str(shared), NESTRY_REPLICA="replica-a")
    args = ["nestry-registry", "serve", "--port", str(port), "--workers", "2", "--no-access-log"]
    with _running(args, env, tmp_path) as server:
        _wait_healthy(url, server.process)
        time.sleep(1.5)  # both workers up and past their first snapshot
        before = healthz_count(httpx.get(f"{url}/metrics").text)
        requests = 60
        for _ in range(requests):  # a new connection each: the kernel spreads them over both
            assert httpx.get(f"{url}/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while True:
            scrapes = [httpx.get(f"{url}/metrics").text for _ in range(6)]
            counts = {healthz_count(text) - before for text in scrapes}
            if counts == {requests}:
                break
            assert time.monotonic() < deadline, counts
            time.sleep(0.2)
        # Both workers answered some of them (so no single worker could have reported N).
        per_worker = [
            sum(v for k, v in json.loads(p.read_text())["requests"] if ["route", "/healthz"] in k)
            for p in shared.glob("worker-*.json")
        ]
        assert len(per_worker) == 2 and all(n > 0 for n in per_worker), per_worker
        assert 'replica="replica-a"' in scrapes[0]
        assert all('replica="replica-a"' in line for line in healthz_lines(scrapes[0]))


def healthz_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if 'route="/healthz"' in line]

"""How close the registry's hot path is to what its HTTP server allows.

    .venv/bin/python bench/ceiling.py           # --seconds 10 --rounds 3

Three servers up together, measured in interleaved rounds with the serving benchmark's wrk
load (2 threads, 64 connections) on the same bytes: nginx serving them from a file (the
limit), a bare ASGI app returning them with the registry's headers under uvicorn with exactly
the settings ``nestry-registry serve`` uses (uvloop, httptools, proxy headers, no server
header, 2 workers: the ceiling for any app on that server), and the registry answering its app
document (one published app: ``--database``, ``--versions``). Prints req/s and the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from harness import corpus, databases, machine, nginx, procs, wrk
from harness.nestry_seed import seed
from harness.nestry_server import VENV_BIN, Registry
from harness.table import render
from harness.workdir import scratch


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="the registry's"
    )
    parser.add_argument(
        "--versions", type=int, default=1, help="versions of the app (a larger document)"
    )
    return parser.parse_args()


def _bare(
    root: Path, body: bytes, headers: list[tuple[str, str]], workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    (root / "body").write_bytes(body)
    (root / "headers.json").write_text(json.dumps(headers))
    port = procs.free_port()
    argv = [
        str(VENV_BIN / "uvicorn"),
        "harness.bare_asgi:app",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--proxy-headers",
        "--no-server-header",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {
        "NESTRY_BARE_BODY": str(root / "body"),
        "NESTRY_BARE_HEADERS": str(root / "headers.json"),
    }
    log = root / "bare.log"
    proc = procs.start(argv, log=log, env=env)
    url = f"http://127.0.0.1:{port}/"
    procs.wait_http(url, proc, log, timeout=30)
    return proc, url


def main() -> None:
    args = _args()
    print(machine.describe())
    load = wrk.Load(seconds=args.seconds, warmup=2.0)
    with scratch("ceiling") as root, ExitStack() as stack:
        if args.database == "postgresql":
            database = stack.enter_context(databases.postgres())
        else:
            database = str(root / "r.db")
        registry = Registry(databases.sqlalchemy_url(database), root / "data")
        registry.migrate()
        token = registry.token("bench", corpus.NAMESPACE)
        with registry.serve(args.workers, root / "registry.log") as base:
            seed(base, token, 1, args.versions)
            doc_url = f"{base}/v1/apps/{corpus.NAMESPACE}/{corpus.App(0).name}"
            answer = httpx.get(doc_url)
            answer.raise_for_status()
            kept = ("content-length", "content-type", "etag", "cache-control")
            headers = [(k, v) for k, v in answer.headers.items() if k in kept]
            bare, bare_url = _bare(root, answer.content, headers, args.workers)
            try:
                with nginx.serve_file(
                    root / "nginx", "doc.json", answer.content, args.workers
                ) as limit:
                    urls = {
                        "nginx (static file)": limit,
                        "bare ASGI app on uvicorn": bare_url,
                        "nestry app document": doc_url,
                    }
                    figures: dict[str, list[float]] = {name: [] for name in urls}
                    for number in range(1, args.rounds + 1):
                        for name, url in urls.items():
                            result = wrk.measure(url, load)
                            figures[name].append(result.rps)
                            print(f"  [{number}] {name}: {result.rps:,.0f} req/s", flush=True)
            finally:
                procs.stop(bare)
    medians = {name: statistics.median(values) for name, values in figures.items()}
    limit_rps = medians["nginx (static file)"]
    ceiling = medians["bare ASGI app on uvicorn"]
    rows = [
        [name, f"{rps:,.0f}", f"{rps / limit_rps:.2f}x", f"{rps / ceiling:.2f}x"]
        for name, rps in medians.items()
    ]
    print(
        f"\n{len(answer.content)} B body ({args.database}, {args.versions} versions); "
        f"median of {args.rounds} rounds, {args.seconds:g} s each"
    )
    print(render(["server", "req/s", "÷ nginx", "÷ bare uvicorn"], rows))


if __name__ == "__main__":
    main()

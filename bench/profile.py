"""Profile the registry under one benchmark load with py-spy; print where its CPU time goes.

    .venv/bin/python bench/profile.py app   # app | version | template | search | resolve[-new]
    .venv/bin/python bench/profile.py publish --seconds 15

One registry process (--workers 1, so a single process holds every sample) on a fresh
PostgreSQL database with a small corpus; wrk (or 8 publishing clients) loads it while py-spy
samples it. Prints the top frames by inclusive and by own time; keeps the collapsed stacks.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, machine, profiles, wrk
from harness.nestry_seed import corpus_publish, seed
from harness.nestry_server import Registry
from harness.publisher import publish_all
from harness.table import render
from harness.tools import ensure_pip_tool
from harness.workdir import scratch

RATE = 250
ENDPOINTS = ("app", "version", "template", "search", "resolve", "resolve-new", "publish")
SKIP = ("<module>", "run (", "_run_once", "run_until_complete", "run_forever", "__call__ (uvicorn")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint", choices=ENDPOINTS)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--out", type=Path, default=Path("/tmp/nestry-bench/profile.txt"))
    return parser.parse_args()


def _load(args: argparse.Namespace, base: str, token: str) -> None:
    if args.endpoint == "publish":
        items = [corpus_publish(corpus.App(args.apps + i), "1.0.0") for i in range(20_000)]
        publish_all(base, token, items, concurrency=8, deadline_s=args.seconds + 2)
        return
    app = f"{base}/v1/apps/{corpus.NAMESPACE}/{corpus.App(1).name}"
    version = f"{app}/versions/{corpus.versions(args.versions)[-1]}"
    urls = {
        "app": app,
        "version": version,
        "template": f"{version}/template",
        "search": f"{base}/v1/apps?q={corpus.SEARCH_WORD}",
        "resolve": f"{base}/v1/resolve",
        "resolve-new": f"{base}/v1/resolve",
    }
    body = None
    if args.endpoint.startswith("resolve"):
        # resolve-new: a range no other request sends, so no answer kept whole fits
        range_ = "^1.0.0" if args.endpoint == "resolve" else ">=1.0.0 <2.0.0-" + wrk.UNIQUE
        wanted = [f"{corpus.NAMESPACE}/{a.name}" for a in corpus.apps(10)]
        body = json.dumps(
            {"requests": [{"application": a, "range": range_} for a in wanted], "recursive": True}
        )
    load = wrk.Load(seconds=args.seconds + 2, warmup=0)
    wrk.measure(urls[args.endpoint], load, post_json=body)


def _record(pid: int, seconds: float, out: Path) -> None:
    subprocess.run(
        [
            str(ensure_pip_tool("py-spy", "py-spy")),
            "record",
            "-p",
            str(pid),
            "-d",
            str(int(seconds)),
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )


def main() -> None:
    args = _args()
    print(machine.describe())
    with scratch("profile") as root, databases.postgres() as dsn:
        url = databases.sqlalchemy_url(dsn if args.database == "postgresql" else root / "r.db")
        registry = Registry(url, root / "data")
        registry.migrate()
        token = registry.token("bench", corpus.NAMESPACE)
        with registry.serve_with_pid(1, root / "registry.log") as (base, pid):
            seed(base, token, args.apps, args.versions)
            failures: list[BaseException] = []

            def load() -> None:
                try:
                    _load(args, base, token)
                except Exception as exc:  # reported below: a profile without load is no profile
                    failures.append(exc)

            loader = threading.Thread(target=load)
            loader.start()
            _record(pid, args.seconds, args.out)
            loader.join()
            if failures:
                raise SystemExit(f"the load failed, so the profile is void: {failures[0]}")
    # Only the event loop's thread: idle pool threads waiting on a condition are not CPU time.
    summary = profiles.summarize(args.out, within="Runner.run")
    busy = summary.samples / (RATE * int(args.seconds))
    print(
        f"\n{args.endpoint} on {args.database}: event loop busy {busy:.0%} of the wall time "
        f"({summary.samples} samples at {RATE}/s); stacks in {args.out}"
    )
    print(render(["inclusive", "frame"], profiles.top(summary, summary.inclusive, 30, SKIP)))
    print()
    print(render(["own", "frame"], profiles.top(summary, summary.own, 15)))


if __name__ == "__main__":
    main()

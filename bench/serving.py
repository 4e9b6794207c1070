"""Serving benchmark (issues #7, #12): our registry vs nginx (the limit) vs Verdaccio (the peer).

Besides anonymous reads of a public app, two loads a self-hosted registry lives with (#12):
*authenticated* reads of a private app (a member's token), and reads while another client
publishes 10 versions/s of other apps (``--publish-rate``; in each round right after the same
reads quiet, ``quiet, beside publishing:``, the ratio's base), each with its ratio and target;
and the anonymous app document's p99 (≤ 10 ms).

    .venv/bin/python bench/serving.py            # full: 1,000 apps x 20 versions, 15 s per run
    .venv/bin/python bench/serving.py --apps 100 --versions 5 --seconds 3   # a quick look

All servers are up together (idle ones cost nothing) and measured in interleaved rounds, so
that other load on the machine hits every system alike. Everything listens on 127.0.0.1 only
and is stopped at exit; the load is ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    corpus,
    databases,
    fast_seed,
    machine,
    nestry_seed,
    nginx,
    npm_storage,
    procs,
    verdaccio,
    wrk,
)
from harness.nestry_server import REGISTRY, Registry
from harness.serving_rows import (
    LIGHT,
    Probe,
    Row,
    find,
    measure_rounds,
    median_rows,
    ratio,
    report,
)
from harness.table import Target, render_targets
from harness.templates import app_template, metadata
from harness.workdir import scratch

APP = corpus.App(1)
PRIVATE_APP = corpus.App(2)  # made private: read with a member's token
AUTHENTICATED = "authenticated, private app:"
PUBLISHING = "while publishing:"
BESIDE = "quiet, beside publishing:"  # the same probes just before each publishing run
# Verdaccio's search may complete nothing in a whole run at 64 connections; a light-load probe
# of both searches gives a ratio even then.
LIGHT_CONNECTIONS = 4


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1, help="rows keep the median round")
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument(
        "--seed",
        choices=("sql", "api"),
        default="sql",
        help="sql (default, fast): one app published through the API, cloned in SQL; "
        "api: every version published through the API",
    )
    parser.add_argument(
        "--publish-rate",
        type=float,
        default=10.0,
        help="versions/s published (of other apps) during the publishing-mix load",
    )
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="measure only nestry (no nginx, no Verdaccio): ratios between nestry's own loads",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    return parser.parse_args()


@dataclass(frozen=True)
class Nestry:
    base: str
    token: str  # a member of the corpus namespace: publishes, reads its private apps


def _start_nestry(kind: str, args: argparse.Namespace, root: Path, stack: ExitStack) -> Nestry:
    """A seeded registry on ``kind`` (stopped when ``stack`` closes)."""
    if kind == "postgresql":
        database = stack.enter_context(databases.postgres())
    else:
        database = str(root / "registry.db")
    registry = Registry(databases.sqlalchemy_url(database), root / "data")
    registry.migrate()
    token = registry.token("bench", corpus.NAMESPACE)
    base = stack.enter_context(registry.serve(args.workers, root / "registry.log"))
    if args.seed == "sql":
        seconds = fast_seed.seed(base, token, database, args.apps, args.versions)
    else:
        seconds = nestry_seed.seed(base, token, args.apps, args.versions).seconds
    print(f"  {kind}: seeded ({args.seed}) in {seconds:.0f} s", flush=True)
    _make_private(registry, base, PRIVATE_APP)
    return Nestry(base, token)


def _make_private(registry: Registry, base: str, app: corpus.App) -> None:
    out = procs.run(
        [REGISTRY, "token", "create", "--user", "bench-owner", "--admin", "--scope", "admin"],
        env=registry.env,
    )
    owner = out.strip().splitlines()[-1].strip()
    answer = httpx.patch(
        f"{base}/v1/apps/{corpus.NAMESPACE}/{app.name}",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {owner}"},
    )
    answer.raise_for_status()


def _private_probes(system: str, nestry: Nestry, args: argparse.Namespace) -> list[Probe]:
    """A member reading a private app: access decided from the token's roles."""
    version = corpus.versions(args.versions)[args.versions // 2]
    app_url = f"{nestry.base}/v1/apps/{corpus.NAMESPACE}/{PRIVATE_APP.name}"
    auth = {"Authorization": f"Bearer {nestry.token}"}
    return [
        Probe(system, f"{AUTHENTICATED} app document", app_url, auth),
        Probe(system, f"{AUTHENTICATED} template", f"{app_url}/versions/{version}/template", auth),
    ]


def _mix_probes(system: str, base: str, args: argparse.Namespace, label: str) -> list[Probe]:
    version = corpus.versions(args.versions)[args.versions // 2]
    app_url = f"{base}/v1/apps/{corpus.NAMESPACE}/{APP.name}"
    return [
        Probe(system, f"{label} app document", app_url),
        Probe(system, f"{label} template", f"{app_url}/versions/{version}/template"),
    ]


def _mix_rounds(kind: str, nestry: Nestry, args: argparse.Namespace, load: wrk.Load) -> list[Row]:
    """Per round, the reads quiet and then with the publisher on, one right after the other, so
    that the ratio is of neighbours in time; rows keep their median round."""
    system = f"nestry/{kind}"
    quiet = _mix_probes(system, nestry.base, args, BESIDE)
    mixed = _mix_probes(system, nestry.base, args, PUBLISHING)
    rounds: list[list[Row]] = []
    published = [0, 0]
    for _ in range(args.rounds):
        rows = measure_rounds(quiet, load, 1)
        with publishing([nestry.base], {nestry.base: nestry.token}, args.publish_rate) as n:
            rows += measure_rounds(mixed, load, 1)
        published = [published[0] + n[0], published[1] + n[1]]
        rounds.append(rows)
    seconds = args.rounds * len(mixed) * (load.seconds + load.warmup)
    print(
        f"  {kind}: {published[0]} versions published during the mix (~{published[0] / seconds:.1f}"
        f"/s over the runs), {published[1]} failed"
    )
    return median_rows(rounds)


@contextmanager
def publishing(bases: list[str], token: dict[str, str], rate: float) -> Iterator[list[int]]:
    """Publish ``rate`` new versions/s of apps outside the measured ones, to every registry in
    ``bases``, until the block ends; yields [published, failed]."""
    counts = [0, 0]
    stop = threading.Event()

    def run() -> None:
        number = 0
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                started = time.monotonic()
                name, version = f"mix-{number % 50}", f"2.0.{number // 50}"
                template = app_template(name, version, "publishing mix", ["mix"])
                for base in bases:
                    answer = client.put(
                        f"{base}/v1/apps/{corpus.NAMESPACE}/{name}/versions/{version}",
                        files={"template": ("template.yaml", template.encode())},
                        data={"metadata": metadata(name, version, "publishing mix", ["mix"])},
                        headers={"Authorization": f"Bearer {token[base]}"},
                    )
                    counts[0 if answer.status_code in (200, 201) else 1] += 1
                number += 1
                stop.wait(max(0.0, 1 / rate - (time.monotonic() - started)))

    thread = threading.Thread(target=run, name="bench-publisher", daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        stop.set()
        thread.join()


def _nestry_probes(system: str, base: str, args: argparse.Namespace) -> list[Probe]:
    version = corpus.versions(args.versions)[args.versions // 2]
    app_url = f"{base}/v1/apps/{corpus.NAMESPACE}/{APP.name}"
    template_url = f"{app_url}/versions/{version}/template"
    etag = httpx.get(template_url).headers.get("etag", "")
    search = f"{base}/v1/apps?q={corpus.SEARCH_WORD}"
    wanted = [f"{corpus.NAMESPACE}/{a.name}" for a in corpus.apps(min(10, args.apps))]
    body = json.dumps(
        {"requests": [{"application": a, "range": "^1.0.0"} for a in wanted], "recursive": True}
    )
    return [
        Probe(system, "app document", app_url),
        Probe(system, "version document", f"{app_url}/versions/{version}"),
        Probe(system, "template", template_url),
        Probe(system, "template 304", template_url, {"If-None-Match": etag}, expect=304),
        Probe(system, f"search q={corpus.SEARCH_WORD}", search),
        Probe(
            system,
            f"{LIGHT} q={corpus.SEARCH_WORD}, {LIGHT_CONNECTIONS} conns",
            search,
            connections=LIGHT_CONNECTIONS,
        ),
        Probe(system, "resolve 10 apps", f"{base}/v1/resolve", post_json=body),
    ]


def _nginx_probe(app_url: str, workers: int, root: Path, stack: ExitStack) -> list[Probe]:
    """nginx serving the bytes of our app document; none when there is no document to copy."""
    answer = httpx.get(app_url)
    if answer.status_code != 200:
        print(f"  nginx: not measured, the app document answered {answer.status_code}")
        return []
    doc = answer.content
    url = stack.enter_context(nginx.serve_file(root / "nginx", "app.json", doc, workers))
    return [Probe("nginx (static file)", f"app document bytes ({len(doc)} B)", url)]


def _verdaccio_probes(args: argparse.Namespace, root: Path, stack: ExitStack) -> list[Probe]:
    npm_storage.seed_corpus(root / "verdaccio" / "storage", args.apps, args.versions)
    base = stack.enter_context(verdaccio.serve(root / "verdaccio"))
    search = f"{base}/-/v1/search?text={corpus.SEARCH_WORD}&size=20"
    return [
        Probe("verdaccio", "package document", f"{base}/{APP.name}"),
        Probe("verdaccio", f"search text={corpus.SEARCH_WORD}", search),
        Probe(
            "verdaccio",
            f"{LIGHT} text={corpus.SEARCH_WORD}, {LIGHT_CONNECTIONS} conns",
            search,
            connections=LIGHT_CONNECTIONS,
        ),
    ]


def main() -> None:
    args = _args()
    load = wrk.Load(seconds=args.seconds, warmup=args.warmup)
    kinds = [k for k in args.databases.split(",") if k]
    if not kinds or set(kinds) - {"postgresql", "sqlite"}:
        raise SystemExit("--databases takes postgresql, sqlite or both (comma-separated)")
    print(machine.describe())
    print(
        f"corpus: {args.apps} apps x {args.versions} versions (seeded: {args.seed}); "
        f"wrk {load.threads} threads, {load.connections} connections, {load.seconds:g} s after "
        f"{load.warmup:g} s warm-up, {args.rounds} round(s); registry workers: {args.workers}",
        flush=True,
    )
    with scratch("serving", keep=args.keep) as root, ExitStack() as stack:
        print(f"scratch: {root}", flush=True)
        probes: list[Probe] = []
        nestries: dict[str, Nestry] = {}
        for kind in kinds:
            (root / kind).mkdir()
            nestries[kind] = _start_nestry(kind, args, root / kind, stack)
            probes += _nestry_probes(f"nestry/{kind}", nestries[kind].base, args)
            probes += _private_probes(f"nestry/{kind}", nestries[kind], args)
        if not args.no_peers:
            peers = _nginx_probe(probes[0].url, args.workers, root, stack)
            probes = peers + _verdaccio_probes(args, root, stack) + probes
        rows = measure_rounds(probes, load, args.rounds)
        # One registry at a time under the publishing mix: each gets the whole rate.
        for kind, nestry in nestries.items():
            rows += _mix_rounds(kind, nestry, args, load)
    print()
    report(rows, kinds)
    print()
    print(render_targets(_issue_12_targets(rows, kinds)))


def _issue_12_targets(rows: list[Row], kinds: list[str]) -> list[Target]:
    targets = []
    limit = find(rows, "nginx (static file)", "app document bytes")
    for kind in kinds:
        system = f"nestry/{kind}"
        document = find(rows, system, "app document")
        p99 = None if document is None else document.p99_ms
        targets.append(Target(f"{kind} anonymous app document p99", p99, 10, False, " ms"))
        name = f"{kind} anonymous app document ÷ nginx"
        targets.append(Target(name, ratio(document, limit), 0.8, unit="x"))
        resolved = find(rows, system, "resolve 10 apps")
        rps = None if resolved is None else resolved.rps
        targets.append(Target(f"{kind} resolve of 10 apps", rps, 2000, unit=" req/s"))
        for endpoint in ("app document", "template"):
            quiet = find(rows, system, endpoint)
            authenticated = find(rows, system, f"{AUTHENTICATED} {endpoint}")
            mixed = find(rows, system, f"{PUBLISHING} {endpoint}")
            beside = find(rows, system, f"{BESIDE} {endpoint}")
            targets.append(
                Target(
                    f"{kind} authenticated private {endpoint} ÷ anonymous",
                    ratio(authenticated, quiet),
                    0.5,
                    unit="x",
                )
            )
            targets.append(
                Target(
                    f"{kind} {endpoint} while publishing ÷ quiet",
                    ratio(mixed, beside),
                    0.8,
                    unit="x",
                )
            )
    return targets


if __name__ == "__main__":
    main()

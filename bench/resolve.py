"""Resolve benchmark (issue #12): ``POST /v1/resolve`` of 10 apps, flat and as a nested tree.

    .venv/bin/python bench/resolve.py                       # 200 apps x 10 versions, 3 rounds
    .venv/bin/python bench/resolve.py --apps 50 --versions 5 --seconds 3 --rounds 1

The corpus is published through the API (the path users take), plus ``bench/tree`` 1.0.0
nesting ten corpus apps (``^1.0.0``). Loads, anonymous, wrk 2 threads x 64 connections:
10 apps with ``"recursive": true`` (what ``nestry install`` sends for a wide template), the
same with a range no other request sends (``wrk.UNIQUE``: every answer computed, none kept
whole), the tree (one request, 11 nodes over two levels), and the app document (the cached hot
read) as the yardstick of how much CPU the machine gave this run. Answers come from version
lists kept per application (``registry/resolve/cache.py``), and answers showing only public
apps are kept whole; the target of issue #12 is ≥ 2,000 req/s for 10 apps. ``--baseline DIR``
also serves the registry from another checkout (``git archive <rev> | tar -x -C DIR``; this
venv's interpreter and dependencies, that checkout's code) on its own database, seeded alike
and measured in the same interleaved rounds.
Everything listens on 127.0.0.1 only and is stopped at exit.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, machine, nestry_seed, wrk
from harness.nestry_server import Registry
from harness.publisher import Publish, publish_all
from harness.serving_rows import Probe, Row, find, load_table, measure_rounds
from harness.table import Target, render_targets
from harness.templates import Ref, app_template, metadata
from harness.workdir import scratch

FLAT = "resolve 10 apps"
COMPUTED = "resolve 10 apps, every body new"
TREE = "resolve a tree of 11"
DOCUMENT = "app document (yardstick)"


@dataclass(frozen=True)
class CheckoutRegistry(Registry):
    """The registry served from another checkout's sources (first on the import path)."""

    checkout: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        extra = {"PYTHONPATH": str(self.checkout)} if self.checkout else {}
        return {**super().env, **extra}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="rows keep the median round")
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside")
    return parser.parse_args()


def _start(
    kind: str, args: argparse.Namespace, root: Path, stack: ExitStack, checkout: Path | None
) -> str:
    """A registry on ``kind`` seeded through its API; returns its base URL."""
    database = stack.enter_context(databases.postgres()) if kind == "postgresql" else None
    url = databases.sqlalchemy_url(database or root / "registry.db")
    registry = CheckoutRegistry(url, root / "data", checkout=checkout)
    registry.migrate()
    token = registry.token("bench", corpus.NAMESPACE)
    base = stack.enter_context(registry.serve(args.workers, root / "registry.log"))
    seeded = nestry_seed.seed(base, token, args.apps, args.versions)
    refs = [Ref(f"App{i}", f"{corpus.NAMESPACE}/{a.name}") for i, a in enumerate(_ten(args))]
    tree = app_template("tree", "1.0.0", "a tree of ten", [], refs)
    top = Publish(corpus.NAMESPACE, "tree", "1.0.0", tree, metadata("tree", "1.0.0", "t", []))
    outcome = publish_all(base, token, [top], concurrency=1)
    if outcome.failed:
        raise RuntimeError(f"publishing the tree failed: {outcome.first_error}")
    print(f"  {kind}: {seeded.done} versions published in {seeded.seconds:.0f} s", flush=True)
    return base


def _ten(args: argparse.Namespace) -> list[corpus.App]:
    return list(corpus.apps(min(10, args.apps)))


def _probes(system: str, base: str, args: argparse.Namespace) -> list[Probe]:
    wanted = [f"{corpus.NAMESPACE}/{a.name}" for a in _ten(args)]
    flat = {"requests": [{"application": a, "range": "^1.0.0"} for a in wanted]}
    # A range no other request sends (the same versions match): no kept answer fits, every
    # answer is computed from the kept version lists.
    unique = ">=1.0.0 <2.0.0-" + wrk.UNIQUE
    new = {"requests": [{"application": a, "range": unique} for a in wanted]}
    tree = {"requests": [{"application": f"{corpus.NAMESPACE}/tree", "range": "^1"}]}
    url = f"{base}/v1/resolve"
    return [
        Probe(system, FLAT, url, post_json=json.dumps({**flat, "recursive": True})),
        Probe(system, COMPUTED, url, post_json=json.dumps({**new, "recursive": True})),
        Probe(system, TREE, url, post_json=json.dumps(tree)),
        Probe(system, DOCUMENT, f"{base}/v1/apps/{corpus.NAMESPACE}/{_ten(args)[0].name}"),
    ]


def _report(rows: list[Row]) -> None:
    print(load_table(rows, [("÷ app doc", lambda row: find(rows, row.system, DOCUMENT))]))
    print()
    targets = [
        Target(f"{row.system}: {row.endpoint}", row.result.rps if row.result else None, 2000)
        for row in rows
        if row.endpoint in (FLAT, COMPUTED) and row.system.startswith("nestry/")
    ]
    print(render_targets(targets))


def main() -> None:
    args = _args()
    load = wrk.Load(seconds=args.seconds, warmup=args.warmup)
    kinds = [k for k in args.databases.split(",") if k]
    if not kinds or set(kinds) - {"postgresql", "sqlite"}:
        raise SystemExit("--databases takes postgresql, sqlite or both (comma-separated)")
    print(machine.describe())
    print(
        f"corpus: {args.apps} apps x {args.versions} versions through the API; wrk "
        f"{load.threads} threads, {load.connections} connections, {load.seconds:g} s after "
        f"{load.warmup:g} s warm-up, {args.rounds} round(s); registry workers: {args.workers}",
        flush=True,
    )
    with scratch("resolve", keep=args.keep) as root, ExitStack() as stack:
        probes: list[Probe] = []
        checkouts = (
            {"nestry": None, "baseline": args.baseline} if args.baseline else {"nestry": None}
        )
        for kind in kinds:
            for name, checkout in checkouts.items():
                (root / name / kind).mkdir(parents=True)
                base = _start(kind, args, root / name / kind, stack, checkout)
                probes += _probes(f"{name}/{kind}", base, args)
        rows = measure_rounds(probes, load, args.rounds)
    print()
    _report(rows)


if __name__ == "__main__":
    main()

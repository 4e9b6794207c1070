"""Publish benchmark (issue #7): sustained publishes per second, 8 concurrent clients.

    .venv/bin/python bench/publish.py                 # 30 s per database
    .venv/bin/python bench/publish.py --seconds 5

Each database starts empty (PostgreSQL: a fresh database, dropped afterwards; SQLite: a temp
file). Publishes go round-robin over --apps apps (first versions create them), so no two
concurrent publishes target the same app.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, machine
from harness.nestry_seed import corpus_publish
from harness.nestry_server import Registry
from harness.publisher import Outcome, Publish, publish_all
from harness.table import Target, render, render_targets
from harness.workdir import scratch

TARGET_PER_S = 100.0


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    return parser.parse_args()


def _stream(apps: int) -> Iterator[Publish]:
    """More publishes than any run can make: version by version across all apps."""
    for version in corpus.versions(500):
        for app in corpus.apps(apps):
            yield corpus_publish(app, version)


def _run(kind: str, args: argparse.Namespace, root: Path) -> Outcome:
    if kind == "postgresql":
        with databases.postgres() as dsn:
            return _run_on(databases.sqlalchemy_url(dsn), args, root)
    return _run_on(databases.sqlalchemy_url(root / "registry.db"), args, root)


def _run_on(url: str, args: argparse.Namespace, root: Path) -> Outcome:
    registry = Registry(url, root / "data")
    registry.migrate()
    token = registry.token("bench", corpus.NAMESPACE)
    # Enough items for 1,000 publishes/s; the deadline ends the run.
    items = list(itertools.islice(_stream(args.apps), int(args.seconds * 1000)))
    with registry.serve(args.workers, root / "registry.log") as base:
        return publish_all(base, token, items, concurrency=args.clients, deadline_s=args.seconds)


def main() -> None:
    args = _args()
    kinds = [k for k in args.databases.split(",") if k]
    print(machine.describe())
    print(
        f"{args.clients} concurrent clients for {args.seconds:g} s per database, round-robin "
        f"over {args.apps} apps; registry workers: {args.workers}",
        flush=True,
    )
    outcomes: dict[str, Outcome] = {}
    with scratch("publish", keep=args.keep) as root:
        for kind in kinds:
            (root / kind).mkdir()
            outcomes[kind] = _run(kind, args, root / kind)
            print(f"  {kind}: {outcomes[kind].per_second:.1f} publishes/s", flush=True)
    print()
    rows = [
        [
            kind,
            o.done,
            o.failed,
            o.seconds,
            o.per_second,
            o.percentile_ms(50),
            o.percentile_ms(99),
            o.first_error or "",
        ]
        for kind, o in outcomes.items()
    ]
    print(
        render(
            [
                "database",
                "published",
                "failed",
                "seconds",
                "publishes/s",
                "p50 ms",
                "p99 ms",
                "first error",
            ],
            rows,
        )
    )
    print()
    pg = outcomes.get("postgresql")
    print(
        render_targets(
            [
                Target(
                    "publishes/s on PostgreSQL", None if pg is None else pg.per_second, TARGET_PER_S
                )
            ]
        )
    )


if __name__ == "__main__":
    main()

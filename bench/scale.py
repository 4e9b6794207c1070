"""Scale benchmark (issue #7): search and app-document latency at 1k, 10k and 100k apps.

    .venv/bin/python bench/scale.py                       # sizes 1000,10000,100000
    .venv/bin/python bench/scale.py --sizes 1000,10000 --seconds 3
    .venv/bin/python bench/scale.py --sizes 100000 --rare  # also a word no app has

One fresh PostgreSQL database per size (created and dropped here), schema by
``nestry-registry migrate``, grown directly in SQL (bench/harness/sql_seed.py) from one app
published through the API, each served by its own registry. All sizes are up together and
measured in interleaved rounds (default 3; each figure the median of its rounds), so that what
else the machine does at a given moment (the seeding's leftovers, other jobs) falls on every
size alike instead of on whichever was measured then: a sub-millisecond p99 is otherwise
more that than the catalogue's size. Latency is measured with wrk at a light load (default 2
threads, 4 connections), so the percentiles show the cost of a request rather than queueing.
Writes bench/scale.png.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, fast_seed, machine, plot, wrk
from harness.nestry_server import Registry
from harness.table import Target, render, render_targets
from harness.workdir import scratch

PNG = Path(__file__).resolve().parent / "scale.png"
SEARCH_P99_MS = 50.0
RARE_WORD = "zzzz"  # in no app of the corpus


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--versions", type=int, default=10, help="versions per app")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    parser.add_argument(
        "--rare",
        action="store_true",
        help=f"also measure a search for a word no app has ({RARE_WORD})",
    )
    return parser.parse_args()


def _measure(base: str, load: wrk.Load, rare: bool) -> dict[str, wrk.Result]:
    app = f"{base}/v1/apps/{corpus.NAMESPACE}/{corpus.App(1).name}"
    search = f"{base}/v1/apps?q={corpus.SEARCH_WORD}"
    # The document first: what a search run leaves in flight (more work at a larger size) must
    # not spill into the document's figures.
    document = wrk.measure(app, load)
    found = {"search": wrk.measure(search, load), "app document": document}
    wrk.settle(search)
    if rare:
        # A word no app has: the plan that is fast for a common word must not read every app.
        rare_search = f"{base}/v1/apps?q={RARE_WORD}"
        found[f"search q={RARE_WORD}"] = wrk.measure(rare_search, load)
        wrk.settle(rare_search)
    return found


def _run(
    args: argparse.Namespace, sizes: list[int], load: wrk.Load, root: Path
) -> list[dict[str, wrk.Result]]:
    with ExitStack() as stack:
        bases = []
        for size in sizes:
            dsn = stack.enter_context(databases.postgres())
            registry = Registry(databases.sqlalchemy_url(dsn), root / f"data-{size}")
            registry.migrate()
            token = registry.token("bench", corpus.NAMESPACE)
            base = stack.enter_context(registry.serve(args.workers, root / f"registry-{size}.log"))
            fast_seed.publish_model(base, token, args.versions)
            count = fast_seed.grow(dsn, size)
            print(f"  {count:,} apps x {args.versions} versions: {base}", flush=True)
            bases.append(base)
        rounds: list[list[dict[str, wrk.Result]]] = [[] for _ in sizes]
        for number in range(1, args.rounds + 1):
            for size, base, measured in zip(sizes, bases, rounds, strict=True):
                found = _measure(base, load, args.rare)
                measured.append(found)
                shown = ", ".join(f"{e} p99 {r.p99_ms:.3g} ms" for e, r in found.items())
                print(f"  [{number}] {size:,} apps: {shown}", flush=True)
    return [_median(measured) for measured in rounds]


def _median(rounds: list[dict[str, wrk.Result]]) -> dict[str, wrk.Result]:
    """Each figure the median of its rounds; errors summed."""
    return {
        endpoint: wrk.Result(
            rps=statistics.median(r[endpoint].rps for r in rounds),
            p50_ms=statistics.median(r[endpoint].p50_ms for r in rounds),
            p99_ms=statistics.median(r[endpoint].p99_ms for r in rounds),
            bad=sum(r[endpoint].bad for r in rounds),
        )
        for endpoint in rounds[0]
    }


def _report(
    sizes: list[int], results: list[dict[str, wrk.Result]], args: argparse.Namespace
) -> None:
    rows = []
    for size, found in zip(sizes, results, strict=True):
        for endpoint, r in found.items():
            rows.append([f"{size:,}", endpoint, r.rps, r.p50_ms, r.p99_ms, r.bad])
    print(render(["apps", "endpoint", "req/s", "p50 ms", "p99 ms", "errors"], rows))
    print()
    doc_p99 = [r["app document"].p99_ms for r in results]
    targets = [
        Target(
            f"search p99 at {sizes[-1]:,} apps",
            results[-1]["search"].p99_ms,
            SEARCH_P99_MS,
            False,
            " ms",
        )
    ]
    # "Flat": the largest size's p99 within 1.5x of the smallest size's.
    targets.append(
        Target(
            f"app document p99 {sizes[-1]:,} ÷ {sizes[0]:,}",
            doc_p99[-1] / doc_p99[0],
            1.5,
            False,
            "x",
        )
    )
    print(render_targets(targets))
    series = {
        f"{e} {p}": [getattr(r[e], f"{p}_ms") for r in results]
        for e in ("search", "app document")
        for p in ("p50", "p99")
    }
    plot.scale_curve(
        sizes,
        series,
        target_ms=SEARCH_P99_MS,
        out=PNG,
        title=f"nestry on PostgreSQL, {args.versions} versions/app, wrk "
        f"{args.connections} connections, {args.workers} workers, {machine.short()}",
    )
    print(f"\nwrote {PNG}")


def main() -> None:
    args = _args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    load = wrk.Load(
        threads=2, connections=args.connections, seconds=args.seconds, warmup=args.warmup
    )
    print(machine.describe())
    print(
        f"sizes: {sizes}; {args.versions} versions per app; wrk {load.threads} threads, "
        f"{load.connections} connections, {load.seconds:g} s after {load.warmup:g} s warm-up; "
        f"registry workers: {args.workers}; {args.rounds} interleaved round(s), medians",
        flush=True,
    )
    with scratch("scale", keep=args.keep) as root:
        results = _run(args, sizes, load, root)
    print()
    _report(sizes, results, args)


if __name__ == "__main__":
    main()

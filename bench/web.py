"""Web UI benchmark (issue 16): the app page and the search page beside the JSON documents.

    .venv/bin/python bench/web.py                  # 1,000 apps x 20 versions, 10 s per run
    .venv/bin/python bench/web.py --apps 100 --versions 5 --seconds 3   # a quick look

The registry runs as ``serving.py`` runs it (``nestry-registry serve``, one worker per core,
access log on), seeded the same way, and is loaded by ``wrk`` as an anonymous browser would:
the app page of a public app (``/apps/bench/app-000001``; remembered as ready bytes, like the
app document), the home page, the search page (``/search?q=stream``: computed per request,
like the search it shows; only pages without parameters are kept), and beside them the JSON
they show: the app document and ``GET /v1/apps?q=stream`` (computed per request). Target: the
app page at ≥ 0.5x the app document.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, fast_seed, machine, wrk
from harness.nestry_server import Registry
from harness.serving_rows import Probe, Row, find, load_table, measure_rounds, ratio
from harness.table import Target, render_targets
from harness.workdir import scratch

APP = corpus.App(1)
TARGET = 0.5  # app page ÷ app document


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1, help="rows keep the median round")
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    return parser.parse_args()


def _start(kind: str, args: argparse.Namespace, root: Path, stack: ExitStack) -> str:
    if kind == "postgresql":
        database = stack.enter_context(databases.postgres())
    else:
        database = str(root / "registry.db")
    registry = Registry(databases.sqlalchemy_url(database), root / "data")
    registry.migrate()
    token = registry.token("bench", corpus.NAMESPACE)
    base = stack.enter_context(registry.serve(args.workers, root / "registry.log"))
    seconds = fast_seed.seed(base, token, database, args.apps, args.versions)
    print(f"  {kind}: seeded in {seconds:.0f} s", flush=True)
    return base


def _probes(system: str, base: str) -> list[Probe]:
    word = corpus.SEARCH_WORD
    return [
        Probe(system, "app document (JSON)", f"{base}/v1/apps/{corpus.NAMESPACE}/{APP.name}"),
        Probe(system, "app page (HTML)", f"{base}/apps/{corpus.NAMESPACE}/{APP.name}"),
        Probe(system, "home page (HTML)", f"{base}/"),
        Probe(system, f"search q={word} (JSON)", f"{base}/v1/apps?q={word}"),
        Probe(system, f"search page q={word} (HTML)", f"{base}/search?q={word}"),
    ]


def _report(rows: list[Row], kinds: list[str]) -> None:
    def json_twin(row: Row) -> wrk.Result | None:
        twin = "search q=" if row.endpoint.startswith("search") else "app document"
        return find(rows, row.system, twin)

    print(load_table(rows, [("÷ its JSON", json_twin)]))
    targets = []
    for kind in kinds:
        page = find(rows, f"nestry/{kind}", "app page")
        document = find(rows, f"nestry/{kind}", "app document")
        targets.append(
            Target(f"{kind} app page ÷ app document", ratio(page, document), TARGET, unit="x")
        )
    print()
    print(render_targets(targets))


def main() -> None:
    args = _args()
    load = wrk.Load(seconds=args.seconds, warmup=args.warmup)
    kinds = [k for k in args.databases.split(",") if k]
    if not kinds or set(kinds) - {"postgresql", "sqlite"}:
        raise SystemExit("--databases takes postgresql, sqlite or both (comma-separated)")
    print(machine.describe())
    print(
        f"corpus: {args.apps} apps x {args.versions} versions; wrk {load.threads} threads, "
        f"{load.connections} connections, {load.seconds:g} s after {load.warmup:g} s warm-up, "
        f"{args.rounds} round(s); registry workers: {args.workers}",
        flush=True,
    )
    with scratch("web", keep=args.keep) as root, ExitStack() as stack:
        probes: list[Probe] = []
        for kind in kinds:
            (root / kind).mkdir()
            probes += _probes(f"nestry/{kind}", _start(kind, args, root / kind, stack))
        rows = measure_rounds(probes, load, args.rounds)
    print()
    _report(rows, kinds)


if __name__ == "__main__":
    main()

"""Install benchmark (issue #7): ``nestry install`` of a 50-reference tree vs ``npm install``.

    .venv/bin/python bench/install.py                 # 5 cold and 10 warm runs each
    .venv/bin/python bench/install.py --cold-runs 2 --runs 3

The tree (bench/harness/tree.py): 50 references, depth 3, 20 distinct apps, 3 versions each,
published to our registry (PostgreSQL) and, as the same 20-package tree, to Verdaccio.
Requests are counted in one separate run through a counting proxy; times come from hyperfine
runs that talk to the servers directly.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, databases, machine, tree, verdaccio
from harness.hyperfine import Command, Timing, time_commands
from harness.install_fixture import nestry_project, npm_project, publish_tree, write_npm_tree
from harness.install_runs import Counts, Layout, count_requests
from harness.nestry_server import VENV_BIN, Registry
from harness.table import Target, render, render_targets
from harness.workdir import scratch

BENCH = Path(__file__).resolve().parent


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10, help="warm and floor runs")
    parser.add_argument("--workers", type=int, default=machine.cores())
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (logs)")
    return parser.parse_args()


def _commands(lay: Layout, base: str, npm_base: str) -> tuple[list[Command], list[Command]]:
    py = VENV_BIN / "python"
    nestry = f"cd {lay.nestry} && {lay.nestry_env(base)} {VENV_BIN / 'nestry'} install >/dev/null"
    npm = f"cd {lay.npm} && {lay.npm_command(npm_base)} >/dev/null"
    cold = [
        Command(
            "nestry cold",
            nestry,
            f"rm -rf {lay.cache} {lay.nestry}/nestry.lock {lay.nestry}/.nestry",
        ),
        Command(
            "npm cold",
            npm,
            f"rm -rf {lay.npm_cache} {lay.npm}/node_modules {lay.npm}/package-lock.json",
        ),
    ]
    warm = [
        Command("python -c pass", f"{py} -c pass"),
        Command("python + parse 21 templates", f"{py} {BENCH / 'parse_floor.py'} {lay.templates}"),
        Command("nestry warm", nestry, f"rm -rf {lay.nestry}/.nestry"),
        Command("npm warm", npm, f"rm -rf {lay.npm}/node_modules"),
    ]
    return cold, warm


def _report(times: dict[str, Timing], counts: dict[str, Counts]) -> None:
    rows = []
    for name, t in times.items():
        c = counts.get(name)
        rows.append(
            [
                name,
                t.mean_s * 1000,
                t.stddev_s * 1000,
                t.min_s * 1000,
                t.cpu_s * 1000,
                t.runs,
                "" if c is None else c.total,
                "" if c is None else c.resolution,
                "" if c is None else c.downloads,
            ]
        )
    print(
        render(
            [
                "case",
                "mean ms",
                "± ms",
                "min ms",
                "cpu ms",
                "runs",
                "requests",
                "resolution requests",
                "template/tarball requests",
            ],
            rows,
        )
    )
    print()
    nc, nw = times["nestry cold"], times["nestry warm"]
    floor = times["python + parse 21 templates"]
    print(
        render_targets(
            [
                Target("cold: resolution round trips", counts["nestry cold"].resolution, 3, False),
                Target("cold: wall time", nc.mean_s, 1.0, False, " s"),
                Target("warm: requests", counts["nestry warm"].total, 0, False),
                Target("warm ÷ (python + parsing)", nw.mean_s / floor.mean_s, 1.5, False, "x"),
                Target("warm ÷ (python + parsing), cpu", nw.cpu_s / floor.cpu_s, 1.5, False, "x"),
                Target("cold ÷ npm cold", nc.mean_s / times["npm cold"].mean_s, 1.0, False, "x"),
                Target("warm ÷ npm warm", nw.mean_s / times["npm warm"].mean_s, 1.0, False, "x"),
            ]
        )
    )


def main() -> None:
    args = _args()
    refs, distinct, depth = tree.shape()
    print(machine.describe())
    print(
        f"tree: {refs} references, {distinct} distinct apps, depth {depth}, "
        f"{len(tree.VERSIONS)} versions each; registry: PostgreSQL, {args.workers} workers",
        flush=True,
    )
    with scratch("install", keep=args.keep) as root, databases.postgres() as dsn:
        print(f"scratch: {root}", flush=True)
        lay = Layout(root)
        registry = Registry(databases.sqlalchemy_url(dsn), root / "data")
        registry.migrate()
        token = registry.token("bench", corpus.NAMESPACE)
        lay.templates.mkdir(parents=True)
        write_npm_tree(root / "verdaccio" / "storage")
        with (
            registry.serve(args.workers, root / "registry.log") as base,
            verdaccio.serve(root / "verdaccio") as npm_base,
        ):
            publish_tree(base, token, lay.templates)
            user = nestry_project(lay.nestry)
            (lay.templates / "user.yaml").write_bytes(user.read_bytes())
            npm_project(lay.npm)
            counts = count_requests(lay, base, npm_base)
            cold, warm = _commands(lay, base, npm_base)
            timings = time_commands(cold, runs=args.cold_runs, env=lay.env)
            timings += time_commands(warm, runs=args.runs, env=lay.env, warmup=1)
    print()
    _report({t.name: t for t in timings}, counts)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{exc.cmd[0]} failed with {exc.returncode}") from None

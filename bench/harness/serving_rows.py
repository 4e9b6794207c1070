"""Load probes and their rows: one wrk measurement each, in interleaved rounds; the table every
load benchmark prints (``load_table``: serving.py, resolve.py, web.py); the serving targets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from harness import wrk
from harness.table import Target, render, render_targets

LIGHT = "light search"  # endpoint prefix of the search probes run at a light load


@dataclass(frozen=True)
class Probe:
    """One thing to load: a URL, its expected status, optional headers and JSON body."""

    system: str
    endpoint: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    post_json: str | None = None
    expect: int = 200
    connections: int | None = None  # instead of the run's (a light-load probe)


@dataclass(frozen=True)
class Row:
    system: str
    endpoint: str
    result: wrk.Result | None  # None: not measured, ``note`` says why
    note: str = ""

    @property
    def rps_or_zero(self) -> float:
        return 0.0 if self.result is None else self.result.rps


def measure_rounds(probes: list[Probe], load: wrk.Load, rounds: int) -> list[Row]:
    """Every probe once per round, interleaved, so that background load drifting during the
    run hits all systems alike; a row keeps the round with the median req/s."""
    runs: dict[int, list[wrk.Result]] = {i: [] for i in range(len(probes))}
    notes: dict[int, str] = {}
    for number in range(1, rounds + 1):
        for i, probe in enumerate(probes):
            result, note = _measure(probe, load, number)
            if result is None:
                notes[i] = note
            else:
                runs[i].append(result)
    rows = []
    for i, probe in enumerate(probes):
        done = sorted(runs[i], key=lambda r: r.rps)
        median = done[len(done) // 2] if done else None
        note = notes.get(i, "")
        if done and note:
            note = f"{len(done)} of {rounds} rounds measured; the others: {note}"
        rows.append(Row(probe.system, probe.endpoint, median, note))
    return rows


def median_rows(rounds: Sequence[Sequence[Row]]) -> list[Row]:
    """Rows of the same probes measured in separate rounds (``measure_rounds(..., 1)`` each):
    each keeps the round with the median req/s."""
    merged = []
    for same in zip(*rounds, strict=True):
        done = sorted((r for r in same if r.result is not None), key=lambda r: r.rps_or_zero)
        merged.append(done[len(done) // 2] if done else same[-1])
    return merged


def _measure(probe: Probe, load: wrk.Load, number: int) -> tuple[wrk.Result | None, str]:
    """A refused probe gives a reason instead of a result, so the other runs still happen."""
    label = f"  [{number}] {probe.system} {probe.endpoint}"
    if probe.connections is not None:
        load = replace(load, connections=probe.connections)
    try:
        result = wrk.measure(
            probe.url, load, headers=probe.headers, post_json=probe.post_json, expect=probe.expect
        )
    except RuntimeError as exc:
        print(f"{label}: NOT MEASURED: {exc}", flush=True)
        return None, str(exc).splitlines()[0][:120]
    finally:
        wrk.settle(probe.url, probe.headers, probe.post_json)
    print(f"{label}: {result.rps:,.0f} req/s, p99 {result.p99_ms:,.1f} ms", flush=True)
    return result, ""


def find(rows: Sequence[Row], system: str, endpoint: str) -> wrk.Result | None:
    """The result of ``system``'s first row whose endpoint starts with ``endpoint``."""
    for row in rows:
        if row.system == system and row.endpoint.startswith(endpoint):
            return row.result
    return None


def ratio(result: wrk.Result | None, base: wrk.Result | None) -> float | None:
    """``result``'s req/s over ``base``'s; ``None`` when either is missing (or ``base`` is 0)."""
    return None if result is None or base is None or base.rps == 0 else result.rps / base.rps


Base = Callable[[Row], wrk.Result | None]  # the result a row's ratio divides by


def load_table(rows: Sequence[Row], ratios: Sequence[tuple[str, Base]] = ()) -> str:
    """The Markdown table of ``rows``: req/s, p50, p99, errors, then one column per ratio
    (its header and the row's base); unmeasured rows show ``n/a`` and why, measured rows
    with a note get it below the table."""
    table: list[list[object]] = []
    for row in rows:
        got = row.result
        if got is None:
            table.append([row.system, row.endpoint, "n/a", "", "", "", *("" for _ in ratios)])
            continue
        shown = [ratio(got, base(row)) for _, base in ratios]
        table.append(
            [
                row.system,
                row.endpoint,
                got.rps,
                got.p50_ms,
                got.p99_ms,
                got.bad,
                *("" if r is None else f"{r:.2f}x" for r in shown),
            ]
        )
    headers = ["system", "endpoint", "req/s", "p50 ms", "p99 ms", "errors", *(h for h, _ in ratios)]
    notes = [f"note: {row.system} {row.endpoint}: {row.note}" for row in rows if row.note]
    return "\n".join([render(headers, table), *notes])


def report(rows: list[Row], kinds: list[str]) -> None:
    ceiling = find(rows, "nginx (static file)", "app document")
    peer_doc = find(rows, "verdaccio", "package document")
    peer_search = find(rows, "verdaccio", "search")
    peer_light = find(rows, "verdaccio", LIGHT)

    def peer(row: Row) -> wrk.Result | None:
        if row.endpoint.startswith(LIGHT):
            return peer_light
        return peer_search if row.endpoint.startswith("search") else peer_doc

    if ceiling is None and peer_doc is None:  # --no-peers: nestry's own ratios only
        print(load_table(rows))
        return
    print(load_table(rows, [("÷ nginx", lambda _row: ceiling), ("÷ verdaccio", peer)]))
    print()
    print(render_targets(_targets(rows, kinds, ceiling, peer_doc, (peer_search, peer_light))))


def _targets(
    rows: list[Row],
    kinds: list[str],
    ceiling: wrk.Result | None,
    peer_doc: wrk.Result | None,
    peer_searches: tuple[wrk.Result | None, wrk.Result | None],
) -> list[Target]:
    targets = []
    for kind in kinds:
        system = f"nestry/{kind}"
        for endpoint in ("app document", "template"):
            got = find(rows, system, endpoint)
            targets.append(
                Target(f"{kind} {endpoint} ÷ verdaccio doc", ratio(got, peer_doc), 5, unit="x")
            )
            targets.append(Target(f"{kind} {endpoint} ÷ nginx", ratio(got, ceiling), 0.5, unit="x"))
        for prefix, peer in zip(("search", LIGHT), peer_searches, strict=True):
            got = find(rows, system, prefix)
            name = f"{kind} {prefix} ÷ verdaccio {prefix}"
            targets.append(Target(name, ratio(got, peer), 20, unit="x"))
    return targets

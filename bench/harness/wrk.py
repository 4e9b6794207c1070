"""Drive ``wrk`` against a local URL and read req/s, p50 and p99 from its report."""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from harness.tools import ensure_binary

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class Load:
    threads: int = 2
    connections: int = 64
    seconds: float = 15.0
    warmup: float = 3.0


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # non-2xx/3xx answers plus socket errors: a run with any is not a valid figure


def measure(
    url: str,
    load: Load,
    *,
    headers: dict[str, str] | None = None,
    post_json: str | None = None,
    expect: int = 200,
) -> Result:
    """Check one answer's status, warm up, then one timed run bounded by ``load.seconds``."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise ValueError(f"benchmarks only target 127.0.0.1, not {url}")
    _probe(url, headers, post_json, expect)
    with tempfile.TemporaryDirectory(prefix="nestry-wrk-") as tmp:
        script = _lua(Path(tmp), post_json)
        if load.warmup > 0:
            _run(url, load, load.warmup, headers, script)
        return parse(_run(url, load, load.seconds, headers, script))


def _probe(url: str, headers: dict[str, str] | None, post_json: str | None, expect: int) -> None:
    # A benchmark of error pages is worthless: refuse to measure an unexpected answer.
    method = "GET" if post_json is None else "POST"
    extra = {} if post_json is None else {"Content-Type": "application/json"}
    answer = httpx.request(
        method, url, headers={**(headers or {}), **extra}, content=_once(post_json), timeout=60
    )
    if answer.status_code != expect:
        code = _error_code(answer)
        raise RuntimeError(f"answered {answer.status_code} {code}, expected {expect}")


def settle(
    url: str,
    headers: dict[str, str] | None = None,
    post_json: str | None = None,
    timeout: float = 120.0,
) -> None:
    """Wait until a server has worked off what a run left in flight.

    wrk hangs up at the end of a run, but a server (Verdaccio's search, say) may go on working
    on the requests already accepted and steal the CPU from the next measurement. One more
    request to the same URL returns when that backlog is done; then the machine's processors
    must be mostly idle (``quiet``): a server may still be collecting garbage or finishing
    requests its one more request overtook.
    """
    method = "GET" if post_json is None else "POST"
    extra = {} if post_json is None else {"Content-Type": "application/json"}
    with contextlib.suppress(httpx.HTTPError):
        httpx.request(
            method,
            url,
            headers={**(headers or {}), **extra},
            content=_once(post_json),
            timeout=timeout,
        )
    quiet(timeout=timeout)


def quiet(busy: float = 0.25, interval: float = 0.5, timeout: float = 60.0) -> bool:
    """Wait until the processors are busy less than ``busy`` of an ``interval`` (from
    ``/proc/stat``), for at most ``timeout`` seconds; False when they never were."""
    deadline = time.monotonic() + timeout
    before = _cpu_times()
    while time.monotonic() < deadline:
        time.sleep(interval)
        after = _cpu_times()
        total = after[0] - before[0]
        if total > 0 and 1 - (after[1] - before[1]) / total < busy:
            return True
        before = after
    return False


def _cpu_times() -> tuple[int, int]:
    """All and idle (idle + iowait) jiffies of every processor, from ``/proc/stat``."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(part) for part in stat.readline().split()[1:]]
    return sum(fields[:8]), fields[3] + fields[4]


def _once(post_json: str | None) -> str | None:
    """The body one request of a probe sends (``UNIQUE`` filled in)."""
    return None if post_json is None else post_json.replace(UNIQUE, "0")


def _error_code(answer: httpx.Response) -> str:
    try:
        return str(answer.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return answer.text[:80]


UNIQUE = "{unique}"  # in a POST body: replaced by what no other request of the run sends
# Per thread: an id (its number and a random one, so that warm-up and run differ), then a count.
_UNIQUE_LUA = """
local threads = 0
math.randomseed(os.time())
function setup(thread)
  threads = threads + 1
  thread:set("id", threads .. "." .. math.random(1, 1000000000))
end
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, (wrk.body:gsub("{unique}", id .. "." .. n)))
end
"""


def _lua(tmp: Path, post_json: str | None) -> Path | None:
    if post_json is None:
        return None
    body = post_json.replace("\\", "\\\\").replace("'", "\\'")
    script = tmp / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        + (_UNIQUE_LUA if UNIQUE in post_json else "")
    )
    return script


def _run(
    url: str, load: Load, seconds: float, headers: dict[str, str] | None, script: Path | None
) -> str:
    argv = [
        ensure_binary("wrk", "wrk"),
        "--latency",
        f"-t{min(load.threads, load.connections)}",
        f"-c{load.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
    ]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    if script is not None:
        argv += ["-s", str(script)]
    done = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return done.stdout


def parse(report: str) -> Result:
    rps = _RPS.search(report)
    latencies = {
        m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _LATENCY.finditer(report)
    }
    if rps is None or set(latencies) != {"50", "99"}:
        raise ValueError(f"unreadable wrk report:\n{report}")
    if float(rps.group(1)) == 0:
        raise RuntimeError("no request completed within the run")
    bad = sum(int(n) for n in _BAD.findall(report))
    errors = _ERRORS.search(report)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return Result(float(rps.group(1)), latencies["50"], latencies["99"], bad)

"""Read py-spy's collapsed stacks ("frame;frame;... count"): where the samples were spent."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_LINE = re.compile(r"^(.*) (\d+)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


@dataclass(frozen=True)
class Summary:
    samples: int
    inclusive: Counter[str]  # frame -> samples with the frame anywhere on the stack
    own: Counter[str]  # frame -> samples with the frame on top


def _short(frame: str) -> str:
    """``func (path:line)`` -> ``func (pkg/module.py)``: lines merged, paths shortened."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['func']} ({path})"


def summarize(collapsed: Path, within: str = "") -> Summary:
    """Samples whose stack has a frame containing ``within`` (e.g. the event loop's thread)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        frames = [_short(f) for f in match[1].split(";")]
        if within and not any(within in f for f in frames):
            continue
        count = int(match[2])
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return Summary(total, inclusive, own)


def top(
    summary: Summary, counter: Counter[str], n: int, skip: tuple[str, ...] = ()
) -> list[list[object]]:
    rows: list[list[object]] = []
    for frame, count in counter.most_common():
        if any(s in frame for s in skip):
            continue
        rows.append([f"{100 * count / max(1, summary.samples):.1f}%", frame])
        if len(rows) == n:
            break
    return rows

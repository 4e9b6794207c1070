"""Plain-text tables (Markdown pipe tables, so the output pastes into bench/README.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def render(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if value >= 1 else f"{value:.3f}"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Target:
    """One target from issue #7: ``measured`` against ``bound`` (≥ when ``at_least``)."""

    name: str
    measured: float | None
    bound: float
    at_least: bool = True
    unit: str = ""

    @property
    def verdict(self) -> str:
        if self.measured is None:
            return "n/a"
        ok = self.measured >= self.bound if self.at_least else self.measured <= self.bound
        return "PASS" if ok else "MISS"

    def row(self) -> list[object]:
        shown = "n/a" if self.measured is None else f"{_number(self.measured)}{self.unit}"
        op = "≥" if self.at_least else "≤"
        return [self.name, shown, f"{op} {self.bound:g}{self.unit}", self.verdict]


def render_targets(targets: Sequence[Target]) -> str:
    return render(["target", "measured", "required", "verdict"], [t.row() for t in targets])


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

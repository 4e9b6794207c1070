"""The scale curve as a PNG (matplotlib, headless)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.tools import ensure_python_package


def scale_curve(
    sizes: Sequence[int],
    series: Mapping[str, Sequence[float | None]],
    *,
    target_ms: float,
    title: str,
    out: Path,
) -> None:
    """One line per series (ms against app count, log x); the p99 target as a dashed line."""
    ensure_python_package("matplotlib", "matplotlib")
    import matplotlib

    matplotlib.use("Agg")  # headless: before pyplot is imported
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for name, values in series.items():
        points = [(s, v) for s, v in zip(sizes, values, strict=True) if v is not None]
        if points:
            style = "--" if "p50" in name else "-"
            ax.plot(*zip(*points, strict=True), style, marker="o", label=name)
    ax.axhline(target_ms, color="red", linestyle=":", label=f"search p99 target ({target_ms:g} ms)")
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"{s:,}" for s in sizes])
    ax.set_xlabel("apps in the registry (PostgreSQL)")
    ax.set_ylabel("latency (ms)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)

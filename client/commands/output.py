"""Rendering for people (aligned tables, short lines) and for tools (``--json``), and progress.

Data goes to stdout; progress and warnings go to stderr, and only when stderr is a terminal
and the command is not in ``--json`` mode.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click


class Output:
    def __init__(self, *, as_json: bool, interactive: bool | None = None) -> None:
        self.as_json = as_json
        tty = sys.stderr.isatty() if interactive is None else interactive
        self.interactive = tty and not as_json

    def result(self, data: Any, human: Callable[[], None]) -> None:
        """Print ``data`` as JSON in ``--json`` mode, else call ``human`` to print it."""
        if self.as_json:
            click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            human()

    def line(self, text: str = "") -> None:
        click.echo(text)

    def note(self, text: str) -> None:
        """A remark for people (stderr), silent in --json mode."""
        if not self.as_json:
            click.echo(text, err=True)

    @contextmanager
    def progress(self, label: str) -> Iterator[None]:
        """Show ``label...`` while the block runs, on a terminal only."""
        if not self.interactive:
            yield
            return
        click.echo(f"{label}...", err=True, nl=False)
        try:
            yield
        except BaseException:
            click.echo(" failed", err=True)
            raise
        click.echo(" done", err=True)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned table; ``None`` shows as ``-``."""
    cells = [[_cell(v) for v in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def human_size(size: int) -> str:
    """``812 B``, ``1.5 KiB``, ``12.0 MiB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"

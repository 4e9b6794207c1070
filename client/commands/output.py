"""Rendering for people (aligned tables, short lines) and for tools (``--json``), and progress.

Data goes to stdout; progress and warnings go to stderr, and only when stderr is a terminal
and the command is not in ``--json`` mode. Transfers of at least ``BAR_THRESHOLD`` bytes
(publish's upload, install's downloads) show a progress bar with byte counts there.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

BAR_THRESHOLD = 1024 * 1024  # smaller transfers end before a bar would tell anything


class Output:
    def __init__(self, *, as_json: bool, interactive: bool | None = None) -> None:
        self.as_json = as_json
        tty = sys.stderr.isatty() if interactive is None else interactive
        self.interactive = tty and not as_json
        # One bar for all transfers running at once (install downloads bundles in threads):
        # each adds its size to the bar's length.
        self._lock = threading.Lock()
        self._bar: ProgressBar[int] | None = None
        self._transfers = 0
        self._line_open = False  # progress() wrote "label..." and waits for " done"
        self._bar_shown = False  # a bar broke that line

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
        self._line_open, self._bar_shown = True, False
        outcome = "done"
        try:
            yield
        except BaseException:
            outcome = "failed"
            raise
        finally:
            self._line_open = False
            # A bar took the line's place: say whose outcome this is.
            click.echo(f"{label}: {outcome}" if self._bar_shown else f" {outcome}", err=True)

    @contextmanager
    def transfer(self, label: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """Report one transfer of ``total`` bytes: yields ``advance(n)`` for each chunk. On a
        terminal, without ``--json``, transfers of known size of at least ``BAR_THRESHOLD``
        draw a progress bar with byte counts on stderr (one bar while several run at once);
        otherwise nothing is shown. Thread-safe. ``client.api.client.TransferWatch``."""
        if not self.interactive or total is None or total < BAR_THRESHOLD:
            yield _ignore
            return
        with self._lock:
            if self._bar is None:
                self._bar = self._new_bar(label, total)
                self._bar.render_progress()  # now that _sizes() finds it
            else:
                self._bar.length = (self._bar.length or 0) + total
            self._transfers += 1
        try:
            yield self._advance
        finally:
            with self._lock:
                self._transfers -= 1
                if self._transfers == 0 and self._bar is not None:
                    self._bar.render_finish()
                    self._bar = None

    def _new_bar(self, label: str, total: int) -> ProgressBar[int]:
        if self._line_open:  # "Publishing x..." is waiting for its " done": end that line
            click.echo(err=True)
            self._bar_shown = True
        return click.progressbar(
            length=total,
            label=label,
            file=sys.stderr,
            show_percent=True,
            item_show_func=lambda _item: self._sizes(),
        )

    def _sizes(self) -> str:
        bar = self._bar
        return f"{human_size(bar.pos)} of {human_size(bar.length or 0)}" if bar else ""

    def _advance(self, size: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(size)


def _ignore(_size: int) -> None:
    pass


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

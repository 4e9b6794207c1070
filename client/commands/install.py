"""``nestry install``, ``update``, ``outdated``, ``tree``: thin wrappers over
``client.install.pipeline``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from client.commands.context import Context, json_option, pass_context
from client.commands.output import table
from client.commands.templates import template_option
from client.install import pipeline
from client.install.cache import Cache, default_cache_dir
from client.install.report import InstallReport, change_json, change_line, render_tree
from client.install.sources import ClientFactory

if TYPE_CHECKING:
    from client.api.client import RegistryClient


flatten_option = click.option(
    "--flatten", is_flag=True, help="Merge children into the parent instead of nesting stacks."
)
keep_exports_option = click.option(
    "--keep-exports",
    is_flag=True,
    help="With --flatten: keep children's exported outputs (prefixed) instead of dropping them.",
)


def _options(
    template: Path,
    out_dir: Path | None,
    *,
    frozen: bool = False,
    offline: bool = False,
    flatten: bool,
    keep_exports: bool,
) -> pipeline.InstallOptions:
    """What ``install`` and ``update`` pass the pipeline; the same rules for their flags."""
    if keep_exports and not flatten:
        raise click.UsageError("--keep-exports only applies with --flatten")
    return pipeline.InstallOptions(
        template,
        out_dir,
        frozen=frozen,
        offline=offline,
        flatten=flatten,
        keep_exports=keep_exports,
    )


def _clients(state: Context) -> ClientFactory:
    config = state.config()

    def make(url: str) -> RegistryClient:
        return state.client(config.target(url))

    return ClientFactory(lambda app: config.registry_for(app).url, make, config.registry)


def _say(message: str) -> None:
    click.echo(f"  {message}", err=True)


@contextmanager
def _kwargs(state: Context) -> Iterator[dict[str, Any]]:
    """What every pipeline call takes: clients (closed after), the cache, progress on a tty."""
    with _clients(state) as clients:
        yield {
            "clients": clients,
            "cache": Cache(default_cache_dir(state.env)),
            "progress": _say if state.output.interactive else None,
        }


@click.command()
@template_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build directory (default .nestry/build).",
)
@click.option("--frozen", is_flag=True, help="Fail if nestry.lock does not match the template.")
@click.option("--offline", is_flag=True, help="Use only the cache; never the network.")
@flatten_option
@keep_exports_option
@json_option
@pass_context
def install(state: Context, /, template: Path, out_dir: Path | None, **flags: bool) -> None:
    """Resolve, verify and vendor every registry reference; write the build directory."""
    options = _options(template, out_dir, **flags)
    with _kwargs(state) as kwargs:
        report = pipeline.install(options, **kwargs)
    state.output.result(report.to_json(), lambda: _show_report(report))


@click.command()
@click.argument("apps", nargs=-1, metavar="[APP]...")
@template_option
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Build directory."
)
@flatten_option
@keep_exports_option
# Refused with the reason (an update needs the registry) rather than as unknown options.
@click.option("--frozen", is_flag=True, hidden=True)
@click.option("--offline", is_flag=True, hidden=True)
@click.option(
    "--dry-run", is_flag=True, help="Show what would move; write nothing (nor nestry.lock)."
)
@json_option
@pass_context
def update(
    state: Context,
    /,
    apps: tuple[str, ...],
    template: Path,
    out_dir: Path | None,
    dry_run: bool,
    **flags: bool,
) -> None:
    """Move APPs (default: all) to the newest versions their ranges allow, then install.

    No --offline or --frozen: an update asks the registry which versions exist (use
    install --offline / --frozen to install what nestry.lock pins).
    """
    options = _options(template, out_dir, **flags)  # --frozen/--offline: refused with why
    with _kwargs(state) as kwargs:
        if dry_run:
            changes = pipeline.plan_update(options, apps, **kwargs)
            state.output.result(
                {"dry_run": True, "changes": [change_json(c) for c in changes]},
                lambda: click.echo(
                    "\n".join(change_line(c) for c in changes) or "Nothing to update."
                ),
            )
            return
        report = pipeline.update(options, apps, **kwargs)
    state.output.result(report.to_json(), lambda: _show_report(report))


@click.command()
@template_option
@json_option
@pass_context
def outdated(state: Context, template: Path) -> None:
    """Show current, wanted (newest in range) and latest versions of every reference."""
    from client.install import outdated as views

    with _kwargs(state) as kwargs:
        rows = views.outdated(pipeline.InstallOptions(template), **kwargs)
    cells = [
        (r.path, r.application, r.range, r.current, r.wanted, r.latest, r.note or "")
        for r in rows
        if r.is_outdated
    ]
    headers = ["path", "application", "range", "current", "wanted", "latest", "note"]
    state.output.result(
        [r.to_json() for r in rows],
        lambda: click.echo(table(cells, headers) if cells else "Everything is up to date."),
    )
    if cells:
        click.get_current_context().exit(1)  # as npm outdated: scripts see "outdated"


@click.command()
@template_option
@json_option
@pass_context
def tree(state: Context, template: Path) -> None:
    """Show the resolved tree of nested applications."""
    from client.install import outdated as views

    with _kwargs(state) as kwargs:
        entries = views.tree(pipeline.InstallOptions(template), **kwargs)
    lines = render_tree(entries)
    state.output.result(
        [e.to_json() for e in entries],
        lambda: click.echo("\n".join(lines) if lines else "No registry references."),
    )


def _show_report(report: InstallReport) -> None:
    for change in report.changes:
        click.echo(change_line(change))
    click.echo("\n".join(render_tree(report.tree)) or "No registry references.")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in report.flatten.lines() if report.flatten else []:
        click.echo(line)
    click.echo(
        f"\nWrote {report.build_dir}"
        + (f" and {report.lockfile}" if report.lockfile_changed else "")
    )
    click.echo(f"Capabilities needed: {' '.join(report.capabilities) or 'none'}")
    click.echo(f"Next: {report.next_command}")


COMMANDS = [install, update, outdated, tree]

"""``nestry``: the command-line client (click). Commands live in ``client.commands``,
listed in ``client.commands.lazy``."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from client.commands.context import Context
from client.commands.failures import CliFailure, failure_from
from client.commands.lazy import LazyGroup
from client.errors import NestryError

_OS_HINT = "Check the path and its permissions."


class NestryGroup(LazyGroup):
    """Turns every ``NestryError`` into a one-line message and hint: never a traceback.

    Commands are imported only when they run (``client.commands.lazy``): a warm install must
    not pay for httpx and every other command's imports."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NestryError as error:
            raise _with_mode(ctx, failure_from(error)) from None
        except CliFailure as failure:
            raise _with_mode(ctx, failure) from None
        except BrokenPipeError:  # `nestry info APP | head -1`: the reader left; so do we
            _silence_stdout()
            raise click.exceptions.Exit(SIGPIPE_EXIT) from None
        except OSError as error:  # a file we were pointed at: unreadable, unwritable, a folder
            where = f": {error.filename}" if error.filename else ""
            message = f"{error.strerror or error}{where}"
            raise _with_mode(ctx, CliFailure(message, hint=_OS_HINT)) from None


SIGPIPE_EXIT = 141  # what a shell reports for a process ended by SIGPIPE (git, cat, ...)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an in-process test runner)
        pass


def _with_mode(ctx: click.Context, failure: CliFailure) -> CliFailure:
    state = ctx.find_object(Context)
    failure.as_json = bool(state and state.output.as_json)
    return failure


@click.group(cls=NestryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--registry", metavar="URL", help="Registry URL (overrides NESTRY_REGISTRY).")
@click.option("--token", metavar="TOKEN", help="API token (overrides NESTRY_TOKEN).")
@click.version_option(package_name="nestry", prog_name="nestry")
@click.pass_context
def cli(ctx: click.Context, registry: str | None, token: str | None) -> None:
    """nestry: reusable serverless applications from your own registry."""
    state = ctx.ensure_object(Context)
    state.registry_flag = registry or state.registry_flag
    state.token_flag = token or state.token_flag
    ctx.call_on_close(state.close)


def main() -> None:
    """The ``nestry`` console script."""
    cli(prog_name="nestry")


if __name__ == "__main__":
    main()

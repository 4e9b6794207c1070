"""A click group that imports a command's module only when that command runs.

Each command module pulls in its own stack (the template model, httpx, ...), so a command
imports only its own. The table below names each command's ``module:attribute`` and keeps its
one-line help, so that ``nestry --help`` lists every command without importing any of them
(``tests/client/test_cli_lazy.py`` checks the table against the commands themselves).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click


class LazyCommand(NamedTuple):
    target: str  # "client.commands.module:attribute"
    help: str  # the first line of the command's docstring (a test keeps them equal)


def _entry(module: str, attribute: str, text: str) -> LazyCommand:
    return LazyCommand(f"client.commands.{module}:{attribute}", text)


COMMANDS: dict[str, LazyCommand] = {
    "login": _entry(
        "auth", "login", "Check a token with the registry and save it in the config file."
    ),
    "logout": _entry("auth", "logout", "Forget the saved token for a registry."),
    "whoami": _entry("auth", "whoami", "Show who the registry thinks you are."),
    "init": _entry(
        "init",
        "init",
        "Start a new application in DIR (default: here): template.yaml, src/ and README.md.",
    ),
    "publish": _entry(
        "publish",
        "publish",
        "Publish TEMPLATE (default template.yaml, .yml or .json) with its code as a new version.",
    ),
    "search": _entry(
        "query", "search", "Find applications by name, description, labels and readme."
    ),
    "info": _entry(
        "query",
        "info",
        "Parameters, outputs, capabilities, versions and dependents of an application.",
    ),
    "versions": _entry(
        "query",
        "versions",
        "Every version of an application, with dist-tags, yanks and deprecations.",
    ),
    "yank": _entry(
        "lifecycle",
        "yank",
        "Stop ranges from picking a version (existing lockfiles keep working).",
    ),
    "unyank": _entry("lifecycle", "unyank", "Let ranges pick a yanked version again."),
    "deprecate": _entry(
        "lifecycle",
        "deprecate",
        "Mark a version deprecated with MESSAGE (it stays installable).",
    ),
    "dist-tag": _entry(
        "lifecycle",
        "dist_tag",
        "Move, drop or list dist-tags (named pointers such as latest or beta).",
    ),
    "delete": _entry(
        "delete",
        "delete",
        "Delete APP and all its versions (owners; refused while other apps nest it).",
    ),
    "add": _entry(
        "add", "add", "Add APP as an AWS::Serverless::Application (default range ^<latest>)."
    ),
    "remove": _entry(
        "add",
        "remove",
        "Remove every AWS::Serverless::Application nesting APP, and its nestry.lock entries.",
    ),
    "install": _entry(
        "install",
        "install",
        "Resolve, verify and vendor every registry reference; write the build directory.",
    ),
    "update": _entry(
        "install",
        "update",
        "Move APPs (default: all) to the newest versions their ranges allow, then install.",
    ),
    "outdated": _entry(
        "install",
        "outdated",
        "Show current, wanted (newest in range) and latest versions of every reference.",
    ),
    "tree": _entry("install", "tree", "Show the resolved tree of nested applications."),
    "namespace": _entry(
        "orgs",
        "namespace",
        "Namespaces (organizations): create them, list and change their members.",
    ),
    "audit": _entry(
        "orgs", "audit", "Show the audit log of namespace NAME, newest first (owners only)."
    ),
    "share": _entry(
        "sharing",
        "share",
        "Let a namespace (or user) read a private APP; --nest also lets it nest APP.",
    ),
    "unshare": _entry(
        "sharing",
        "unshare",
        "Stop sharing APP with a namespace or user (takes effect at once).",
    ),
    "visibility": _entry(
        "sharing",
        "visibility",
        "Make APP public (anyone may read it) or private (its namespace and grantees only).",
    ),
    "token": _entry(
        "tokens",
        "token",
        "Create, list and revoke API tokens (rotate: create a new one, then revoke the old).",
    ),
}


def load(name: str) -> click.Command:
    """Import the module behind command ``name`` and return its click command."""
    module_name, attribute = COMMANDS[name].target.split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{COMMANDS[name].target} is not a click command")
    return command


class LazyGroup(click.Group):
    """``get_command`` imports on demand; ``--help`` lists the table without importing."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        return load(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        # A stand-in command shortens the help exactly as click shortens a real one.
        command = self.commands.get(name) or click.Command(name, help=COMMANDS[name].help)
        return command.get_short_help_str(limit)

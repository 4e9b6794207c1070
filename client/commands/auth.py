"""``nestry login``, ``logout`` and ``whoami``."""

from __future__ import annotations

import sys
from typing import Any

import click

from client.commands.context import Context, json_option, pass_context
from client.commands.failures import usage_failure
from client.config import Config, RegistryTarget, normalize_url, save


def _registry_url(state: Context, registry: str | None) -> str:
    url = (
        registry
        or state.registry_flag
        or state.env.get("NESTRY_REGISTRY")
        or Config.read(state.config_path).registry
    )
    if not url:
        raise usage_failure("no registry given", "Pass --registry URL (or set NESTRY_REGISTRY).")
    return normalize_url(url)


def _token(state: Context, from_stdin: bool) -> str:
    if from_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = state.token_flag or state.env.get("NESTRY_TOKEN") or ""
        if not token:
            token = click.prompt("Token", hide_input=True, err=True).strip()
    if not token:
        raise usage_failure(
            "no token given", "Paste the token at the prompt, or pipe it with --token-stdin."
        )
    return token


@click.command()
@click.option("--registry", metavar="URL", help="The registry to log in to.")
@click.option("--token-stdin", is_flag=True, help="Read the token from standard input.")
@json_option
@pass_context
def login(state: Context, registry: str | None, token_stdin: bool) -> None:
    """Check a token with the registry and save it in the config file."""
    url = _registry_url(state, registry)
    token = _token(state, token_stdin)
    with state.output.progress(f"Checking the token with {url}"):
        identity = state.client(RegistryTarget(url, token)).whoami()
    config = Config.read(state.config_path).with_token(url, token)
    if not config.registry:
        config = config.override(registry=url)  # the first registry becomes the default
    save(config, state.config_path)
    result = {"registry": url, "identity": identity, "config": str(state.config_path)}
    state.output.result(result, lambda: click.echo(f"Logged in to {url} as {_who(identity)}."))


@click.command()
@click.option("--registry", metavar="URL", help="The registry to log out of.")
@json_option
@pass_context
def logout(state: Context, registry: str | None) -> None:
    """Forget the saved token for a registry."""
    url = _registry_url(state, registry)
    config = Config.read(state.config_path)
    had = url in config.tokens
    save(config.without_token(url), state.config_path)
    message = f"Logged out of {url}." if had else f"No saved token for {url}."
    state.output.result({"registry": url, "removed": had}, lambda: click.echo(message))


@click.command()
@json_option
@pass_context
def whoami(state: Context) -> None:
    """Show who the registry thinks you are."""
    client = state.default_client()
    identity = client.whoami()
    result = {"registry": client.base_url, "identity": identity}
    state.output.result(result, lambda: click.echo(f"{_who(identity)} on {client.base_url}"))


def _who(identity: dict[str, Any]) -> str:
    for key in ("user", "username", "name", "login"):
        value = identity.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            return str(value["name"])
    return "an authenticated user"


COMMANDS = [login, logout, whoami]

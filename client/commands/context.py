"""The object every command receives: environment, configuration, output and API clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from client.commands.output import Output
from client.config import Config, RegistryTarget, config_path
from client.names import AppId

if TYPE_CHECKING:
    import httpx

    from client.api.client import RegistryClient

HttpFactory = Callable[[str], "httpx.Client"]


def _default_http(base_url: str) -> httpx.Client:
    from client.api.client import new_http

    return new_http()


@dataclass
class Context:
    """``env`` and ``http_factory`` are the seams: tests pass their own."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    http_factory: HttpFactory = _default_http
    registry_flag: str | None = None
    token_flag: str | None = None
    output: Output = field(default_factory=lambda: Output(as_json=False))
    _opened: list[httpx.Client] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return config_path(self.env)

    def config(self) -> Config:
        """File < environment < flags."""
        loaded = Config.load(self.config_path, self.env)
        return loaded.override(registry=self.registry_flag, token=self.token_flag)

    def client(self, target: RegistryTarget) -> RegistryClient:
        # Imported when a request is due: a warm install makes none (bench/README.md).
        from client.api.client import RegistryClient

        http = self.http_factory(target.url)
        self._opened.append(http)
        # Read when a transfer starts, not now: ``--json`` replaces ``output``.
        return RegistryClient(
            target.url,
            target.token,
            http=http,
            watch=lambda label, total: self.output.transfer(label, total),
        )

    def close(self) -> None:
        """Close every HTTP client the command opened (click calls this when it ends)."""
        while self._opened:
            self._opened.pop().close()

    def client_for(self, app: AppId) -> RegistryClient:
        return self.client(self.config().registry_for(app))

    def default_client(self) -> RegistryClient:
        return self.client(self.config().default_target())


pass_context = click.make_pass_decorator(Context)


def json_option(func: Callable[..., object]) -> Callable[..., object]:
    """``--json``: machine-readable output on stdout, no progress."""

    def switch(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        state = ctx.find_object(Context)
        if state is not None and value:
            state.output = Output(as_json=True)
        return value

    option = click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=switch,
        is_eager=True,
        help="Print machine-readable JSON.",
    )
    return option(func)

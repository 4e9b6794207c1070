"""Lazy command loading: ``--help`` lists every command, and importing the CLI stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from client.cli import cli
from client.commands.context import Context
from client.commands.lazy import COMMANDS, load

ROOT = Path(__file__).resolve().parents[2]


def _fresh_python(code: str, stream: str = "stdout") -> str:
    """Run ``code`` in a new interpreter (this one has imported everything already)."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stderr if stream == "stderr" else done.stdout


def test_help_lists_every_command_with_its_short_help(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = CliRunner().invoke(cli, ["--help"], obj=Context(env=env), terminal_width=200)
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:\n", 1)[1]
    for name, entry in COMMANDS.items():
        line = next(line for line in listed.splitlines() if line.split()[0] == name)
        assert line.split(None, 1)[1].rstrip(".").rstrip() in entry.help


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_matches_the_command_it_loads(name: str) -> None:
    command = load(name)
    assert command.name == name
    assert (command.help or "").splitlines()[0] == COMMANDS[name].help


def test_every_command_module_is_in_the_table() -> None:
    """A command added to a module but not to the table would be unreachable."""
    modules = {entry.target.split(":")[0] for entry in COMMANDS.values()}
    found = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        found |= {command.name for command in module.COMMANDS}
    assert found == set(COMMANDS)


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["instal"], obj=Context(env={"HOME": str(tmp_path)}))
    assert result.exit_code == 2
    assert "No such command 'instal'" in result.output


def test_get_command_returns_click_commands() -> None:
    context = click.Context(cli)
    assert isinstance(cli.get_command(context, "token"), click.Group)
    assert cli.get_command(context, "nope") is None


def test_importing_the_cli_does_not_import_httpx_or_command_modules() -> None:
    out = _fresh_python(
        "import client.cli, sys\n"
        "heavy = ['httpx', 'client.commands.install', 'client.commands.publish']\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_help_imports_no_command_module() -> None:
    out = _fresh_python(
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from client.cli import cli\n"
        "CliRunner().invoke(cli, ['--help'])\n"
        "print(sorted(m for m in sys.modules if m == 'httpx' or m == 'client.commands.query'))"
    )
    assert out.strip() == "[]"


def test_the_install_command_imports_only_what_a_warm_install_uses() -> None:
    """--flatten, bundles, the network, the config writer and temp files load when needed."""
    out = _fresh_python(
        "import sys\n"
        "import client.commands.install\n"
        "heavy = ['httpx', 'client.api.client', 'client.flatten', 'client.install.outdated',\n"
        "         'tarfile',\n"
        "         'tempfile', 'shutil', 'tomli_w', 'tomllib']\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    assert out.strip() == "[]"

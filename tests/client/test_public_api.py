"""``client``'s public library API: every name in ``__all__`` resolves, lazily, to the real
object."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import client
import client.install

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", client.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(client, name)
    assert getattr(value, "__name__", name) == name


@pytest.mark.parametrize("name", client.install.__all__)
def test_the_install_package_exports_the_pipeline(name: str) -> None:

    assert getattr(client.install, name).__name__ == name


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = client.nope  # type: ignore[attr-defined]


def test_importing_the_package_loads_nothing_else() -> None:
    code = "import sys, client; print(sorted(m for m in sys.modules if m.startswith('client.')))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_package_ships_its_type_information() -> None:
    assert (ROOT / "client" / "py.typed").is_file()

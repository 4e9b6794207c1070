"""Check-and-install of the external tools the benchmarks drive (Debian packages, npm)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from harness.procs import run

WORK_ROOT = Path("/tmp/nestry-bench")
VERDACCIO_VERSION = "6.8.0"
_apt_updated = False


def ensure_binary(binary: str, package: str) -> str:
    """Path of ``binary``; installs the Debian ``package`` first when it is missing."""
    found = shutil.which(binary) or _sbin(binary)
    if found:
        return found
    global _apt_updated
    if not _apt_updated:
        run(["apt-get", "update", "-q"], timeout=600)
        _apt_updated = True
    run(["apt-get", "install", "-y", "-q", package], env={"DEBIAN_FRONTEND": "noninteractive"})
    found = shutil.which(binary) or _sbin(binary)
    if not found:
        raise RuntimeError(f"{package} installed but {binary} is not on PATH")
    return found


def _sbin(binary: str) -> str | None:
    path = Path("/usr/sbin") / binary
    return str(path) if path.exists() else None


def ensure_verdaccio() -> Path:
    """The ``verdaccio`` executable, installed once under a temp dir via npm.

    node-fetch is pinned to 2.7.0 through npm ``overrides`` so that Verdaccio runs on Node 20.
    """
    ensure_binary("npm", "npm")
    home = WORK_ROOT / f"verdaccio-{VERDACCIO_VERSION}"
    exe = home / "node_modules" / ".bin" / "verdaccio"
    if exe.exists():
        return exe
    home.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": "nestry-bench-verdaccio",
        "private": True,
        "dependencies": {"verdaccio": VERDACCIO_VERSION},
        "overrides": {"node-fetch": "2.7.0"},
    }
    (home / "package.json").write_text(json.dumps(manifest, indent=2))
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=home,
        check=True,
        timeout=900,
    )
    return exe


def ensure_python_package(module: str, package: str) -> None:
    """Import ``module`` or pip-install ``package`` into this interpreter's environment first.

    For bench-only tools (matplotlib, py-spy): not runtime dependencies of nestry.
    """
    if importlib.util.find_spec(module) is None:
        run([sys.executable, "-m", "pip", "install", "-q", package], timeout=900)
        importlib.invalidate_caches()


def ensure_pip_tool(executable: str, package: str) -> Path:
    """A command-line tool from PyPI beside this interpreter, pip-installed when missing."""
    path = Path(sys.executable).parent / executable
    if not path.exists():
        run([sys.executable, "-m", "pip", "install", "-q", package], timeout=900)
    return path


def tool_version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "absent"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"

"""Where the install benchmark's projects live, and one instrumented run of each install that
counts its HTTP requests through the counting proxy (and checks that it installed the tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harness import proxy, tree
from harness.install_fixture import NPM_PREFIX
from harness.nestry_server import VENV_BIN


@dataclass(frozen=True)
class Counts:
    total: int
    resolution: int  # nestry: resolve POSTs and documents; npm: packuments
    downloads: int  # templates and bundles; tarballs


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def nestry(self) -> Path:
        return self.root / "nestry-project"

    @property
    def npm(self) -> Path:
        return self.root / "npm-project"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def npm_cache(self) -> Path:
        return self.root / "npm-cache"

    @property
    def templates(self) -> Path:
        """One copy of every template of the tree, for the parsing floor."""
        return self.root / "templates"

    @property
    def env(self) -> dict[str, str]:
        """The environment of every timed command, built on this process's own.

        A private HOME and XDG dirs: no user config, and npm's update check stays off. Bytecode
        caching on (in a scratch prefix), as for any installed package: without it every run
        would compile the client's modules again.
        """
        inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        return inherited | {
            "PYTHONPYCACHEPREFIX": str(self.root / "pycache"),
            "HOME": str(self.root / "home"),
            "XDG_CACHE_HOME": str(self.cache),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "npm_config_update_notifier": "false",
            "NO_UPDATE_NOTIFIER": "1",
        }

    def nestry_env(self, base: str) -> str:
        return f"NESTRY_REGISTRY={base}"

    def npm_command(self, npm_base: str) -> str:
        return (
            f"npm install --cache {self.npm_cache} --registry {npm_base}/ "
            "--no-audit --no-fund --loglevel=error"
        )


def count_requests(lay: Layout, base: str, npm_base: str) -> dict[str, Counts]:
    counts: dict[str, Counts] = {}
    with proxy.counting(base) as (url, app):
        _remove(lay.cache, lay.nestry / "nestry.lock", lay.nestry / ".nestry")
        for case in ("nestry cold", "nestry warm"):
            _remove(lay.nestry / ".nestry")
            app.reset()
            _shell(f"{lay.nestry_env(url)} {VENV_BIN / 'nestry'} install", lay.nestry, lay)
            _check_nestry_build(lay.nestry)
            counts[case] = _nestry_counts(app.counts)
    with proxy.counting(npm_base) as (url, app):
        _remove(lay.npm_cache, lay.npm / "node_modules", lay.npm / "package-lock.json")
        for case in ("npm cold", "npm warm"):
            _remove(lay.npm / "node_modules")
            app.reset()
            _shell(lay.npm_command(url), lay.npm, lay)
            _check_node_modules(lay.npm)
            counts[case] = _npm_counts(app.counts)
    return counts


def _nestry_counts(seen: Counter[tuple[str, str]]) -> Counts:
    downloads = sum(n for (_, path), n in seen.items() if path.endswith(("/template", "/bundle")))
    resolution = sum(
        n
        for (method, path), n in seen.items()
        if path == "/v1/resolve"
        or (
            method == "GET"
            and path.startswith("/v1/apps/")
            and not path.endswith(("/template", "/bundle"))
        )
    )
    return Counts(sum(seen.values()), resolution, downloads)


def _npm_counts(seen: Counter[tuple[str, str]]) -> Counts:
    downloads = sum(n for (_, path), n in seen.items() if "/-/" in path and path.endswith(".tgz"))
    resolution = sum(
        n
        for (method, path), n in seen.items()
        if method == "GET" and path.startswith(f"/{NPM_PREFIX}") and "/-/" not in path
    )
    return Counts(sum(seen.values()), resolution, downloads)


def _check_nestry_build(project: Path) -> None:
    vendored = {
        p.parts[-4:-2]
        for p in (project / ".nestry" / "build").rglob("template.yaml")
        if "apps" in p.parts
    }
    if len(vendored) != len(tree.APPS):
        raise RuntimeError(f"nestry vendored {len(vendored)} apps, expected {len(tree.APPS)}")


def _check_node_modules(project: Path) -> None:
    found = list((project / "node_modules").glob(f"{NPM_PREFIX}*"))
    if len(found) != len(tree.APPS):
        raise RuntimeError(f"npm installed {len(found)} packages, expected {len(tree.APPS)}")


def _shell(command: str, cwd: Path, lay: Layout) -> None:

    subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=lay.env,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()

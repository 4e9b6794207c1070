"""What a build directory was built from, so that an install whose inputs did not change
writes nothing and renders nothing.

After a build, install records ``<build dir>/.nestry-build.json``::

    {"format": 2, "key": "sha256:…", "files": {"template.yaml": "sha256:…", …},
     "warnings": […], "capabilities": […]}

``key`` is the digest of everything the build's bytes depend on: the user's template bytes, the
resolved pins (``nestry.lock``'s text), where the template and build directory are (local paths
are rebased between them), nestry's version and ``FORMAT``. An install is *current* when the
manifest's key is the one it would build from and every recorded file still has its recorded
digest; then the build directory is left as it is. Anything else (no manifest, another key, a
file edited, removed or unreadable) rebuilds the whole directory, as if there were no manifest.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from client.install import lockfile
from client.install.cache import sha256_digest, write_atomic
from client.install.lockfile import Lockfile

NAME = ".nestry-build.json"
FORMAT = 2  # bump when the build directory's layout or rendering changes


@dataclass(frozen=True)
class Built:
    files: list[str]  # relative to the build directory, "/"-separated, sorted
    warnings: list[str]
    capabilities: list[str]  # what the apps' bundled child templates need


def input_key(template: bytes, lock: Lockfile, template_dir: Path, out_dir: Path) -> str:
    """The digest of what a (non-flattening) build's bytes depend on."""
    parts = [
        f"nestry-build {FORMAT} {_nestry_version()}",
        os.path.abspath(template_dir),
        os.path.abspath(out_dir),
        lockfile.dumps(lock),
    ]
    return sha256_digest("\n".join(parts).encode() + b"\n" + template)


def current(out_dir: Path, key: str) -> Built | None:
    """The recorded build when it is current for ``key`` (every file verified), else None."""
    try:
        recorded = json.loads((out_dir / NAME).read_bytes())
        if recorded.get("format") != FORMAT or recorded.get("key") != key:
            return None
        files: dict[str, str] = recorded["files"]
        for relative, digest in files.items():
            if sha256_digest((out_dir / relative).read_bytes()) != digest:
                return None
        return Built(
            sorted(files),
            [str(w) for w in recorded["warnings"]],
            [str(c) for c in recorded["capabilities"]],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def record(out_dir: Path, key: str, built: Built) -> None:
    """Write the manifest of a build just swapped into ``out_dir``."""
    files = {f: sha256_digest((out_dir / f).read_bytes()) for f in built.files}
    document = {
        "format": FORMAT,
        "key": key,
        "files": files,
        "warnings": built.warnings,
        "capabilities": built.capabilities,
    }
    write_atomic(out_dir / NAME, json.dumps(document, indent=1, sort_keys=True).encode())


def _nestry_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nestry")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"

"""Write packages straight into a Verdaccio storage directory (fast: no publish round trips).

The layout is local-storage's: ``<storage>/<name>/package.json`` (the packument) and the
tarballs beside it; ``.verdaccio-db.json`` lists the local packages.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from pathlib import Path

_TIME = "2026-01-01T00:00:00.000Z"


def write_package(
    storage: Path,
    name: str,
    description: str,
    versions: list[str],
    *,
    dependencies: Mapping[str, str] | None = None,
    keywords: list[str] | None = None,
    with_tarballs: bool = False,
) -> None:
    folder = storage / name
    folder.mkdir(parents=True, exist_ok=True)
    manifests: dict[str, object] = {}
    attachments: dict[str, object] = {}
    for version in versions:
        manifest = {
            "name": name,
            "version": version,
            "description": description,
            "keywords": keywords or [],
            "main": "index.js",
            "license": "MIT",
            "dependencies": dict(dependencies or {}),
        }
        tgz = _tarball(manifest)
        filename = f"{name}-{version}.tgz"
        if with_tarballs:
            (folder / filename).write_bytes(tgz)
        dist = {
            "shasum": hashlib.sha1(tgz).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
            "tarball": f"http://localhost/{name}/-/{filename}",
        }
        manifests[version] = {**manifest, "_id": f"{name}@{version}", "dist": dist}
        attachments[filename] = {"shasum": dist["shasum"], "version": version}
    packument = {
        "_id": name,
        "name": name,
        "description": description,
        "dist-tags": {"latest": versions[-1]},
        "versions": manifests,
        "time": {"created": _TIME, "modified": _TIME, **dict.fromkeys(versions, _TIME)},
        "readme": f"# {name}\n\n{description}\n",
        "_uplinks": {},
        "_distfiles": {},
        "_attachments": attachments,
        "_rev": "1-0000000000000000",
    }
    (folder / "package.json").write_text(json.dumps(packument, indent=2))


def write_index(storage: Path, names: list[str]) -> None:
    db = {"list": sorted(names), "secret": "0" * 64}
    (storage / ".verdaccio-db.json").write_text(json.dumps(db))


def _tarball(manifest: Mapping[str, object]) -> bytes:
    files = {
        "package/package.json": json.dumps(manifest, indent=2).encode(),
        "package/index.js": b"module.exports = {};\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def seed_corpus(storage: Path, apps: int, versions: int) -> None:
    """The serving corpus (see ``harness.corpus``) as npm packages, no tarballs."""
    from harness import corpus

    names = []
    for app in corpus.apps(apps):
        write_package(
            storage, app.name, app.description, corpus.versions(versions), keywords=app.labels
        )
        names.append(app.name)
    write_index(storage, names)

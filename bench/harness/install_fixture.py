"""The install benchmark's fixtures: the tree published to nestry and to Verdaccio, and the
two user projects (a SAM template for nestry, a package.json for npm) that depend on it."""

from __future__ import annotations

import json
from pathlib import Path

from harness import corpus, npm_storage, tree
from harness.publisher import Publish, publish_all
from harness.templates import Ref, app_template, metadata

NPM_PREFIX = "nestry-bench-"


def _refs(children: list[str]) -> list[Ref]:
    return [Ref(tree.logical_id(c), f"{corpus.NAMESPACE}/{c}") for c in children]


def _template(name: str, version: str) -> str:
    return app_template(
        name, version, f"install benchmark app {name}", ["bench"], _refs(tree.CHILDREN[name])
    )


def publish_tree(base: str, token: str, templates_dir: Path) -> None:
    """Publish every app of the tree (leaves first) and keep one copy of each template."""
    for layer in (tree.LEAVES, tree.MIDS, tree.TOPS):
        items = [
            Publish(
                corpus.NAMESPACE,
                name,
                version,
                _template(name, version),
                metadata(name, version, f"install benchmark app {name}", ["bench"]),
            )
            for name in layer
            for version in tree.VERSIONS
        ]
        outcome = publish_all(base, token, items, concurrency=1)
        if outcome.failed:
            raise RuntimeError(f"publishing the tree failed: {outcome.first_error}")
    for name in tree.APPS:
        (templates_dir / f"{name}.yaml").write_text(_template(name, tree.VERSIONS[-1]))


def nestry_project(project: Path) -> Path:
    """The user's template, nesting the four top apps; returns its path."""
    project.mkdir(parents=True, exist_ok=True)
    path = project / "template.yaml"
    path.write_text(
        app_template("user-app", "1.0.0", "the user's stack", ["bench"], _refs(tree.ROOT))
    )
    return path


def write_npm_tree(storage: Path) -> None:
    """The same tree as npm packages (with tarballs) in Verdaccio's storage."""
    names = []
    for name in tree.APPS:
        deps = {NPM_PREFIX + c: "^1.0.0" for c in tree.CHILDREN[name]}
        npm_storage.write_package(
            storage,
            NPM_PREFIX + name,
            f"install benchmark app {name}",
            tree.VERSIONS,
            dependencies=deps,
            with_tarballs=True,
        )
        names.append(NPM_PREFIX + name)
    npm_storage.write_index(storage, names)


def npm_project(project: Path) -> None:
    project.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": "user-app",
        "version": "1.0.0",
        "private": True,
        "dependencies": {NPM_PREFIX + c: "^1.0.0" for c in tree.ROOT},
    }
    (project / "package.json").write_text(json.dumps(manifest, indent=2))

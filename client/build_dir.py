"""Write the build directory: the rewritten user template and every vendored child.

Layout (``.nestry/build/`` by default)::

    template.yaml                                  the user's template, references → stacks
    apps/<namespace>/<name>/<version>/template.yaml each child, its own references rewritten
    apps/<namespace>/<name>/<version>/...           the child's unpacked code bundle

A child published with a ``template_path`` (its place inside the bundle) is written there
instead of ``template.yaml``, so its relative ``CodeUri`` and local ``Location`` paths resolve.

Everything is written into a fresh directory beside the target and renamed into place at the
end, so a failed install leaves the previous build as it was.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from client.build import NestedStack, rebase_local_paths, rewrite_references
from client.install_errors import BundleError
from client.render_cache import render as plain_render
from client.resolver import Node, registry_refs, walk
from client.template import LocationKind

TEMPLATE = "template.yaml"
# A document to the bytes written: ``render_cache.render`` or a ``RenderCache``'s (install).
Render = Callable[[dict[str, Any]], bytes]


def vendor_dir(node: Node) -> PurePosixPath:
    namespace, name = node.pin.application.lower().split("/", 1)
    return PurePosixPath("apps", namespace, name, node.pin.version)


def template_file(node: Node) -> PurePosixPath:
    """Where the vendored template is written, relative to the build directory."""
    return vendor_dir(node) / (node.pin.template_path or TEMPLATE)


def child_stacks(node_dir: PurePosixPath, children: list[Node]) -> dict[str, NestedStack]:
    """The nested stack of each child, its TemplateURL relative to ``node_dir``."""
    return {
        child.reference.logical_id: NestedStack(
            template_url=posixpath.relpath(template_file(child), node_dir),
            application=child.pin.application,
            version=child.pin.version,
        )
        for child in children
    }


def vendored_template(node: Node, render: Render = plain_render) -> bytes:
    """The child's bytes as published when it nests nothing from a registry; else rewritten."""
    if not registry_refs(node.template):
        return node.data
    stacks = child_stacks(template_file(node).parent, node.children)
    return render(rewrite_references(node.template.document, stacks))


def rebase_user_document(
    document: Mapping[str, Any], user_dir: Path, out_dir: Path
) -> dict[str, Any]:
    """The user's template with its local paths pointing at the same files from ``out_dir``."""
    prefix = os.path.relpath(user_dir.resolve(), out_dir.resolve()).replace(os.sep, "/")
    return rebase_local_paths(document, prefix)


def rebase_vendored(node: Node) -> dict[str, Any]:
    """A child's document with its local paths as seen from the build directory's root."""
    return rebase_local_paths(node.template.document, str(template_file(node).parent))


def root_template(
    rebased: Mapping[str, Any], roots: list[Node], render: Render = plain_render
) -> bytes:
    """The build's template from the user's (already rebased) document."""
    # After --flatten a reference may be gone (inlined); only what is still nested is rewritten.
    resources = rebased.get("Resources", {})
    remaining = [n for n in roots if _is_application(resources.get(n.reference.logical_id))]
    stacks = child_stacks(PurePosixPath("."), remaining)
    return render(rewrite_references(rebased, stacks))


def _is_application(resource: Any) -> bool:
    return isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Application"


def write_build(
    out_dir: Path,
    root: bytes,
    roots: list[Node],
    bundles: Mapping[str, bytes],
    render: Render = plain_render,
) -> tuple[list[str], list[str]]:
    """Write everything, swap it into ``out_dir``; returns (files written, warnings)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = _fresh_dir(out_dir.parent, f".{out_dir.name}.new-")
    try:
        files, warnings = _write_tree(staging, root, roots, bundles, render)
        _swap(staging, out_dir)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files, warnings


def _write_tree(
    staging: Path, root: bytes, roots: list[Node], bundles: Mapping[str, bytes], render: Render
) -> tuple[list[str], list[str]]:
    files, warnings, done = [TEMPLATE], [], set()
    made = {PurePosixPath(".")}  # directories of the staging tree that exist
    (staging / TEMPLATE).write_bytes(root)
    for node in walk(roots):
        directory = vendor_dir(node)
        if directory in done:
            continue
        done.add(directory)
        _make_dirs(staging, directory, made)
        target = staging / directory
        if node.pin.bundle_digest:
            from client.bundle_unpack import unpack_bundle  # tarfile: only when there is code

            unpacked = unpack_bundle(bundles[node.pin.bundle_digest], target)
            files += [str(directory / p.as_posix()) for p in unpacked]
        files.append(_write_vendored(staging, node, render))
        warnings += _missing_locals(node, staging / template_file(node).parent)
    return sorted(set(files)), warnings


def _write_vendored(staging: Path, node: Node, render: Render) -> str:
    """Write the verified template at its place (over any copy the bundle holds there)."""
    relative = template_file(node)
    path = staging / relative
    if node.pin.bundle_digest or node.pin.template_path:  # else: a new file in a new directory
        if path.is_dir():
            raise BundleError(
                f"{node.pin.label}: its template_path {node.pin.template_path!r} is a directory "
                "in its bundle"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(vendored_template(node, render))
    return str(relative)


def _make_dirs(staging: Path, directory: PurePosixPath, made: set[PurePosixPath]) -> None:
    """``mkdir -p`` in the fresh staging tree, one call per directory that is not there yet.

    (``Path.mkdir(parents=True)`` first tries the deepest one and climbs on each failure: on
    some filesystems every call, failed or not, costs a noticeable share of a warm install.)
    """
    missing = [p for p in (directory, *directory.parents) if p not in made]
    for part in reversed(missing):
        (staging / part).mkdir()
        made.add(part)


def _missing_locals(node: Node, template_dir: Path) -> list[str]:
    """Local nested templates of a fetched app must come with its bundle."""
    return [
        f"{node.path}/{ref.logical_id}: {node.pin.label} nests local {ref.location!r}, "
        "which its bundle does not contain"
        for ref in node.template.references
        if ref.kind == LocationKind.LOCAL
        and ref.location
        and not (template_dir / ref.location).is_file()
    ]


def _fresh_dir(parent: Path, prefix: str) -> Path:
    """A new private directory, as ``tempfile.mkdtemp`` makes one, without importing tempfile
    (with shutil and random behind it: a noticeable share of a warm install's start-up)."""
    while True:
        path = parent / f"{prefix}{os.urandom(6).hex()}"
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return path


def _swap(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = _fresh_dir(out_dir.parent, f".{out_dir.name}.old-")
        os.replace(out_dir, old / "build")
    try:
        os.replace(staging, out_dir)
    except OSError:
        if old is not None:
            os.replace(old / "build", out_dir)
        raise
    if old is not None:
        import shutil

        shutil.rmtree(old, ignore_errors=True)

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
from pathlib import Path
from typing import Any

from client.install.build import (
    NestedStack,
    rebase_local_paths,
    rewrite_references,
    without_keys,
)
from client.install.errors import BundleError
from client.install.render_cache import render as plain_render
from client.install.resolver import Node, walk
from client.template import LocationKind
from client.template.local_paths import escapes, leaving_documents

TEMPLATE = "template.yaml"
# A document to the bytes written: ``render_cache.render`` or a ``RenderCache``'s (install).
Render = Callable[[dict[str, Any]], bytes]


# Paths inside the build directory are plain '/'-joined strings (pathlib's objects cost a
# noticeable share of a warm install). Every part is normalized already: validated names,
# versions and ``template_path`` (``client.install.pins.checked_template_path``).


def vendor_dir(node: Node) -> str:
    """The child's directory, relative to the build directory."""
    namespace, name = node.pin.application.lower().split("/", 1)
    return f"apps/{namespace}/{name}/{node.pin.version}"


def template_file(node: Node) -> str:
    """Where the vendored template is written, relative to the build directory."""
    return f"{vendor_dir(node)}/{node.pin.template_path or TEMPLATE}"


def child_stacks(node_dir: str, children: list[Node]) -> dict[str, NestedStack]:
    """The nested stack of each child, its TemplateURL relative to ``node_dir``."""
    return {
        child.reference.logical_id: NestedStack(
            template_url=_relative(template_file(child), node_dir),
            application=child.pin.application,
            version=child.pin.version,
        )
        for child in children
    }


def _relative(path: str, start: str) -> str:
    """``posixpath.relpath`` of two paths inside the build directory; anchored at "/" so that
    it does not ask the OS for the working directory (one ``getcwd`` call per reference)."""
    return posixpath.relpath(f"/{path}", f"/{start}")


def vendored_template(node: Node, render: Render = plain_render) -> bytes:
    """The child's bytes as published when it nests nothing from a registry and names no readme
    or license outside its own directory; else rewritten: references (registry ones, and the
    SAR ARNs a registry serves) become stacks, and such readme/license paths are dropped
    (``local_paths.leaving_documents``: ``sam package`` would upload the consumer's file; the
    registry serves the app's own copy)."""
    template_dir = posixpath.dirname(node.pin.template_path or "")
    leaving = leaving_documents(node.template.document, template_dir)
    if not node.children and not leaving:
        return node.data
    document = node.template.document
    if node.children:
        stacks = child_stacks(posixpath.dirname(template_file(node)), node.children)
        document = rewrite_references(document, stacks)
    if leaving:
        document = without_keys(document, [local.key_path for local in leaving])
    return render(dict(document))


def rebase_user_document(
    document: Mapping[str, Any], user_dir: Path, out_dir: Path
) -> dict[str, Any]:
    """The user's template with its local paths pointing at the same files from ``out_dir``."""
    prefix = os.path.relpath(user_dir.resolve(), out_dir.resolve()).replace(os.sep, "/")
    return rebase_local_paths(document, prefix)


def rebase_vendored(node: Node) -> dict[str, Any]:
    """A child's document with its local paths as seen from the build directory's root."""
    return rebase_local_paths(node.template.document, posixpath.dirname(template_file(node)))


def root_template(
    rebased: Mapping[str, Any], roots: list[Node], render: Render = plain_render
) -> bytes:
    """The build's template from the user's (already rebased) document."""
    # After --flatten a reference may be gone (inlined); only what is still nested is rewritten.
    resources = rebased.get("Resources", {})
    remaining = [n for n in roots if _is_application(resources.get(n.reference.logical_id))]
    stacks = child_stacks(".", remaining)
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
    made: set[str] = set()  # directories of the staging tree made so far
    _write_file(f"{staging}/{TEMPLATE}", root)
    for node in walk(roots):
        directory = vendor_dir(node)
        if directory in done:
            continue
        done.add(directory)
        _make_dirs(str(staging), directory, made)
        bundle_files: frozenset[str] | None = None  # no bundle: no local path is the app's
        if node.pin.bundle_digest:
            from client.install.bundle_unpack import (
                unpack_bundle,  # tarfile: only when there is code
            )

            unpacked = unpack_bundle(bundles[node.pin.bundle_digest], staging / directory)
            bundle_files = frozenset(p.as_posix() for p in unpacked)
            files += [f"{directory}/{name}" for name in sorted(bundle_files)]
        check_local_paths(node, bundle_files)
        files.append(_write_vendored(staging, node, render))
        warnings += _missing_locals(node, staging / posixpath.dirname(template_file(node)))
    return sorted(set(files)), warnings


def check_local_paths(node: Node, bundle_files: frozenset[str] | None) -> None:
    """``BundleError`` (exit 6) naming the first local path of the child's template that leaves
    its own files (``client.template.local_paths``): a registry may be hostile, and ``sam
    package`` would upload what such a path names from the consumer's disk. Runs before the
    child's template is written; the staging tree is then discarded, the build left as it was.
    Local nested templates missing from the bundle are only warned about (``_missing_locals``).
    """
    template_dir = posixpath.dirname(node.pin.template_path or "")
    nested = {
        ("Resources", ref.logical_id, "Properties", "Location")
        for ref in node.template.references
        if ref.kind == LocationKind.LOCAL
    }
    for local, reason in escapes(node.template.document, template_dir, bundle_files):
        if local.key_path in nested and reason.endswith(("bundle", "with the application")):
            continue
        raise BundleError(
            f"{node.pin.label}: {local.where} is {local.value!r}, which {reason}; refusing to "
            "write it into the build directory",
            hint="The application's template points outside its own files; report it to its "
            "publishers, and do not package it.",
        )


def _write_vendored(staging: Path, node: Node, render: Render) -> str:
    """Write the verified template at its place (over any copy the bundle holds there)."""
    relative = template_file(node)
    if node.pin.bundle_digest or node.pin.template_path:  # else: a new file in a new directory
        path = staging / relative
        if path.is_dir():
            raise BundleError(
                f"{node.pin.label}: its template_path {node.pin.template_path!r} is a directory "
                "in its bundle"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(f"{staging}/{relative}", vendored_template(node, render))
    return relative


def _write_file(path: str, data: bytes) -> None:
    """Create or truncate ``path`` and write ``data``: open, write, close and nothing else
    (``Path.write_bytes`` also asks for the file's status, whether it is a terminal, and its
    position)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_dirs(staging: str, directory: str, made: set[str]) -> None:
    """``mkdir -p`` in the fresh staging tree, one call per directory that is not there yet.

    (``Path.mkdir(parents=True)`` first tries the deepest one and climbs on each failure: on
    some filesystems every call, failed or not, costs a noticeable share of a warm install.)
    """
    missing = []
    while directory and directory not in made:
        missing.append(directory)
        directory = posixpath.dirname(directory)
    for part in reversed(missing):
        os.mkdir(f"{staging}/{part}")
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

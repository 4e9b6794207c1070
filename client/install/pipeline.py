"""``nestry install`` / ``update`` as a library: resolve, fetch, verify, check, build, lock.

Nothing is written until every check has passed: a failed install leaves the previous build
directory and ``nestry.lock`` byte-for-byte as they were.

A warm install (lockfile and cache present) makes no request and imports only what it uses:
``--flatten``, bundles and the network load on demand, and the templates it rewrites come from
``client.install.render_cache`` when already rendered once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from client.install import lockfile, manifest
from client.install.build_dir import Render, rebase_user_document, root_template, write_build
from client.install.cache import Cache
from client.install.errors import FrozenLockfileError, InstallError, ParameterError
from client.install.lockfile import Lockfile, VersionChange
from client.install.pins import PinOptions
from client.install.render_cache import RenderCache
from client.install.report import (
    FlattenReport,
    InstallReport,
    TreeEntry,
    next_command,
    tree_entries,
)
from client.install.resolver import Node, Resolver, walk
from client.install.sources import ClientFactory, Fetcher, fetch_many
from client.install.status import status_warnings
from client.install.tree_facts import (
    bundle_jobs,
    capabilities_of,
    check_all_parameters,
    lock_of,
    needs_sam_build,
)
from client.names import parse_app_id
from client.template import LocationKind, Template, parse_template

if TYPE_CHECKING:  # --flatten's machinery is imported only when a flattening install runs
    from client.install.flatten_hook import Flattened

PLACEHOLDER = "<REQUIRED>"  # what ``nestry add`` writes (client.editing.add.PLACEHOLDER)
Progress = Callable[[str], None]
# --flatten hook: the user's document (rebased to the build directory), the resolved tree and
# keep_exports in; the flattened document and what the flattener reports out.
Flattener = Callable[[dict[str, Any], list[Node], bool], "Flattened"]


class InstallOptions(NamedTuple):
    template: Path = Path("template.yaml")
    out_dir: Path | None = None  # default: .nestry/build beside the template
    frozen: bool = False
    offline: bool = False
    flatten: bool = False
    keep_exports: bool = False  # --flatten: keep children's exported outputs (prefixed)
    # Canonical application ids to re-resolve ignoring nestry.lock; None: all of them.
    refresh: frozenset[str] | None = frozenset()

    @property
    def build_dir(self) -> Path:
        return self.out_dir or self.template.parent / ".nestry" / "build"

    @property
    def lock_path(self) -> Path:
        return self.template.parent / lockfile.LOCKFILE_NAME


class Resolved(NamedTuple):
    root: Template
    roots: list[Node]
    old_lock: Lockfile
    lock: Lockfile = lockfile.EMPTY
    text: bytes = b""  # the user's template as read


def resolve_tree(
    options: InstallOptions,
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
) -> Resolved:
    """Read the template and lockfile and resolve the whole tree; writes nothing."""
    say = progress or (lambda _message: None)
    text = _read_template(options.template)
    root = parse_template(text, source=str(options.template))
    old_lock = lockfile.read(options.lock_path)
    say(f"resolving {len(root.references)} reference(s) of {options.template}")
    pins = PinOptions(frozen=options.frozen, offline=options.offline, refresh=options.refresh)
    fetcher = Fetcher(cache, clients, offline=options.offline)
    roots = Resolver(fetcher, old_lock, pins).resolve(root)
    return Resolved(root, roots, old_lock, lock_of(roots), text)


def install(
    options: InstallOptions,
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
    flattener: Flattener | None = None,
) -> InstallReport:
    say = progress or (lambda _message: None)
    resolved = resolve_tree(options, clients=clients, cache=cache, progress=say)
    if options.frozen and resolved.lock != resolved.old_lock:
        raise FrozenLockfileError(
            "--frozen: " + "; ".join(lockfile.differences(resolved.old_lock, resolved.lock))
        )
    nodes = walk(resolved.roots)
    check_placeholders(nodes)
    check_all_parameters(nodes)
    standing = [] if options.offline else status_warnings(nodes, clients)
    standing += transform_warnings(options, resolved)
    out_dir = options.build_dir
    flattened = None
    key = None if options.flatten else _build_key(options, resolved)
    built = manifest.current(out_dir, key) if key else None
    if built is None:
        say(f"fetching {sum(1 for n in nodes if n.pin.bundle_digest)} code bundle(s)")
        bundles = fetch_many(Fetcher(cache, clients, offline=options.offline), bundle_jobs(nodes))
        render = RenderCache(cache.root / "rendered").render
        root, flattened = _root_template(options, resolved, flattener, render)
        files, warnings = write_build(out_dir, root, resolved.roots, bundles, render)
        built = manifest.Built(files, warnings, _bundle_capabilities(nodes, bundles))
        if key:
            manifest.record(out_dir, key, built)
        say(f"wrote {out_dir}")
    else:
        say(f"{out_dir} is up to date")
    files, build_warnings = built.files, built.warnings
    changed = lockfile.write_if_changed(options.lock_path, resolved.lock)
    capabilities = _capabilities(options, resolved, nodes, built.capabilities)
    return InstallReport(
        tree=tree_entries(resolved.roots),
        capabilities=capabilities,
        files=files,
        build_dir=out_dir,
        lockfile=options.lock_path,
        lockfile_changed=changed,
        next_command=next_command(out_dir, capabilities, needs_sam_build(resolved.root, nodes)),
        warnings=standing + (flattened.warnings if flattened else []) + build_warnings,
        changes=lockfile.version_changes(resolved.old_lock, resolved.lock),
        flatten=FlattenReport(flattened.settled, flattened.dropped) if flattened else None,
    )


def _build_key(options: InstallOptions, resolved: Resolved) -> str:
    return manifest.input_key(
        resolved.text, resolved.lock, options.template.parent, options.build_dir
    )


def _capabilities(
    options: InstallOptions, resolved: Resolved, nodes: list[Node], in_bundles: list[str]
) -> tuple[str, ...]:
    """Every template's: the user's and its local children's (read each time: they are not
    part of the build's inputs), each app's, and the local child templates in their bundles
    (``in_bundles``, found when the build was written)."""
    found = {*capabilities_of(resolved.root, nodes), *in_bundles}
    if any(r.kind is LocationKind.LOCAL for r in resolved.root.references):
        from client.install.child_capabilities import user_capabilities

        found |= user_capabilities(resolved.root, options.template.parent)
    return tuple(sorted(found))


def _bundle_capabilities(nodes: list[Node], bundles: dict[str, bytes]) -> list[str]:
    if not bundles:
        return []
    from client.install.child_capabilities import bundle_capabilities

    return sorted(bundle_capabilities(nodes, bundles))


def transform_warnings(options: InstallOptions, resolved: Resolved) -> list[str]:
    """A template that nests registry apps but is not SAM: its nested stacks' local
    ``TemplateURL`` works with ``sam deploy`` but ``sam validate --lint`` reports W3002."""
    if not resolved.roots or resolved.root.is_sam:
        return []
    return [
        f"{options.template} has no 'Transform: AWS::Serverless-2016-10-31': sam deploy "
        "packages its nested stacks, but sam validate --lint reports W3002 on their local "
        "TemplateURL; add the transform to your template"
    ]


def check_placeholders(nodes: list[Node]) -> None:
    """Refuse ``'<REQUIRED>'`` (what ``nestry add`` writes for a required parameter): deployed,
    the literal text would become the parameter's value."""
    problems = [
        f"{node.path}: parameter {name} of {node.pin.application} is still {PLACEHOLDER!r}"
        for node in nodes
        for name, value in sorted(node.reference.parameters.items())
        if value == PLACEHOLDER
    ]
    if problems:
        raise ParameterError(
            problems, hint="Replace each placeholder with a value in your template, then install."
        )


def _root_template(
    options: InstallOptions, resolved: Resolved, flattener: Flattener | None, render: Render
) -> tuple[bytes, Flattened | None]:
    """The build's template: the user's, its local paths rebased to the build directory, and
    with ``--flatten`` every child inlined (theirs rebased too, see
    ``client.install.flatten_hook``)."""
    user_dir = options.template.parent
    document = rebase_user_document(resolved.root.document, user_dir, options.build_dir)
    flattened = None
    if options.flatten:
        flattened = (flattener or _default_flattener())(
            document, resolved.roots, options.keep_exports
        )
        document = flattened.document
    return root_template(document, resolved.roots, render), flattened


def _default_flattener() -> Flattener:
    from client.install.flatten_hook import flatten_tree

    return flatten_tree


def update(
    options: InstallOptions,
    apps: Sequence[str] = (),
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
    flattener: Flattener | None = None,
) -> InstallReport:
    """Re-resolve ``apps`` (every app when empty) within their ranges, then install (with
    ``options``' ``flatten``, ``keep_exports`` and ``out_dir``)."""
    return install(
        _update_options(options, apps),
        clients=clients,
        cache=cache,
        progress=progress,
        flattener=flattener,
    )


def plan_update(
    options: InstallOptions,
    apps: Sequence[str] = (),
    *,
    clients: ClientFactory,
    cache: Cache,
    progress: Progress | None = None,
) -> list[VersionChange]:
    """What ``update`` would move (``update --dry-run``): resolves, writes nothing (only the
    download cache may gain the templates resolving read)."""
    resolved = resolve_tree(
        _update_options(options, apps), clients=clients, cache=cache, progress=progress
    )
    return lockfile.version_changes(resolved.old_lock, resolved.lock)


def _update_options(options: InstallOptions, apps: Sequence[str]) -> InstallOptions:
    """``options`` with the lock entries of ``apps`` (all when empty) set aside. No
    ``--frozen`` or ``--offline``: an update asks the registry what is newest, and the cache
    holds bytes by digest, not which versions exist (README, "Install")."""
    if options.frozen or options.offline:
        flag = "--frozen" if options.frozen else "--offline"
        raise UpdateUsageError(
            f"update asks the registry for newer versions; it cannot run with {flag}",
            hint=f"nestry install {flag} installs what nestry.lock pins.",
        )
    refresh = frozenset(parse_app_id(a).canonical for a in apps) if apps else None
    if refresh:
        _check_referenced(options, refresh)
    return options._replace(refresh=refresh)


class UpdateUsageError(InstallError):
    code = "usage"  # a flag update cannot honour: exit 2 (client.commands.failures)


class NotReferencedError(InstallError):
    code = "not_found"
    hint = "nestry tree lists the applications your template references."


def _check_referenced(options: InstallOptions, apps: frozenset[str]) -> None:
    """Every app ``update`` was asked to move is referenced (by the template or nestry.lock)."""
    root = parse_template(_read_template(options.template), source=str(options.template))
    known = {r.application_id.canonical for r in root.references if r.application_id}
    locked = lockfile.read(options.lock_path).references.values()
    known |= {entry.application.lower() for entry in locked}
    missing = sorted(apps - known)
    if missing:
        raise NotReferencedError(
            f"{', '.join(missing)}: not referenced by {options.template} or its nested apps"
        )


def _read_template(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InstallError(
            f"{path}: no such template",
            hint="Run nestry install in the directory of template.yaml, or pass -t.",
        ) from None
    except OSError as exc:
        raise InstallError(f"{path}: cannot read ({exc.strerror})") from None


__all__ = [
    "InstallOptions",
    "InstallReport",
    "TreeEntry",
    "install",
    "plan_update",
    "resolve_tree",
    "update",
]

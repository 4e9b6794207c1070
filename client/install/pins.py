"""Choose the pin (exact version + digest) for each open reference of one tree level.

Sources in order: ``nestry.lock`` (entry with the same application, range and registry), the
subtree the registry already returned with the parent, then one ``POST /v1/resolve`` per
registry for everything still open. ``--frozen`` allows only the first, ``--offline`` the first
two.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import Any, NamedTuple

from client.errors import NestryError
from client.install.errors import FrozenLockfileError, OfflineError, ResolutionError
from client.install.lockfile import LockEntry, Lockfile
from client.install.sources import ClientFactory, call_registry, registry_key
from client.names import AppId, parse_app_id, parse_version
from client.paths import version_path
from client.template import Reference


class Pin(NamedTuple):
    application: str
    version: str
    digest: str
    registry: str
    template_url: str
    bundle_url: str | None = None
    bundle_digest: str | None = None
    template_path: str | None = None  # where the template sits in its bundle (None: the root)

    @property
    def label(self) -> str:
        return f"{self.application}@{self.version}"


class PinOptions(NamedTuple):
    frozen: bool = False
    offline: bool = False
    # Canonical application ids whose lock entries are ignored; None ignores every entry.
    refresh: frozenset[str] | None = frozenset()


class Open(NamedTuple):
    """A reference instance waiting for its pin."""

    path: str
    reference: Reference
    app: AppId
    range: str
    registry: str
    hint: dict[str, Any] | None  # the parent's resolve result for this reference, if any


Pinned = tuple[Pin, dict[str, Any]]  # the pin and the registry's results for its children


def pin_from_result(result: dict[str, Any], registry: str) -> Pinned:
    application, version = checked(str(result["application"]), str(result["version"]), registry)
    bundle_digest = result.get("bundle_digest")
    bundle_url = result.get("bundle_url")
    if bundle_digest and not bundle_url:
        bundle_url = f"{version_base(application, version)}/bundle"
    pin = Pin(
        application=application,
        version=version,
        digest=str(result["digest"]),
        registry=registry,
        template_url=str(
            result.get("template_url") or f"{version_base(application, version)}/template"
        ),
        bundle_url=bundle_url,
        bundle_digest=bundle_digest,
        template_path=checked_template_path(result.get("template_path"), application, registry),
    )
    deps = {str(d.get("path")): d for d in result.get("dependencies") or [] if isinstance(d, dict)}
    return pin, deps


def pin_from_lock(entry: LockEntry) -> Pinned:
    """A locked version: its URLs are the registry's standard ones."""
    checked(entry.application, entry.version, "nestry.lock")
    base = version_base(entry.application, entry.version)
    bundle_url = f"{base}/bundle" if entry.bundle_digest else None
    pin = Pin(
        entry.application,
        entry.version,
        entry.digest,
        entry.registry,
        f"{base}/template",
        bundle_url,
        entry.bundle_digest,
        checked_template_path(entry.template_path, entry.application, "nestry.lock"),
    )
    return pin, {}


def checked(application: str, version: str, source: str) -> tuple[str, str]:
    """Both become directory names in the build: refuse anything but a valid id and version."""
    try:
        app = parse_app_id(application)
        parse_version(version)
    except NestryError as exc:
        raise ResolutionError(f"{source} named an invalid application or version: {exc}") from None
    if app.registry is not None:
        raise ResolutionError(f"{source} named {application!r}; expected namespace/name")
    return application, version


def checked_template_path(value: Any, application: str, source: str) -> str | None:
    """A bundle-relative path the vendored template may be written to, or None (the root)."""
    if value is None or value == "":
        return None
    normal = posixpath.normpath(value) if isinstance(value, str) else ""
    if (
        not normal
        or normal != value
        or normal.startswith(("/", "../"))
        or normal in (".", "..")
        or "\\" in normal
    ):
        raise ResolutionError(
            f"{source} gave {application} the template_path {value!r}; "
            "expected a normalized path inside its bundle"
        )
    return normal


def version_base(application: str, version: str) -> str:
    """The registry's URL path of one version (template and bundle hang below it)."""
    return version_path(application, version)


class Pinner:
    def __init__(self, clients: ClientFactory, lock: Lockfile, options: PinOptions) -> None:
        self.clients = clients
        self.lock = lock
        self.options = options

    def pin_level(self, level: list[Open]) -> list[Pinned]:
        pinned: list[Pinned | None] = [self._known(item) for item in level]
        batches: dict[str, list[int]] = defaultdict(list)
        for index, found in enumerate(pinned):
            if found is None:
                batches[level[index].registry].append(index)
        for registry, indexes in batches.items():
            results = self._resolve(registry, [level[i] for i in indexes])
            for index, result in zip(indexes, results, strict=True):
                pinned[index] = self._accept(level[index], result)
        return [p for p in pinned if p is not None]

    def _known(self, item: Open) -> Pinned | None:
        entry = self._usable_entry(item)
        if entry is not None:
            return pin_from_lock(entry)
        if self.options.frozen:
            raise FrozenLockfileError(
                f"--frozen: {item.path} ({item.app.display} {item.range}) "
                "has no matching entry in nestry.lock"
            )
        hint = item.hint
        if hint and "error" not in hint and _same(hint, item) and "version" in hint:
            return pin_from_result(hint, item.registry)
        if self.options.offline:
            raise OfflineError(
                f"--offline: {item.path} ({item.app.display} {item.range}) is not pinned in "
                "nestry.lock, and resolving it needs the registry"
            )
        return None

    def _usable_entry(self, item: Open) -> LockEntry | None:
        entry = self.lock.get(item.path)
        refresh = self.options.refresh
        if entry is None or refresh is None or item.app.canonical in refresh:
            return None
        same = entry.application.lower() == item.app.canonical and entry.range == item.range
        return entry if same and registry_key(entry.registry) == item.registry else None

    def _resolve(self, registry: str, items: list[Open]) -> list[dict[str, Any]]:
        client = self.clients.client(registry)
        requests = [(item.app.display, item.range) for item in items]
        results = call_registry(
            registry, "resolving", lambda: client.resolve(requests, recursive=True)
        )
        if len(results) != len(items):
            raise ResolutionError(f"registry {registry} answered {len(results)} of {len(items)}")
        return results

    def _accept(self, item: Open, result: dict[str, Any]) -> Pinned:
        error = result.get("error")
        if error is not None or "version" not in result:
            detail = error if isinstance(error, dict) else {}
            raise ResolutionError(
                f"{item.path}: cannot resolve {item.app.display} {item.range} on {item.registry}: "
                f"{detail.get('message', 'no version')} ({detail.get('code', 'unknown')})"
            )
        return pin_from_result(result, item.registry)


def _same(hint: dict[str, Any], item: Open) -> bool:
    application = str(hint.get("application", "")).lower()
    return application == item.app.canonical and hint.get("range") == item.range

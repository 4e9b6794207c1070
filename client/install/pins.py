"""Pins (exact version + digest + where to fetch it) and the checks on what names them.

A pin comes from ``nestry.lock`` or from a registry's ``POST /v1/resolve`` result; both name a
version and a bundle path that become directory names in the build, so both are checked here.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import Any, NamedTuple

from client.errors import NestryError
from client.install.errors import FrozenLockfileError, OfflineError, ResolutionError
from client.install.lockfile import LockEntry, Lockfile
from client.install.sources import ClientFactory, call_registry, registry_key
from client.names import parse_app_id, parse_version
from client.paths import version_path
from client.ranges import is_dist_tag
from client.resolution import AppVersions, Candidates, Failure, NeedVersions, Open, VersionInfo


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


def pin_from_result(result: dict[str, Any], registry: str) -> Pin:
    application, version = checked(str(result["application"]), str(result["version"]), registry)
    bundle_digest = result.get("bundle_digest")
    bundle_url = result.get("bundle_url")
    if bundle_digest and not bundle_url:
        bundle_url = f"{version_base(application, version)}/bundle"
    return Pin(
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


def pin_from_lock(entry: LockEntry) -> Pin:
    """A locked version: its URLs are the registry's standard ones."""
    checked(entry.application, entry.version, "nestry.lock")
    base = version_base(entry.application, entry.version)
    bundle_url = f"{base}/bundle" if entry.bundle_digest else None
    return Pin(
        entry.application,
        entry.version,
        entry.digest,
        entry.registry,
        f"{base}/template",
        bundle_url,
        entry.bundle_digest,
        checked_template_path(entry.template_path, entry.application, "nestry.lock"),
    )


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
    """Candidates for the resolver's open requests: ``NeedVersions`` answered as ``nestry
    install`` may answer it.

    Sources in order: ``nestry.lock`` (the entry of the same path with the same application,
    range and registry), the subtree the registry already returned with the parent, then one
    ``POST /v1/resolve`` per registry for everything still open. ``--frozen`` allows only the
    first, ``--offline`` the first two. Each request is offered the one version its source
    names, so the resolver's own rule checks it (a lock entry or a registry answer whose
    version does not satisfy the range fails). One answer per (parent digest, logical id):
    identical templates nest identical children, so one vendored copy serves every instance.
    """

    def __init__(self, clients: ClientFactory, lock: Lockfile, options: PinOptions) -> None:
        self.clients = clients
        self.lock = lock
        self.options = options
        self.pins: dict[tuple[str, str, str], Pin] = {}  # (registry, canonical, version) -> pin
        self.registries: dict[str, str] = {}  # path -> the registry asked
        self._hints: dict[str, dict[str, Any]] = {}  # path -> the registry's result for it
        self._memo: dict[tuple[str, str], Candidates] = {}

    def candidates(self, need: NeedVersions) -> list[Candidates]:
        answers: dict[int, Candidates] = {}
        first: dict[tuple[str, str], int] = {}
        batches: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(need.requests):
            key = _memo_key(item)
            if key in self._memo:
                answers[index] = self._memo[key]
                continue
            if key[0] and key in first:
                continue  # answered below, with its twin
            first[key] = index
            registry = self._registry(item)
            known = self._known(item, registry)
            if known is None:
                batches[registry].append(index)
            else:
                answers[index] = known
        for registry, indexes in batches.items():
            results = self._resolve(registry, [need.requests[i] for i in indexes])
            for index, result in zip(indexes, results, strict=True):
                answers[index] = self._accept(need.requests[index], registry, result)
        for key, index in first.items():
            if key[0]:
                self._memo[key] = answers[index]
        return [
            answers[i] if i in answers else self._memo[_memo_key(item)]
            for i, item in enumerate(need.requests)
        ]

    def _registry(self, item: Open) -> str:
        # A nested id without a host lives where its parent was published.
        source = item.source
        registry = source if source and item.app.registry is None else None
        registry = registry or self.clients.registry_for(item.app)
        self.registries[_path(item)] = registry
        return registry

    def _known(self, item: Open, registry: str) -> Candidates | None:
        path = _path(item)
        entry = self._usable_entry(item, path, registry)
        if entry is not None:
            return self._offer(item, pin_from_lock(entry))
        if self.options.frozen:
            raise FrozenLockfileError(
                f"--frozen: {path} ({item.app.display} {item.request.range}) "
                "has no matching entry in nestry.lock"
            )
        hint = self._hints.get(path)
        if hint and "error" not in hint and _same(hint, item) and "version" in hint:
            return self._offer(item, self._pin_result(path, hint, registry))
        if self.options.offline:
            raise OfflineError(
                f"--offline: {path} ({item.app.display} {item.request.range}) is not pinned in "
                "nestry.lock, and resolving it needs the registry"
            )
        return None

    def _usable_entry(self, item: Open, path: str, registry: str) -> LockEntry | None:
        entry = self.lock.get(path)
        refresh = self.options.refresh
        if entry is None or refresh is None or item.canonical in refresh:
            return None
        same = entry.application.lower() == item.canonical and entry.range == item.request.range
        return entry if same and registry_key(entry.registry) == registry else None

    def _resolve(self, registry: str, items: list[Open]) -> list[dict[str, Any]]:
        client = self.clients.client(registry)
        requests = [(item.app.display, item.request.range) for item in items]
        results = call_registry(
            registry, "resolving", lambda: client.resolve(requests, recursive=True)
        )
        if len(results) != len(items):
            raise ResolutionError(f"registry {registry} answered {len(results)} of {len(items)}")
        return results

    def _accept(self, item: Open, registry: str, result: dict[str, Any]) -> Candidates:
        error = result.get("error")
        if error is not None or "version" not in result:
            detail = error if isinstance(error, dict) else {}
            return Failure(
                str(detail.get("code", "unknown")), str(detail.get("message", "no version"))
            )
        return self._offer(item, self._pin_result(_path(item), result, registry))

    def _pin_result(self, path: str, result: dict[str, Any], registry: str) -> Pin:
        for child in result.get("dependencies") or []:
            if isinstance(child, dict):
                self._hints[f"{path}/{child.get('path')}"] = child
        return pin_from_result(result, registry)

    def _offer(self, item: Open, pin: Pin) -> AppVersions:
        self.pins[(pin.registry, item.canonical, pin.version)] = pin
        found = VersionInfo(pin.version, pin.digest, False, pin.bundle_digest, pin.template_path)
        text = item.request.range
        tags = {text: pin.version} if is_dist_tag(text) else {}
        return AppVersions(pin.application, (found,), tags, pin.registry)


def _path(item: Open) -> str:
    return "/".join(item.trail)


def _memo_key(item: Open) -> tuple[str, str]:
    """Top-level references have no parent template to share: ``("", path)``."""
    parent = item.parent
    return (parent.found.digest, item.request.logical_id or "") if parent else ("", _path(item))


def _same(hint: dict[str, Any], item: Open) -> bool:
    application = str(hint.get("application", "")).lower()
    return application == item.canonical and hint.get("range") == item.request.range

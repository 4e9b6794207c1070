from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from install_fakes import FakeRegistry, factory
from install_samples import publish_samples

from client.install.cache import Cache
from client.install.errors import CycleError, FrozenLockfileError, ResolutionError
from client.install.lockfile import EMPTY, LockEntry, Lockfile
from client.install.pins import PinOptions
from client.install.resolver import Node, Resolver, walk
from client.install.sources import ClientFactory, Fetcher
from client.template import parse_template


def user(*refs: tuple[str, str, str]) -> str:
    lines = ["Resources:"]
    for logical_id, app, spec in refs:
        lines += [
            f"  {logical_id}:",
            "    Type: AWS::Serverless::Application",
            "    Properties:",
            f"      Location: {{ApplicationId: {app}, SemanticVersion: '{spec}'}}",
        ]
    return "\n".join(lines) + "\n"


def resolve(
    registry: Any, text: str, tmp_path: Path, lock: Lockfile = EMPTY, **options: Any
) -> list[Node]:
    clients = registry if isinstance(registry, ClientFactory) else factory(registry)
    fetcher = Fetcher(Cache(tmp_path / "cache"), clients, offline=options.pop("offline", False))
    return Resolver(fetcher, lock, PinOptions(**options)).resolve(parse_template(text))


@pytest.fixture
def registry() -> FakeRegistry:
    fake = FakeRegistry()
    publish_samples(fake)
    return fake


def versions(nodes: list[Node]) -> dict[str, str]:
    return {node.path: node.pin.version for node in walk(nodes)}


def test_each_instance_gets_its_own_version(registry: FakeRegistry, tmp_path: Path) -> None:
    nodes = resolve(
        registry, user(("A", "acme/leaf", "^1.0.0"), ("B", "acme/leaf", "~1.0.0")), tmp_path
    )
    assert versions(nodes) == {"A": "1.1.0", "B": "1.0.0"}


def test_dist_tag_and_exact_pins(registry: FakeRegistry, tmp_path: Path) -> None:
    nodes = resolve(
        registry, user(("A", "acme/leaf", "latest"), ("B", "acme/leaf", "1.0.0")), tmp_path
    )
    assert versions(nodes) == {"A": "2.0.0", "B": "1.0.0"}


def test_lock_entries_are_reused_only_for_the_same_application_and_range(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    old = "sha256:" + "0" * 64  # would fail verification if it were fetched
    digest = resolve(registry, user(("A", "acme/leaf", "1.0.0")), tmp_path)[0].pin.digest
    lock = Lockfile(
        {
            "A": LockEntry("acme/leaf", "^1.0.0", "1.0.0", digest, "https://registry.test"),
            "B": LockEntry("acme/leaf", "^0.1.0", "0.1.0", old, "https://registry.test"),
        }
    )
    text = user(("A", "acme/leaf", "^1.0.0"), ("B", "acme/leaf", "^2.0.0"))
    assert versions(resolve(registry, text, tmp_path, lock)) == {"A": "1.0.0", "B": "2.0.0"}


def test_refresh_ignores_the_lock_for_selected_apps(registry: FakeRegistry, tmp_path: Path) -> None:
    digest = resolve(registry, user(("A", "acme/leaf", "1.0.0")), tmp_path)[0].pin.digest
    lock = Lockfile(
        {"A": LockEntry("acme/leaf", "^1.0.0", "1.0.0", digest, "https://registry.test")}
    )
    text = user(("A", "acme/leaf", "^1.0.0"))
    nodes = resolve(registry, text, tmp_path, lock, refresh=frozenset({"acme/leaf"}))
    assert versions(nodes) == {"A": "1.1.0"}


def test_nested_subtree_comes_with_the_first_resolve(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    nodes = resolve(registry, user(("M", "acme/mid", "^1")), tmp_path)
    assert versions(nodes) == {"M": "1.0.0", "M/LeafOne": "1.1.0", "M/LeafTwo": "2.0.0"}
    assert registry.resolve_calls() == 1


def test_a_cycle_names_its_path(tmp_path: Path) -> None:
    fake = FakeRegistry()
    fake.publish("acme/a", "1.0.0", user(("B", "acme/b", "^1")))
    fake.publish("acme/b", "1.0.0", user(("Back", "acme/a", "^1")))
    cycle = r"A/B/Back: Dependency cycle: acme/a@1\.0\.0 -> acme/b@1\.0\.0 -> acme/a@1\.0\.0\."
    with pytest.raises(CycleError, match=cycle):
        resolve(fake, user(("A", "acme/a", "^1")), tmp_path)


def test_server_errors_name_the_reference(registry: FakeRegistry, tmp_path: Path) -> None:
    with pytest.raises(
        ResolutionError, match=r"X: cannot resolve acme/leaf \^9\.0\.0 .*no_matching_version"
    ):
        resolve(registry, user(("X", "acme/leaf", "^9.0.0")), tmp_path)
    with pytest.raises(ResolutionError, match=r"Y: cannot resolve acme/nope .*app_not_found"):
        resolve(registry, user(("Y", "acme/nope", "^1")), tmp_path)


def test_frozen_refuses_an_unlocked_reference(registry: FakeRegistry, tmp_path: Path) -> None:
    with pytest.raises(FrozenLockfileError, match=r"A .*no matching entry in nestry\.lock"):
        resolve(registry, user(("A", "acme/leaf", "^1")), tmp_path, frozen=True)
    assert registry.calls == []


class Unreachable:
    def resolve(self, requests: Any, *, recursive: bool = True) -> list[dict[str, Any]]:
        raise httpx.ConnectError("connection refused")

    def get_bytes(self, url: str) -> bytes:
        raise httpx.ConnectError("connection refused")


def test_an_unreachable_registry_is_a_resolution_error(tmp_path: Path) -> None:
    clients = ClientFactory(lambda app: "http://down.test", lambda url: Unreachable())
    with pytest.raises(ResolutionError, match=r"registry http://down\.test is unreachable"):
        resolve(clients, user(("A", "acme/leaf", "^1")), tmp_path)


def test_identical_children_share_one_pin(registry: FakeRegistry, tmp_path: Path) -> None:
    """Two instances of mid@1.0.0 nest the same leaf versions, so one vendored copy serves both."""
    digest = resolve(registry, user(("X", "acme/leaf", "1.0.0")), tmp_path)[0].pin.digest
    lock = Lockfile(
        {"M1/LeafOne": LockEntry("acme/leaf", "^1.0.0", "1.0.0", digest, "https://registry.test")}
    )
    nodes = resolve(
        registry, user(("M1", "acme/mid", "^1"), ("M2", "acme/mid", "1.0.0")), tmp_path, lock
    )
    found = versions(nodes)
    assert found["M1/LeafOne"] == found["M2/LeafOne"] == "1.0.0"


class Hostile(FakeRegistry):
    """Answers with a version that would escape the build directory as a path."""

    def resolve(self, requests: Any, *, recursive: bool = True) -> list[dict[str, Any]]:
        results = super().resolve(requests, recursive=recursive)
        return [{**r, "version": "../../../escape"} for r in results]


def test_a_version_that_is_not_semver_is_refused(tmp_path: Path) -> None:
    hostile = Hostile()
    publish_samples(hostile)
    with pytest.raises(ResolutionError, match="invalid application or version"):
        resolve(hostile, user(("A", "acme/leaf", "^1")), tmp_path)


class Shallow(FakeRegistry):
    """Resolves one level per call, so the client walks (and limits) the tree itself."""

    def resolve(self, requests: Any, *, recursive: bool = True) -> list[dict[str, Any]]:
        return super().resolve(requests, recursive=False)


def test_install_has_the_registrys_limits(tmp_path: Path) -> None:
    fake = Shallow()
    fake.publish("acme/c33", "1.0.0", "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n")
    for i in range(32, 0, -1):
        fake.publish(f"acme/c{i}", "1.0.0", user(("C", f"acme/c{i + 1}", "^1")))
    nodes = resolve(fake, user(("C", "acme/c2", "^1")), tmp_path)  # 32 applications deep
    assert max(node.path.count("/") for node in walk(nodes)) == 31
    with pytest.raises(ResolutionError, match="deeper than 32"):
        resolve(fake, user(("C", "acme/c1", "^1")), tmp_path)
    wide = user(*((f"L{i}", "acme/c33", "^1") for i in range(201)))
    fake.calls.clear()
    with pytest.raises(ResolutionError, match="At most 200 requests"):
        resolve(fake, wide, tmp_path)
    assert fake.calls == []

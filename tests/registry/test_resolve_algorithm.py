"""The pure resolution algorithm over a static in-memory provider."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pytest

from registry.resolve.algorithm import (
    AppVersions,
    Dependency,
    Failed,
    Limits,
    Request,
    Resolved,
    ResolveLimitError,
    VersionInfo,
    VersionKey,
    resolve,
)


class StaticProvider:
    """Apps and dependencies from dicts; records every call to check batching."""

    def __init__(
        self,
        apps: dict[str, AppVersions],
        deps: dict[VersionKey, list[Dependency]] | None = None,
    ) -> None:
        self.apps = apps
        self.deps = deps or {}
        self.version_calls: list[set[str]] = []
        self.dependency_calls: list[set[VersionKey]] = []

    async def versions_of(self, apps: Collection[str]) -> Mapping[str, AppVersions]:
        self.version_calls.append(set(apps))
        return {a: self.apps[a] for a in apps if a in self.apps}

    async def dependencies_of(
        self, keys: Collection[VersionKey]
    ) -> Mapping[VersionKey, Sequence[Dependency]]:
        self.dependency_calls.append(set(keys))
        return {k: self.deps[k] for k in keys if k in self.deps}


def app(name: str, *versions: str, yanked: Sequence[str] = (), **tags: str) -> AppVersions:
    infos = tuple(VersionInfo(v, f"sha256:{name}-{v}", v in yanked) for v in versions)
    return AppVersions(name, infos, tags)


def dep(logical_id: str, application: str, range_: str) -> Dependency:
    return Dependency(logical_id, application, range_)


async def resolve_one(provider: StaticProvider, application: str, range_: str) -> Resolved | Failed:
    [node] = await resolve([Request(application, range_)], provider)
    return node


def version_of(node: Resolved | Failed) -> str:
    assert isinstance(node, Resolved), node
    return node.found.version


def code_of(node: Resolved | Failed) -> str:
    assert isinstance(node, Failed), node
    return node.code


APPS = {
    "acme/web": app(
        "acme/web",
        "1.0.0",
        "1.5.0",
        "2.0.0",
        "2.1.0",
        "2.2.0-beta.1",
        "3.0.0",
        yanked=["3.0.0"],
        latest="2.1.0",
        beta="2.2.0-beta.1",
        old="1.0.0",
        gone="3.0.0",
    ),
}


@pytest.mark.parametrize(
    ("range_", "expected"),
    [
        ("^2.0.0", "2.1.0"),
        ("^1", "1.5.0"),
        ("~1.0", "1.0.0"),
        ("*", "2.1.0"),  # 3.0.0 is yanked, 2.2.0-beta.1 is a prerelease
        (">=2.2.0-beta.0 <3", "2.2.0-beta.1"),  # a range naming the prerelease's tuple
        ("1.0.0 - 2.0.0", "2.0.0"),
        ("^1 || ^2", "2.1.0"),
        ("latest", "2.1.0"),
        ("beta", "2.2.0-beta.1"),
        ("old", "1.0.0"),
    ],
)
async def test_picks_highest_satisfying_non_yanked(range_: str, expected: str) -> None:
    node = await resolve_one(StaticProvider(APPS), "acme/web", range_)
    assert version_of(node) == expected


@pytest.mark.parametrize(
    ("application", "range_", "code"),
    [
        ("acme/web", "^4", "no_matching_version"),
        ("acme/web", "3.0.0", "no_matching_version"),  # exact pin of a yanked version
        ("acme/web", "gone", "no_matching_version"),  # tag pointing at a yanked version
        ("acme/web", "nightly", "no_matching_version"),  # unknown dist-tag
        ("acme/web", ">>1", "invalid_range"),
        ("acme/web", "", "invalid_range"),
        ("acme/missing", "^1", "app_not_found"),
        ("not an id", "^1", "invalid_name"),
        ("registry.other.example/acme/web", "^1", "foreign_registry"),
    ],
)
async def test_failures_carry_codes(application: str, range_: str, code: str) -> None:
    node = await resolve_one(StaticProvider(APPS), application, range_)
    assert code_of(node) == code
    assert node.application == application and node.range == range_


async def test_application_lookup_is_case_insensitive_and_echoes_the_request() -> None:
    node = await resolve_one(StaticProvider(APPS), "acme/WEB", "^2")
    assert version_of(node) == "2.1.0"
    assert node.application == "acme/WEB"


async def test_local_host_prefix_resolves_here() -> None:
    [node] = await resolve(
        [Request("reg.example.com/acme/web", "^1")],
        StaticProvider(APPS),
        local_hosts={"reg.example.com"},
    )
    assert version_of(node) == "1.5.0"


async def test_results_keep_request_order() -> None:
    requests = [Request("acme/missing", "1"), Request("acme/web", "^1"), Request("acme/web", "^2")]
    nodes = await resolve(requests, StaticProvider(APPS))
    assert [n.range for n in nodes] == ["1", "^1", "^2"]
    assert code_of(nodes[0]) == "app_not_found"
    assert [version_of(n) for n in nodes[1:]] == ["1.5.0", "2.1.0"]


def tree_provider() -> StaticProvider:
    apps = {
        "acme/top": app("acme/top", "1.0.0"),
        "acme/mid": app("acme/mid", "1.0.0", "1.1.0"),
        "acme/leaf": app("acme/leaf", "0.1.0", "0.2.0"),
        "acme/other": app("acme/other", "5.0.0"),
    }
    deps = {
        ("acme/top", "1.0.0"): [dep("Mid", "acme/mid", "^1.0.0"), dep("Other", "acme/other", "5")],
        ("acme/mid", "1.1.0"): [dep("Leaf", "acme/leaf", "~0.1"), dep("Bad", "acme/nope", "1")],
        ("acme/other", "5.0.0"): [dep("Leaf", "acme/leaf", "^0.2")],
    }
    return StaticProvider(apps, deps)


async def test_recursive_tree_with_paths() -> None:
    node = await resolve_one(tree_provider(), "acme/top", "1")
    assert isinstance(node, Resolved)
    mid, other = node.dependencies
    assert (mid.path, version_of(mid)) == ("Mid", "1.1.0")
    assert isinstance(mid, Resolved)
    leaf, bad = mid.dependencies
    assert (leaf.path, version_of(leaf)) == ("Leaf", "0.1.0")
    assert (bad.path, code_of(bad)) == ("Bad", "app_not_found")
    assert isinstance(other, Resolved)
    assert [version_of(d) for d in other.dependencies] == ["0.2.0"]


async def test_loads_once_per_level_not_per_node() -> None:
    provider = tree_provider()
    await resolve([Request("acme/top", "1"), Request("acme/mid", "1.0.0")], provider)
    assert provider.version_calls == [
        {"acme/top", "acme/mid"},
        {"acme/mid", "acme/other"},
        {"acme/leaf", "acme/nope"},
    ]
    assert len(provider.dependency_calls) == 3


async def test_not_recursive_leaves_dependencies_empty() -> None:
    provider = tree_provider()
    [node] = await resolve([Request("acme/top", "1")], provider, recursive=False)
    assert isinstance(node, Resolved) and node.dependencies == []
    assert provider.dependency_calls == []


async def test_cycle_is_reported_with_its_path() -> None:
    apps = {"acme/a": app("acme/a", "1.0.0"), "acme/b": app("acme/b", "1.0.0")}
    deps = {
        ("acme/a", "1.0.0"): [dep("B", "acme/b", "^1")],
        ("acme/b", "1.0.0"): [dep("A", "acme/a", "^1")],
    }
    node = await resolve_one(StaticProvider(apps, deps), "acme/a", "^1")
    assert isinstance(node, Resolved)
    [b] = node.dependencies
    assert isinstance(b, Resolved)
    [again] = b.dependencies
    assert isinstance(again, Failed) and again.code == "cycle"
    assert "acme/a@1.0.0 -> acme/b@1.0.0 -> acme/a@1.0.0" in again.message


async def test_same_app_at_another_version_is_not_a_cycle() -> None:
    apps = {"acme/a": app("acme/a", "1.0.0", "2.0.0")}
    deps = {("acme/a", "2.0.0"): [dep("Old", "acme/a", "^1")]}
    node = await resolve_one(StaticProvider(apps, deps), "acme/a", "^2")
    assert isinstance(node, Resolved)
    assert [version_of(d) for d in node.dependencies] == ["1.0.0"]


async def test_too_many_requests_is_refused() -> None:
    requests = [Request("acme/web", "^1")] * 3
    with pytest.raises(ResolveLimitError):
        await resolve(requests, StaticProvider(APPS), limits=Limits(max_requests=2))


async def test_exploding_tree_is_refused() -> None:
    # Each level doubles: a diamond chain blows up as a tree; the node cap stops it.
    apps = {f"acme/n{i}": app(f"acme/n{i}", "1.0.0") for i in range(12)}
    deps = {
        (f"acme/n{i}", "1.0.0"): [dep("L", f"acme/n{i + 1}", "1"), dep("R", f"acme/n{i + 1}", "1")]
        for i in range(11)
    }
    with pytest.raises(ResolveLimitError):
        await resolve(
            [Request("acme/n0", "1")], StaticProvider(apps, deps), limits=Limits(max_nodes=500)
        )


async def test_depth_is_capped() -> None:
    apps = {f"acme/n{i}": app(f"acme/n{i}", "1.0.0") for i in range(10)}
    deps = {(f"acme/n{i}", "1.0.0"): [dep("C", f"acme/n{i + 1}", "1")] for i in range(9)}
    provider = StaticProvider(apps, deps)
    with pytest.raises(ResolveLimitError):
        await resolve([Request("acme/n0", "1")], provider, limits=Limits(max_depth=5))
    nodes = await resolve([Request("acme/n0", "1")], provider, limits=Limits(max_depth=9))
    assert isinstance(nodes[0], Resolved)


async def test_picks_follow_new_and_yanked_versions_across_calls() -> None:
    # Picks are cached per process by (range, versions): a changed version list is a new key.
    before = StaticProvider({"acme/x": app("acme/x", "1.0.0", "1.1.0")})
    assert version_of(await resolve_one(before, "acme/x", "^1.0.0")) == "1.1.0"
    published = StaticProvider({"acme/x": app("acme/x", "1.0.0", "1.1.0", "1.2.0")})
    assert version_of(await resolve_one(published, "acme/x", "^1.0.0")) == "1.2.0"
    yanked = StaticProvider({"acme/x": app("acme/x", "1.0.0", "1.1.0", "1.2.0", yanked=["1.2.0"])})
    assert version_of(await resolve_one(yanked, "acme/x", "^1.0.0")) == "1.1.0"
    for _ in range(2):  # an invalid range fails every time, not only while uncached
        assert code_of(await resolve_one(before, "acme/x", ">=1 <")) == "invalid_range"

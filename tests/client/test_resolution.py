"""The one resolver (``client.resolution``) driven from dicts: selection, trees, limits, cycles."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from install_fakes import Catalog

from client.ranges import satisfies, sort_versions
from client.resolution import (
    AppVersions,
    Failed,
    Limits,
    NeedTemplates,
    NeedVersions,
    Node,
    Request,
    Resolved,
    ResolveLimitError,
    VersionInfo,
    drive,
    resolve,
)


def app(name: str, *versions: str, yanked: Sequence[str] = (), **tags: str) -> AppVersions:
    infos = tuple(VersionInfo(v, digest(name, v), v in yanked) for v in versions)
    return AppVersions(name, infos, tags)


def digest(name: str, version: str) -> str:
    return f"sha256:{name}-{version}"


def catalog(
    apps: Sequence[AppVersions], deps: dict[tuple[str, str], list[Request]] | None = None
) -> Catalog:
    references = {digest(a, v): refs for (a, v), refs in (deps or {}).items()}
    return Catalog({a.application.lower(): a for a in apps}, references)


def dep(logical_id: str, application: str, range_: str) -> Request:
    return Request(application, range_, logical_id)


def run(source: Catalog, *requests: tuple[str, str], **options: object) -> list[Node]:
    asked = [Request(a, r) for a, r in requests]
    return drive(resolve(asked, **options), source)  # type: ignore[arg-type]


def one(source: Catalog, application: str, range_: str) -> Node:
    [node] = run(source, (application, range_))
    return node


def version_of(node: Node) -> str:
    assert isinstance(node, Resolved), node
    return node.found.version


def code_of(node: Node) -> str:
    assert isinstance(node, Failed), node
    return node.code


WEB = app(
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
)


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
def test_picks_highest_satisfying_non_yanked(range_: str, expected: str) -> None:
    assert version_of(one(catalog([WEB]), "acme/web", range_)) == expected


@pytest.mark.parametrize(
    ("application", "range_", "code"),
    [
        ("acme/web", "^4", "no_matching_version"),
        ("acme/web", "3.0.0", "no_matching_version"),  # exact pin of a yanked version
        ("acme/web", "gone", "no_matching_version"),  # tag pointing at a yanked version
        ("acme/web", "nightly", "no_matching_version"),  # unknown dist-tag: not the newest
        ("acme/web", ">>1", "invalid_range"),
        ("acme/web", "", "invalid_range"),
        ("acme/missing", "^1", "app_not_found"),
        ("not an id", "^1", "invalid_name"),
    ],
)
def test_failures_carry_codes(application: str, range_: str, code: str) -> None:
    node = one(catalog([WEB]), application, range_)
    assert code_of(node) == code
    assert node.application == application and node.range == range_


def test_an_invalid_name_is_never_asked_for() -> None:
    source = catalog([WEB])
    run(source, ("not an id", "^1"))
    assert source.needs == []


def test_lookup_is_case_insensitive_and_echoes_the_request() -> None:
    node = one(catalog([WEB]), "acme/WEB", "^2")
    assert version_of(node) == "2.1.0" and node.application == "acme/WEB"
    assert isinstance(node, Resolved) and node.display == "acme/web"


def test_results_keep_request_order() -> None:
    nodes = run(catalog([WEB]), ("acme/missing", "1"), ("acme/web", "^1"), ("acme/web", "^2"))
    assert [n.range for n in nodes] == ["1", "^1", "^2"]
    assert code_of(nodes[0]) == "app_not_found"
    assert [version_of(n) for n in nodes[1:]] == ["1.5.0", "2.1.0"]


def tree() -> Catalog:
    return catalog(
        [
            app("acme/top", "1.0.0"),
            app("acme/mid", "1.0.0", "1.1.0"),
            app("acme/leaf", "0.1.0", "0.2.0"),
            app("acme/other", "5.0.0"),
        ],
        {
            ("acme/top", "1.0.0"): [
                dep("Mid", "acme/mid", "^1.0.0"),
                dep("Other", "acme/other", "5"),
            ],
            ("acme/mid", "1.1.0"): [dep("Leaf", "acme/leaf", "~0.1"), dep("Bad", "acme/nope", "1")],
            ("acme/other", "5.0.0"): [dep("Leaf", "acme/leaf", "^0.2")],
        },
    )


def test_recursive_tree_with_paths_and_trails() -> None:
    node = one(tree(), "acme/top", "1")
    assert isinstance(node, Resolved)
    mid, other = node.dependencies
    assert isinstance(mid, Resolved) and isinstance(other, Resolved)
    assert (mid.path, mid.trail, version_of(mid)) == ("Mid", ("Mid",), "1.1.0")
    leaf, bad = mid.dependencies
    assert (leaf.path, leaf.trail, version_of(leaf)) == ("Leaf", ("Mid", "Leaf"), "0.1.0")
    assert (bad.path, code_of(bad)) == ("Bad", "app_not_found")
    assert [version_of(d) for d in other.dependencies] == ["0.2.0"]


def test_asks_twice_per_level_not_per_node() -> None:
    source = tree()
    run(source, ("acme/top", "1"), ("acme/mid", "1.0.0"))
    kinds = [type(n).__name__ for n in source.needs]
    assert kinds == ["NeedVersions", "NeedTemplates"] * 3
    asked = [{o.canonical for o in n.requests} for n in source.needs if isinstance(n, NeedVersions)]
    assert asked == [
        {"acme/top", "acme/mid"},
        {"acme/mid", "acme/other"},
        {"acme/leaf", "acme/nope"},
    ]
    # a template is asked for once per level however many nodes picked it
    templates = [n for n in source.needs if isinstance(n, NeedTemplates)]
    assert all(len({x.found.digest for x in t.nodes}) == len(t.nodes) for t in templates)


def test_not_recursive_never_asks_for_templates() -> None:
    source = tree()
    [node] = run(source, ("acme/top", "1"), recursive=False)
    assert isinstance(node, Resolved) and node.dependencies == []
    assert not any(isinstance(n, NeedTemplates) for n in source.needs)


def test_fail_fast_stops_after_the_level_with_a_failure() -> None:
    source = tree()
    [top] = run(source, ("acme/top", "1"), fail_fast=True)
    assert isinstance(top, Resolved)
    mid, _ = top.dependencies
    assert isinstance(mid, Resolved) and code_of(mid.dependencies[1]) == "app_not_found"
    assert len([n for n in source.needs if isinstance(n, NeedVersions)]) == 3
    assert isinstance(source.needs[-1], NeedVersions)  # the failing level's templates not asked


def cyclic() -> Catalog:
    return catalog(
        [app("acme/a", "1.0.0"), app("acme/b", "1.0.0")],
        {
            ("acme/a", "1.0.0"): [dep("B", "acme/b", "^1")],
            ("acme/b", "1.0.0"): [dep("A", "acme/a", "^1")],
        },
    )


def test_a_cycle_is_one_failure_naming_its_chain() -> None:
    node = one(cyclic(), "acme/a", "^1")
    assert isinstance(node, Resolved)
    [b] = node.dependencies
    assert isinstance(b, Resolved)
    [again] = b.dependencies
    assert code_of(again) == "cycle" and again.trail == ("B", "A")
    assert isinstance(again, Failed)
    assert again.message == "Dependency cycle: acme/a@1.0.0 -> acme/b@1.0.0 -> acme/a@1.0.0."


def test_same_app_at_another_version_is_not_a_cycle() -> None:
    source = catalog(
        [app("acme/a", "1.0.0", "2.0.0")], {("acme/a", "2.0.0"): [dep("Old", "acme/a", "^1")]}
    )
    node = one(source, "acme/a", "^2")
    assert isinstance(node, Resolved)
    assert [version_of(d) for d in node.dependencies] == ["1.0.0"]


def chain(length: int) -> Catalog:
    return catalog(
        [app(f"acme/n{i}", "1.0.0") for i in range(length)],
        {(f"acme/n{i}", "1.0.0"): [dep("C", f"acme/n{i + 1}", "1")] for i in range(length - 1)},
    )


def test_depth_counts_applications_from_the_top() -> None:
    assert isinstance(run(chain(5), ("acme/n0", "1"), limits=Limits(max_depth=5))[0], Resolved)
    with pytest.raises(ResolveLimitError, match="deeper than 4"):
        run(chain(5), ("acme/n0", "1"), limits=Limits(max_depth=4))


def test_the_default_limits_are_the_documented_ones() -> None:
    assert Limits() == Limits(max_depth=32, max_nodes=2000, max_fan_out=200)
    run(chain(32), ("acme/n0", "1"))
    with pytest.raises(ResolveLimitError):
        run(chain(33), ("acme/n0", "1"))
    with pytest.raises(ResolveLimitError, match="At most 200 requests"):
        run(catalog([WEB]), *[("acme/web", "^1")] * 201)


def test_fan_out_of_one_template_is_capped() -> None:
    wide = catalog(
        [app("acme/wide", "1.0.0"), WEB],
        {("acme/wide", "1.0.0"): [dep(f"W{i}", "acme/web", "^1") for i in range(4)]},
    )
    assert len(run(wide, ("acme/wide", "1"), limits=Limits(max_fan_out=4))[0].dependencies) == 4  # type: ignore[union-attr]
    with pytest.raises(ResolveLimitError, match="At most 3 references in acme/wide"):
        run(wide, ("acme/wide", "1"), limits=Limits(max_fan_out=3))


def test_an_exploding_tree_is_refused() -> None:
    # Each level doubles: a diamond chain blows up as a tree; the node cap stops it.
    source = catalog(
        [app(f"acme/n{i}", "1.0.0") for i in range(12)],
        {
            (f"acme/n{i}", "1.0.0"): [
                dep("L", f"acme/n{i + 1}", "1"),
                dep("R", f"acme/n{i + 1}", "1"),
            ]
            for i in range(11)
        },
    )
    with pytest.raises(ResolveLimitError, match="exceeds 500 nodes"):
        run(source, ("acme/n0", "1"), limits=Limits(max_nodes=500))


def test_picks_follow_new_and_yanked_versions() -> None:
    # Picks are cached per process by (range, candidates): a changed version list is a new key.
    assert (
        version_of(one(catalog([app("acme/x", "1.0.0", "1.1.0")]), "acme/x", "^1.0.0")) == "1.1.0"
    )
    published = catalog([app("acme/x", "1.0.0", "1.1.0", "1.2.0")])
    assert version_of(one(published, "acme/x", "^1.0.0")) == "1.2.0"
    yanked = catalog([app("acme/x", "1.0.0", "1.1.0", "1.2.0", yanked=["1.2.0"])])
    assert version_of(one(yanked, "acme/x", "^1.0.0")) == "1.1.0"
    for _ in range(2):  # an invalid range fails every time, not only while uncached
        assert code_of(one(yanked, "acme/x", ">=1 <")) == "invalid_range"


# -- properties ---------------------------------------------------------------------------

versions_st = st.lists(
    st.builds(
        lambda major, minor, patch, pre: f"{major}.{minor}.{patch}" + (f"-rc.{pre}" if pre else ""),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(0, 3),
        st.one_of(st.none(), st.integers(1, 2)),
    ),
    min_size=1,
    max_size=12,
    unique=True,
)
ranges_st = st.one_of(
    st.builds(
        lambda op, v: f"{op}{v}",
        st.sampled_from(["^", "~", ">=", "<", "", "<="]),
        st.sampled_from(["0.1.0", "1.0.0", "1.2.3", "2.0.0-rc.1", "3.3.3"]),
    ),
    st.sampled_from(["*", "1.x", "^1 || ^3", "1.0.0 - 2.3.0", ">=1.0.0-rc.1 <2"]),
)


@settings(max_examples=150, deadline=None)
@given(versions_st, st.data(), ranges_st)
def test_the_pick_is_the_highest_satisfying_version_not_yanked(
    versions: list[str], data: st.DataObject, range_: str
) -> None:
    yanked = data.draw(st.lists(st.sampled_from(versions), unique=True))
    node = one(catalog([app("acme/p", *versions, yanked=yanked)]), "acme/p", range_)
    allowed = [v for v in versions if v not in yanked and satisfies(v, range_)]
    if not allowed:
        assert code_of(node) == "no_matching_version"
    else:
        assert version_of(node) == sort_versions(allowed)[-1]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 4), st.integers(1, 4))
def test_limits_hold_whatever_the_tree(length: int, depth: int, width: int, fan_out: int) -> None:
    """A chain ``length`` deep with ``width`` references per template: resolved exactly when
    it fits, refused with ResolveLimitError when it does not."""
    source = catalog(
        [app(f"acme/n{i}", "1.0.0") for i in range(length)],
        {
            (f"acme/n{i}", "1.0.0"): [dep(f"C{j}", f"acme/n{i + 1}", "1") for j in range(width)]
            for i in range(length - 1)
        },
    )
    nodes = sum(width**level for level in range(length))
    limits = Limits(max_depth=depth, max_nodes=60, max_fan_out=fan_out)
    fits = length <= depth and nodes <= 60 and (length == 1 or width <= fan_out)
    if fits:
        [root] = run(source, ("acme/n0", "1"), limits=limits)
        assert count(root) == nodes
    else:
        with pytest.raises(ResolveLimitError):
            run(source, ("acme/n0", "1"), limits=limits)


def count(node: Node) -> int:
    return 1 + sum(count(d) for d in node.dependencies) if isinstance(node, Resolved) else 1


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.data())
def test_a_cycle_is_reported_with_its_path(size: int, data: st.DataObject) -> None:
    """A ring of ``size`` apps entered anywhere: the failure names the whole loop, in order."""
    start = data.draw(st.integers(0, size - 1))
    source = catalog(
        [app(f"acme/r{i}", "1.0.0") for i in range(size)],
        {
            (f"acme/r{i}", "1.0.0"): [dep(f"R{(i + 1) % size}", f"acme/r{(i + 1) % size}", "^1")]
            for i in range(size)
        },
    )
    node = one(source, f"acme/r{start}", "^1")
    trail: list[str] = []
    while isinstance(node, Resolved):
        [node] = node.dependencies
    assert code_of(node) == "cycle"
    loop = [f"acme/r{(start + k) % size}@1.0.0" for k in range(size + 1)]
    assert node.message == f"Dependency cycle: {' -> '.join(loop)}."
    trail = [f"R{(start + k) % size}" for k in range(1, size + 1)]
    assert list(node.trail) == trail

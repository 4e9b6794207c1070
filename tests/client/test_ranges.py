"""Ranges mean what they mean to npm's semver.

The tables come from node-semver's README and its range-include/range-exclude fixtures; every
row was also checked against npm's semver 7.8.6 (scripts/compare_ranges_with_npm.py covers
random cases the same way).
"""

from __future__ import annotations

import contextlib
import itertools
import random

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from client.errors import InvalidRangeError, InvalidVersionError
from client.ranges import (
    MAX_RANGE_LENGTH,
    Range,
    is_dist_tag,
    max_satisfying,
    satisfies,
    sort_versions,
)

# (range, version) pairs npm says satisfy.
INCLUDED = [
    # plain comparators and whitespace around operators
    ("1.0.0", "1.0.0"),
    ("=1.0.0", "1.0.0"),
    ("v1.0.0", "1.0.0"),
    ("=v1.0.0", "1.0.0"),
    (">=1.0.0", "1.0.0"),
    (">=1.0.0", "1.1.0"),
    (">1.0.0", "1.0.1"),
    ("<=2.0.0", "2.0.0"),
    ("<=2.0.0", "1.9999.9999"),
    ("<2.0.0", "0.2.9"),
    (">= 1.0.0", "1.0.0"),
    (">=  1.0.0", "1.0.1"),
    ("> 1.0.0", "1.0.1"),
    ("<=   2.0.0", "2.0.0"),
    ("<\t2.0.0", "0.2.9"),
    ("  >=1.0.0  ", "1.0.0"),
    ("\n^1.0.0\r\n", "1.0.0"),
    (">==1", "1.5.0"),
    (">=0.1.97", "0.1.97"),
    ("~1.2.1 >=1.2.3", "1.2.3"),
    ("~1.2.1 =1.2.3", "1.2.3"),
    ("~1.2.1 1.2.3 >=1.2.3", "1.2.3"),
    (">=1.2.3 >=1.2.1", "1.2.3"),
    # unions
    ("0.1.20 || 1.2.4", "1.2.4"),
    (">=0.2.3 || <0.0.1", "0.0.0"),
    (">=0.2.3 || <0.0.1", "0.2.4"),
    ("1.2.x || 2.x", "2.1.3"),
    ("1.2.* || 2.*", "1.2.3"),
    # x-ranges and partial versions
    ("*", "1.2.3"),
    ("x", "1.2.3"),
    ("X", "0.0.0"),
    ("x.x", "3.0.0"),
    (">=*", "0.2.4"),
    ("2.x.x", "2.1.3"),
    ("1.2.x", "1.2.3"),
    ("2.*.*", "2.1.3"),
    ("2", "2.1.2"),
    ("2.3", "2.3.1"),
    ("=0.7.x", "0.7.2"),
    ("<=0.7.x", "0.7.2"),
    ("<=0.7.x", "0.6.2"),
    (">=0.7.x", "0.7.2"),
    ("<=7.x", "7.9.9"),
    (">=1", "1.0.0"),
    (">= 1", "1.0.0"),
    ("<1.2", "1.1.1"),
    ("< 1.2", "1.1.1"),
    (">=1.2", "1.2.8"),
    # tilde
    ("~0.0.1", "0.0.2"),
    ("~x", "0.0.9"),
    ("~2", "2.0.9"),
    ("~2.4", "2.4.5"),
    ("~>3.2.1", "3.2.2"),
    ("~1", "1.2.3"),
    ("~>1", "1.2.3"),
    ("~> 1", "1.2.3"),
    ("~ 1.0", "1.0.2"),
    ("~ 1.0.3", "1.0.12"),
    ("~v0.5.4-pre", "0.5.5"),
    ("~v0.5.4-pre", "0.5.4"),
    ("~1.2.3-beta.2", "1.2.3-beta.4"),
    ("~1.2.3-beta.2", "1.2.9"),
    # caret
    ("^1.2.3", "1.8.1"),
    ("^0.1.2", "0.1.2"),
    ("^0.1", "0.1.2"),
    ("^0.0.1", "0.0.1"),
    ("^1.2", "1.4.2"),
    ("^1.2 ^1", "1.4.2"),
    ("^ 1.2", "1.4.2"),
    ("^x", "1.2.3"),
    ("^0.x", "0.9.0"),
    ("^0.0.x", "0.0.9"),
    ("^0.0", "0.0.9"),
    ("^1.2.3-alpha", "1.2.3-pre"),
    ("^1.2.0-alpha", "1.2.0-pre"),
    ("^0.0.1-alpha", "0.0.1-beta"),
    ("^0.0.1-alpha", "0.0.1"),
    ("^0.1.1-alpha", "0.1.1-beta"),
    ("^1.2.3-beta.2", "1.2.3-beta.4"),
    ("^0.0.3-beta", "0.0.3-pr.2"),
    # hyphen ranges
    ("1.0.0 - 2.0.0", "1.2.3"),
    ("1.0.0 - 2.0.0", "2.0.0"),
    ("1.2 - 2.3.4", "1.2.0"),
    ("1.2.3 - 2.3", "2.3.9"),
    ("1.2.3 - 2", "2.99.0"),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2"),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha"),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3"),
    ("x - 1.0.0", "0.9.7"),
    ("x - 1.x", "0.9.7"),
    ("1.0.0 - x", "1.9.7"),
    ("1.x - x", "1.9.7"),
    # build metadata never matters
    ("^1.2.3+build", "1.2.3"),
    ("^1.2.3+build", "1.3.0"),
    ("1.2.3+build", "1.2.3+other"),
    ("1.x+b1", "1.5.0"),
    ("1.2+b.2", "1.2.9"),
    ("^1.0.0", "1.2.0+build.5"),
    # npm's prerelease rule, README example
    (">1.2.3-alpha.3", "1.2.3-alpha.7"),
    (">1.2.3-alpha.3", "3.4.5"),
    (">=1.2.3-alpha.3 <1.2.3", "1.2.3-beta"),
    # npm 7 behaviour nodesemver alone gets wrong
    (">=0.0.0 >=0.0.0-alpha", "0.0.0-beta"),
    ("0.x >=0.0.0-alpha", "0.0.0-beta"),
    ("^1.x.3", "1.0.0"),
    ("~1.x.3", "1.9.0"),
    ("1.x.3 - 2", "2.5.0"),
    ("^x.1", "5.0.0"),
    ("* >=1.0.0-beta", "1.0.0-beta.2"),
    ("~1.2.3--", "1.2.3"),  # a prerelease identifier may start with "-"
    ("^1.2.3--a", "1.2.3--b"),
    ("~>0.0.0--", "0.0.3"),
    ("^1.0.0-beta || <0.0.0-0", "1.0.0-beta.2"),
    ("^1.0.0-beta || 2.0.0 - x", "1.0.0-beta.2"),
]

# (range, version) pairs npm says do not satisfy.
EXCLUDED = [
    ("1.0.0", "1.0.1"),
    ("=1.0.0", "1.0.0-rc.1"),
    (">=1.0.0", "0.0.0"),
    (">=1.0.0", "0.1.0"),
    (">1.0.0", "1.0.0"),
    ("<=2.0.0", "2.2.9"),
    ("<2.0.0", "2.0.0"),
    (">=0.1.97", "0.1.93"),
    ("0.1.20 || 1.2.4", "1.2.3"),
    (">=0.2.3 || <0.0.1", "0.0.3"),
    (">=0.2.3 || <0.0.1", "0.2.2"),
    ("2.x.x", "1.1.3"),
    ("2.x.x", "3.1.3"),
    ("1.2.x", "1.3.3"),
    ("1.2.x || 2.x", "3.1.3"),
    ("1.2.* || 2.*", "1.1.3"),
    ("2", "1.1.2"),
    ("2.3", "2.4.1"),
    ("=0.7.x", "0.8.2"),
    (">=0.7.x", "0.6.2"),
    ("<0.7.x", "0.7.2"),
    ("<1", "1.0.0"),
    (">=1.2", "1.1.1"),
    (">1.2", "1.2.8"),
    ("~0.0.1", "0.1.0"),
    ("~2.4", "2.5.0"),
    ("~2.4", "2.3.9"),
    ("~>3.2.1", "3.3.2"),
    ("~>3.2.1", "3.2.0"),
    ("~1", "0.2.3"),
    ("~>1", "2.2.3"),
    ("~1.0", "1.1.0"),
    ("~1.2.3-beta.2", "1.2.4-beta.2"),
    ("^0.0.1", "0.0.2"),
    ("^0.1.2", "0.2.0"),
    ("^1.2.3", "2.0.0"),
    ("^1.2.3", "1.2.2"),
    ("^1.2", "1.1.9"),
    ("^0.x", "1.0.0"),
    ("^0.0.x", "0.1.0"),
    ("^1.2.3-beta.2", "1.2.4-beta.2"),
    ("^1.2.3+build", "2.0.0"),
    ("^1.2.3+build", "1.2.0"),
    ("1.0.0 - 2.0.0", "2.2.3"),
    ("1.2.3 - 2.3", "2.4.0"),
    ("1.2.3 - 2", "3.0.0"),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2"),
    ("1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha"),
    # prereleases only through a comparator naming the same major.minor.patch
    ("*", "1.0.0-alpha"),
    ("^1.2.3", "1.2.3-pre"),
    ("^1.2.3", "1.2.4-pre"),
    ("^1.2", "1.2.0-pre"),
    (">1.2", "1.3.0-beta"),
    ("<=1.2.3", "1.2.3-beta"),
    ("<1.2.3", "1.2.3-beta"),
    ("=0.7.x", "0.7.0-asdf"),
    (">=0.7.x", "0.7.0-asdf"),
    ("~v0.5.4-beta", "0.5.4-alpha"),
    ("^0.0.1", "0.0.2-alpha"),
    ("^1.2.3", "2.0.0-alpha"),
    ("^1.0.0", "1.0.0-rc1"),
    ("1 - 2", "2.0.0-pre"),
    ("1 - 2", "1.0.0-pre"),
    ("1.1.x", "1.1.0-a"),
    ("1.x", "1.2.0-a"),
    (">=1.0.0 <1.1.0", "1.1.0-pre"),
    (">=1.0.0 <1.1.0-pre", "1.1.0-pre"),
    (">1.2.3-alpha.3", "3.4.5-alpha.9"),
    # npm 7: desugared upper bounds exclude their own prereleases (`<2.0.0-0`)
    (">=2.0.0-alpha ^1.0.0", "2.0.0-beta"),
    (">=1.3.0-alpha 1.2.x", "1.3.0-beta"),
    ("2.4.0-alpha - 2.3", "2.4.0-beta"),
    # npm: an "any version" alternative turns the whole range into `*`
    ("^1.0.0-beta || *", "1.0.0-beta.2"),
    ("^1.0.0-beta || >=0.0.0", "1.0.0-beta.2"),
    ("^1.0.0-beta || x.x", "1.0.0-beta.2"),
    ("2.1.1-1 - 3 || x.2.* - x", "2.1.1-rc.1"),
    ("<*", "0.0.0"),
    (">x", "1.0.0"),
]

# Texts npm refuses too.
INVALID = [
    ">==1.2.3",
    "^^1",
    ">=a",
    ">=",
    "latest",
    "beta",
    "1.2.3.4",
    "^1.2.3.4",
    "01.2.3",
    "1.2.3-01",
    "1.2.3foo",
    "1.2.3-",
    "1.2.3-alpha..1",
    "1.2.3 - ",
    "1 - 2 - 3",
    ">=1 1.2.3 - 2.3",  # a hyphen range is a whole alternative
    "<>1",
    "~~1",
    "^~1",
    "x.1",
    "X.2",
    "*.1",
    "1.x.3",
    ">=x.1",
    "2.*.3",
    "**",  # npm removes only the first star
    "=**",
    "2 +b - x",  # stripping build metadata leaves two spaces: no longer a hyphen range
    "= +b 0",
    "1.2.\u0663",  # an Arabic-Indic digit: Python's \d would take it, npm's does not
    "\uff11.2.3",  # a fullwidth digit
    "^1.2.3\x00",
    "9007199254740992.0.0",
    "<=9007199254740991.x",
    "1" * (MAX_RANGE_LENGTH + 1),
]

# Texts npm accepts that we refuse on purpose (see client/ranges.py): "any version" by accident,
# Unicode spaces, numbers npm compares as text.
STRICTER_THAN_NPM = [
    "",
    "   ",
    "\t",
    "1.2.3 ||",
    "|| 1.2.3",
    "1 || || 2",
    "||",
    "+build",
    "1.2.3 || +build",
    "1.2.3\u00a0<2",
    ">=1.2.3-9007199254740991",
    " || ".join(["^1.2.3"] * 40),  # longer than MAX_RANGE_LENGTH
]


@pytest.mark.parametrize(("range_", "version"), INCLUDED)
def test_included(range_: str, version: str) -> None:
    assert satisfies(version, range_)
    assert Range.parse(range_).satisfied_by(semver.Version.parse(version))


@pytest.mark.parametrize(("range_", "version"), EXCLUDED)
def test_excluded(range_: str, version: str) -> None:
    assert not satisfies(version, range_)


@pytest.mark.parametrize("text", INVALID + STRICTER_THAN_NPM)
def test_invalid_range_is_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidRangeError) as info:
        Range.parse(text)
    assert info.value.code == "invalid_range"
    assert info.value.hint
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize("text", [None, 1, b"^1.0.0", ["^1"]])
def test_non_string_range_is_refused(text: object) -> None:
    with pytest.raises(InvalidRangeError, match="must be a string"):
        Range.parse(text)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [None, ["^1"], {"^1": 1}])
def test_satisfies_refuses_non_string_ranges(text: object) -> None:
    with pytest.raises(InvalidRangeError):
        satisfies("1.0.0", text)  # type: ignore[arg-type]


def test_empty_range_error_says_to_write_a_star() -> None:
    with pytest.raises(InvalidRangeError, match=r"write \*"):
        Range.parse("")


def test_longest_allowed_range_parses() -> None:
    text = " || ".join(["^1.2.3"] * 30)[:MAX_RANGE_LENGTH].rstrip(" |")
    assert Range.parse(text).satisfied_by("1.5.0")


@pytest.mark.parametrize("version", ["v1.2.3", "=1.2.3", "1.2", "1.2.3 ", "01.2.3", "latest", ""])
def test_satisfies_parses_the_version_strictly(version: str) -> None:
    with pytest.raises(InvalidVersionError):
        satisfies(version, "*")


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("1.2.3", "1.2.3"),
        ("=1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("= 1.2.3", "1.2.3"),
        ("1.2.3-beta.1", "1.2.3-beta.1"),
        ("1.2.3+build.7", "1.2.3"),
        ("1.2", None),
        ("^1.2.3", None),
        (">=1.2.3", None),
        ("1.2.3 - 1.2.3", None),
        ("1.2.3 || 1.2.4", None),
        ("*", None),
    ],
)
def test_exact_ranges(text: str, exact: str | None) -> None:
    parsed = Range.parse(text)
    assert parsed.exact_version == exact
    assert parsed.is_exact is (exact is not None)


def test_range_value_keeps_trimmed_text_and_compares_by_it() -> None:
    assert Range.parse("  ^1.2.3 ").text == "^1.2.3"
    assert Range.parse("^1.2.3") == Range.parse(" ^1.2.3")
    assert Range.parse("^1.2.3") != Range.parse("~1.2.3")
    assert str(Range.parse(">= 1.2.3   <2")) == ">= 1.2.3 <2"
    assert len({Range.parse("^1"), Range.parse("^1 ")}) == 1


AVAILABLE = ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0", "2.1.0-beta.1", "3.0.0"]


@pytest.mark.parametrize(
    ("range_", "expected"),
    [
        ("^1.0.0", "1.10.0"),
        ("~1.2", "1.2.0"),
        ("*", "3.0.0"),
        (">=2.0.0-rc.0 <2.0.0", "2.0.0-rc.1"),
        ("^2.1.0-beta.0", "2.1.0-beta.1"),
        ("^2.0.0", "2.0.0"),
        ("<1.0.0", None),
        ("^4", None),
    ],
)
def test_max_satisfying(range_: str, expected: str | None) -> None:
    assert max_satisfying(AVAILABLE, range_) == expected
    assert max_satisfying(reversed(AVAILABLE), Range.parse(range_)) == expected


def test_max_satisfying_skips_excluded_versions() -> None:
    assert max_satisfying(AVAILABLE, "^1.0.0", exclude={"1.10.0"}) == "1.2.0"
    assert max_satisfying(AVAILABLE, "1.10.0", exclude={"1.10.0"}) is None
    assert max_satisfying([], "*") is None


def test_max_satisfying_breaks_build_metadata_ties_by_text() -> None:
    versions = ["1.0.0+b", "1.0.0+a", "0.9.0"]
    assert max_satisfying(versions, "^1") == "1.0.0+b"
    assert max_satisfying(list(reversed(versions)), "^1") == "1.0.0+b"


def test_max_satisfying_refuses_invalid_versions() -> None:
    with pytest.raises(InvalidVersionError):
        max_satisfying(["1.0.0", "v1.1.0"], "^1")


def test_sort_versions_uses_semver_precedence() -> None:
    # SemVer 2.0.0 section 11's example order, shuffled.
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.0+build",
        "1.2.0",
        "1.10.0",
        "2.0.0",
    ]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert sort_versions(shuffled) == ordered


def test_sort_versions_refuses_invalid_versions() -> None:
    with pytest.raises(InvalidVersionError):
        sort_versions(["1.0.0", "1.0"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("latest", True),
        ("beta", True),
        ("next-2", True),
        ("release.candidate_1", True),
        ("Canary", True),
        ("x", False),
        ("X", False),
        ("*", False),
        ("v1", False),
        ("v1.2.3", False),
        ("1.2.3", False),
        ("^1.2.3", False),
        ("1tag", False),
        ("-tag", False),
        ("_tag", False),
        ("", False),
        ("la test", False),
        ("tag/1", False),
        ("t" * (MAX_RANGE_LENGTH + 1), False),
    ],
)
def test_is_dist_tag(text: str, expected: bool) -> None:
    assert is_dist_tag(text) is expected


# --- properties -------------------------------------------------------------------------------

_numbers = st.integers(min_value=0, max_value=12)
_identifier = st.one_of(
    st.integers(min_value=0, max_value=20).map(str),
    st.sampled_from(["alpha", "beta", "rc", "a-b", "x1"]),
)
versions = st.builds(
    lambda major, minor, patch, pre, build: (
        f"{major}.{minor}.{patch}"
        + ("-" + ".".join(pre) if pre else "")
        + ("+" + ".".join(build) if build else "")
    ),
    _numbers,
    _numbers,
    _numbers,
    st.lists(_identifier, max_size=3),
    st.lists(st.sampled_from(["b1", "001", "sha-9"]), max_size=2),
)
_partial = st.builds(
    lambda parts, n: ".".join(parts[:n]),
    st.lists(st.sampled_from(["0", "1", "2", "3", "x", "*"]), min_size=3, max_size=3),
    st.integers(min_value=1, max_value=3),
)
ranges = st.one_of(
    st.builds(
        lambda op, p: op + p, st.sampled_from(["", "^", "~", ">=", ">", "<", "<=", "="]), _partial
    ),
    st.builds(lambda op, v: op + v, st.sampled_from(["", "^", "~", ">=", "<"]), versions),
    st.builds(lambda a, b: f"{a} - {b}", versions, versions),
    st.builds(lambda a, b: f"{a} || {b}", _partial, versions),
)
_key = semver.Version.parse


@settings(deadline=None)
@given(st.lists(versions, max_size=12))
def test_sort_versions_is_ordered_and_deterministic(items: list[str]) -> None:
    result = sort_versions(items)
    assert sorted(result) == sorted(items)
    for low, high in itertools.pairwise(result):
        assert _key(low).compare(_key(high)) <= 0
    assert sort_versions(reversed(items)) == result


@settings(deadline=None)
@given(versions, versions)
def test_ordering_is_total_and_matches_semver(a: str, b: str) -> None:
    low, high = sort_versions([a, b])
    assert _key(low).compare(_key(high)) <= 0
    assert _key(a).compare(_key(b)) == -_key(b).compare(_key(a))


@settings(deadline=None)
@given(st.lists(versions, max_size=12), ranges, st.sets(versions, max_size=3))
def test_max_satisfying_is_the_greatest_match(
    items: list[str], range_: str, excluded: set[str]
) -> None:
    try:
        parsed = Range.parse(range_)
    except InvalidRangeError:
        return
    best = parsed.max_satisfying(items, exclude=excluded)
    matching = [v for v in items if v not in excluded and parsed.satisfied_by(v)]
    if best is None:
        assert matching == []
        return
    assert best in matching
    assert all(_key(v).compare(_key(best)) <= 0 for v in matching)


@settings(deadline=None)
@given(versions, versions)
def test_exact_range_is_satisfied_only_by_its_version(exact: str, other: str) -> None:
    parsed = Range.parse(exact)
    assert parsed.is_exact
    assert parsed.satisfied_by(exact)
    assert parsed.satisfied_by(other) == (_key(exact).compare(_key(other)) == 0)


@settings(deadline=None)
@given(st.text(alphabet=" \t0123456789.xX*^~<>=|-+vabr", max_size=40))
def test_parsing_arbitrary_range_text_never_crashes(text: str) -> None:
    try:
        parsed = Range.parse(text)
    except InvalidRangeError:
        return
    assert isinstance(parsed.satisfied_by("1.2.3"), bool)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidRangeError):
        Range.parse(text)
    assert isinstance(is_dist_tag(text), bool)


@settings(deadline=None)
@given(versions, ranges)
def test_whitespace_and_duplicate_alternatives_do_not_change_meaning(
    version: str, text: str
) -> None:
    try:
        parsed = Range.parse(text)
    except InvalidRangeError:
        return
    expected = parsed.satisfied_by(version)
    assert Range.parse(f" \t{text}\n").satisfied_by(version) == expected
    assert Range.parse(f"{text} || {text}").satisfied_by(version) == expected


@settings(deadline=None)
@given(versions)
def test_star_admits_exactly_the_releases(version: str) -> None:
    assert satisfies(version, "*") == (_key(version).prerelease is None)


@settings(deadline=None)
@given(versions)
def test_caret_and_tilde_admit_their_own_version(version: str) -> None:
    assert satisfies(version, "^" + version)
    assert satisfies(version, "~" + version)
    assert satisfies(version, ">=" + version)
    assert not satisfies(version, "<" + version)


def test_max_satisfying_accepts_semver_objects_and_returns_text() -> None:
    found = max_satisfying([semver.Version(1, 2, 0), semver.Version(1, 3, 0)], "~1.2")
    assert found == "1.2.0"


def test_range_repr_is_short() -> None:
    assert repr(Range.parse("^1.2.3")) == "Range(text='^1.2.3')"


@pytest.mark.parametrize("text", [None, 1, ["latest"]])
def test_is_dist_tag_is_false_for_non_strings(text: object) -> None:
    assert is_dist_tag(text) is False  # type: ignore[arg-type]

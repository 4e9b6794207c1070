"""npm-style version ranges: ``Range``, ``satisfies``, ``max_satisfying``, ``sort_versions``.

A range means exactly what it means to npm's ``semver`` package (checked against 7.8.6):
``1.2.3``, ``=1.2.3``, ``^``, ``~``, ``~>``, x-ranges and ``*``, comparator sets, hyphen ranges
and ``||`` unions. A prerelease version only satisfies a comparator set that names a
prerelease of the same ``major.minor.patch``. ``scripts/compare_ranges_with_npm.py`` measures
the agreement on random cases.

The grammar (regexes) and most desugaring are ``nodesemver``'s, a port of an older npm semver.
``_desugar`` runs them in the order of npm 7's ``Range.parseRange`` and adds what npm changed
since: build metadata is stripped first; npm's regexes take one whitespace character, not
many; ``x.1``-style x-ranges are invalid; only the first ``*`` of a comparator goes; desugared
upper bounds exclude their prereleases (``^1.2.3`` is ``>=1.2.3 <2.0.0-0``); ``>=0.0.0`` is
``*``; an "any" alternative makes the whole range ``*``; prerelease identifiers may start with
``-`` after ``^``/``~``.

We are deliberately stricter than npm where its reading is almost surely a typo:
- ``""`` and empty ``||`` alternatives (``^1 ||``) mean "any version" to npm; we refuse them
  (write ``*``);
- range text is at most ``MAX_RANGE_LENGTH`` characters, ASCII only (npm also takes Unicode
  spaces);
- numbers in a range must fit npm's safe integers, like versions themselves.
Versions are parsed strictly (``client.names.parse_version``): ``v1.2.3`` is refused.
Yanked versions are never picked by a range: pass them as ``exclude`` to ``max_satisfying``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import nodesemver
import semver

from client.errors import InvalidRangeError
from client.names import MAX_SAFE_INTEGER, parse_version

MAX_RANGE_LENGTH = 256
MAX_DIST_TAG_LENGTH = 214  # npm's; the registry's dist_tags.tag column holds no more
_ALLOWED_RE = re.compile(r"[ \t\n\r\f\vA-Za-z0-9.+\-*^~<>=|]*")
_DIST_TAG_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")


def _npm_safe(index: int) -> re.Pattern[str]:
    """nodesemver's regex as npm 7 runs it: its "safe" regexes take at most one whitespace
    character where the source says ``\\s*`` or ``\\s+`` (``1 +b - 2`` is no hyphen range)."""
    source = nodesemver.src[index].replace(r"\s*", r"\s{0,1}").replace(r"\s+", r"\s{1,1}")
    return re.compile(source)


_BUILD_RE = re.compile(nodesemver.src[nodesemver.BUILD])
_HYPHEN_RE = _npm_safe(nodesemver.HYPHENRANGE)
_XRANGE_RE = nodesemver.regexp[nodesemver.XRANGE]
_CARET_OR_TILDE_RES = [nodesemver.regexp[nodesemver.CARET], nodesemver.regexp[nodesemver.TILDE]]
_STAR_RE = nodesemver.regexp[nodesemver.STAR]
_TRIMS = [
    (_npm_safe(nodesemver.COMPARATORTRIM), nodesemver.comparatorTrimReplace),
    (_npm_safe(nodesemver.TILDETRIM), nodesemver.tildeTrimReplace),
    (_npm_safe(nodesemver.CARETTRIM), nodesemver.caretTrimReplace),
]
# A desugared exclusive upper bound without a prerelease: `<2.0.0` becomes `<2.0.0-0`.
_UPPER_BOUND_RE = re.compile(r"<(\d+\.\d+\.\d+)(?= |$)")

VersionLike = str | semver.Version
ComparatorSet = tuple[Any, ...]  # of nodesemver.Comparator


@dataclass(frozen=True)
class Range:
    """A parsed range; equal when the (trimmed) text is equal. Build with ``Range.parse``."""

    text: str
    _sets: tuple[ComparatorSet, ...] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Range:
        """Parse npm range text; raise ``InvalidRangeError`` saying what is wrong."""
        stripped = _check_text(text)
        try:
            sets = [_compile(alternative) for alternative in stripped.split("||")]
        except ValueError as exc:
            raise InvalidRangeError(f"invalid range {text!r}: {exc}") from None
        # npm: one "any version" alternative makes the whole range `*`, which then admits no
        # prerelease at all (`^1.0.0-beta || *` refuses 1.0.0-beta.2).
        any_sets = [s for s in sets if all(c.semver is nodesemver.ANY for c in s)]
        return cls(stripped, tuple(any_sets[:1] or sets))

    @property
    def is_exact(self) -> bool:
        """True when the range names one version (``1.2.3``, ``=1.2.3``, ``v1.2.3``)."""
        return self.exact_version is not None

    @property
    def exact_version(self) -> str | None:
        """The version an exact range names (build metadata dropped), else ``None``."""
        if len(self._sets) != 1 or len(self._sets[0]) != 1:
            return None
        comparator = self._sets[0][0]
        if comparator.semver is nodesemver.ANY or comparator.operator not in ("", "="):
            return None
        return str(comparator.semver.version)

    def satisfied_by(self, version: VersionLike) -> bool:
        """Whether ``version`` (strict SemVer) is in the range, npm's prerelease rule included."""
        candidate = _npm_version(str(version))
        return any(nodesemver.test_set(list(s), candidate) for s in self._sets)

    def max_satisfying(
        self, versions: Iterable[VersionLike], *, exclude: Collection[str] = ()
    ) -> str | None:
        """The highest of ``versions`` in the range, skipping ``exclude`` (e.g. yanked ones).

        Versions of equal precedence (differing only in build metadata) tie-break like
        ``sort_versions``, so the answer never depends on the input order.
        """
        candidates = [str(v) for v in versions if str(v) not in exclude]
        matching = [v for v in sort_versions(candidates) if self.satisfied_by(v)]
        return matching[-1] if matching else None

    def __str__(self) -> str:
        return self.text


def satisfies(version: VersionLike, range_: str | Range) -> bool:
    """Whether ``version`` satisfies the npm range ``range_``."""
    return _as_range(range_).satisfied_by(version)


def max_satisfying(
    versions: Iterable[VersionLike], range_: str | Range, *, exclude: Collection[str] = ()
) -> str | None:
    """The highest of ``versions`` satisfying ``range_`` and not in ``exclude``, or ``None``."""
    return _as_range(range_).max_satisfying(versions, exclude=exclude)


def sort_versions(versions: Iterable[VersionLike]) -> list[str]:
    """Versions in ascending SemVer precedence; equal precedence ordered by text."""
    return [text for _, text in sorted((_parsed(str(v)), str(v)) for v in versions)]


def is_dist_tag(text: str) -> bool:
    """True for a dist-tag name such as ``latest`` or ``beta``; never for a valid range."""
    if not isinstance(text, str) or len(text) > MAX_DIST_TAG_LENGTH:
        return False
    if not _DIST_TAG_RE.fullmatch(text):
        return False
    try:
        Range.parse(text)
    except InvalidRangeError:
        return True
    return False


def _as_range(range_: str | Range) -> Range:
    if isinstance(range_, Range):
        return range_
    # Only strings reach the cache: it would fail on unhashable junk before we could explain.
    return _parse_cached(range_) if isinstance(range_, str) else Range.parse(range_)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Range:
    return Range.parse(text)


# Versions are parsed once each, not once per range they are matched against: a registry
# matches the same few thousand versions against every request's ranges. Neither object is
# changed by comparing (only by ``inc``/``bump``, which nothing here calls).
_parsed = functools.lru_cache(maxsize=65536)(parse_version)


@functools.lru_cache(maxsize=65536)
def _npm_version(text: str) -> Any:
    """``text`` (strict SemVer) as nodesemver compares it."""
    return nodesemver.make_semver(_canonical(text), loose=False)


def _canonical(version: VersionLike) -> str:
    return str(version if isinstance(version, semver.Version) else parse_version(version))


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidRangeError(f"range must be a string, not {type(text).__name__}")
    if len(text) > MAX_RANGE_LENGTH:
        raise InvalidRangeError(f"range is longer than {MAX_RANGE_LENGTH} characters")
    if not _ALLOWED_RE.fullmatch(text):
        bad = next(c for c in text if not _ALLOWED_RE.fullmatch(c))
        raise InvalidRangeError(f"invalid range {text!r}: character {bad!r} is not allowed")
    return " ".join(text.split())


def _compile(alternative: str) -> ComparatorSet:
    comparators = [nodesemver.Comparator(c, False) for c in _desugar(alternative.strip())]
    for comparator in comparators:
        if comparator.semver is not nodesemver.ANY and _too_big(comparator.semver):
            raise ValueError(f"numbers above {MAX_SAFE_INTEGER} are not supported")
    return tuple(comparators)


def _desugar(alternative: str) -> list[str]:
    """npm 7's ``Range.parseRange`` up to the comparator strings ("" means any version)."""
    text = _BUILD_RE.sub("", alternative)
    if not text.strip():
        raise ValueError("an empty range (or || alternative) is refused; write * for any")
    if _HYPHEN_RE.search(text):
        text = _exclusive_bounds(_HYPHEN_RE.sub(nodesemver.hyphen_replace, text))
    for pattern, replacement in _TRIMS:
        text = pattern.sub(replacement, text)
    comparators = " ".join(_desugar_token(token) for token in text.split(" ")).split()
    # npm: `>=0.0.0` is `*` (it also lets a set's prerelease comparator admit 0.0.0-x).
    return ["" if c == ">=0.0.0" else c for c in comparators] or [""]


def _desugar_token(token: str) -> str:
    text = _replace_caret_or_tilde(token)
    for piece in text.split():
        if _invalid_x_order(piece):
            raise ValueError(f"Invalid comparator: {piece}")
    # npm's star regex is not global: only the first `*` goes (`**` stays invalid).
    text = _STAR_RE.sub("", nodesemver.replace_xranges(text, False).strip(), count=1)
    return text if text == token else _exclusive_bounds(text)


def _replace_caret_or_tilde(token: str) -> str:
    text = str(nodesemver.replace_tildes(nodesemver.replace_carets(token, False), False))
    for pattern in _CARET_OR_TILDE_RES:
        match = pattern.search(token)
        if match and match.group(4) and match.group(4).startswith("-"):
            # nodesemver drops the hyphen before a prerelease that starts with one (`^1.2.3--a`).
            patch, prerelease = match.group(3), match.group(4)
            return text.replace(f".{patch}{prerelease}", f".{patch}-{prerelease}", 1)
    return text


def _invalid_x_order(piece: str) -> bool:
    """npm 7.8 refuses a number after an x (``x.1``, ``1.*.3``) in a plain x-range."""
    match = _XRANGE_RE.search(piece)
    if match is None:
        return False
    _, major, minor, patch, _, _ = match.groups()
    is_x = nodesemver.is_x
    return bool((is_x(major) and not is_x(minor)) or (is_x(minor) and patch and not is_x(patch)))


def _exclusive_bounds(desugared: str) -> str:
    return _UPPER_BOUND_RE.sub(r"<\1-0", desugared)


def _too_big(version: Any) -> bool:
    numbers = [version.major, version.minor, version.patch]
    prerelease = [p for p in version.prerelease if isinstance(p, int)]
    return any(n > MAX_SAFE_INTEGER for n in numbers) or any(
        n >= MAX_SAFE_INTEGER for n in prerelease
    )

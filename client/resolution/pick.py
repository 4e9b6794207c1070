"""Which version a range or dist-tag selects among an application's versions (pure).

A range selects its highest satisfying version that is not yanked (npm's rule, prereleases
included only where the range names one: ``client.ranges``). A dist-tag selects the version
the application's tag points at: an unknown tag, or one pointing at a yanked version, selects
nothing (``latest`` is maintained by the registry to follow the highest release).
"""

from __future__ import annotations

import functools

from client.errors import InvalidRangeError
from client.ranges import is_dist_tag, max_satisfying
from client.resolution.model import AppVersions, Failure, VersionInfo


def pick(app: AppVersions, text: str) -> VersionInfo | Failure:
    """The version ``text`` selects among ``app``'s versions, or why none is."""
    if _is_tag(text):
        tagged = app.by_version.get(app.dist_tags.get(text, ""))
        if tagged is None:
            return Failure("no_matching_version", f"{app.application} has no dist-tag {text!r}.")
        if tagged.yanked:
            return Failure(
                "no_matching_version",
                f"Dist-tag {text!r} of {app.application} points at yanked {tagged.version}.",
            )
        return tagged
    try:
        best = _best(text, app.candidates)
    except InvalidRangeError as exc:
        return Failure("invalid_range", exc.message)
    if best is None:
        return Failure(
            "no_matching_version", f"No version of {app.application} satisfies {text!r}."
        )
    return app.by_version[best]


# Per process: the same ranges over the same (immutable, published) versions come back on
# every request; parsing and sorting them again was a sixth of a resolve's CPU. A new or
# yanked version changes the candidates, hence the key.
_is_tag = functools.lru_cache(maxsize=1024)(is_dist_tag)


@functools.lru_cache(maxsize=8192)
def _best(text: str, candidates: tuple[str, ...]) -> str | None:
    return max_satisfying(candidates, text)  # raises InvalidRangeError (never cached)

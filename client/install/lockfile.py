"""nestry.lock: one pinned entry per reference path in the resolved tree.

The format is deterministic JSON (sorted keys, 2-space indent, trailing newline) so that it
diffs well and an unchanged tree rewrites byte-identical bytes::

    {"lockfile_version": 1,
     "references": {"TweetSource": {"application": "acme/tweets", "range": "^2.0.0",
                                    "version": "2.1.0", "digest": "sha256:...",
                                    "registry": "https://registry.example.com"}}}

Optional keys, written only when set: ``bundle_digest`` and ``template_path`` (where the
template sits inside that bundle).

A path joins logical ids from the user's template down: ``Parent/Child``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from client.install.cache import write_atomic
from client.install.errors import LockfileError

LOCKFILE_NAME = "nestry.lock"
LOCKFILE_VERSION = 1
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_MAX_BYTES = 8 * 1024 * 1024


class LockEntry(NamedTuple):
    application: str
    range: str
    version: str
    digest: str
    registry: str
    bundle_digest: str | None = None
    template_path: str | None = None  # the template's place in its bundle (None: the root)

    def to_json(self) -> dict[str, str]:
        data = {
            "application": self.application,
            "range": self.range,
            "version": self.version,
            "digest": self.digest,
            "registry": self.registry,
        }
        if self.bundle_digest is not None:
            data["bundle_digest"] = self.bundle_digest
        if self.template_path is not None:  # absent when None: older lockfiles stay identical
            data["template_path"] = self.template_path
        return data


class Lockfile(NamedTuple):
    references: Mapping[str, LockEntry]

    def get(self, path: str) -> LockEntry | None:
        return self.references.get(path)


EMPTY = Lockfile(references={})


def dumps(lock: Lockfile) -> str:
    refs = {path: entry.to_json() for path, entry in lock.references.items()}
    doc = {"lockfile_version": LOCKFILE_VERSION, "references": refs}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def loads(text: str, *, source: str = LOCKFILE_NAME) -> Lockfile:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise LockfileError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("lockfile_version") != LOCKFILE_VERSION:
        raise LockfileError(f"{source}: expected an object with lockfile_version 1")
    refs = doc.get("references")
    if not isinstance(refs, dict):
        raise LockfileError(f"{source}: references must be an object")
    return Lockfile({path: _entry(source, path, raw) for path, raw in refs.items()})


def _entry(source: str, path: str, raw: Any) -> LockEntry:
    required = ("application", "range", "version", "digest", "registry")
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in required):
        raise LockfileError(f"{source}: entry {path!r} needs string fields {', '.join(required)}")
    bundle = raw.get("bundle_digest")
    for digest in (raw["digest"], bundle):
        if digest is not None and not (isinstance(digest, str) and _DIGEST.fullmatch(digest)):
            raise LockfileError(f"{source}: entry {path!r} has a malformed digest {digest!r}")
    place = raw.get("template_path")
    if place is not None and not isinstance(place, str):
        raise LockfileError(f"{source}: entry {path!r} has a non-string template_path {place!r}")
    return LockEntry(
        application=raw["application"],
        range=raw["range"],
        version=raw["version"],
        digest=raw["digest"],
        registry=raw["registry"],
        bundle_digest=bundle,
        template_path=place,
    )


def read(path: Path) -> Lockfile:
    """The lockfile at ``path``, or an empty one when there is none yet."""
    if not path.exists():
        return EMPTY
    if path.stat().st_size > _MAX_BYTES:
        raise LockfileError(f"{path}: larger than {_MAX_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LockfileError(f"{path}: cannot read ({exc})") from None
    return loads(text, source=str(path))


def write_if_changed(path: Path, lock: Lockfile) -> bool:
    """Write ``lock`` atomically unless the file already holds exactly these bytes."""
    text = dumps(lock)
    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return False
    write_atomic(path, text.encode("utf-8"))
    path.chmod(0o644)  # committed and shared, unlike the 0600 temp file it was written as
    return True


class VersionChange(NamedTuple):
    path: str
    application: str
    old: str | None  # None: a new reference
    new: str | None  # None: a reference that is gone


def version_changes(old: Lockfile, new: Lockfile) -> list[VersionChange]:
    """Every path whose pinned version differs between two lockfiles, in path order."""
    changes = []
    for path in sorted(set(old.references) | set(new.references)):
        before, after = old.get(path), new.get(path)
        if before is None or after is None or before.version != after.version:
            application = (after or before).application  # type: ignore[union-attr]
            old_version = before.version if before else None
            new_version = after.version if after else None
            changes.append(VersionChange(path, application, old_version, new_version))
    return changes


def differences(old: Lockfile, new: Lockfile) -> list[str]:
    """Why ``new`` (from the template) is not ``old`` (nestry.lock), one sentence each."""
    found = []
    for path in sorted(set(old.references) | set(new.references)):
        before, after = old.get(path), new.get(path)
        if before is None:
            found.append(f"{path} is in the template but not in nestry.lock")
        elif after is None:
            found.append(f"{path} is in nestry.lock but no longer in the template")
        elif before != after:
            found.append(
                f"{path} is locked as {_describe(before)}, the template needs {_describe(after)}"
            )
    return found


def _describe(entry: LockEntry) -> str:
    place = f" at {entry.template_path}" if entry.template_path else ""
    return f"{entry.application} {entry.range} = {entry.version} ({entry.digest[:19]}...){place}"

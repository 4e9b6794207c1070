"""Errors of the install pipeline (resolve, fetch, check, build).

Every class carries a ``code`` and a one-line ``hint`` like the rest of ``client.errors``;
the lead merges this tree into that one later.

NestryError
└── InstallError                anything that stops an install; nothing is written
    ├── ResolutionError         a reference resolves to no version (or the registry said no)
    │   └── CycleError          an application nests itself: ``A > B > A``
    ├── DigestMismatchError     bytes whose sha256 is not the digest promised
    ├── ParameterError          parameters passed to a child do not fit its definitions
    ├── BundleError             a code bundle that is not a safe tar.gz
    ├── LockfileError           nestry.lock unreadable or malformed
    │   └── FrozenLockfileError --frozen and the template disagrees with nestry.lock
    └── OfflineError            --offline and something is not in the cache
"""

from __future__ import annotations

from client.errors import NestryError


class InstallError(NestryError):
    code = "install_failed"
    hint = "Fix the problem above and run nestry install again."


class ResolutionError(InstallError):
    code = "resolution_failed"
    hint = "Check the application id and SemanticVersion range (nestry info APP lists versions)."


class CycleError(ResolutionError):
    code = "dependency_cycle"
    hint = "An application may not nest itself, directly or through others."


class DigestMismatchError(InstallError):
    code = "digest_mismatch"
    hint = "The download does not match its sha256 digest; nothing was written. Retry or report it."


class ParameterError(InstallError):
    """``problems`` lists every parameter problem found, one sentence each."""

    code = "invalid_parameters"
    hint = "Pass exactly the parameters the child declares (nestry info APP@VERSION lists them)."

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        self.problems = problems
        super().__init__("; ".join(problems), hint=hint)


class BundleError(InstallError):
    code = "invalid_bundle"
    hint = "The code bundle must be a tar.gz of regular files with relative paths."


class LockfileError(InstallError):
    code = "invalid_lockfile"
    hint = "Delete nestry.lock and run nestry install to write a fresh one."


class FrozenLockfileError(LockfileError):
    code = "lockfile_out_of_date"
    hint = "Run nestry install without --frozen to update nestry.lock, then commit it."


class OfflineError(InstallError):
    code = "offline"
    hint = "Run once online (without --offline) so the cache holds everything nestry.lock pins."

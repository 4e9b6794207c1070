"""Safe extraction of code bundles: regular files under the target, nothing else."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from client.install.bundle_unpack import BundleLimits, unpack_bundle
from client.install.errors import BundleError


def tarball(*members: tuple[str, bytes | None, bytes]) -> bytes:
    """Members as (name, data or None for a directory, type flag)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE or kind == tarfile.LNKTYPE:
                info.linkname = "/etc/passwd"
            info.size = len(data or b"")
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            archive.addfile(info, io.BytesIO(data or b""))
    return buffer.getvalue()


def test_files_and_directories_are_unpacked(tmp_path: Path) -> None:
    data = tarball(
        ("src", None, tarfile.DIRTYPE),
        ("src/app.py", b"print(1)", tarfile.REGTYPE),
        ("./run.sh", b"#!/bin/sh", tarfile.REGTYPE),
    )
    written = unpack_bundle(data, tmp_path)
    assert sorted(str(p) for p in written) == ["run.sh", "src/app.py"]
    assert (tmp_path / "src" / "app.py").read_bytes() == b"print(1)"
    assert (tmp_path / "run.sh").stat().st_mode & 0o111


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("/etc/cron.d/x", tarfile.REGTYPE),
        ("../outside", tarfile.REGTYPE),
        ("src/../../outside", tarfile.REGTYPE),
        ("link", tarfile.SYMTYPE),
        ("hard", tarfile.LNKTYPE),
        ("fifo", tarfile.FIFOTYPE),
        ("C:\\evil", tarfile.REGTYPE),
        ("\\server\\share", tarfile.REGTYPE),
        ("C:relative", tarfile.REGTYPE),
    ],
)
def test_unsafe_entries_are_refused(tmp_path: Path, name: str, kind: bytes) -> None:
    target = tmp_path / "target"
    with pytest.raises(BundleError):
        unpack_bundle(tarball((name, b"x", kind)), target)
    assert not (tmp_path / "outside").exists()
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))


def test_limits_stop_a_bomb(tmp_path: Path) -> None:
    data = tarball(("a", b"x" * 100, tarfile.REGTYPE), ("b", b"x" * 100, tarfile.REGTYPE))
    with pytest.raises(BundleError, match="bundle_too_large"):
        unpack_bundle(data, tmp_path, limits=BundleLimits(max_unpacked=150))
    with pytest.raises(BundleError, match="bundle_too_many_files"):
        unpack_bundle(data, tmp_path, limits=BundleLimits(max_members=1))


def test_not_a_tarball(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"not a gzip-compressed tar archive"):
        unpack_bundle(b"plain bytes", tmp_path)


@pytest.mark.parametrize(
    "name", ["/abs", "../up", "a/../../up", "C:\\evil", "\\unc", "ok/file", "./ok/dot"]
)
def test_publish_and_install_refuse_the_same_entries(tmp_path: Path, name: str) -> None:
    """One checker: what the registry refuses at publish, install refuses too, and the reverse."""
    from registry.errors import ApiError
    from registry.publish.bundles import check_bundle

    data = tarball((name, b"x", tarfile.REGTYPE))
    try:
        check_bundle(data, BundleLimits())
        registry_ok = True
    except ApiError:
        registry_ok = False
    try:
        unpack_bundle(data, tmp_path / "t")
        client_ok = True
    except BundleError:
        client_ok = False
    assert registry_ok == client_ok == name.lstrip("./").startswith("ok")

"""The bundle checker on its own (publish tests cover the HTTP side)."""

from __future__ import annotations

import io
import tarfile

import pytest
from registry_samples import tar_gz

from registry.errors import ApiError
from registry.publish.bundles import BundleLimits, check_bundle

LIMITS = BundleLimits(max_unpacked=1024 * 1024, max_members=100)


def test_lists_regular_files_normalized():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        directory = tarfile.TarInfo("./src")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
        for name in ("./src/app.py", "src//lib/util.py", "template.yaml"):
            info = tarfile.TarInfo(name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"ok"))
    info = check_bundle(buffer.getvalue(), LIMITS)
    assert info.files == {"src/app.py", "src/lib/util.py", "template.yaml"}
    assert info.unpacked_size == 6


def test_declared_sizes_count_against_the_cap():
    data = tar_gz({"a": b"x" * 600_000, "b": b"y" * 600_000})
    with pytest.raises(ApiError) as caught:
        check_bundle(data, LIMITS)
    assert caught.value.code == "bundle_too_large" and caught.value.status == 413


def test_trailing_garbage_is_invalid():
    with pytest.raises(ApiError) as caught:
        check_bundle(tar_gz({"a": b"x"}) + b"garbage", LIMITS)
    assert caught.value.code == "invalid_bundle"


def test_windows_style_paths_are_refused():
    with pytest.raises(ApiError) as caught:
        check_bundle(tar_gz({"C:\\evil": b"x"}), LIMITS)
    assert caught.value.code == "unsafe_bundle"

"""The build directory's relative paths, worked out as strings (``client.install.build_dir``)."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest

from client.install.build_dir import _make_dirs, _relative, _write_file

PAIRS = [
    ("apps/acme/app/1.0.0/template.yaml", "."),
    ("apps/acme/leaf/1.1.0/template.yaml", "apps/acme/mid/1.0.0"),
    ("apps/other/leaf/2.0.0/src/stack.yaml", "apps/acme/mid/1.0.0/deploy"),
    ("apps/acme/mid/1.0.0/nested/x.yaml", "apps/acme/mid/1.0.0"),
    ("apps/acme/mid/1.0.0/template.yaml", "apps/acme/mid/1.0.0"),
]


@pytest.mark.parametrize(("path", "start"), PAIRS)
def test_relative_is_relpath_without_the_working_directory(path: str, start: str) -> None:
    assert _relative(path, start) == posixpath.relpath(path, start)


def test_make_dirs_makes_each_missing_parent_once(tmp_path: Path) -> None:
    made: set[str] = set()
    _make_dirs(str(tmp_path), "apps/acme/a/1.0.0", made)
    _make_dirs(str(tmp_path), "apps/acme/b/1.0.0", made)  # apps/acme exists: no error
    assert (tmp_path / "apps/acme/a/1.0.0").is_dir()
    assert (tmp_path / "apps/acme/b/1.0.0").is_dir()
    assert made == {
        "apps",
        "apps/acme",
        "apps/acme/a",
        "apps/acme/a/1.0.0",
        "apps/acme/b",
        "apps/acme/b/1.0.0",
    }


def test_write_file_creates_or_truncates_with_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    _write_file(str(path), b"long first version\n")
    _write_file(str(path), b"short\n")
    assert path.read_bytes() == b"short\n"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask

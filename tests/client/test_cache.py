from __future__ import annotations

from pathlib import Path

import pytest

from client.install.cache import Cache, default_cache_dir, sha256_digest
from client.install.errors import DigestMismatchError


def test_put_then_get(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = sha256_digest(b"hello")
    assert cache.get(digest) is None
    cache.put(digest, b"hello")
    assert cache.get(digest) == b"hello"


def test_put_refuses_bytes_that_do_not_match(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with pytest.raises(DigestMismatchError):
        cache.put(sha256_digest(b"hello"), b"evil")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_corrupt_entry_is_discarded_not_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = sha256_digest(b"hello")
    cache.put(digest, b"hello")
    cache.path_for(digest).write_bytes(b"tampered")
    assert cache.get(digest) is None
    assert not cache.path_for(digest).exists()


def test_malformed_digest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DigestMismatchError):
        Cache(tmp_path).path_for("sha256:../../etc/passwd")


def test_default_cache_dir_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"NESTRY_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "nestry"
    assert default_cache_dir({}) == Path.home() / ".cache" / "nestry"

"""The filesystem blob store: content-addressed, atomic, idempotent."""

from __future__ import annotations

import hashlib

import pytest

from registry.blobs.files import FilesystemBlobStore, digest_of


def test_put_get_exists(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    digest = store.put(b"hello")
    assert digest == "sha256:" + hashlib.sha256(b"hello").hexdigest() == digest_of(b"hello")
    assert store.exists(digest) and store.get(digest) == b"hello"
    assert store.put(b"hello") == digest  # idempotent
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [digest.removeprefix("sha256:")]  # no temp files left


def test_missing_and_malformed_digests(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    absent = digest_of(b"never stored")
    assert not store.exists(absent)
    with pytest.raises(KeyError):
        store.get(absent)
    for bad in ("sha256:../../etc/passwd", "md5:abc", "sha256:" + "g" * 64):
        with pytest.raises(KeyError):
            store.get(bad)


def test_open_reads_a_blob_in_pieces(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    digest = store.put(b"0123456789")
    with store.open(digest) as handle:
        assert handle.read(4) == b"0123"
        assert handle.read() == b"456789"
    for absent in (digest_of(b"never stored"), "sha256:../../etc/passwd"):
        with pytest.raises(KeyError):
            store.open(absent)

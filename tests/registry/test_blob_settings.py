"""The blob store's settings and URLs: which backend, and clear refusals."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from registry.blobs.files import digest_of
from registry.blobs.local import LocalBlobs
from registry.blobs.store import BlobStoreUrlError, digest_of_key, key_of, open_blob_store
from registry.settings import Settings, SettingsError


def test_default_store_is_files_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"NESTRY_DATA_DIR": str(tmp_path)})
    assert settings.blob_store_url == (tmp_path / "blobs").as_uri()
    store = open_blob_store(settings.blob_store_url)
    assert isinstance(store, LocalBlobs) and store.root == tmp_path / "blobs"
    assert (settings.bundle_redirect, settings.presign_seconds) == (False, 300)
    assert settings.replica == socket.gethostname()


def test_s3_settings() -> None:
    settings = Settings.from_env(
        {
            "NESTRY_BLOB_URL": "s3://bucket/some/prefix",
            "NESTRY_BUNDLE_REDIRECT": "on",
            "NESTRY_PRESIGN_SECONDS": "60",
            "NESTRY_REPLICA": "eu-1",
        }
    )
    assert settings.blob_store_url == "s3://bucket/some/prefix"
    assert (settings.bundle_redirect, settings.presign_seconds, settings.replica) == (
        True,
        60,
        "eu-1",
    )
    assert open_blob_store(settings.blob_store_url).url == "s3://bucket/some/prefix"


@pytest.mark.parametrize("url", ["http://bucket/x", "gs://bucket", "file://relative/path", "/x"])
def test_unknown_blob_urls_are_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="NESTRY_BLOB_URL"):
        Settings.from_env({"NESTRY_BLOB_URL": url})


@pytest.mark.parametrize("url", ["s3://", "file://host/x", "ftp://x"])
def test_open_blob_store_refuses_what_it_cannot_open(url: str) -> None:
    with pytest.raises(BlobStoreUrlError):
        open_blob_store(url)


def test_keys_are_content_addresses_only() -> None:
    digest = digest_of(b"x")
    key = key_of(digest)
    assert key == f"sha256/{digest[7:9]}/{digest[7:]}" and digest_of_key(key) == digest
    for bad in ("sha256:../../etc/passwd", "md5:abc", "sha256:" + "G" * 64, digest + "0"):
        with pytest.raises(KeyError):
            key_of(bad)
    for stray in ("sha256/ab/.tmp-1", "other/key", f"sha256/00/{digest[7:]}"):
        assert digest_of_key(stray) is None

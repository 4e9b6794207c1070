"""``client.install.digests``: the same SHA-256 as hashlib, without loading OpenSSL for small
inputs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from client.install import digests

ROOT = Path(__file__).resolve().parents[2]
SIZES = [0, 1, 1000, digests.SMALL - 1, digests.SMALL, digests.SMALL + 1]


@pytest.mark.parametrize("size", SIZES)
def test_same_digest_as_hashlib(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert digests.sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1000])
def test_without_a_builtin_hash_hashlib_answers(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "_BUILTIN", None)
    assert digests.sha256_hex(b"y" * size) == hashlib.sha256(b"y" * size).hexdigest()


@pytest.mark.skipif(digests._BUILTIN is None, reason="this interpreter has no built-in SHA-256")
def test_hashing_templates_does_not_load_openssl() -> None:
    """What a warm install hashes (templates, rendered entries, cache keys) stays below SMALL."""
    code = (
        "import sys\n"
        "import client.commands.install\n"
        "from client.install.cache import sha256_digest\n"
        "from client.install.render_cache import RenderCache\n"
        "sha256_digest(b'x' * 100_000)\n"
        "RenderCache(__import__('pathlib').Path('.')).key({'Resources': {}})\n"
        "print(sorted(m for m in ('hashlib', '_hashlib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"

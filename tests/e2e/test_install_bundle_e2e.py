"""An application published with a code bundle: unpacked beside its vendored template."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from install_samples import lint_errors, sam_translate
from install_support import Env, user_template

from client.install.cache import Cache
from client.install.errors import OfflineError

APP_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Inner:
    Type: AWS::Serverless::Application
    Properties:
      Location: nested/inner.yaml
      Parameters:
        Greeting: hello
"""
INNER = """\
Parameters:
  Greeting:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Ref Greeting
"""


def bundle() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in {
            "src/app.py": "def handler(e, c):\n    return 1\n",
            "nested/inner.yaml": INNER,
        }.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def env(live_registry: Any, tmp_path: Path) -> Iterator[Env]:
    project = tmp_path / "project"
    project.mkdir()
    with httpx.Client(timeout=30) as http:
        yield Env(
            live_registry.url, live_registry.admin_token, Cache(tmp_path / "cache"), project, http
        )


def test_bundle_is_verified_cached_and_unpacked(env: Env) -> None:
    env.publish(
        "acme/withcode", "1.0.0", APP_TEMPLATE, {"description": "code", "author": "t"}, bundle()
    )
    env.write_user(user_template(("Code", "acme/withcode", "^1.0.0", "")))
    report = env.install()

    vendored = env.project / ".nestry" / "build" / "apps" / "acme" / "withcode" / "1.0.0"
    assert (vendored / "src" / "app.py").read_text().startswith("def handler")
    assert (vendored / "nested" / "inner.yaml").read_text() == INNER
    assert report.warnings == []
    assert report.next_command.startswith("sam build -t ")
    lock = json.loads((env.project / "nestry.lock").read_text())["references"]["Code"]
    assert lock["bundle_digest"].startswith("sha256:")
    root = env.project / ".nestry" / "build" / "template.yaml"
    assert lint_errors(vendored / "template.yaml") == set()
    assert lint_errors(root) == set()
    # SAM translates local CodeUri only after `sam build`/`package`; the parent has none.
    assert "Resources" in sam_translate(root)

    # The bundle is in the cache now: a locked offline install rebuilds the same tree.
    before = env.snapshot()
    env.install(offline=True, frozen=True)
    assert env.snapshot() == before
    # A corrupted cached bundle is never unpacked: offline it is missing, online it is refetched
    # (with the build directory gone: a current one needs no bundle at all).
    shutil.rmtree(env.project / ".nestry" / "build")
    env.cache.path_for(lock["bundle_digest"]).write_bytes(b"corrupt")
    with pytest.raises(OfflineError, match=r"bundle of acme/withcode@1\.0\.0"):
        env.install(offline=True)
    env.install()
    assert env.snapshot() == before


def test_a_current_build_directory_is_left_alone_and_an_edited_one_rebuilt(env: Env) -> None:
    env.publish(
        "acme/withcode", "1.0.0", APP_TEMPLATE, {"description": "code", "author": "t"}, bundle()
    )
    env.write_user(user_template(("Code", "acme/withcode", "^1.0.0", "")))
    env.install()
    build = env.project / ".nestry" / "build"
    code = build / "apps" / "acme" / "withcode" / "1.0.0" / "src" / "app.py"
    before = env.snapshot()
    stamp = code.stat().st_mtime_ns
    digest = json.loads((env.project / "nestry.lock").read_text())["references"]["Code"][
        "bundle_digest"
    ]
    env.cache.path_for(digest).write_bytes(b"corrupt")  # proves nothing is read

    report = env.install(offline=True, frozen=True)
    assert env.snapshot() == before
    assert code.stat().st_mtime_ns == stamp  # not rewritten
    assert "template.yaml" in report.files

    code.write_text("tampered")  # the recorded digest no longer matches: rebuilt from the cache
    env.cache.path_for(digest).unlink()
    env.install()
    assert env.snapshot() == before

    (env.project / "template.yaml").write_text(  # another input: another build
        (env.project / "template.yaml").read_text() + "\nOutputs: {}\n"
    )
    env.install()
    assert env.snapshot() != before

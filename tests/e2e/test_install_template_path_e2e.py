"""A child published with ``template_path``: install places it there, and so does the lockfile.

Published through ``RegistryClient.publish(..., template_path=...)`` to a live registry, then
installed, then reinstalled offline from nestry.lock into an emptied build directory.
"""

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
from install_support import Env, user_template

from client.api.errors import RegistryError
from client.install.cache import Cache
from client.names import parse_app_id

PLACE = "sub/dir/template.yaml"
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
      Location: ../nested/inner.yaml
"""
INNER = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
FILES = {
    "sub/dir/src/app.py": "def handler(e, c):\n    return 1\n",
    "sub/nested/inner.yaml": INNER,
}


def bundle() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in FILES.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


BUNDLE = bundle()  # built once: gzip stamps the time, and a retry must send the same bytes


@pytest.fixture
def env(live_registry: Any, tmp_path: Path) -> Iterator[Env]:
    project = tmp_path / "project"
    project.mkdir()
    with httpx.Client(timeout=30) as http:
        yield Env(
            live_registry.url, live_registry.admin_token, Cache(tmp_path / "cache"), project, http
        )


def publish_placed(env: Env, place: str | None) -> tuple[int, dict[str, Any]]:
    return env.client().publish(
        parse_app_id("acme/placed"),
        "1.0.0",
        template=APP_TEMPLATE.encode(),
        metadata={"description": "placed", "author": "t"},
        bundle=BUNDLE,
        template_path=place,
    )


def test_a_locked_offline_reinstall_places_the_child_where_the_first_install_did(
    env: Env,
) -> None:
    status, document = publish_placed(env, "./sub/dir/../dir/template.yaml")
    assert status == 201, document
    assert document["template_path"] == PLACE
    env.write_user(user_template(("Placed", "acme/placed", "^1.0.0", "")))
    env.install()

    build = env.project / ".nestry" / "build"
    vendored = build / "apps" / "acme" / "placed" / "1.0.0"
    assert (vendored / PLACE).read_text() == APP_TEMPLATE
    assert not (vendored / "template.yaml").exists()
    assert (vendored / "sub/dir/src/app.py").read_text() == FILES["sub/dir/src/app.py"]
    assert f"apps/acme/placed/1.0.0/{PLACE}" in (build / "template.yaml").read_text()
    lock = json.loads((env.project / "nestry.lock").read_text())["references"]["Placed"]
    assert lock["template_path"] == PLACE

    before = env.snapshot()
    shutil.rmtree(build)
    env.install(offline=True, frozen=True)  # every pin from nestry.lock, every byte from cache
    assert env.snapshot() == before


def test_the_same_bytes_cannot_move_inside_a_published_version(env: Env) -> None:
    assert publish_placed(env, PLACE)[0] == 201
    assert publish_placed(env, "sub/dir//template.yaml")[0] == 200  # same place, normalised
    with pytest.raises(RegistryError) as refused:
        publish_placed(env, None)
    # At the root its ../ code paths would leave the bundle: refused for that first.
    assert (refused.value.status, refused.value.code) in {
        (409, "version_exists"),
        (422, "unsafe_local_path"),
    }

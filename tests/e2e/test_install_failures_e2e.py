"""Each failure of nestry install is a clear error; the build and lockfile stay as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from install_support import (
    TWITTER,
    TWITTER_METADATA,
    TWITTER_PARAMETERS,
    Env,
    user_template,
)

from client.api.client import RegistryError, RegistryUnreachableError
from client.install.cache import Cache
from client.install.errors import (
    CycleError,
    DigestMismatchError,
    FrozenLockfileError,
    OfflineError,
    ParameterError,
    ResolutionError,
)
from client.install.pipeline import InstallOptions, install
from client.install.sources import ClientFactory

APP = "awslabs/twitter-event-source"


@pytest.fixture
def env(live_registry: Any, tmp_path: Path) -> Iterator[Env]:
    project = tmp_path / "project"
    project.mkdir()
    with httpx.Client(timeout=30) as http:
        env = Env(
            live_registry.url, live_registry.admin_token, Cache(tmp_path / "cache"), project, http
        )
        env.publish(APP, "2.1.0", TWITTER.read_bytes(), TWITTER_METADATA)
        env.write_user(user_template(("TweetSource", APP, "^2.0.0", TWITTER_PARAMETERS)))
        env.install()
        yield env


def outputs(env: Env) -> dict[str, bytes]:
    """The build directory and lockfile, byte for byte."""
    return {k: v for k, v in env.snapshot().items() if k != "template.yaml"}


def with_parameters(env: Env, parameters: str) -> None:
    env.write_user(user_template(("TweetSource", APP, "^2.0.0", parameters)))


def test_registry_down(env: Env, tmp_path: Path) -> None:
    before = outputs(env)
    down = ClientFactory(lambda app: "http://127.0.0.1:9", lambda url: env.client(url))
    options = InstallOptions(template=env.project / "template.yaml")
    with pytest.raises(
        RegistryUnreachableError, match=r"cannot reach the registry at http://127\.0\.0\.1:9"
    ):
        install(options, clients=down, cache=Cache(tmp_path / "cold"))
    assert outputs(env) == before


def test_unauthorized(env: Env) -> None:
    before = outputs(env)
    env.token = "nst_not-a-real-token"
    env.cache = Cache(env.project.parent / "cold")
    with pytest.raises(RegistryError) as info:
        env.install(refresh=None)
    assert info.value.status == 401
    assert outputs(env) == before


def test_not_found_on_download(env: Env) -> None:
    lock_path = env.project / "nestry.lock"
    lock = json.loads(lock_path.read_text())
    lock["references"]["TweetSource"]["version"] = "2.0.9"  # a version the registry never had
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    before = outputs(env)
    env.cache = Cache(env.project.parent / "cold")
    with pytest.raises(RegistryError) as info:
        env.install()
    assert info.value.status == 404
    assert outputs(env) == before


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            TWITTER_PARAMETERS + "        Bogus: x\n",
            "TweetSource: parameter 'Bogus' is not declared",
        ),
        (
            "SearchText: serverless\n",
            "TweetSource: required parameter 'TweetProcessorFunctionName'",
        ),
        (
            TWITTER_PARAMETERS + "        StreamModeEnabled: maybe\n",
            "'maybe', not one of AllowedValues",
        ),
        (TWITTER_PARAMETERS + "        PollingFrequencyInMinutes: 0\n", "below MinValue 1"),
        (TWITTER_PARAMETERS + "        BatchSize: many\n", "'BatchSize' must be a number"),
    ],
)
def test_parameter_errors(env: Env, parameters: str, message: str) -> None:
    before = outputs(env)
    with_parameters(env, parameters)
    with pytest.raises(ParameterError, match=message):
        env.install()
    assert outputs(env) == before


def test_tampered_cache_is_discarded_and_refetched(env: Env) -> None:
    before = outputs(env)
    digest = json.loads((env.project / "nestry.lock").read_text())["references"]["TweetSource"][
        "digest"
    ]
    entry = env.cache.path_for(digest)
    entry.write_bytes(b"Resources: {Evil: {Type: AWS::SNS::Topic}}\n")
    with pytest.raises(OfflineError, match="not in the cache"):
        env.install(offline=True)
    assert not entry.exists()
    assert outputs(env) == before
    env.install()  # online: fetched again, verified, and the build is the same
    assert outputs(env) == before
    assert entry.read_bytes() == TWITTER.read_bytes()


class Tampering(httpx.BaseTransport):
    """Wraps the real transport; appends bytes to every template the registry sends."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/template"):
            return response
        body = response.read() + b"\n# injected\n"
        response.close()
        headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=body)

    def close(self) -> None:
        self.inner.close()


def test_tampered_on_the_wire(env: Env) -> None:
    before = outputs(env)
    digest = json.loads((env.project / "nestry.lock").read_text())["references"]["TweetSource"][
        "digest"
    ]
    env.cache = Cache(env.project.parent / "cold")
    with httpx.Client(transport=Tampering(), timeout=30) as http:
        env.http = http
        with pytest.raises(DigestMismatchError, match=f"expected {digest}"):
            env.install()
    assert outputs(env) == before
    assert not env.cache.path_for(digest).exists()


def test_frozen_mismatch(env: Env) -> None:
    before = outputs(env)
    env.write_user(user_template(("TweetSource", APP, "~2.1.0", TWITTER_PARAMETERS)))
    with pytest.raises(FrozenLockfileError, match="TweetSource"):
        env.install(frozen=True)
    assert outputs(env) == before


def test_cycle(env: Env) -> None:
    meta = {"description": "cycle", "author": "t"}
    env.publish("acme/b", "1.0.0", "Resources:\n  T:\n    Type: AWS::SNS::Topic\n", meta)
    env.publish("acme/a", "1.0.0", user_template(("B", "acme/b", "^1.0.0", "")), meta)
    env.publish("acme/b", "1.1.0", user_template(("Back", "acme/a", "^1.0.0", "")), meta)
    before = outputs(env)
    env.write_user(user_template(("A", "acme/a", "^1.0.0", "")))
    cycle = r"A/B/Back: Dependency cycle: acme/a@1\.0\.0 -> acme/b@1\.1\.0 -> acme/a@1\.0\.0\."
    with pytest.raises(CycleError, match=cycle):
        env.install()
    assert outputs(env) == before


def test_unknown_application(env: Env) -> None:
    before = outputs(env)
    env.write_user(user_template(("Nope", "acme/does-not-exist", "^1.0.0", "")))
    with pytest.raises(
        ResolutionError, match=r"Nope: cannot resolve acme/does-not-exist .*app_not_found"
    ):
        env.install()
    assert outputs(env) == before

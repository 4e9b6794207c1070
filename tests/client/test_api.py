"""RegistryClient against the real registry app (uvicorn, real database): shapes and errors."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from typing import Any  # the live_registry fixture's LiveRegistry (tests/conftest.py)

import httpx
import pytest

from client.api.client import RegistryClient, RegistryError, RegistryUnreachableError
from client.names import parse_app_id

TEMPLATE = b"""Metadata:
  AWS::ServerlessRepo::Application:
    Name: topic
    Description: One SNS topic
    Author: acme
Parameters:
  TopicName:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Ref TopicName}
"""
APP = parse_app_id("acme/topic")
METADATA = {"name": "topic", "description": "One SNS topic", "author": "acme", "labels": ["sns"]}


@pytest.fixture
def client(live_registry: Any) -> Iterator[RegistryClient]:
    with httpx.Client() as http:
        yield RegistryClient(live_registry.url + "/", live_registry.admin_token, http=http)


def test_publish_then_read_everything_back(client: RegistryClient) -> None:
    status, document = client.publish(
        APP, "1.0.0", template=TEMPLATE, metadata=METADATA, readme=b"# topic\n"
    )
    assert status == 201
    digest = "sha256:" + hashlib.sha256(TEMPLATE).hexdigest()
    assert document["digest"] == digest
    assert client.publish(APP, "1.0.0", template=TEMPLATE, metadata=METADATA)[0] == 200

    assert client.whoami()["user"] == "admin"
    assert client.app_document(APP)["dist_tags"] == {"latest": "1.0.0"}
    version = client.version_document(APP, "1.0.0")
    assert version["parameters"] == {"TopicName": {"Type": "String"}}
    [result] = client.resolve([("acme/topic", "^1")])
    assert (result["version"], result["digest"]) == ("1.0.0", digest)
    assert client.get_bytes(result["template_url"]) == TEMPLATE
    hits = client.search("topic", label="sns")["results"]
    assert [h["application"] for h in hits] == ["acme/topic"]


def test_lifecycle_calls(client: RegistryClient) -> None:
    client.publish(APP, "1.0.0", template=TEMPLATE, metadata=METADATA)
    client.set_dist_tag(APP, "stable", "1.0.0")
    assert client.app_document(APP)["dist_tags"]["stable"] == "1.0.0"
    client.remove_dist_tag(APP, "stable")
    assert client.yank(APP, "1.0.0", "bad")["yanked"] is True
    assert client.unyank(APP, "1.0.0")["yanked"] is False
    assert client.deprecate(APP, "1.0.0", "old")["deprecated"] == "old"
    assert client.dependents(APP) == {"dependents": [], "next_cursor": None}


def test_not_found_carries_status_and_server_code(client: RegistryClient) -> None:
    with pytest.raises(RegistryError) as info:
        client.app_document(parse_app_id("acme/missing"))
    assert info.value.status == 404
    assert info.value.code == "app_not_found"
    assert "acme/missing" in info.value.message


def test_bad_token_is_401(live_registry: Any) -> None:
    with httpx.Client() as http, pytest.raises(RegistryError) as info:
        RegistryClient(live_registry.url, "nst_wrong", http=http).whoami()
    assert info.value.status == 401
    assert "nestry login" in info.value.hint


def test_conflicting_republish_is_409(client: RegistryClient) -> None:
    client.publish(APP, "1.0.0", template=TEMPLATE, metadata=METADATA)
    with pytest.raises(RegistryError) as info:
        client.publish(APP, "1.0.0", template=TEMPLATE + b"# other\n", metadata=METADATA)
    assert (info.value.status, info.value.code) == (409, "version_exists")


def test_unreachable_registry() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with httpx.Client() as http, pytest.raises(RegistryUnreachableError) as info:
        RegistryClient(f"http://127.0.0.1:{port}", http=http).whoami()
    assert info.value.status == 0
    assert info.value.message.startswith(
        f"cannot reach the registry at http://127.0.0.1:{port}/v1/whoami"
    )

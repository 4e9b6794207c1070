"""The install pipeline's registry clients: one per registry however it is spelled, all closed."""

from __future__ import annotations

import httpx
import pytest

from client.api.client import RegistryClient
from client.install.sources import ClientFactory, registry_key
from client.names import parse_app_id


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json={"user": "me"}))


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://Registry.Example.com/", "https://registry.example.com"),
        ("https://registry.example.com:443", "https://registry.example.com"),
        ("http://registry.example.com:80/", "http://registry.example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTP://[::1]:80/", "http://[::1]"),
        ("https://example.com/Reg/", "https://example.com/Reg"),  # paths keep their case
    ],
)
def test_registry_key(url: str, key: str) -> None:
    assert registry_key(url) == key


def test_a_registry_client_closes_its_http_client_as_a_context_manager() -> None:
    with RegistryClient("https://r.test", http=httpx.Client(transport=transport())) as client:
        assert client.whoami() == {"user": "me"}
        assert not client.http.is_closed
    assert client.http.is_closed


def test_the_factory_shares_one_client_per_registry_and_closes_them_all() -> None:
    made: list[RegistryClient] = []

    def make(url: str) -> RegistryClient:
        made.append(RegistryClient(url, http=httpx.Client(transport=transport())))
        return made[-1]

    urls = {"a": "https://A.test/", "b": "https://b.test"}
    with ClientFactory(lambda app: urls[app.namespace], make) as clients:
        first = clients.client(clients.registry_for(parse_app_id("a/x")))
        assert clients.client("https://a.test") is first
        clients.client(clients.registry_for(parse_app_id("b/y")))
        assert [c.base_url for c in made] == ["https://A.test", "https://b.test"]
    assert all(c.http.is_closed for c in made)

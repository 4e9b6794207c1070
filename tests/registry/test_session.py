"""``postgres_connect_args``: SSL negotiation is skipped only for asyncpg on loopback hosts."""

from __future__ import annotations

import pytest

from registry.db.connect import postgres_connect_args


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1:5432/test", {"ssl": False}),
        ("postgresql+asyncpg://postgres@localhost/test", {"ssl": False}),
        ("postgresql+asyncpg://postgres@[::1]:5432/test", {"ssl": False}),
        ("postgresql+asyncpg://postgres@db.example.com/test", {}),
        ("postgresql+asyncpg://postgres@127.0.0.1/test?ssl=require", {}),
        ("postgresql+asyncpg://postgres@127.0.0.1/test?sslmode=verify-full", {}),
        ("postgresql+psycopg://postgres@127.0.0.1/test", {}),
        ("sqlite+aiosqlite:///registry.db", {}),
    ],
)
def test_ssl_is_only_switched_off_for_loopback_asyncpg(
    url: str, expected: dict[str, object]
) -> None:
    args = postgres_connect_args(url)
    assert {key: value for key, value in args.items() if key == "ssl"} == expected
    # asyncpg always gets a connect timeout (registry.db.connect), nothing else does.
    assert ("timeout" in args) == url.startswith("postgresql+asyncpg")

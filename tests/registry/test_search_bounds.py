"""Search's bounded plans: relevance over a bounded candidate set (PostgreSQL), tie order.

The candidate bound is lowered to 3 so that a handful of apps crosses it; the statement is the
one a 100,000-app registry runs with the real bound.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from test_search_api import APPS, names, publish_all, search, walk_pages

from registry.search import query as search_module

# app -> template downloads; the other apps keep 0
DOWNLOADS = {
    "gamma/cron-job": 4,
    "delta/alerts": 3,
    "gamma/image-resizer": 2,
    "beta/queue-worker": 1,
}
BOUND = 3


async def download(app: Starlette, api: httpx.AsyncClient) -> None:
    for application, count in DOWNLOADS.items():
        for _ in range(count):
            response = await api.get(f"/v1/apps/{application}/versions/1.0.0/template")
            assert response.status_code == 200
    await app.state.registry.downloads.flush()


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "RELEVANCE_CANDIDATES", BOUND)


def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.mark.usefixtures("bounded")
async def test_relevance_ranks_the_most_downloaded_matches(
    app: Starlette, api: httpx.AsyncClient, publish: Callable[..., Any], database_url: str
) -> None:
    await publish_all(publish)
    await download(app, api)
    every_match = names(await search(api, "q=s&sort=downloads&limit=100"))
    assert len(every_match) > BOUND + 1
    ranked = names(await search(api, "q=s&limit=100"))
    if is_postgres(database_url):
        assert set(ranked) == {"gamma/cron-job", "delta/alerts", "gamma/image-resizer"}
    else:  # SQLite's FTS5 ranks every match
        assert sorted(ranked) == sorted(every_match)
    for limit in (1, 2, 3):
        seen, pages = await walk_pages(api, "q=s", limit)
        assert seen == ranked, limit  # no row repeated or skipped across the bound
        assert pages == -(-len(ranked) // limit), limit


@pytest.mark.usefixtures("bounded")
async def test_private_apps_neither_leak_nor_use_up_the_bound(
    app: Starlette,
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    database_url: str,
) -> None:
    await publish_all(publish)
    await download(app, api)
    patched = await api.patch(
        "/v1/apps/gamma/cron-job",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patched.status_code == 200
    anonymous = names(await search(api, "q=s&limit=100"))
    assert "gamma/cron-job" not in anonymous
    admin = names(await search(api, "q=s&limit=100", Authorization=f"Bearer {admin_token}"))
    assert "gamma/cron-job" in admin
    if is_postgres(database_url):
        # The bound counts readable matches only: the next most downloaded one moves in.
        assert set(anonymous) == {"delta/alerts", "gamma/image-resizer", "beta/queue-worker"}
        assert set(admin) == {"gamma/cron-job", "delta/alerts", "gamma/image-resizer"}
    seen, _ = await walk_pages(api, "q=s", 1)
    assert seen == anonymous


async def test_descending_sorts_break_ties_newest_first(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)  # no downloads: every app ties at 0
    published = [f"{ns}/{name}" for ns, name, *_ in APPS]
    assert names(await search(api, "sort=downloads&limit=100")) == published[::-1]
    seen, _ = await walk_pages(api, "sort=downloads", 2)
    assert seen == published[::-1]


async def test_filters_apply_before_the_bound(
    app: Starlette, api: httpx.AsyncClient, publish: Callable[..., Any], bounded: None
) -> None:
    await publish_all(publish)
    await download(app, api)
    # beta/queue-worker is the 4th most downloaded match: outside the bound unfiltered, but a
    # filter narrows the matches before the bound is taken.
    assert names(await search(api, "q=s&namespace=beta")) == ["beta/queue-worker"]
    assert names(await search(api, "q=s&label=sqs")) == ["beta/queue-worker"]


@pytest.mark.parametrize("walk", [(1, 1), (2, 3)])
async def test_the_walk_window_never_changes_results(
    app: Starlette,
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    walk: tuple[int, int],
) -> None:
    await publish_all(publish)
    await download(app, api)
    queries = [f"q={q}&sort={s}" for q in ("s", "twitter", "a") for s in SORTED_BY_KEY]
    queries += ["q=s", "q=twitter", "q=social"]
    expected = {query: await walk_pages(api, query, 2) for query in queries}
    # A window of a row or two: the matches are found past the walk, by the GIN branch.
    monkeypatch.setattr(search_module, "WALK_FACTOR", walk[0])
    monkeypatch.setattr(search_module, "MIN_WALK", walk[1])
    for query in queries:
        assert await walk_pages(api, query, 2) == expected[query], query
        assert names(await search(api, f"{query}&limit=100")) == expected[query][0], query


SORTED_BY_KEY = ("downloads", "updated", "name")


async def test_built_statements_are_kept_per_principal(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await publish_all(publish)
    patched = await api.patch(
        "/v1/apps/alpha/twitter-source",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patched.status_code == 200
    member = publish_token_factory("alpha", scope="read", user="alpha-reader")
    # The member's statement is built first; the anonymous caller must not be handed it.
    for query in ("q=twitter", "sort=updated", "q=t&sort=downloads"):
        assert "alpha/twitter-source" in names(
            await search(api, query, Authorization=f"Bearer {member}")
        )
        assert "alpha/twitter-source" not in names(await search(api, query))
    monkeypatch.setattr(search_module, "MAX_BUILT", 2)
    for limit in (1, 2, 3):
        await search(api, f"q=twitter&limit={limit}")
        assert len(search_module._BUILT) <= 2

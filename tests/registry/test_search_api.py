"""``GET /v1/apps``: ranking, filters, visibility and keyset pagination on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from starlette.applications import Starlette

from registry.app import create_app
from registry.openapi.document import schema_for
from registry.search.query import terms_of
from registry.settings import Settings

TEMPLATE = json.dumps(
    {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
)

# (namespace, name, description, labels, author, readme)
APPS = [
    ("alpha", "twitter-source", "Streams tweets", ["social"], "Alice", "Polls an API."),
    ("beta", "feed-reader", "Reads RSS feeds", ["rss"], "Bob", "Works well with twitter feeds."),
    ("beta", "queue-worker", "Processes SQS messages", ["sqs", "social"], "Carol", None),
    ("gamma", "image-resizer", "Resizes S3 images", ["s3"], "Dan", "Thumbnails."),
    ("gamma", "cron-job", "Runs a Lambda on a schedule", [], "Eve", None),
    ("delta", "Mixed-Case", "Café naïve résumé", ["unicode"], "Zoë", None),
    ("delta", "alerts", "Sends alerts to Slack", ["slack", "social"], "Fay", None),
]


async def publish_all(publish: Callable[..., Any]) -> None:
    for ns, name, description, labels, author, readme in APPS:
        metadata = {"description": description, "labels": labels, "author": author}
        response = await publish(ns, name, "1.0.0", TEMPLATE, metadata=metadata, readme=readme)
        assert response.status_code == 201, response.text


async def search(api: httpx.AsyncClient, query: str = "", **headers: str) -> dict[str, Any]:
    response = await api.get(f"/v1/apps?{query}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    jsonschema.validate(body, schema_for("SearchResults"))
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [r["application"] for r in body["results"]]


async def test_name_match_outranks_readme_match(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    assert names(await search(api, "q=twitter")) == ["alpha/twitter-source", "beta/feed-reader"]


async def test_matches_description_labels_author_and_prefixes(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    assert names(await search(api, "q=schedule")) == ["gamma/cron-job"]
    assert names(await search(api, "q=carol")) == ["beta/queue-worker"]
    assert names(await search(api, "q=resiz")) == ["gamma/image-resizer"]  # prefix
    assert names(await search(api, "q=rss+feeds")) == ["beta/feed-reader"]  # all terms
    assert names(await search(api, "q=CAFÉ")) == ["delta/Mixed-Case"]  # case folded
    assert (await search(api, "q=nothing-like-this"))["results"] == []


async def test_only_the_last_word_is_a_prefix(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    assert names(await search(api, "q=rss+fee")) == ["beta/feed-reader"]
    assert names(await search(api, "q=twitter+sour")) == ["alpha/twitter-source"]
    # Earlier words are complete: "rs" and "twit" are no words of any app.
    assert (await search(api, "q=rs+feeds"))["results"] == []
    assert (await search(api, "q=twit+source"))["results"] == []


async def test_summary_shape(api: httpx.AsyncClient, publish: Callable[..., Any]) -> None:
    await publish_all(publish)
    metadata = {"description": "Streams tweets", "labels": ["social"]}
    await publish("alpha", "twitter-source", "1.1.0", TEMPLATE, metadata=metadata)
    [hit] = (await search(api, "q=twitter-source"))["results"]
    assert hit["application"] == "alpha/twitter-source"
    assert hit["latest_version"] == "1.1.0"
    assert (hit["description"], hit["labels"], hit["downloads"]) == (
        "Streams tweets",
        ["social"],
        0,
    )


async def test_filters(api: httpx.AsyncClient, publish: Callable[..., Any]) -> None:
    await publish_all(publish)
    social = await search(api, "label=social&sort=name")
    assert names(social) == ["alpha/twitter-source", "beta/queue-worker", "delta/alerts"]
    assert names(await search(api, "label=social&label=sqs")) == ["beta/queue-worker"]
    assert names(await search(api, "namespace=beta&sort=name")) == [
        "beta/feed-reader",
        "beta/queue-worker",
    ]
    assert names(await search(api, "namespace=beta&q=twitter")) == ["beta/feed-reader"]


async def test_empty_query_lists_everything(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    assert len((await search(api, "q=&limit=100"))["results"]) == len(APPS)
    assert len((await search(api))["results"]) == len(APPS)


async def test_downloads_order(
    app: Starlette, api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    for _ in range(3):
        await api.get("/v1/apps/gamma/cron-job/versions/1.0.0/template")
    await api.get("/v1/apps/delta/alerts/versions/1.0.0/template")
    await app.state.registry.downloads.flush()
    assert names(await search(api, "limit=2")) == ["gamma/cron-job", "delta/alerts"]


async def walk_pages(api: httpx.AsyncClient, query: str, limit: int) -> tuple[list[str], int]:
    """Every result of ``query`` following ``next_cursor``; and how many pages that took."""
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while pages == 0 or cursor is not None:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = await search(api, f"{query}&limit={limit}{suffix}")
        seen += names(page)
        cursor = page["next_cursor"]
        pages += 1
    return seen, pages


async def test_pages_neither_repeat_nor_skip(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    # "q=s" (a prefix most apps match) pages by relevance.
    for query in ("sort=name", "sort=downloads", "sort=updated", "q=s"):
        everything = names(await search(api, f"{query}&limit=100"))
        assert len(everything) >= 5, query
        for limit in (1, 2, 3):
            seen, pages = await walk_pages(api, query, limit)
            assert seen == everything, (query, limit)
            assert pages == -(-len(everything) // limit), (query, limit)


async def test_name_sort_is_alphabetical(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    # A locale collation would ignore the '-' and put feedback first; we sort by bytes.
    assert (await publish("beta", "feedback", "1.0.0", TEMPLATE)).status_code == 201
    listed = names(await search(api, "sort=name&limit=100"))
    assert listed == sorted(listed, key=str.lower)
    assert listed.index("beta/feed-reader") < listed.index("beta/feedback")


async def test_private_apps_only_for_those_who_may_read_them(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    publish_token_factory: Callable[..., str],
) -> None:
    await publish_all(publish)
    patched = await api.patch(
        "/v1/apps/alpha/twitter-source",
        json={"visibility": "private"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert patched.status_code == 200
    assert names(await search(api, "q=twitter")) == ["beta/feed-reader"]
    assert "alpha/twitter-source" not in names(await search(api, "limit=100"))
    stranger = publish_token_factory("beta", scope="read")
    assert names(await search(api, "q=twitter", Authorization=f"Bearer {stranger}")) == [
        "beta/feed-reader"
    ]
    member = publish_token_factory("alpha", scope="read", user="alpha-reader")
    assert "alpha/twitter-source" in names(
        await search(api, "q=twitter", Authorization=f"Bearer {member}")
    )
    assert "alpha/twitter-source" in names(
        await search(api, "q=twitter", Authorization=f"Bearer {admin_token}")
    )


FTS_SYNTAX = [
    '"',
    '"twitter',
    "twitter*",
    "*",
    "NEAR(twitter feed)",
    "twitter NOT feed",
    "-twitter",
    "twitter OR",
    "a:b",
    "name:twitter",
    "!twitter & | <->",
    "(",
    "'",
    "\\",
    "%00",
    "🐍",
]


async def test_fts_syntax_in_q_never_breaks_search(
    api: httpx.AsyncClient, publish: Callable[..., Any]
) -> None:
    await publish_all(publish)
    for q in FTS_SYNTAX:
        response = await api.get("/v1/apps", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        if terms_of(q) == ("twitter",):  # punctuation is only a separator
            assert "alpha/twitter-source" in names(response.json()), q


BAD_PARAMETERS = [
    ("limit=0", "invalid_query"),
    ("limit=1000", "invalid_query"),
    ("sort=stars", "invalid_query"),
    ("namespace=Not_Valid", "invalid_query"),
    ("page=2", "invalid_query"),
    ("cursor=garbage", "invalid_cursor"),
    ("cursor=WyJuYW1lIiwiYSIsMV0&sort=downloads", "invalid_cursor"),  # made for sort=name
]


async def test_bad_parameters_are_400(api: httpx.AsyncClient) -> None:
    for query, code in BAD_PARAMETERS:
        response = await api.get(f"/v1/apps?{query}")
        assert response.status_code == 400, query
        jsonschema.validate(response.json(), schema_for("Error"))
        assert response.json()["error"]["code"] == code, query


async def test_feature_reads_need_a_token_when_anonymous_reads_are_off(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "d", anonymous_read=False)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            resolve_body = {"requests": [{"application": "acme/x", "range": "1"}]}
            for response in (
                await client.get("/v1/apps"),
                await client.post("/v1/resolve", json=resolve_body),
                await client.get("/v1/apps/acme/x/dependents"),
            ):
                assert response.status_code == 401
                assert response.json()["error"]["code"] == "authentication_required"

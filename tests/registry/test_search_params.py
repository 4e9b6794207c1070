"""Search parameter parsing, FTS query building and cursors (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import QueryParams

from registry.errors import ApiError
from registry.search.params import MAX_LIMIT, decode_cursor, encode_cursor, parse_query
from registry.search.query import fts5_query, terms_of, tsquery


def test_defaults_list_everything_by_downloads() -> None:
    query = parse_query(QueryParams(""))
    assert (query.terms, query.sort, query.limit, query.after) == ((), "downloads", 20, None)


def test_q_defaults_to_relevance_and_relevance_without_q_falls_back() -> None:
    assert parse_query(QueryParams("q=twitter")).sort == "relevance"
    assert parse_query(QueryParams("sort=relevance")).sort == "downloads"
    assert parse_query(QueryParams("q=x&sort=name")).sort == "name"


def test_filters() -> None:
    query = parse_query(QueryParams("label=a&label=b&namespace=Acme&limit=100"))
    assert query.labels == ("a", "b")
    assert query.namespace == "acme"
    assert query.limit == MAX_LIMIT


@pytest.mark.parametrize(
    "text",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=ten",
        "sort=random",
        "namespace=-bad-",
        "q=a&q=b",
        "label=",
        "colour=red",
        "q=" + "x" * 257,
    ],
)
def test_bad_parameters_are_invalid_query(text: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_query(QueryParams(text))
    assert (caught.value.status, caught.value.code) == (400, "invalid_query")


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ('"unbalanced', ("unbalanced",)),
        ("twitter NEAR(event source)", ("twitter", "near", "event", "source")),
        ("-foo* bar:*", ("foo", "bar")),
        ("a & b | !c <-> d", ("a", "b", "c", "d")),
        ("snake_case", ("snake", "case")),
        ("Ünïcode", ("ünïcode",)),
        ("***", ()),
    ],
)
def test_user_text_never_reaches_fts_syntax(q: str, terms: tuple[str, ...]) -> None:
    assert terms_of(q) == terms


def test_fts_queries_quote_every_term_and_prefix_the_last() -> None:
    assert fts5_query(("near", "x")) == '"near" "x"*'
    assert tsquery(("near", "x")) == "near & x:*"
    assert (fts5_query(("x",)), tsquery(("x",))) == ('"x"*', "x:*")
    assert (fts5_query(()), tsquery(())) == ("", "")


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("downloads", 42),
        ("relevance", -1.2345678901234567),
        ("name", "acme/thing"),
        ("updated", datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)),
        ("updated", datetime(2026, 1, 2, 3, 4, 5)),
    ],
)
def test_cursor_round_trips_exactly(sort: str, key: object) -> None:
    cursor = encode_cursor(sort, key, 7)
    assert decode_cursor(cursor, sort) == (key, 7)
    params = parse_query(QueryParams({"cursor": cursor, "sort": sort, "q": "x"}))
    assert params.after == (key, 7)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "e30",  # {}
        encode_cursor("name", "acme/x", 1),  # made for another sort
        encode_cursor("downloads", "many", 1),
        encode_cursor("downloads", 3, "1"),  # type: ignore[arg-type]
        encode_cursor("downloads", True, 1),
    ],
)
def test_bad_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode_cursor(cursor, "downloads")
    assert (caught.value.status, caught.value.code) == (400, "invalid_cursor")

"""The pure side of ``/sar``: ids, credentials, raw paths, pages and error shapes."""

from __future__ import annotations

import pytest

from registry.errors import Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable
from registry.sar.shapes import (
    ArnId,
    PlainId,
    SarError,
    arn_of,
    caller_of,
    decode_token,
    encode_token,
    error_document,
    from_api_error,
    max_items,
    namespace_id_of,
    parse_application_id,
    path_segments,
)

SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=acme/20261203/eu-west-1/serverlessrepo/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_ids_round_trip_and_accounts_are_twelve_digits():
    arn = arn_of("us-east-1", 7, "app")
    assert arn == "arn:nestry:serverlessrepo:us-east-1:000000000007:applications/app"
    parsed = parse_application_id(arn)
    assert parsed == ArnId("nestry", "us-east-1", "000000000007", "app")
    assert str(parsed) == arn
    assert namespace_id_of(parsed.account) == 7
    assert namespace_id_of("999999999999") is None  # past any namespace id: no query at all
    assert parse_application_id("acme/App") == PlainId("acme", "App")


@pytest.mark.parametrize(
    "text",
    [
        "acme",
        "host.example.com/acme/app",  # ids of other registries are not ours to serve
        "arn:aws:serverlessrepo:us-east-1:123:applications/short-account",
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "x" * 5000,
    ],
)
def test_bad_ids_are_bad_requests(text):
    with pytest.raises(SarError) as refused:
        parse_application_id(text)
    assert refused.value.status == 400
    assert len(refused.value.message) < 400  # the input is cut, never echoed whole


def test_credentials_give_access_key_and_region():
    assert (caller_of(SIGV4).access_key, caller_of(SIGV4).region) == ("acme", "eu-west-1")
    assert (caller_of(None).access_key, caller_of("Bearer x").region) == (None, "us-east-1")


def test_raw_paths_keep_encoded_slashes_inside_segments():
    raw = b"/sar/applications/arn%3Aaws%3Aserverlessrepo%3A%3A1%3Aapplications%2Fa/versions?x=1"
    assert path_segments(raw, "/sar") == [
        "applications",
        "arn:aws:serverlessrepo::1:applications/a",
        "versions",
    ]
    with pytest.raises(SarError):
        path_segments(b"/sar/applications/%FF", "/sar")


def test_pages():
    assert decode_token(encode_token(["acme", "app"]), 2) == ["acme", "app"]
    assert decode_token(None, 1) is None
    for bad, length in (
        ("not-base64!", 1),
        (encode_token(["a"]), 2),  # another position's shape
        (encode_token([10**12]), 1),  # numbers stay within the ids' range
        ("e30=", 1),  # {}
    ):
        with pytest.raises(SarError):
            decode_token(bad, length)
    assert max_items(None) == 100 and max_items("5") == 5
    for bad in ("0", "101", "-1", "x"):
        with pytest.raises(SarError):
            max_items(bad)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Unauthorized("x", "m"), 403, "ForbiddenException"),
        (Forbidden("x", "m"), 403, "ForbiddenException"),
        (NotFound("x", "m"), 404, "NotFoundException"),
        (Unprocessable("x", "m"), 400, "BadRequestException"),
        (TooManyRequests("x", "m", headers={"Retry-After": "5"}), 429, "TooManyRequestsException"),
    ],
)
def test_registry_errors_in_sars_shape(error, status, code):
    answer_status, body, headers = error_document(from_api_error(error))
    assert (answer_status, body, headers["x-amzn-ErrorType"]) == (
        status,
        {"errorCode": code, "message": "m"},
        code,
    )
    assert headers.get("Retry-After") == error.headers.get("Retry-After")

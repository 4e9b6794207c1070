"""Application ids, namespaces, names and strict versions (DESIGN §1)."""

from __future__ import annotations

import dataclasses

import pytest
import semver

from client.errors import InvalidNameError, InvalidVersionError
from client.names import (
    AppId,
    canonical_app,
    is_sar_arn,
    parse_app_id,
    parse_version,
    validate_app_name,
    validate_namespace,
)

VALID_IDS = [
    # text, namespace, name, registry, canonical, str()
    ("acme/app", "acme", "app", None, "acme/app", "acme/app"),
    ("acme/TwitterEventSource", "acme", "TwitterEventSource", None,
     "acme/twittereventsource", "acme/TwitterEventSource"),
    ("a/b", "a", "b", None, "a/b", "a/b"),
    ("0/0", "0", "0", None, "0/0", "0/0"),
    ("my-team-2/my-app-v2", "my-team-2", "my-app-v2", None,
     "my-team-2/my-app-v2", "my-team-2/my-app-v2"),
    ("a" * 39 + "/" + "N" * 140, "a" * 39, "N" * 140, None,
     "a" * 39 + "/" + "n" * 140, "a" * 39 + "/" + "N" * 140),
    ("acme/-app-", "acme", "-app-", None, "acme/-app-", "acme/-app-"),
    ("registry.example.com/acme/App", "acme", "App", "registry.example.com",
     "acme/app", "registry.example.com/acme/App"),
    ("localhost:8000/acme/app", "acme", "app", "localhost:8000",
     "acme/app", "localhost:8000/acme/app"),
    ("127.0.0.1:8000/acme/app", "acme", "app", "127.0.0.1:8000",
     "acme/app", "127.0.0.1:8000/acme/app"),
    ("[::1]:8000/acme/app", "acme", "app", "[::1]:8000", "acme/app", "[::1]:8000/acme/app"),
    # ASCII case-insensitive for namespace and name alike (issues #13, #14)
    ("Casalboni/AWS-Lambda-Power-Tuning", "Casalboni", "AWS-Lambda-Power-Tuning", None,
     "casalboni/aws-lambda-power-tuning", "Casalboni/AWS-Lambda-Power-Tuning"),
    ("registry.example.com/Acme/app", "Acme", "app", "registry.example.com",
     "acme/app", "registry.example.com/Acme/app"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "namespace", "name", "registry", "canonical", "shown"), VALID_IDS)
def test_valid_app_ids(
    text: str, namespace: str, name: str, registry: str | None, canonical: str, shown: str
) -> None:
    app = parse_app_id(text)
    assert app == AppId(namespace, name, registry)
    assert app.canonical == canonical
    assert app.display == f"{namespace}/{name}"
    assert str(app) == shown == text


# text, the part the error message must name
INVALID_IDS = [
    ("", "application id"),
    ("acme", "application id"),
    ("acme/", "application name"),
    ("/app", "namespace"),
    ("acme/app/", "application id"),
    ("acme/app/extra", "application id"),
    ("localhost/acme/app", "application id"),  # a host needs a '.' or ':'
    ("\u212acme/app", "namespace"),  # the Kelvin sign: lowercases to an ASCII k, still refused
    ("acme/\u212aelvin", "application name"),
    ("\uff41cme/app", "namespace"),  # fullwidth a (NFKC folds it to a)
    ("-acme/app", "namespace"),
    ("acme-/app", "namespace"),
    ("ac_me/app", "namespace"),
    ("ac.me/app", "namespace"),
    ("a" * 40 + "/app", "namespace"),
    ("acme/" + "n" * 141, "application name"),
    ("acme/my_app", "application name"),
    ("acme/my.app", "application name"),
    ("acme/my app", "application name"),
    ("acme/app\n", "application name"),
    ("acme/\u00e4pp", "application name"),
    (" acme/app", "namespace"),
    ("registry..example.com/acme/app", "registry host"),
    ("::1/acme/app", "registry host"),
    ("https://registry.example.com/acme/app", "application id"),
    ("registry.example.com/app", "namespace"),
    ("arn:aws:serverlessrepo:us-east-1:123456789012:applications/app", "ARN"),
    ("acme/" + "a" * 600, "longer than"),
]


@pytest.mark.parametrize(("text", "part"), INVALID_IDS)
def test_invalid_app_ids_name_the_bad_part(text: str, part: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        parse_app_id(text)
    assert part in str(info.value)
    assert info.value.code == "invalid_name"
    assert info.value.hint


@pytest.mark.parametrize("text", [None, 1, b"acme/app"])
def test_non_string_app_id_is_refused(text: object) -> None:
    with pytest.raises(InvalidNameError):
        parse_app_id(text)  # type: ignore[arg-type]


def test_app_id_is_a_frozen_value_that_validates_itself() -> None:
    app = AppId("acme", "App")
    with pytest.raises(dataclasses.FrozenInstanceError):
        app.name = "other"  # type: ignore[misc]
    assert {app, AppId("acme", "App")} == {app}
    assert AppId("acme", "App") != AppId("acme", "app")  # display differs...
    assert AppId("acme", "App").canonical == AppId("acme", "app").canonical  # ...identity not
    assert AppId("Acme", "app").canonical == "acme/app"
    with pytest.raises(InvalidNameError):
        AppId("acme", "app", registry="not a host")


@pytest.mark.parametrize(
    ("namespace", "name", "canonical"),
    [
        ("acme", "app", ("acme", "app")),
        ("ACME", "App", ("acme", "app")),
        ("Casalboni", "AWS-Lambda-Power-Tuning", ("casalboni", "aws-lambda-power-tuning")),
    ],
)
def test_canonical_app_folds_ascii_case_only(
    namespace: str, name: str, canonical: tuple[str, str]
) -> None:
    assert canonical_app(namespace, name) == canonical


@pytest.mark.parametrize(
    ("namespace", "name"),
    [("acme", "\u212aelvin"), ("\u212acme", "app"), ("acme", "k\u0131n"), ("acme", "stra\u00dfe")],
)
def test_canonical_app_refuses_what_unicode_folding_would_map_to_ascii(
    namespace: str, name: str
) -> None:
    with pytest.raises(InvalidNameError):
        canonical_app(namespace, name)


@pytest.mark.parametrize("text", ["a", "acme", "a-b", "a1", "1a", "0", "a" * 39, "A", "Acme"])
def test_valid_namespaces(text: str) -> None:
    assert validate_namespace(text) == text


@pytest.mark.parametrize("text", ["", "-", "-a", "a-", "\u212a", "a_b", "a.b", "a b", "a" * 40])
def test_invalid_namespaces(text: str) -> None:
    with pytest.raises(InvalidNameError, match="namespace"):
        validate_namespace(text)


@pytest.mark.parametrize("text", ["a", "A", "-", "my-App-2", "x" * 140])
def test_valid_app_names(text: str) -> None:
    assert validate_app_name(text) == text


@pytest.mark.parametrize("text", ["", "a_b", "a.b", "a/b", "a b", "x" * 141])
def test_invalid_app_names(text: str) -> None:
    with pytest.raises(InvalidNameError, match="application name"):
        validate_app_name(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arn:aws:serverlessrepo:us-east-1:077246666028:applications/hello-world", True),
        ("arn:aws-cn:serverlessrepo:cn-north-1:123456789012:applications/app", True),
        ("arn:aws-us-gov:serverlessrepo:us-gov-west-1:123456789012:applications/app", True),
        ("arn:nestry:serverlessrepo:us-east-1:000000000001:applications/app", True),  # /sar's
        ("arn:aws:lambda:us-east-1:123456789012:function:f", False),
        ("acme/app", False),
        ("", False),
        (" arn:aws:serverlessrepo:us-east-1:1:applications/a", False),
    ],
)
def test_is_sar_arn(text: str, expected: bool) -> None:
    assert is_sar_arn(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.0.0", semver.Version(0, 0, 0)),
        ("1.2.3", semver.Version(1, 2, 3)),
        ("10.20.30", semver.Version(10, 20, 30)),
        ("1.0.0-alpha.1", semver.Version(1, 0, 0, "alpha.1")),
        ("1.0.0-0.3.7", semver.Version(1, 0, 0, "0.3.7")),
        ("1.0.0-x-y-z.--", semver.Version(1, 0, 0, "x-y-z.--")),
        ("1.0.0+20130313144700", semver.Version(1, 0, 0, None, "20130313144700")),
        ("1.0.0-beta+exp.sha.5114f85", semver.Version(1, 0, 0, "beta", "exp.sha.5114f85")),
        ("1.0.0+001", semver.Version(1, 0, 0, None, "001")),  # leading zeros fine in build
        ("9007199254740991.0.0", semver.Version(2**53 - 1, 0, 0)),
    ],
)
def test_valid_versions(text: str, expected: semver.Version) -> None:
    parsed = parse_version(text)
    assert parsed == expected
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "1.0",
        "v1.2.3",
        "=1.2.3",
        " 1.2.3",
        "1.2.3 ",
        "1.2.3\n",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-01",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3.4",
        "1.2.3-a_b",
        "-1.2.3",
        "1.2.\u0663",
        "\uff11.2.3",
        "^1.2.3",
        "latest",
        "9007199254740992.0.0",
        "1.9007199254740992.0",
        "1.2.3-9007199254740991",
        "1.2.3-" + "a" * 300,
    ],
)
def test_invalid_versions(text: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        parse_version(text)
    assert info.value.code == "invalid_version"


def test_non_string_version_is_refused() -> None:
    with pytest.raises(InvalidVersionError, match="must be a string"):
        parse_version(semver.Version(1, 2, 3))  # type: ignore[arg-type]

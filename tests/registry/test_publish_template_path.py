"""A version's ``template_path`` is stored normalised and is part of what makes it immutable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from registry_samples import tar_gz, template

BUNDLE = tar_gz({"sub/dir/template.yaml": b"x", "sub/src/app.py": b"print(1)"})


async def stored_path(api: httpx.AsyncClient, app: str, version: str = "1.0.0") -> Any:
    response = await api.get(f"/v1/apps/{app}/versions/{version}")
    assert response.status_code == 200, response.text
    return response.json()["template_path"]


async def test_the_normalised_path_is_stored(api: httpx.AsyncClient, publish: Any) -> None:
    extra = {"template_path": "./sub/x/../dir//template.yaml"}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=extra)
    assert response.status_code == 201, response.text
    assert await stored_path(api, "acme/demo") == "sub/dir/template.yaml"


async def test_an_empty_template_path_means_the_bundle_root(
    api: httpx.AsyncClient, publish: Any
) -> None:
    extra = {"template_path": ""}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=extra)
    assert response.status_code == 201, response.text
    assert await stored_path(api, "acme/demo") is None


async def test_a_retry_with_the_same_normalised_path_is_idempotent(
    api: httpx.AsyncClient, publish: Any
) -> None:
    first = {"template_path": "sub/dir/template.yaml"}
    again = {"template_path": "sub/./dir/template.yaml"}
    assert (
        await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=first)
    ).status_code == 201
    retry = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=again)
    assert retry.status_code == 200, retry.text


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"template_path": "sub/dir/template.yaml"}, {"template_path": "sub/template.yaml"}),
        ({"template_path": "sub/dir/template.yaml"}, {}),
        ({}, {"template_path": "sub/dir/template.yaml"}),
    ],
    ids=["moved", "dropped", "added"],
)
async def test_the_same_bytes_at_another_place_are_a_different_version(
    api: httpx.AsyncClient, publish: Any, first: dict[str, str], again: dict[str, str]
) -> None:
    assert (
        await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=first)
    ).status_code == 201
    retry = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=again)
    assert retry.status_code == 409, retry.text
    assert retry.json()["error"]["code"] == "version_exists"
    assert await stored_path(api, "acme/demo") == first.get("template_path")


@pytest.mark.parametrize(
    "place", [".", "sub/", "sub\\template.yaml", "..", "../t.yaml", "/t.yaml", "a/../../t.yaml"]
)
async def test_a_path_install_could_not_place_is_refused(publish: Any, place: str) -> None:
    extra = {"template_path": place}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=extra)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_template_path"


async def test_a_name_that_merely_starts_with_two_dots_is_accepted(
    api: httpx.AsyncClient, publish: Any
) -> None:
    extra = {"template_path": "..sam/template.yaml"}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=extra)
    assert response.status_code == 201, response.text
    assert await stored_path(api, "acme/demo") == "..sam/template.yaml"


async def _refused_and_nothing_stored(
    publish: Any, stored: Any, bundle: bytes | None, place: str
) -> str:
    before = await stored()
    extra = {"template_path": place}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=bundle, extra=extra)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_template_path"
    assert await stored() == before
    return str(response.json()["error"]["message"])


async def test_a_template_path_without_a_bundle_is_refused(publish: Any, stored: Any) -> None:
    message = await _refused_and_nothing_stored(publish, stored, None, "sam/app/template.yaml")
    assert "'sam/app/template.yaml'" in message and "no bundle" in message


async def test_a_template_path_naming_a_bundle_directory_is_refused(
    publish: Any, stored: Any
) -> None:
    message = await _refused_and_nothing_stored(publish, stored, BUNDLE, "./sub/dir")
    assert "'sub/dir' is a directory" in message


async def test_a_template_path_naming_a_bundle_file_is_accepted(
    api: httpx.AsyncClient, publish: Any
) -> None:
    extra = {"template_path": "sub/dir/template.yaml"}
    response = await publish("acme", "demo", "1.0.0", template(), bundle=BUNDLE, extra=extra)
    assert response.status_code == 201, response.text
    assert await stored_path(api, "acme/demo") == "sub/dir/template.yaml"

"""Every user mistake on publish: a 4xx with a stable code, and nothing stored."""

from __future__ import annotations

import io
import tarfile

import pytest
from registry_samples import local_nested, nested, tar_gz, template


def _tar(add) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        add(archive)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, link: str = "") -> bytes:
    def add(archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type, info.size, info.linkname = kind, size, link
        archive.addfile(info, io.BytesIO(b"x" * size) if size else None)

    return _tar(add)


def _bomb() -> bytes:
    """64 MiB of zeros: compresses to ~64 KiB, over the test's 1 MiB unpacked cap."""

    def add(archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 64 * 1024 * 1024
        archive.addfile(info, _Zeros(info.size))

    return _tar(add)


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.left)
        buffer[:n] = b"\0" * n
        self.left -= n
        return n


CASES = {
    # name: (url ns, name, version, publish kwargs, status, code)
    "bad namespace": ("Acme_", "demo", "1.0.0", {}, 422, "invalid_name"),
    "bad name": ("acme", "de.mo", "1.0.0", {}, 422, "invalid_name"),
    "bad version": ("acme", "demo", "1.0", {}, 422, "invalid_version"),
    "version mismatch": (
        "acme",
        "demo",
        "1.0.0",
        {"template": template(version="2.0.0")},
        422,
        "version_mismatch",
    ),
    "metadata version mismatch": (
        "acme",
        "demo",
        "1.0.0",
        {"metadata": {"semantic_version": "1.0.1"}},
        422,
        "version_mismatch",
    ),
    "name mismatch": ("acme", "other", "1.0.0", {}, 422, "name_mismatch"),
    "not yaml": ("acme", "demo", "1.0.0", {"template": "a: [b"}, 422, "template_syntax"),
    "no resources": (
        "acme",
        "demo",
        "1.0.0",
        {"template": "AWSTemplateFormatVersion: '2010-09-09'\n"},
        422,
        "invalid_template",
    ),
    "not utf-8": ("acme", "demo", "1.0.0", {"template": b"\xff\xfe\x00"}, 422, "template_syntax"),
    "oversized template": (
        "acme",
        "demo",
        "1.0.0",
        {"template": template() + "#" * (1024 * 1024)},
        413,
        "template_too_large",
    ),
    "metadata not json": ("acme", "demo", "1.0.0", {"metadata": "{nope"}, 422, "invalid_metadata"),
    "metadata not object": ("acme", "demo", "1.0.0", {"metadata": "[1]"}, 422, "invalid_metadata"),
    "metadata unknown key": (
        "acme",
        "demo",
        "1.0.0",
        {"metadata": {"Colour": "red"}},
        422,
        "invalid_metadata",
    ),
    "unknown nested app": (
        "acme",
        "demo",
        "1.0.0",
        {"template": template(extra_resources=nested("Child", "acme/missing", "^1.0.0"))},
        422,
        "unknown_nested_app",
    ),
    "local reference without bundle": (
        "acme",
        "demo",
        "1.0.0",
        {"template": template(extra_resources=local_nested("Child", "child.yaml"))},
        422,
        "local_reference_without_bundle",
    ),
    "local reference outside bundle": (
        "acme",
        "demo",
        "1.0.0",
        {
            "template": template(extra_resources=local_nested("Child", "child.yaml")),
            "bundle": tar_gz({"other.yaml": b"x"}),
        },
        422,
        "local_reference_not_in_bundle",
    ),
    "bundle not gzip": ("acme", "demo", "1.0.0", {"bundle": b"PK\x03\x04"}, 422, "invalid_bundle"),
    "bundle truncated": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": tar_gz({"a": b"x" * 5000})[:40]},
        422,
        "invalid_bundle",
    ),
    "bundle absolute path": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("/etc/passwd", size=1)},
        422,
        "unsafe_bundle",
    ),
    "bundle dot-dot": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("a/../../x", size=1)},
        422,
        "unsafe_bundle",
    ),
    "bundle symlink": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("link", tarfile.SYMTYPE, link="/etc/passwd")},
        422,
        "unsafe_bundle",
    ),
    "bundle hard link": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("link", tarfile.LNKTYPE, link="a")},
        422,
        "unsafe_bundle",
    ),
    "bundle device": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("dev", tarfile.CHRTYPE)},
        422,
        "unsafe_bundle",
    ),
    "bundle fifo": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": _member("p", tarfile.FIFOTYPE)},
        422,
        "unsafe_bundle",
    ),
    "decompression bomb": ("acme", "demo", "1.0.0", {"bundle": _bomb()}, 413, "bundle_too_large"),
    "template path leaves bundle": (
        "acme",
        "demo",
        "1.0.0",
        {"bundle": tar_gz({"a": b"x"}), "extra": {"template_path": "../t.yaml"}},
        422,
        "invalid_template_path",
    ),
    "unknown multipart field": (
        "acme",
        "demo",
        "1.0.0",
        {"extra": {"colour": "red"}},
        422,
        "unknown_field",
    ),
    "no token": ("acme", "demo", "1.0.0", {"token": None}, 401, "authentication_required"),
    "bad token": ("acme", "demo", "1.0.0", {"token": "nst_nope"}, 401, "invalid_token"),
}


@pytest.fixture
def small_limits(settings):
    """Shrink the unpacked-bundle cap so the bomb test stays cheap."""
    object.__setattr__(settings, "max_unpacked_bytes", 1024 * 1024)
    return settings


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_refused_and_nothing_stored(case, small_limits, publish, stored):
    ns, name, version, kwargs, status, code = CASES[case]
    kwargs = dict(kwargs)
    body = kwargs.pop("template", template(name="demo"))
    response = await publish(ns, name, version, body, **kwargs)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    counts = await stored()
    assert (counts.apps, counts.versions, counts.dependencies, counts.blobs) == (0, 0, 0, 0)


async def test_too_many_bundle_files(settings, publish, stored):
    object.__setattr__(settings, "max_bundle_members", 3)
    bundle = tar_gz({f"f{i}": b"x" for i in range(4)})
    response = await publish("acme", "demo", "1.0.0", template(), bundle=bundle)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bundle_too_many_files"
    assert (await stored()).blobs == 0


async def test_wrong_content_type(api, admin_token, stored):
    response = await api.put(
        "/v1/apps/acme/demo/versions/1.0.0",
        content=template().encode(),
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/yaml"},
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert (await stored()).versions == 0


async def test_malformed_multipart(api, admin_token, stored):
    response = await api.put(
        "/v1/apps/acme/demo/versions/1.0.0",
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--xyz--\r\n",
        headers={
            "Authorization": f"Bearer {admin_token}",
            "Content-Type": "multipart/form-data; boundary=xyz",
        },
    )
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] in {"malformed_body", "missing_template"}
    assert (await stored()).versions == 0


async def test_missing_template_field(api, admin_token, stored):
    response = await api.put(
        "/v1/apps/acme/demo/versions/1.0.0",
        files={"readme": ("README.md", b"hi", "text/markdown")},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "missing_template"
    assert (await stored()).versions == 0


async def test_oversized_body(settings, publish, stored):
    object.__setattr__(settings, "max_bundle_bytes", 64 * 1024)
    response = await publish(
        "acme", "demo", "1.0.0", template(), bundle=b"\x1f\x8b" + b"x" * 5 * 1024 * 1024
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] in {"body_too_large", "bundle_too_large"}
    assert (await stored()).blobs == 0


async def test_nested_range_with_no_match(publish, stored):
    assert (await publish("acme", "child", "1.0.0", template(name="child"))).status_code == 201
    before = await stored()
    parent = template(extra_resources=nested("Child", "acme/child", "^2.0.0"))
    response = await publish("acme", "demo", "1.0.0", parent)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_matching_version"
    assert await stored() == before


async def test_unknown_route_and_method_are_json(api):
    missing = await api.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = await api.delete("/v1/apps/acme/demo/versions/1.0.0/template")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


async def test_readme_that_is_not_utf8(api, admin_token, stored):
    response = await api.put(
        "/v1/apps/acme/demo/versions/1.0.0",
        files={
            "template": ("template.yaml", template().encode(), "application/x-yaml"),
            "readme": ("README.md", b"\xff\xfe bad", "text/markdown"),
        },
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_readme"
    assert (await stored()).blobs == 0

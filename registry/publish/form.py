"""Read a publish request's multipart body into a ``PublishInput``, within size limits.

Fields: ``template`` (file or text, required), ``metadata`` (JSON object), ``readme``,
``license`` (UTF-8 text or file), ``bundle`` (tar.gz file), ``template_path`` (where the
template sits inside the bundle; default: the bundle root), ``tag`` (a dist-tag to point at
the new version instead of moving ``latest``, as ``npm publish --tag``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from client.ranges import is_dist_tag
from registry.errors import ApiError, PayloadTooLarge, Unprocessable
from registry.lifecycle.dist_tags import LATEST
from registry.publish.checks import PublishInput
from registry.publish.metadata import normalize
from registry.publish.shapes import MAX_TEMPLATE_PATH
from registry.serving.bodies import limited
from registry.settings import Settings

FIELDS = frozenset({"template", "metadata", "readme", "license", "bundle", "template_path", "tag"})


async def read_publish_form(request: Request, settings: Settings) -> PublishInput:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiError(
            "unsupported_media_type",
            f"publish takes multipart/form-data, not {content_type or 'no content type'}",
            status=415,
        )
    try:
        async with limited(request, settings.max_body_bytes).form(
            max_files=8, max_fields=16, max_part_size=settings.max_template_bytes
        ) as form:
            return await _to_input(form, settings)
    except HTTPException as exc:
        raise ApiError("malformed_body", f"the multipart body is malformed: {exc.detail}") from None


async def _to_input(form: FormData, settings: Settings) -> PublishInput:
    unknown = sorted(set(form.keys()) - FIELDS)
    if unknown:
        raise Unprocessable(
            "unknown_field",
            f"unknown multipart field(s) {', '.join(unknown)}; known: " + ", ".join(sorted(FIELDS)),
        )
    template = await _bytes(form, "template", settings.max_template_bytes, "template_too_large")
    if template is None:
        raise Unprocessable("missing_template", "the multipart field 'template' is required")
    bundle = await _bytes(form, "bundle", settings.max_bundle_bytes, "bundle_too_large")
    return PublishInput(
        template=template,
        metadata=normalize(_json(await _text(form, "metadata", settings.max_template_bytes))),
        readme=await _text(form, "readme", settings.max_template_bytes),
        license=await _text(form, "license", settings.max_template_bytes),
        bundle=bundle,
        template_path=await _text(form, "template_path", MAX_TEMPLATE_PATH),
        tag=_tag(await _text(form, "tag", 4096)),
    )


def _tag(text: str | None) -> str | None:
    """``latest``, empty or absent: the usual publish; another tag: ``latest`` stays put."""
    if not text or text == LATEST:
        return None
    if not is_dist_tag(text):
        raise Unprocessable(
            "invalid_tag",
            f"{text!r} is not a dist-tag name: start with a letter, and it must not be a range",
        )
    return text


async def _bytes(form: FormData, field: str, limit: int, code: str) -> bytes | None:
    value = form.get(field)
    if value is None:
        return None
    data = await value.read(limit + 1) if isinstance(value, UploadFile) else value.encode()
    if len(data) > limit:
        raise PayloadTooLarge(code, f"the {field} is larger than {limit} bytes")
    return data


async def _text(form: FormData, field: str, limit: int) -> str | None:
    data = await _bytes(form, field, limit, f"{field}_too_large")
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unprocessable(f"invalid_{field}", f"the {field} is not UTF-8 text") from None
    if "\x00" in text:  # PostgreSQL text cannot hold it, and no document needs it
        raise Unprocessable(f"invalid_{field}", f"the {field} contains a NUL character")
    return text


def _json(text: str | None) -> Any:
    if text is None or not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Unprocessable("invalid_metadata", f"metadata is not valid JSON: {exc}") from None

"""``/sar``: the AWS Serverless Application Repository API (botocore's ``serverlessrepo``
2017-09-08 model), so boto3, the AWS CLI, aws-sam-translator and ``sam publish`` talk to nestry.

One route takes every ``/sar/...`` request and dispatches on the **raw** path: the
``ApplicationId`` travels percent-encoded (``arn%3Aaws%3A...%2Fname``), and Starlette decodes
``%2F`` before routing. Identity: the session token (``X-Amz-Security-Token``) is the nestry
token, the SigV4 signature is not checked (no secret is shared), the access key id names the
namespace ``CreateApplication`` publishes in, the credential's region goes into the ARNs.
Every refusal, the registry's own included, is answered in SAR's shape (``registry.sar.shapes``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from client.errors import NestryError
from registry.auth.access import require_reader
from registry.auth.credentials import ANONYMOUS, Principal
from registry.errors import ApiError
from registry.orgs.audit import Who
from registry.sar import service
from registry.sar.shapes import (
    SarError,
    bad_request,
    caller_of,
    error_document,
    from_api_error,
    from_nestry_error,
    max_items,
    not_found,
    parse_application_id,
    path_segments,
)
from registry.serving.context import address_of, state_of, token_principal

PREFIX = "/sar"
log = logging.getLogger("registry")


async def _call(request: Request) -> service.Call:
    state = state_of(request)
    token = request.headers.get("x-amz-security-token")
    principal: Principal = ANONYMOUS
    if token:
        principal = await token_principal(request, token)
    require_reader(principal, anonymous_read=state.settings.anonymous_read)
    base = state.settings.public_url or str(request.base_url).rstrip("/")
    who = Who(principal.user, address_of(request))
    return service.Call(principal, caller_of(request.headers.get("authorization")), base, who)


async def _body(request: Request) -> dict[str, Any]:
    """The JSON body (an object; ``{}`` when empty), bounded by the template limit."""
    limit = 3 * state_of(request).settings.max_template_bytes + 64 * 1024
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise bad_request(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise bad_request("the body must be a JSON object")
    return value


Handler = Callable[[Request, service.Call, list[str]], Awaitable[Response]]


def _json(document: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(document, status_code=status)


async def _list_applications(request: Request, call: service.Call, _: list[str]) -> Response:
    query = request.query_params
    limit = max_items(query.get("maxItems"))
    document = await service.list_applications(
        state_of(request), call, limit, query.get("nextToken")
    )
    return _json(document)


async def _create_application(request: Request, call: service.Call, _: list[str]) -> Response:
    body = await _body(request)
    return _json(await service.create_application(state_of(request), call, body), 201)


async def _get_application(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref = parse_application_id(parts[0])
    wanted = request.query_params.get("semanticVersion")
    return _json(await service.get_application(state_of(request), call, ref, wanted))


async def _update_application(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref, body = parse_application_id(parts[0]), await _body(request)
    return _json(await service.update_application(state_of(request), call, ref, body))


async def _delete_application(request: Request, call: service.Call, parts: list[str]) -> Response:
    await service.delete_application(state_of(request), call, parse_application_id(parts[0]))
    return Response(status_code=204)


async def _list_versions(request: Request, call: service.Call, parts: list[str]) -> Response:
    query = request.query_params
    ref, limit = parse_application_id(parts[0]), max_items(query.get("maxItems"))
    document = await service.list_versions(
        state_of(request), call, ref, limit, query.get("nextToken")
    )
    return _json(document)


async def _create_version(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref, body = parse_application_id(parts[0]), await _body(request)
    document = await service.create_version(state_of(request), call, ref, parts[2], body)
    return _json(document, 201)


async def _create_template(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref, body = parse_application_id(parts[0]), await _body(request)
    wanted = body.get("semanticVersion")
    if wanted is not None and not isinstance(wanted, str):
        raise bad_request("SemanticVersion must be a string")
    return _json(await service.create_template(state_of(request), call, ref, wanted), 201)


async def _get_template(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref = parse_application_id(parts[0])
    return _json(await service.get_template(state_of(request), call, ref, parts[2]))


async def _change_set(request: Request, call: service.Call, parts: list[str]) -> Response:
    await _body(request)
    return _json(await service.change_set(state_of(request), call, parse_application_id(parts[0])))


async def _dependencies(request: Request, call: service.Call, parts: list[str]) -> Response:
    query = request.query_params
    ref, limit = parse_application_id(parts[0]), max_items(query.get("maxItems"))
    document = await service.list_dependencies(
        state_of(request),
        call,
        ref,
        query.get("semanticVersion"),
        limit,
        query.get("nextToken"),
    )
    return _json(document)


async def _get_policy(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref = parse_application_id(parts[0])
    return _json(await service.get_policy(state_of(request), call, ref))


async def _put_policy(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref, body = parse_application_id(parts[0]), await _body(request)
    return _json(await service.put_policy(state_of(request), call, ref, body))


async def _unshare(request: Request, call: service.Call, parts: list[str]) -> Response:
    ref, body = parse_application_id(parts[0]), await _body(request)
    await service.unshare(state_of(request), call, ref, body)
    return Response(status_code=204)


# (shape of the path after /sar/applications: number of segments, the sub-resource) -> methods
_OPERATIONS: dict[tuple[int, str | None], dict[str, Handler]] = {
    (0, None): {"GET": _list_applications, "POST": _create_application},
    (1, None): {
        "GET": _get_application,
        "PATCH": _update_application,
        "DELETE": _delete_application,
    },
    (2, "versions"): {"GET": _list_versions},
    (3, "versions"): {"PUT": _create_version},
    (2, "templates"): {"POST": _create_template},
    (3, "templates"): {"GET": _get_template},
    (2, "changesets"): {"POST": _change_set},
    (2, "dependencies"): {"GET": _dependencies},
    (2, "policy"): {"GET": _get_policy, "PUT": _put_policy},
    (2, "unshare"): {"POST": _unshare},
}


def _handler(method: str, segments: list[str]) -> Handler:
    if not segments or segments[0] != "applications" or len(segments) > 4:
        raise not_found("no such operation in the Serverless Application Repository API")
    parts = segments[1:]
    kind = parts[1] if len(parts) > 1 else None
    methods = _OPERATIONS.get((len(parts), kind))
    if methods is None:
        raise not_found("no such operation in the Serverless Application Repository API")
    handler = methods.get(method)
    if handler is None:
        raise bad_request(f"{method} is not an operation on this resource")
    return handler


async def sar_endpoint(request: Request) -> Response:
    """Dispatch one SAR call; every failure answers in SAR's error shape."""
    try:
        segments = path_segments(request.scope.get("raw_path") or b"", PREFIX)
        handler = _handler(request.method, segments)
        call = await _call(request)
        return await handler(request, call, segments[1:])
    except SarError as exc:
        error = exc
    except ApiError as exc:
        error = from_api_error(exc)
    except NestryError as exc:
        error = from_nestry_error(exc)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        error = SarError(500, "the registry failed; see its log")
    status, body, headers = error_document(error)
    return JSONResponse(body, status_code=status, headers=headers)


routes: list[BaseRoute] = [
    Route(
        PREFIX + "/{rest:path}",
        sar_endpoint,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    )
]

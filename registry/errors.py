"""The registry's HTTP errors: each becomes ``{"error": {"code", "message"}}``.

ApiError                  any refusal with a status and a stable snake_case code
├── NotFound              404 (also what callers who may not read an app get)
├── Unauthorized          401 (no, unknown or expired token)
├── Forbidden             403 (authenticated but not allowed)
├── Conflict              409 (e.g. version_exists)
├── Unprocessable         422 (well-formed request, unusable content)
├── PayloadTooLarge       413
└── TooManyRequests       429 (with ``Retry-After``)
Template and name errors from ``client.errors`` are answered with their own code and 422.
"""

from __future__ import annotations


class ApiError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers or {}
        if status is not None:
            self.status = status


class NotFound(ApiError):
    status = 404


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class Conflict(ApiError):
    status = 409


class Unprocessable(ApiError):
    status = 422


class PayloadTooLarge(ApiError):
    status = 413


class TooManyRequests(ApiError):
    status = 429

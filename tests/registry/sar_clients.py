"""boto3 clients of a live registry's ``/sar``, configured as users configure them: through
``AWS_ENDPOINT_URL_SERVERLESSAPPLICATIONREPOSITORY`` and the usual credential variables."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

# What ``sam publish`` extracts from a CreateApplication conflict (SAM CLI's publish_app).
SAM_CONFLICT_ARN = re.compile(r"arn:[\w\-]+:serverlessrepo:[\w\-]+:[0-9]+:applications\/[\S]+")

SarClient = Callable[..., Any]


def aws_environment(monkeypatch: pytest.MonkeyPatch, url: str, tmp: str) -> None:
    """The variables of the README's switch; no shared config or credentials files."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SERVERLESSAPPLICATIONREPOSITORY", f"{url}/sar")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp}/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp}/aws-credentials")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def sar_factory(monkeypatch: pytest.MonkeyPatch, url: str, tmp: str) -> SarClient:
    """``make(token=None, access_key="acme", retries=3)``: a ``serverlessrepo`` client of the
    registry at ``url``, configured by the environment only; without a token, unsigned
    (anonymous)."""
    aws_environment(monkeypatch, url, tmp)

    def make(token: str | None = None, access_key: str = "acme", retries: int = 3) -> Any:
        config = Config(retries={"max_attempts": retries, "mode": "standard"})
        if token is None:
            return boto3.session.Session().client(
                "serverlessrepo", config=config.merge(Config(signature_version=UNSIGNED))
            )
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key="unused", aws_session_token=token
        )
        return session.client("serverlessrepo", config=config)

    return make


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    """(modelled code, HTTP status, x-amzn-ErrorType header) of a ClientError."""
    response = exc.value.response
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        headers.get("x-amzn-errortype", ""),
    )

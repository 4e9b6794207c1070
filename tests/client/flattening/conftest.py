from __future__ import annotations

import pytest


@pytest.fixture
def aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """SAM's translator asks boto3 for a region (only to fill in pseudo parameters)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

"""The answer of ``GET /v1/apps`` (search)."""

from __future__ import annotations

from datetime import datetime

from registry.serving.shapes import Count, Shape


class AppSummary(Shape):
    application: str
    description: str | None
    labels: list[str]
    latest_version: str | None
    downloads: Count
    updated_at: datetime


class SearchResults(Shape):
    results: list[AppSummary]
    next_cursor: str | None

"""Seed our registry with the corpus through its publish API, many publishes at once."""

from __future__ import annotations

from collections.abc import Iterator

from harness import corpus
from harness.publisher import Outcome, Publish, publish_all
from harness.templates import app_template, metadata


def corpus_publish(app: corpus.App, version: str) -> Publish:
    template = app_template(app.name, version, app.description, app.labels)
    return Publish(
        corpus.NAMESPACE,
        app.name,
        version,
        template,
        metadata(app.name, version, app.description, app.labels),
    )


def _round(apps: int, version: str) -> Iterator[Publish]:
    return (corpus_publish(app, version) for app in corpus.apps(apps))


def seed(base: str, token: str, apps: int, versions: int, concurrency: int = 16) -> Outcome:
    """Publish ``apps`` x ``versions``; raises if any publish failed.

    Version by version across all apps: the first round creates every app before any second
    version arrives, and two versions of one app are never in flight together.
    """
    total_done, total_seconds = 0, 0.0
    for version in corpus.versions(versions):
        outcome = publish_all(base, token, _round(apps, version), concurrency=concurrency)
        if outcome.failed:
            raise RuntimeError(
                f"seeding failed {outcome.failed} times; first: {outcome.first_error}"
            )
        total_done += outcome.done
        total_seconds += outcome.seconds
    return Outcome(total_done, 0, total_seconds, None)

"""Settings of the organizations feature: default visibility and the brute-force limit."""

from __future__ import annotations

import pytest

from registry.settings import Settings, SettingsError


def test_defaults_are_private_and_limited() -> None:
    settings = Settings.from_env({})
    assert settings.default_visibility == "private"
    assert (settings.auth_failure_limit, settings.auth_failure_window_seconds) == (10, 60)


def test_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "NESTRY_DEFAULT_VISIBILITY": "Public",
            "NESTRY_AUTH_FAILURE_LIMIT": "3",
            "NESTRY_AUTH_FAILURE_WINDOW_SECONDS": "30",
        }
    )
    assert settings.default_visibility == "public"
    assert (settings.auth_failure_limit, settings.auth_failure_window_seconds) == (3, 30)


def test_a_bad_visibility_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="NESTRY_DEFAULT_VISIBILITY"):
        Settings.from_env({"NESTRY_DEFAULT_VISIBILITY": "secret"})

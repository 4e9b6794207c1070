"""The hardening settings: defaults, parsing, and refusals of values that would open a hole."""

from __future__ import annotations

import pytest

from registry.serving.connection_guard import ConnectionLimits, default_max_connections
from registry.settings import Settings, SettingsError


def test_defaults_trust_no_proxy_and_bound_everything() -> None:
    settings = Settings.from_env({})
    assert settings.trusted_proxies == "" and settings.redis_url is None
    assert (settings.read_timeout_seconds, settings.idle_timeout_seconds) == (10, 5)
    assert (settings.db_connect_timeout_seconds, settings.db_statement_timeout_seconds) == (5, 10)
    limits = ConnectionLimits.from_settings(settings)
    assert limits.cap == default_max_connections() <= 4096


def test_trusted_proxies_are_addresses_or_networks() -> None:
    env = {"NESTRY_TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16 ,::1"}
    assert Settings.from_env(env).trusted_proxies == "10.0.0.1,192.168.0.0/16,::1"
    for bad in ("*", "proxy.example.com", "10.0.0.300"):
        with pytest.raises(SettingsError, match="NESTRY_TRUSTED_PROXIES"):
            Settings.from_env({"NESTRY_TRUSTED_PROXIES": bad})


def test_timeouts_must_be_positive() -> None:
    for key in ("NESTRY_READ_TIMEOUT_SECONDS", "NESTRY_DB_STATEMENT_TIMEOUT_SECONDS"):
        with pytest.raises(SettingsError, match=key):
            Settings.from_env({key: "0"})
    assert Settings.from_env({"NESTRY_MAX_CONNECTIONS": "50"}).max_connections == 50

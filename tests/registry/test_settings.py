"""Settings from the environment: defaults, parsing, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.settings import MIB, Settings, SettingsError


def test_defaults_are_embedded_sqlite_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / ".nestry-data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/.nestry-data/registry.db"
    assert settings.max_template_bytes == MIB
    assert settings.max_bundle_bytes == 50 * MIB
    assert settings.anonymous_read is True
    assert settings.public_url is None


def test_values_from_the_environment():
    settings = Settings.from_env(
        {
            "NESTRY_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "NESTRY_DATA_DIR": "/srv/nestry",
            "NESTRY_PUBLIC_URL": "https://registry.example.com/",
            "NESTRY_MAX_TEMPLATE_BYTES": "2048",
            "NESTRY_MAX_BUNDLE_BYTES": "4096",
            "NESTRY_ANONYMOUS_READ": "off",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.data_dir == Path("/srv/nestry")
    assert settings.public_url == "https://registry.example.com"
    assert (settings.max_template_bytes, settings.max_bundle_bytes) == (2048, 4096)
    assert settings.anonymous_read is False
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NESTRY_MAX_TEMPLATE_BYTES", "1MB"),
        ("NESTRY_MAX_BUNDLE_BYTES", "-1"),
        ("NESTRY_ANONYMOUS_READ", "maybe"),
        ("NESTRY_PUBLIC_CACHE_MS", "-1"),
        ("NESTRY_DOWNLOAD_FLUSH_SECONDS", "0"),
    ],
)
def test_bad_values_name_the_variable(key, value):
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({key: value})


def test_public_cache_can_be_turned_off_and_defaults_to_one_second():
    assert Settings.from_env({"NESTRY_PUBLIC_CACHE_MS": "0"}).public_cache_seconds == 0
    assert Settings.from_env({"NESTRY_PUBLIC_CACHE_MS": "250"}).public_cache_seconds == 0.25
    assert Settings.from_env({}).public_cache_seconds == 1.0

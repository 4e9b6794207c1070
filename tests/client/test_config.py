"""Config precedence (file < env < flags), the namespace map, host ids, and the 0600 file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from client.config import Config, ConfigError, NoRegistryError, config_path, save
from client.names import parse_app_id

FILE = """
registry = "https://public.example.com/"
namespace = "me"

[namespaces]
Acme = "https://nestry.internal.example"

[tokens]
"https://public.example.com" = "nst_file_public"
"https://nestry.internal.example" = "nst_file_internal"
"http://localhost:8000" = "nst_local"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    return path


def test_path_follows_xdg_config_home_then_home() -> None:
    assert config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/nestry/config.toml")
    assert config_path({"HOME": "/home/u"}) == Path("/home/u/.config/nestry/config.toml")


def test_file_alone(config_file: Path) -> None:
    config = Config.load(config_file, env={})
    assert config.default_target().url == "https://public.example.com"
    assert config.default_target().token == "nst_file_public"
    assert config.namespace == "me"


def test_env_overrides_file(config_file: Path) -> None:
    env = {"NESTRY_REGISTRY": "http://127.0.0.1:9000", "NESTRY_TOKEN": "nst_env"}
    target = Config.load(config_file, env=env).default_target()
    assert (target.url, target.token) == ("http://127.0.0.1:9000", "nst_env")


def test_env_token_alone_goes_with_the_file_registry(config_file: Path) -> None:
    target = Config.load(config_file, env={"NESTRY_TOKEN": "nst_env"}).default_target()
    assert (target.url, target.token) == ("https://public.example.com", "nst_env")


def test_flags_override_env(config_file: Path) -> None:
    env = {"NESTRY_REGISTRY": "http://127.0.0.1:9000", "NESTRY_TOKEN": "nst_env"}
    config = Config.load(config_file, env=env).override(
        registry="http://localhost:8000", token="nst_flag"
    )
    target = config.default_target()
    assert (target.url, target.token) == ("http://localhost:8000", "nst_flag")


def test_namespace_map_picks_the_internal_registry_and_its_token(config_file: Path) -> None:
    config = Config.load(config_file, env={"NESTRY_TOKEN": "nst_env"})
    target = config.registry_for(parse_app_id("acme/billing"))
    assert (target.url, target.token) == ("https://nestry.internal.example", "nst_file_internal")
    assert config.registry_for(parse_app_id("other/app")).token == "nst_env"


def test_explicit_host_wins_over_namespace_map(config_file: Path) -> None:
    config = Config.load(config_file, env={})
    target = config.registry_for(parse_app_id("localhost:8000/acme/billing"))
    assert (target.url, target.token) == ("http://localhost:8000", "nst_local")


def test_unknown_host_gets_https_and_no_token(config_file: Path) -> None:
    config = Config.load(config_file, env={})
    target = config.registry_for(parse_app_id("registry.other.example/acme/app"))
    assert (target.url, target.token) == ("https://registry.other.example", None)
    assert config.registry_for(parse_app_id("127.0.0.1:7000/a/b")).url == "http://127.0.0.1:7000"


def test_known_host_matches_configured_registry_url(config_file: Path) -> None:
    target = Config.load(config_file, env={}).registry_for(parse_app_id("public.example.com/a/b"))
    assert (target.url, target.token) == ("https://public.example.com", "nst_file_public")


def test_no_registry_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoRegistryError) as info:
        Config.load(tmp_path / "missing.toml", env={}).default_target()
    assert "nestry login" in info.value.hint


def test_bad_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("registry = [1, 2]\n")
    with pytest.raises(ConfigError):
        Config.load(path, env={})
    path.write_text("registry = \n")
    with pytest.raises(ConfigError, match="cannot read config"):
        Config.load(path, env={})


def test_save_writes_mode_0600_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "nestry" / "config.toml"
    config = Config(registry="http://localhost:8000", namespaces={"acme": "https://i.example"})
    save(config.with_token("http://localhost:8000/", "nst_secret"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = Config.read(path)
    assert again.tokens == {"http://localhost:8000": "nst_secret"}
    assert again.namespaces == {"acme": "https://i.example"}


def test_save_tightens_an_existing_wide_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    path.chmod(0o644)
    save(Config(registry="http://localhost:8000"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_env_overrides_are_not_saved(config_file: Path) -> None:
    loaded = Config.load(config_file, env={"NESTRY_REGISTRY": "http://127.0.0.1:1"})
    assert loaded.registry == "http://127.0.0.1:1"
    assert Config.read(config_file).registry == "https://public.example.com"


def test_without_token(config_file: Path) -> None:
    config = Config.read(config_file).without_token("http://localhost:8000")
    assert "http://localhost:8000" not in config.tokens

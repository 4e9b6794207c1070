"""The client's configuration: which registry serves what, and the token for each.

The file is TOML at ``$XDG_CONFIG_HOME/nestry/config.toml`` (default ``~/.config/...``)::

    registry = "https://registry.example.com"   # the default registry
    namespace = "acme"                          # default namespace for nestry publish

    [namespaces]                                # acme/* lives on an internal registry
    acme = "https://nestry.internal.example"

    [tokens]                                    # one token per registry URL
    "https://registry.example.com" = "nst_..."

Precedence, lowest first: the file, then ``NESTRY_REGISTRY`` / ``NESTRY_TOKEN``, then flags
(``Config.override``). The file holds tokens, so it is written with mode 0600.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from client.errors import NestryError
from client.names import AppId

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class ConfigError(NestryError):
    code = "invalid_config"
    hint = "Fix or delete the config file (nestry login writes a fresh one)."


class NoRegistryError(ConfigError):
    code = "no_registry"
    hint = "Run `nestry login --registry URL` or set NESTRY_REGISTRY."


class RegistryTarget(NamedTuple):
    """Where to send a request, and the token to send with it (if any)."""

    url: str
    token: str | None


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The config file's location under the XDG config directory."""
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "nestry" / "config.toml"


def normalize_url(url: str) -> str:
    """Registry URLs compare without a trailing slash; a bare host gets a scheme; the API's
    ``/v1`` prefix (``http://host:8000/v1``, copied from an API URL) is the registry's root."""
    url = url.strip().rstrip("/")
    if url.lower().endswith("/v1"):
        url = url[: -len("/v1")]
    if "://" not in url:
        url = host_url(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"invalid registry URL {url!r}",
            hint="Use http(s)://host[:port], e.g. http://127.0.0.1:8000",
        )
    return url


def host_url(host: str) -> str:
    """The URL of a registry named by host only: http for this machine, https otherwise."""
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    scheme = "http" if hostname in LOCAL_HOSTS else "https"
    return f"{scheme}://{host}"


@dataclass(frozen=True)
class Config:
    registry: str | None = None
    namespace: str | None = None
    namespaces: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # A token from NESTRY_TOKEN or a flag: it goes with the default registry only.
    token_override: str | None = None
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None, env: Mapping[str, str] = os.environ) -> Config:
        """Read the file (missing is fine), then apply the environment."""
        config = cls.read(path or config_path(env))
        return config.override(registry=env.get("NESTRY_REGISTRY"), token=env.get("NESTRY_TOKEN"))

    @classmethod
    def read(cls, path: Path) -> Config:
        """The file alone, without the environment: what ``save`` may write back."""
        return _from_document(_read(path), path)

    def override(self, *, registry: str | None = None, token: str | None = None) -> Config:
        """A copy with the default registry and/or its token replaced (None keeps them)."""
        changed = self
        if registry:
            changed = replace(changed, registry=normalize_url(registry))
        if token:
            changed = replace(changed, token_override=token)
        return changed

    def default_target(self) -> RegistryTarget:
        if not self.registry:
            raise NoRegistryError("no registry configured")
        return RegistryTarget(self.registry, self.token_override or self.tokens.get(self.registry))

    def registry_for(self, app_id: AppId) -> RegistryTarget:
        """Explicit host in the id wins, then the namespace map, then the default registry."""
        if app_id.registry:
            return self.target(self._url_for_host(app_id.registry))
        mapped = self.namespaces.get(app_id.namespace.lower())
        return self.target(mapped) if mapped else self.default_target()

    def target(self, url: str) -> RegistryTarget:
        if url == self.registry:
            return self.default_target()
        return RegistryTarget(url, self.tokens.get(url))

    def _url_for_host(self, host: str) -> str:
        known = [self.registry or "", *self.namespaces.values(), *self.tokens]
        for url in known:
            if url and urlsplit(url).netloc.lower() == host.lower():
                return url
        return host_url(host)

    def with_token(self, url: str, token: str) -> Config:
        return replace(self, tokens={**self.tokens, normalize_url(url): token})

    def without_token(self, url: str) -> Config:
        tokens = {k: v for k, v in self.tokens.items() if k != normalize_url(url)}
        return replace(self, tokens=tokens)

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.registry:
            doc["registry"] = self.registry
        if self.namespace:
            doc["namespace"] = self.namespace
        if self.namespaces:
            doc["namespaces"] = dict(self.namespaces)
        if self.tokens:
            doc["tokens"] = dict(self.tokens)
        return doc


def save(config: Config, path: Path) -> None:
    """Write the file with mode 0600 (it holds tokens), atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    import tomli_w  # only login and logout write the file

    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        tomli_w.dump(config.to_document(), out)
    os.chmod(tmp, 0o600)  # the umask or an older file may have left it wider
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        src = path.open("rb")
    except FileNotFoundError:
        return {}  # and tomllib, slow to import, is not needed (a warm install without a file)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    import tomllib

    try:
        with src:
            return tomllib.load(src)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None


def _from_document(doc: dict[str, Any], path: Path) -> Config:
    registry = doc.get("registry")
    namespace = doc.get("namespace")
    namespaces = doc.get("namespaces", {})
    tokens = doc.get("tokens", {})
    if not isinstance(registry, str | None) or not isinstance(namespace, str | None):
        raise ConfigError(f"{path}: 'registry' and 'namespace' must be strings")
    if not _str_table(namespaces) or not _str_table(tokens):
        raise ConfigError(f"{path}: [namespaces] and [tokens] must map strings to strings")
    return Config(
        registry=normalize_url(registry) if registry else None,
        namespace=namespace,
        namespaces={ns.lower(): normalize_url(url) for ns, url in namespaces.items()},
        tokens={normalize_url(url): token for url, token in tokens.items()},
        path=path,
    )


def _str_table(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )

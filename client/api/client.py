"""``RegistryClient``: the registry's HTTP API (docs/ARCHITECTURE.md, "HTTP shapes") as methods.

The ``httpx.Client`` is injected so that tests (and Starlette's ``TestClient``) can stand in
for the network; every failure becomes a ``RegistryError`` carrying the HTTP status and the
server's error code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from client import paths
from client.api.errors import (
    Guarded,
    RegistryError,
    RegistryUnreachableError,
    decode,
    error_of,
    reason_of,
)
from client.names import AppId

if TYPE_CHECKING:
    import httpx

__all__ = ["RegistryClient", "RegistryError", "RegistryUnreachableError", "TransferWatch"]

MAX_DOWNLOAD = 256 * 1024 * 1024
UPLOAD_CHUNK = 64 * 1024  # how finely an upload reports its progress

Advance = Callable[[int], None]
# Watches one transfer: called with a label and the size in bytes (None: unknown) when the body
# starts; the advance it yields is called with each chunk's size as it is sent or received.
# ``client.commands.output.Output.transfer`` draws the progress bar.
TransferWatch = Callable[[str, int | None], AbstractContextManager[Advance]]


def new_http() -> httpx.Client:
    """A fresh ``httpx.Client``; httpx is imported here, only once a request is due (it is slow
    to import and a warm install never needs it)."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))


def app_path(app: AppId) -> str:
    return paths.app_path(f"{app.namespace}/{app.name}")


def version_path(app: AppId, version: str) -> str:
    return paths.version_path(f"{app.namespace}/{app.name}", version)


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        watch: TransferWatch | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http or new_http()
        self.watch = watch  # uploads (publish) and downloads (get_bytes) report to it

    def close(self) -> None:
        """Close the HTTP client (an injected one too: pass a shared client only if it may)."""
        self.http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reads ---------------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        return self._json("GET", "/v1/whoami")

    def search(
        self,
        q: str,
        *,
        label: str | None = None,
        namespace: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, str | int | None] = {"q": q, "label": label, "namespace": namespace}
        params |= {"sort": sort, "limit": limit, "cursor": cursor}
        return self._json("GET", "/v1/apps", params={k: v for k, v in params.items() if v})

    def app_document(self, app: AppId) -> dict[str, Any]:
        return self._json("GET", app_path(app))

    def version_document(self, app: AppId, version: str) -> dict[str, Any]:
        return self._json("GET", version_path(app, version))

    def dependents(
        self, app: AppId, *, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """One page of dependents; pass the answer's ``next_cursor`` back for the next."""
        params = {k: v for k, v in {"limit": limit, "cursor": cursor}.items() if v}
        return self._json("GET", f"{app_path(app)}/dependents", params=params)

    def resolve(
        self, requests: Sequence[tuple[str, str]], *, recursive: bool = True
    ) -> list[dict[str, Any]]:
        body = {
            "requests": [{"application": app, "range": spec} for app, spec in requests],
            "recursive": recursive,
        }
        results = self._json("POST", "/v1/resolve", json=body).get("results")
        if not isinstance(results, list):
            raise RegistryError("the registry's resolve answer has no results list", status=200)
        return results

    def get_bytes(self, url_or_path: str) -> bytes:
        """Download a template or bundle; relative paths are joined to the base URL. Redirects
        are followed (a registry may hand bundles out as presigned object-store URLs; the token
        is not sent to another origin); the caller verifies the digest whatever the source."""
        with self._send("GET", url_or_path, follow_redirects=True) as response:
            self._raise_for(response)
            chunks, size = [], 0
            with self._watching("Downloading", _length(response.headers)) as advance:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD:
                        raise RegistryError(
                            f"download of {url_or_path} exceeds {MAX_DOWNLOAD} bytes", status=413
                        )
                    chunks.append(chunk)
                    advance(len(chunk))
            return b"".join(chunks)

    # -- writes --------------------------------------------------------------------------
    def publish(
        self,
        app: AppId,
        version: str,
        *,
        template: bytes,
        metadata: dict[str, Any],
        readme: bytes | None = None,
        license: bytes | None = None,
        bundle: bytes | None = None,
        template_path: str | None = None,
        tag: str | None = None,
        dry_run: bool = False,
    ) -> tuple[int, dict[str, Any]]:
        """PUT a version; answers (201 created | 200 identical retry, version document).

        ``template_path``: where the template sits inside ``bundle`` (default: its root).
        ``tag``: a dist-tag the registry points at the new version instead of moving ``latest``.
        ``dry_run``: the registry runs every check and stores nothing (200, its verdict).
        """
        files: dict[str, tuple[str, bytes, str]] = {
            "template": ("template.yaml", template, "application/x-yaml"),
        }
        if readme is not None:
            files["readme"] = ("README.md", readme, "text/markdown")
        if license is not None:
            files["license"] = ("LICENSE", license, "text/plain")
        if bundle is not None:
            files["bundle"] = ("bundle.tar.gz", bundle, "application/gzip")
        data = {"metadata": json.dumps(metadata)}
        if template_path is not None:  # where the template sits in the bundle
            data["template_path"] = template_path
        if tag is not None:
            data["tag"] = tag
        path = version_path(app, version) + ("?dry_run=true" if dry_run else "")
        label = f"Uploading {app.namespace}/{app.name}@{version}"
        response = self._request("PUT", path, files=files, data=data, upload=label)
        return response.status_code, decode(response)

    def set_dist_tag(self, app: AppId, tag: str, version: str) -> dict[str, Any]:
        path = f"{app_path(app)}/dist-tags/{quote(tag, safe='')}"
        return self._json("PUT", path, json={"version": version})

    def remove_dist_tag(self, app: AppId, tag: str) -> dict[str, Any]:
        return self._json("DELETE", f"{app_path(app)}/dist-tags/{quote(tag, safe='')}")

    def yank(self, app: AppId, version: str, reason: str | None = None) -> dict[str, Any]:
        return self._json("POST", f"{version_path(app, version)}/yank", json={"reason": reason})

    def unyank(self, app: AppId, version: str) -> dict[str, Any]:
        return self._json("POST", f"{version_path(app, version)}/unyank", json={})

    def deprecate(self, app: AppId, version: str, message: str) -> dict[str, Any]:
        path = f"{version_path(app, version)}/deprecate"
        return self._json("POST", path, json={"message": message})

    def delete_app(self, app: AppId) -> dict[str, Any]:
        """Delete ``app`` with all its versions (owners); 409 while other apps nest it."""
        return self._json("DELETE", app_path(app))

    # -- plumbing ------------------------------------------------------------------------
    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any JSON endpoint (organizations, tokens, audit: ``client.api.orgs``)."""
        return self._json(method, path, json=body) if body is not None else self._json(method, path)

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return decode(self._request(method, path, **kwargs))

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self._send(method, path, **kwargs) as response:
            response.read()
        self._raise_for(response)
        return response

    def _send(
        self,
        method: str,
        path: str,
        *,
        follow_redirects: bool = False,
        upload: str | None = None,
        **kwargs: Any,
    ) -> Guarded:
        """Send a request, its body reported to ``watch`` under the label ``upload`` if given."""
        url = path if "://" in path else self.base_url + path
        headers = {"Accept": "application/json", "User-Agent": "nestry-cli"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        import httpx  # loaded by now: self.http is an httpx.Client

        try:
            request = self.http.build_request(method, url, headers=headers, **kwargs)
            watching = self._watching(upload, _length(request.headers)) if upload else None
            with watching or nullcontext(_ignore) as advance:
                if watching is not None:
                    request.stream = _counted(request.stream, advance)
                sent = self.http.send(request, stream=True, follow_redirects=follow_redirects)
            return Guarded(sent, url)
        except httpx.TransportError as exc:
            raise RegistryUnreachableError(
                f"cannot reach the registry at {url}: {reason_of(exc)}"
            ) from None

    def _watching(self, label: str, total: int | None) -> AbstractContextManager[Advance]:
        return self.watch(label, total) if self.watch else nullcontext(_ignore)

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        response.read()
        code, message = error_of(response)
        retry_after = response.headers.get("Retry-After")
        raise RegistryError(
            message, status=response.status_code, code=code, retry_after=retry_after
        )


def _ignore(_size: int) -> None:
    pass


def _length(headers: httpx.Headers) -> int | None:
    text = headers.get("Content-Length")
    return int(text) if text and text.isdigit() else None


def _counted(stream: Any, advance: Advance) -> httpx.SyncByteStream:
    """``stream`` (a request body) in pieces of at most ``UPLOAD_CHUNK`` bytes, each reported
    to ``advance`` once handed to the connection: httpx yields an in-memory file whole."""
    import httpx

    class Counted(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for part in stream:
                for start in range(0, len(part), UPLOAD_CHUNK):
                    piece = part[start : start + UPLOAD_CHUNK]
                    yield piece
                    advance(len(piece))

    return Counted()

"""nginx serving one static file: the ceiling for serving the same bytes over HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import procs
from harness.tools import ensure_binary

_CONF = """\
worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        default_type application/json;
    }}
}}
"""


@contextmanager
def serve_file(root: Path, name: str, body: bytes, workers: int) -> Iterator[str]:
    """Serve ``body`` at ``/{name}`` on a free loopback port; yields the URL."""
    nginx = ensure_binary("nginx", "nginx")
    (root / "www").mkdir(parents=True, exist_ok=True)
    (root / "www" / name).write_bytes(body)
    port = procs.free_port()
    conf = root / "nginx.conf"
    conf.write_text(_CONF.format(workers=workers, root=root, port=port))
    log = root / "stdout.log"
    proc: subprocess.Popen[bytes] = procs.start([nginx, "-c", str(conf), "-p", str(root)], log=log)
    try:
        url = f"http://127.0.0.1:{port}/{name}"
        procs.wait_http(url, proc, log, timeout=20)
        yield url
    finally:
        procs.stop(proc)


_BALANCER = """\
worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    keepalive_requests 1000000;
    upstream registry {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 60m;
        location / {{
            proxy_pass http://registry;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_request_buffering off;
            proxy_buffering off;
        }}
    }}
}}
"""


@contextmanager
def balance(root: Path, upstreams: list[str], workers: int) -> Iterator[str]:
    """nginx round-robin over ``upstreams`` (``host:port``), as deploy/nginx.conf does; yields
    its base URL."""
    nginx = ensure_binary("nginx", "nginx")
    root.mkdir(parents=True, exist_ok=True)
    port = procs.free_port()
    servers = "\n".join(f"        server {upstream};" for upstream in upstreams)
    conf = root / "nginx.conf"
    conf.write_text(_BALANCER.format(workers=workers, root=root, port=port, servers=servers))
    log = root / "stdout.log"
    proc: subprocess.Popen[bytes] = procs.start([nginx, "-c", str(conf), "-p", str(root)], log=log)
    try:
        base = f"http://127.0.0.1:{port}"
        procs.wait_http(f"{base}/healthz", proc, log, timeout=20)
        yield base
    finally:
        procs.stop(proc)

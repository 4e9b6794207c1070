"""Scale-out benchmark (issue #17): two registry replicas behind nginx vs one, on one
PostgreSQL database and one S3 bucket; and a 20 MiB bundle download streamed by the registry vs
handed out as a presigned URL.

    .venv/bin/python bench/replicas.py                  # ~3 min
    .venv/bin/python bench/replicas.py --seconds 10 --publishes 400

The S3 server is moto's (the one the tests use; MinIO cannot be installed here), in this
process: it is slow Python, so absolute figures for the bucket paths are moto's, and the ratios
are what to read. Both setups are behind the same nginx (deploy/nginx.conf's settings, one
worker), each replica is `nestry-registry serve --workers 1`, and everything shares the
machine's cores: on a machine with few cores, a second replica mostly adds contention.
Figures: bench/README.md ("Scale-out").
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import sys
import tarfile
import time
from contextlib import ExitStack
from pathlib import Path

import boto3
import httpx
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import databases, machine, nginx, wrk
from harness.nestry_server import Registry
from harness.publisher import Publish, publish_all
from harness.workdir import scratch

TEMPLATE = "Transform: AWS::Serverless-2016-10-31\nResources: {Q: {Type: AWS::SNS::Topic}}\n"
BUCKET = "nestry-bench"


def big_bundle(size: int) -> bytes:
    buffer = io.BytesIO()
    data = os.urandom(size)  # incompressible: the archive is as big as its content
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        info = tarfile.TarInfo("src/blob.bin")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def downloads(url: str, count: int, width: int, digest: str) -> float:
    """Seconds for ``count`` downloads of ``url``, ``width`` at once, each checked."""

    async def run() -> float:
        gate = asyncio.Semaphore(width)
        async with httpx.AsyncClient(timeout=300, follow_redirects=True) as client:

            async def one() -> None:
                async with gate, client.stream("GET", url) as answer:
                    assert answer.status_code == 200, answer.status_code
                    hasher = hashlib.sha256()
                    async for piece in answer.aiter_bytes():
                        hasher.update(piece)
                    assert "sha256:" + hasher.hexdigest() == digest

            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(count)))
            return time.perf_counter() - started

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--downloads", type=int, default=12)
    parser.add_argument("--bundle-mib", type=int, default=20)
    args = parser.parse_args()
    load = wrk.Load(threads=2, connections=args.connections, seconds=args.seconds, warmup=1.0)
    rows: list[tuple[str, str, str, str]] = []
    with ExitStack() as stack:
        tmp = stack.enter_context(scratch("replicas"))
        dsn = stack.enter_context(databases.postgres())
        s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        s3.start()
        stack.callback(s3.stop)
        host, port = s3.get_host_and_port()
        aws = {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench-secret",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}",
        }
        os.environ.update(aws)
        boto3.client("s3", endpoint_url=aws["AWS_ENDPOINT_URL_S3"]).create_bucket(Bucket=BUCKET)
        shared = (*aws.items(), ("NESTRY_BLOB_URL", f"s3://{BUCKET}/blobs"))
        url = databases.sqlalchemy_url(dsn)

        def replica(name: str, *extra: tuple[str, str]) -> str:
            registry = Registry(url, tmp / name, (*shared, ("NESTRY_REPLICA", name), *extra))
            return stack.enter_context(registry.serve(1, tmp / f"{name}.log"))

        first = Registry(url, tmp / "a", shared)
        first.migrate()
        token = first.token("bench", "bench")
        a, b = replica("a"), replica("b")
        presigning = replica("p", ("NESTRY_BUNDLE_REDIRECT", "on"))
        one = stack.enter_context(nginx.balance(tmp / "lb1", [a.split("//")[1]], workers=1))
        two = stack.enter_context(
            nginx.balance(tmp / "lb2", [a.split("//")[1], b.split("//")[1]], workers=1)
        )
        bundle = big_bundle(args.bundle_mib * 1024 * 1024)
        files = {
            "template": ("template.yaml", TEMPLATE.encode(), "application/x-yaml"),
            "bundle": ("bundle.tar.gz", bundle, "application/gzip"),
        }
        auth = {"Authorization": f"Bearer {token}"}
        put = httpx.put(
            f"{a}/v1/apps/bench/big/versions/1.0.0", files=files, headers=auth, timeout=300
        )
        assert put.status_code == 201, put.text

        for label, path in (
            ("app document", "/v1/apps/bench/big"),
            ("template", "/v1/apps/bench/big/versions/1.0.0/template"),
        ):
            single, double = wrk.measure(one + path, load), wrk.measure(two + path, load)
            rows.append(
                (
                    label,
                    f"{single.rps:,.0f} req/s",
                    f"{double.rps:,.0f} req/s",
                    f"{double.rps / single.rps:.2f}x",
                )
            )

        metadata = json.dumps({"description": "bench", "author": "bench"})

        def batch(tag: str) -> list[Publish]:
            return [
                Publish("bench", f"{tag}-{i}", "1.0.0", TEMPLATE + f"# {tag} {i}\n", metadata)
                for i in range(args.publishes)
            ]

        single_pub = publish_all(one, token, batch("one"), concurrency=8)
        double_pub = publish_all(two, token, batch("two"), concurrency=8)
        assert single_pub.failed == double_pub.failed == 0, (single_pub, double_pub)
        rows.append(
            (
                "publish (8 clients)",
                f"{single_pub.per_second:,.0f}/s",
                f"{double_pub.per_second:,.0f}/s",
                f"{double_pub.per_second / single_pub.per_second:.2f}x",
            )
        )

        digest = "sha256:" + hashlib.sha256(bundle).hexdigest()
        bundle_path = "/v1/apps/bench/big/versions/1.0.0/bundle"
        total = args.downloads * len(bundle) / 2**20
        direct = downloads(a + bundle_path, args.downloads, 4, digest)
        presigned = downloads(presigning + bundle_path, args.downloads, 4, digest)
        bundle_row = (
            f"{args.bundle_mib} MiB bundle x {args.downloads}, 4 at once",
            f"{total / direct:,.0f} MiB/s",
            f"{total / presigned:,.0f} MiB/s",
            f"{direct / presigned:.2f}x",
        )

    print(machine.describe())
    print("| what | one replica | two replicas | two / one |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(
        "| download (one replica, no balancer) | streamed by the registry | presigned redirect "
        "| presigned / streamed |"
    )
    print("|---|---|---|---|")
    print("| " + " | ".join(bundle_row) + " |")


if __name__ == "__main__":
    main()

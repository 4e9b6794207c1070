"""obstore vs aiobotocore on the registry's blob paths, against moto's S3 server on 127.0.0.1.

    .venv/bin/pip install aiobotocore      # obstore is a dependency; aiobotocore is not
    .venv/bin/python bench/blob_clients.py

Publish path: put a template (12 KiB) and a bundle (1 MiB), 200 times, 8 at once. Bundle download
path: get a 20 MiB object in pieces, 20 times. Both clients talk to the same server, in interleaved
rounds, so the server's own cost (moto is slow Python) is shared alike; what differs is the
client's overhead per request and per byte. Figures: bench/README.md ("Blob store client").
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

import boto3
from moto.server import ThreadedMotoServer

BUCKET = "nestry-bench"
SMALL, MEDIUM, LARGE = os.urandom(12 * 1024), os.urandom(1024 * 1024), os.urandom(20 * 1024 * 1024)


async def _gather(count: int, width: int, one: Callable[[int], Awaitable[None]]) -> None:
    gate = asyncio.Semaphore(width)

    async def run(i: int) -> None:
        async with gate:
            await one(i)

    await asyncio.gather(*(run(i) for i in range(count)))


async def obstore_round(endpoint: str) -> tuple[float, float]:
    import obstore
    from obstore.store import S3Store

    store = S3Store(BUCKET, prefix="obstore", client_options={"allow_http": True})

    async def publish(i: int) -> None:
        await obstore.put_async(store, f"t/{i}", SMALL)
        await obstore.put_async(store, f"b/{i}", MEDIUM)

    started = time.perf_counter()
    await _gather(200, 8, publish)
    put = time.perf_counter() - started
    await obstore.put_async(store, "large", LARGE)
    started = time.perf_counter()
    for _ in range(20):
        result = await obstore.get_async(store, "large")
        size = 0
        async for piece in result.stream(min_chunk_size=256 * 1024):
            size += len(piece)
        assert size == len(LARGE)
    return put, time.perf_counter() - started


async def aiobotocore_round(endpoint: str) -> tuple[float, float]:
    from aiobotocore.session import get_session

    async with get_session().create_client("s3", endpoint_url=endpoint) as client:

        async def publish(i: int) -> None:
            await client.put_object(Bucket=BUCKET, Key=f"aio/t/{i}", Body=SMALL)
            await client.put_object(Bucket=BUCKET, Key=f"aio/b/{i}", Body=MEDIUM)

        started = time.perf_counter()
        await _gather(200, 8, publish)
        put = time.perf_counter() - started
        await client.put_object(Bucket=BUCKET, Key="aio/large", Body=LARGE)
        started = time.perf_counter()
        for _ in range(20):
            answer = await client.get_object(Bucket=BUCKET, Key="aio/large")
            size = 0
            async with answer["Body"] as body:
                while piece := await body.read(256 * 1024):
                    size += len(piece)
            assert size == len(LARGE)
        return put, time.perf_counter() - started


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL_S3=endpoint,
    )
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    results: dict[str, list[tuple[float, float]]] = {"obstore": [], "aiobotocore": []}
    try:
        for _ in range(3):
            results["obstore"].append(asyncio.run(obstore_round(endpoint)))
            results["aiobotocore"].append(asyncio.run(aiobotocore_round(endpoint)))
    finally:
        server.stop()
    print("client       publish 200x(12 KiB + 1 MiB)   download 20x20 MiB   (median of 3, s)")
    for name, rounds in results.items():
        put = statistics.median(r[0] for r in rounds)
        get = statistics.median(r[1] for r in rounds)
        print(f"{name:12} {put:10.2f}                    {get:10.2f}")


if __name__ == "__main__":
    main()

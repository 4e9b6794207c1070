"""What the browser tests find on their registry: apps published through the real HTTP API.

- ``acme/image-resizer`` 1.0.0 and 1.1.0 (public, a leaf);
- ``acme/thumbnailer`` 1.0.0 (yanked: "leaks memory") and 2.0.0 (public), nesting
  ``acme/image-resizer@^1.0.0``, with a README carrying a ``<script>`` and an ``onerror=``
  image that must not run;
- ``vault/plans`` 1.0.0, private to the ``vault`` namespace, whose publish token is
  ``World.private_token`` (user ``olga``).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from registry.auth.accounts import ensure_user, issue_token
from registry.db.session import Database
from registry.settings import Settings

README = """# Thumbnailer

Makes **thumbnails** of every image dropped into a bucket, in the sizes you choose.

<script>window.__pwned = 1; alert("script ran")</script>

<img src=x onerror="window.__pwned = 2; alert('onerror ran')">

[a javascript link](javascript:alert('link')) and <a href="javascript:alert(1)">another</a>

## Sizes

| Name  | Pixels | Use              |
|-------|--------|------------------|
| small | 64     | lists            |
| large | 512    | detail pages     |

```yaml
Thumbnails:
  Type: AWS::Serverless::Application
```
"""


def template(name: str, description: str, labels: str, nested: str = "") -> bytes:
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Metadata:\n  AWS::ServerlessRepo::Application:\n"
        f"    Name: {name}\n    Description: {description}\n    Author: Ada Lovelace\n"
        f"    SpdxLicenseId: MIT\n    Labels: {labels}\n"
        "    HomePageUrl: https://example.com/thumbnailer\n"
        "    SourceCodeUrl: https://example.com/src/thumbnailer\n"
        "Parameters:\n"
        "  BucketName:\n    Type: String\n    Description: Bucket to watch for new images\n"
        "    AllowedPattern: '[a-z0-9.-]+'\n"
        "  Stage:\n    Type: String\n    Default: prod\n    AllowedValues: [prod, dev]\n"
        "    Description: Deployment stage\n"
        "  MemorySize:\n    Type: Number\n    Default: '512'\n    MinValue: 128\n"
        "    MaxValue: 3008\n    Description: Lambda memory in MB\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {}\n"
        f"{nested}"
        "Outputs:\n  TopicArn:\n    Description: ARN of the topic that announces thumbnails\n"
        "    Value: !Ref Topic\n"
    ).encode()


NESTED = (
    "  Resizer:\n    Type: AWS::Serverless::Application\n    Properties:\n"
    "      Location:\n        ApplicationId: acme/image-resizer\n"
    "        SemanticVersion: '^1.0.0'\n"
    "      Parameters:\n        BucketName: !Ref BucketName\n"
)


@dataclass(frozen=True)
class World:
    url: str
    database: str  # sqlite | postgresql
    admin_token: str
    private_token: str


async def _tokens(settings: Settings) -> tuple[str, str]:
    database = Database(settings.database_url)
    try:
        async with database.writer() as session:
            admin = await ensure_user(session, "admin", is_admin=True)
            admin_token = await issue_token(session, admin, scope="publish", namespaces=[])
            olga = await ensure_user(session, "olga")
            private = await issue_token(session, olga, scope="publish", namespaces=["vault"])
            await session.commit()
            return admin_token, private
    finally:
        await database.dispose()


def _publish(
    client: httpx.Client, token: str, app: str, version: str, body: bytes, readme: str = ""
) -> None:
    data = {"readme": readme} if readme else {}
    response = client.put(
        f"/v1/apps/{app}/versions/{version}",
        files={"template": ("template.yaml", body, "application/x-yaml")},
        data=data,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


def seed(url: str, settings: Settings, database: str) -> World:
    with ThreadPoolExecutor(1) as pool:  # its own loop, away from pytest-asyncio's
        admin, private = pool.submit(asyncio.run, _tokens(settings)).result()
    auth = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        resizer = template("image-resizer", "Resizes images on upload", "[images, s3]")
        for version in ("1.0.0", "1.1.0"):
            _publish(client, admin, "acme/image-resizer", version, resizer)
        parent = template(
            "thumbnailer", "Thumbnails for every uploaded image", "[images, media, s3]", NESTED
        )
        for version in ("1.0.0", "2.0.0"):
            _publish(client, admin, "acme/thumbnailer", version, parent, README)
        yank = client.post(
            "/v1/apps/acme/thumbnailer/versions/1.0.0/yank",
            json={"reason": "leaks memory"},
            headers=auth,
        )
        assert yank.status_code == 200, yank.text
        plans = template("plans", "Secret launch plans", "[internal]")
        _publish(client, private, "vault/plans", "1.0.0", plans, "# Plans\n\nTop secret.")
        hidden = client.patch("/v1/apps/vault/plans", json={"visibility": "private"}, headers=auth)
        assert hidden.status_code == 200, hidden.text
    return World(url, database, admin, private)

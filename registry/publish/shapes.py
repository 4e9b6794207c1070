"""The publish form (``PUT /v1/apps/{ns}/{name}/versions/{version}``, multipart): its parts,
as the OpenAPI document states them (``registry.publish.form`` reads them); and the answer of a
validate-only publish (``DryRun``)."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from client.ranges import MAX_DIST_TAG_LENGTH
from registry.serving.shapes import Count, Digest, Shape

Binary = Annotated[str, Meta(extra_json_schema={"format": "binary"})]
MAX_TEMPLATE_PATH = 4096


class PublishForm(Shape, forbid_unknown_fields=False):
    template: Binary
    metadata: Annotated[
        str,
        Meta(description="JSON: AWS::ServerlessRepo::Application fields (snake_case or SAR's)"),
    ]
    readme: str = ""
    license: str = ""
    bundle: Annotated[str, Meta(extra_json_schema={"format": "binary"}, description="tar.gz")] = ""
    template_path: Annotated[
        str,
        Meta(
            max_length=MAX_TEMPLATE_PATH,
            description="Where the template file sits inside the bundle ('/'-separated, "
            "relative, normalised before it is stored; part of the version's identity: a retry "
            "with another place is 409 version_exists), e.g. sam/app/template.yaml. Omitted "
            "or empty: the bundle root.",
        ),
    ] = ""
    tag: Annotated[
        str,
        Meta(
            max_length=MAX_DIST_TAG_LENGTH,
            pattern="^[A-Za-z][A-Za-z0-9._-]*$",
            description="A dist-tag to point at the new version, as npm's publish --tag: latest "
            "is then not moved (unless the app has none yet), and the version is held back "
            "from latest until set as latest explicitly. Omitted or 'latest': latest follows "
            "the highest release. Not a range (422 invalid_tag). An identical retry (200) "
            "moves no tag.",
        ),
    ] = ""


class DryRun(Shape):
    """The answer of a validate-only publish (``?dry_run=true``, ``registry.publish.validate``);
    the spec states it in the ``dry_run`` parameter's description."""

    dry_run: Literal[True]
    application: str
    version: str
    digest: Digest
    would_create: Annotated[bool, Meta(description="false: an identical retry, answered 200")]
    capabilities: list[str]
    dependencies: Annotated[Count, Meta(description="how many nested applications it names")]

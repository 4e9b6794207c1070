"""Every usable template of the SAR corpus publishes; the two broken ones are refused."""

from __future__ import annotations

import posixpath

from corpus import CORPUS
from registry_samples import tar_gz

from client.template import Limits, LocationKind, parse_template
from client.template.local_paths import local_paths

_SAM_CLI = "awslabs__aws-sam-cli__tests_integration_testdata_"
BROKEN = {
    f"{_SAM_CLI}package_aws-serverlessrepo-application.yaml": "invalid_template",  # no Resources
    f"{_SAM_CLI}publish_template_create_app.yaml": "invalid_metadata",  # placeholder Name
}


def _usable() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.yaml") if p.name not in BROKEN)


def _bundle_for(body: bytes) -> tuple[bytes | None, dict[str, str]]:
    """A bundle holding every local child and code path the template names (as ``nestry
    publish`` packs them), and where the template sits."""
    parsed = parse_template(body, source="corpus", limits=Limits())
    locations = [r.location for r in parsed.references if r.kind is LocationKind.LOCAL]
    locations += [p.value for p in local_paths(parsed.document) if not p.document]
    if not locations:
        return None, {}
    depth = max(posixpath.normpath(loc).split("/").count("..") for loc in locations if loc)
    template_path = "/".join(["d"] * depth + ["template.yaml"])
    base = posixpath.dirname(template_path)
    files = {
        posixpath.normpath(posixpath.join(base, loc)).lstrip("./") or "code": b"child"
        for loc in locations
        if loc
    }
    return tar_gz(files), {"template_path": template_path}


async def test_every_usable_corpus_template_publishes(api, publish):
    assert len(_usable()) == 31
    for index, filename in enumerate(_usable()):
        body = (CORPUS / filename).read_bytes()
        parsed = parse_template(body, source=filename, limits=Limits())
        name = parsed.metadata.name if parsed.metadata else f"app-{index}"
        version = (parsed.metadata and parsed.metadata.semantic_version) or "1.0.0"
        bundle, extra = _bundle_for(body)
        response = await publish(f"corpus-{index}", name, version, body, bundle=bundle, extra=extra)
        assert response.status_code == 201, (filename, response.text)
        doc = response.json()
        assert set(doc["parameters"]) == set(parsed.parameters), filename
        assert set(doc["outputs"]) == set(parsed.outputs), filename
        assert doc["capabilities"] == list(parsed.capabilities), filename
        assert len(doc["dependencies"]) == len(parsed.references), filename
        fetched = await api.get(doc["template_url"])
        assert fetched.content == body, filename


async def test_broken_corpus_templates_are_refused(publish, stored):
    for filename, code in BROKEN.items():
        response = await publish("corpus", "broken", "0.0.1", (CORPUS / filename).read_bytes())
        assert response.status_code == 422, filename
        assert response.json()["error"]["code"] == code, response.text
    assert (await stored()).versions == 0

"""The cache of rendered templates: the dumper's exact bytes, and never a stale entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from install_fakes import FakeRegistry, factory
from install_samples import USER, publish_samples

from client.install import render_cache
from client.install.cache import Cache
from client.install.pipeline import InstallOptions, install
from client.install.render_cache import RenderCache
from client.template import dump_template, load_template

DOCUMENT: dict[str, Any] = load_template(USER)


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


class CountingDumper:
    """Stands in for ``dump_template`` inside ``client.install.render_cache``: counts real
    renders."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, document: dict[str, Any]) -> str:
        self.calls += 1
        return dump_template(document)


@pytest.fixture
def dumper(monkeypatch: pytest.MonkeyPatch) -> CountingDumper:
    counting = CountingDumper()
    monkeypatch.setattr(render_cache, "dump_template", counting)
    return counting


def test_a_miss_then_a_hit_give_the_dumpers_bytes(tmp_path: Path, dumper: CountingDumper) -> None:
    cache = RenderCache(tmp_path)
    expected = dump_template(DOCUMENT).encode("utf-8")
    assert cache.render(DOCUMENT) == expected
    assert cache.render(load_template(USER)) == expected  # an equal document, built anew
    assert dumper.calls == 1
    assert len(_entries(tmp_path)) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["Parameters"]["Env"].update(Default="prod"),  # text
        lambda d: d["Parameters"]["Env"].update(Default=1),  # type: '1' and 1 differ in YAML
        lambda d: d["Parameters"]["Env"].update(Default=True),  # and so do 'true' and true
        lambda d: d.update(Resources=dict(reversed(d["Resources"].items()))),  # key order
        lambda d: d["Resources"]["Mid"]["Properties"]["Tags"].update(team="edge"),  # deep down
    ],
)
def test_any_change_to_the_document_renders_it_again(
    tmp_path: Path, dumper: CountingDumper, change: Any
) -> None:
    cache = RenderCache(tmp_path)
    cache.render(DOCUMENT)
    changed = load_template(USER)
    change(changed)
    assert cache.render(changed) == dump_template(changed).encode("utf-8")
    assert cache.render(changed) != cache.render(DOCUMENT)
    assert dumper.calls == 2
    assert len(_entries(tmp_path)) == 2


def test_a_damaged_entry_is_rendered_again_and_replaced(
    tmp_path: Path, dumper: CountingDumper
) -> None:
    cache = RenderCache(tmp_path)
    expected = cache.render(DOCUMENT)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes().replace(b"Queue", b"Queuf"))
    assert cache.render(DOCUMENT) == expected
    assert dumper.calls == 2
    assert cache.render(DOCUMENT) == expected  # the replaced entry is good again
    assert dumper.calls == 2


def test_another_dumper_does_not_read_the_old_entries(
    tmp_path: Path, dumper: CountingDumper, monkeypatch: pytest.MonkeyPatch
) -> None:
    RenderCache(tmp_path).render(DOCUMENT)
    monkeypatch.setattr(render_cache, "fingerprint", lambda: "another dumper")
    RenderCache(tmp_path).render(DOCUMENT)
    assert dumper.calls == 2


def test_the_fingerprint_changes_with_the_dumpers_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from client.template import dumper

    render_cache.fingerprint.cache_clear()
    before = render_cache.fingerprint()
    assert before is not None
    edited = tmp_path / "dumper.py"
    edited.write_bytes(Path(str(dumper.__file__)).read_bytes() + b"\n# a changed dumper\n")
    monkeypatch.setattr(dumper, "__file__", str(edited))
    render_cache.fingerprint.cache_clear()
    try:
        assert render_cache.fingerprint() not in (None, before)
    finally:
        monkeypatch.undo()
        render_cache.fingerprint.cache_clear()
    assert render_cache.fingerprint() == before


def test_an_unusable_cache_still_renders(tmp_path: Path, dumper: CountingDumper) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    cache = RenderCache(blocked / "rendered")
    assert cache.render(DOCUMENT) == dump_template(DOCUMENT).encode("utf-8")
    assert cache.render(DOCUMENT) == dump_template(DOCUMENT).encode("utf-8")
    assert dumper.calls == 2


def _snapshot(build: Path) -> dict[str, bytes]:
    return {str(p.relative_to(build)): p.read_bytes() for p in build.rglob("*") if p.is_file()}


def test_a_warm_install_renders_nothing_and_writes_the_same_build(
    tmp_path: Path, dumper: CountingDumper
) -> None:
    registry = FakeRegistry()
    publish_samples(registry)
    project = tmp_path / "app"
    project.mkdir()
    (project / "template.yaml").write_text(USER)
    options = InstallOptions(template=project / "template.yaml")

    def run(cache: Path) -> dict[str, bytes]:
        install(options, clients=factory(registry), cache=Cache(cache))
        return _snapshot(project / ".nestry" / "build")

    cold = run(tmp_path / "cache")
    rendered = dumper.calls
    assert rendered >= 2  # the user's template and the middle app, which nests the leaves
    assert run(tmp_path / "cache") == cold
    assert dumper.calls == rendered

    # A changed input is a changed document: rendered again, exactly as a fresh cache would.
    (project / "template.yaml").write_text(USER.replace("Default: dev", "Default: test"))
    changed = run(tmp_path / "cache")
    assert dumper.calls == rendered + 1
    assert b"Default: test" in changed["template.yaml"]
    assert changed == run(tmp_path / "fresh-cache")

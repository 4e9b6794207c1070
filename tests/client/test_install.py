"""The install pipeline over a static in-memory registry (the e2e tests use the real one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from install_fakes import URL, FakeRegistry, factory
from install_samples import USER, lint_errors, publish_samples, sam_translate

from client.install.cache import Cache
from client.install.errors import (
    DigestMismatchError,
    FrozenLockfileError,
    OfflineError,
    ParameterError,
)
from client.install.pipeline import InstallOptions, install, update
from client.template import load_template


@pytest.fixture
def registry() -> FakeRegistry:
    fake = FakeRegistry()
    publish_samples(fake)
    return fake


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "template.yaml").write_text(USER)
    return tmp_path / "app"


def run(project: Path, registry: FakeRegistry, cache: Path, **options: object) -> object:
    opts = InstallOptions(template=project / "template.yaml", **options)  # type: ignore[arg-type]
    return install(opts, clients=factory(registry), cache=Cache(cache))


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project)): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file()
    }


def test_install_writes_the_build_and_lockfile(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    report = run(project, registry, tmp_path / "cache")
    build = project / ".nestry" / "build"
    lock = json.loads((project / "nestry.lock").read_text())["references"]
    assert {path: e["version"] for path, e in lock.items()} == {
        "Leaf": "2.0.0",
        "Mid": "1.0.0",
        "Mid/LeafOne": "1.1.0",
        "Mid/LeafTwo": "2.0.0",
    }
    assert lock["Mid"]["registry"] == URL
    assert report.lockfile_changed  # type: ignore[attr-defined]
    assert "apps/acme/leaf/1.1.0/template.yaml" in report.files  # type: ignore[attr-defined]
    # Each distinct template is fetched once, and the subtree came with the first resolve.
    assert registry.get_calls() == 3
    assert registry.resolve_calls() == 1
    root = load_template((build / "template.yaml").read_text())
    mid = root["Resources"]["Mid"]
    assert mid["Type"] == "AWS::CloudFormation::Stack"
    assert mid["Properties"]["TemplateURL"] == "apps/acme/mid/1.0.0/template.yaml"
    assert mid["Properties"]["Tags"] == [
        {"Key": "team", "Value": "core"},
        {"Key": "nestry:application", "Value": "acme/mid"},
        {"Key": "nestry:version", "Value": "1.0.0"},
    ]
    assert (mid["DependsOn"], mid["DeletionPolicy"], mid["Metadata"]) == (
        "Queue",
        "Retain",
        {"Owner": "core"},
    )
    assert mid["Properties"]["TimeoutInMinutes"] == 10
    assert root["Resources"]["Leaf"]["Condition"] == "IsProd"
    child = load_template((build / "apps/acme/mid/1.0.0/template.yaml").read_text())
    assert (
        child["Resources"]["LeafOne"]["Properties"]["TemplateURL"]
        == "../../leaf/1.1.0/template.yaml"
    )


def test_every_generated_template_lints_and_translates(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    templates = sorted((project / ".nestry" / "build").rglob("template.yaml"))
    assert len(templates) == 4
    for path in templates:
        assert lint_errors(path) == set(), path
        assert "Resources" in sam_translate(path)


def test_capabilities_and_next_command(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    report = run(project, registry, tmp_path / "cache")
    assert report.capabilities == ("CAPABILITY_AUTO_EXPAND",)  # type: ignore[attr-defined]
    command = report.next_command  # type: ignore[attr-defined]
    assert command.startswith("sam deploy --guided -t ")
    assert command.endswith("--capabilities CAPABILITY_AUTO_EXPAND")


def test_locked_install_with_warm_cache_needs_no_network(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    before = snapshot(project)
    registry.calls.clear()
    report = run(project, registry, tmp_path / "cache", offline=True, frozen=True)
    assert registry.calls == []
    assert not report.lockfile_changed  # type: ignore[attr-defined]
    assert snapshot(project) == before


def test_offline_with_a_cold_cache_names_what_is_missing(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    with pytest.raises(
        OfflineError,
        match=r"--offline: acme/(leaf|mid)@[0-9.]+ \(sha256:[0-9a-f]{64}\) is not in the cache",
    ):
        run(project, registry, tmp_path / "other-cache", offline=True)


def test_offline_without_a_lockfile_fails_clearly(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    with pytest.raises(
        OfflineError, match=r"--offline: Mid \(acme/mid \^1.0.0\) is not pinned in nestry.lock"
    ):
        run(project, registry, tmp_path / "cache", offline=True)
    assert not (project / "nestry.lock").exists()


def test_lockfile_wins_over_newer_versions_until_update(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    registry.publish("acme/leaf", "1.2.0", "Resources: {}\n" if False else _leaf("1.2.0"))
    run(project, registry, tmp_path / "cache")
    assert _locked(project)["Mid/LeafOne"] == "1.1.0"
    report = update(
        InstallOptions(template=project / "template.yaml"),
        ["acme/leaf"],
        clients=factory(registry),
        cache=Cache(tmp_path / "cache"),
    )
    assert _locked(project)["Mid/LeafOne"] == "1.2.0"
    assert [(c.path, c.old, c.new) for c in report.changes] == [("Mid/LeafOne", "1.1.0", "1.2.0")]


def test_frozen_fails_on_a_changed_range(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    (project / "template.yaml").write_text(
        USER.replace("SemanticVersion: latest", "SemanticVersion: ^1.0.0")
    )
    before = snapshot(project)
    with pytest.raises(FrozenLockfileError, match="Leaf"):
        run(project, registry, tmp_path / "cache", frozen=True)
    assert snapshot(project) == before


def test_frozen_fails_on_a_stale_entry(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    text = USER.split("  Leaf:\n")[0] + "Outputs:\n  Topic:\n    Value: !GetAtt Mid.Outputs.One\n"
    (project / "template.yaml").write_text(text)
    with pytest.raises(
        FrozenLockfileError, match=r"Leaf is in nestry\.lock but no longer in the template"
    ):
        run(project, registry, tmp_path / "cache", frozen=True)


def test_wire_tampering_is_refused_and_nothing_written(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    before = snapshot(project)
    registry.tamper = True
    with pytest.raises(DigestMismatchError):
        run(
            project,
            registry,
            tmp_path / "cold",
        )
    assert snapshot(project) == before
    assert not any(p.is_file() for p in (tmp_path / "cold").rglob("*"))


def test_parameter_errors_leave_build_and_lock_untouched(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    run(project, registry, tmp_path / "cache")
    before = snapshot(project)
    (project / "template.yaml").write_text(
        USER.replace("Prefix: abc", "Prefix: abc\n        Bogus: x")
    )
    with pytest.raises(ParameterError, match="Mid: parameter 'Bogus' is not declared") as info:
        run(project, registry, tmp_path / "cache")
    assert info.value.code == "invalid_parameters"
    before["template.yaml"] = (project / "template.yaml").read_bytes()
    assert snapshot(project) == before


def test_child_pattern_violation_is_found_deep_in_the_tree(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    from install_samples import MID

    registry.publish(
        "acme/mid", "1.1.0", MID.format(version="1.1.0").replace("Name: two", "Name: TWO")
    )
    with pytest.raises(
        ParameterError, match=r"Mid/LeafTwo: parameter 'Name' .*AllowedPattern"
    ) as info:
        run(project, registry, tmp_path / "cache")
    assert len(info.value.problems) == 1
    assert not (project / ".nestry").exists()
    assert not (project / "nestry.lock").exists()


def _leaf(version: str) -> str:
    from install_samples import LEAF

    return LEAF.format(version=version)


def _locked(project: Path) -> dict[str, str]:
    lock = json.loads((project / "nestry.lock").read_text())["references"]
    return {path: entry["version"] for path, entry in lock.items()}


def test_flatten_inlines_the_whole_tree(
    project: Path, registry: FakeRegistry, tmp_path: Path
) -> None:
    report = run(project, registry, tmp_path / "cache", flatten=True)
    root_path = project / ".nestry" / "build" / "template.yaml"
    resources = load_template(root_path.read_text())["Resources"]
    assert sorted(resources) == ["LeafTopic", "MidLeafOneTopic", "MidLeafTwoTopic", "Queue"]
    assert resources["MidLeafOneTopic"]["Properties"]["TopicName"] == "abc"
    assert any("Tags applies to a nested stack only" in w for w in report.warnings)  # type: ignore[attr-defined]
    assert lint_errors(root_path) == set()

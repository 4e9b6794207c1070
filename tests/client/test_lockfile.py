from __future__ import annotations

import json
from pathlib import Path

import pytest

from client.install import lockfile
from client.install.errors import LockfileError
from client.install.lockfile import LockEntry, Lockfile

DIGEST = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def entry(version: str = "2.1.0", range_: str = "^2.0.0", **extra: str) -> LockEntry:
    return LockEntry("acme/tweets", range_, version, DIGEST, "https://r.test", **extra)


def test_dump_is_deterministic_sorted_and_ends_with_newline() -> None:
    lock = Lockfile({"B": entry(), "A": entry(bundle_digest=OTHER)})
    text = lockfile.dumps(lock)
    assert text.endswith("}\n")
    assert text.index('"A"') < text.index('"B"')
    assert text == lockfile.dumps(Lockfile(dict(reversed(list(lock.references.items())))))
    assert json.loads(text)["lockfile_version"] == 1
    assert "bundle_digest" not in json.loads(text)["references"]["B"]
    assert text.splitlines()[1].startswith('  "lockfile_version"')


def test_round_trip() -> None:
    lock = Lockfile({"A": entry(), "A/B": entry("1.0.0", "~1", bundle_digest=OTHER)})
    assert lockfile.loads(lockfile.dumps(lock)) == lock


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"lockfile_version": 2, "references": {}}',
        '{"lockfile_version": 1, "references": []}',
        '{"lockfile_version": 1, "references": {"A": {"application": "a/b"}}}',
        json.dumps(
            {"lockfile_version": 1, "references": {"A": {**entry().to_json(), "digest": "md5:x"}}}
        ),
    ],
)
def test_malformed_lockfiles_are_refused(text: str) -> None:
    with pytest.raises(LockfileError):
        lockfile.loads(text)


def test_read_missing_is_empty_and_write_only_when_changed(tmp_path: Path) -> None:
    path = tmp_path / "nestry.lock"
    assert lockfile.read(path) == lockfile.EMPTY
    lock = Lockfile({"A": entry()})
    assert lockfile.write_if_changed(path, lock) is True
    before = path.stat().st_mtime_ns
    assert lockfile.write_if_changed(path, lock) is False
    assert path.stat().st_mtime_ns == before
    assert lockfile.read(path) == lock
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_differences_name_missing_stale_and_changed() -> None:
    old = Lockfile({"A": entry(), "Gone": entry()})
    new = Lockfile({"A": entry(range_="^3.0.0"), "New": entry()})
    found = lockfile.differences(old, new)
    assert len(found) == 3
    assert "A is locked as acme/tweets ^2.0.0" in found[0]
    assert found[1] == "Gone is in nestry.lock but no longer in the template"
    assert found[2] == "New is in the template but not in nestry.lock"


def test_version_changes() -> None:
    old = Lockfile({"A": entry("2.1.0"), "B": entry("1.0.0")})
    new = Lockfile({"A": entry("2.2.0"), "B": entry("1.0.0")})
    changes = lockfile.version_changes(old, new)
    assert [(c.path, c.old, c.new) for c in changes] == [("A", "2.1.0", "2.2.0")]


def test_template_path_round_trips_and_is_omitted_when_null() -> None:
    placed = entry(bundle_digest=OTHER, template_path="sub/dir/template.yaml")
    lock = Lockfile({"A": placed, "B": entry()})
    text = lockfile.dumps(lock)
    references = json.loads(text)["references"]
    assert references["A"]["template_path"] == "sub/dir/template.yaml"
    assert "template_path" not in references["B"]
    assert lockfile.loads(text) == lock


def test_a_lockfile_written_before_template_path_reloads_byte_identical() -> None:
    text = (
        '{\n  "lockfile_version": 1,\n  "references": {\n    "A": {\n'
        '      "application": "acme/tweets",\n'
        f'      "digest": "{DIGEST}",\n'
        '      "range": "^2.0.0",\n'
        '      "registry": "https://r.test",\n'
        '      "version": "2.1.0"\n    }\n  }\n}\n'
    )
    lock = lockfile.loads(text)
    assert lock.references["A"].template_path is None
    assert lockfile.dumps(lock) == text


@pytest.mark.parametrize("place", [7, ["sub"], {"a": 1}])
def test_a_non_string_template_path_is_refused(place: object) -> None:
    raw = {**entry().to_json(), "template_path": place}
    text = json.dumps({"lockfile_version": 1, "references": {"A": raw}})
    with pytest.raises(LockfileError, match="template_path"):
        lockfile.loads(text)


def test_a_moved_template_is_a_difference() -> None:
    old = Lockfile({"A": entry()})
    new = Lockfile({"A": entry(template_path="sub/template.yaml")})
    found = lockfile.differences(old, new)
    assert len(found) == 1 and found[0].endswith("at sub/template.yaml")

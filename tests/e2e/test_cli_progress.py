"""Progress bars for big transfers: the real ``nestry`` process against a real registry, its
stderr a terminal (a pseudo-terminal) or a pipe."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, NamedTuple

NESTRY = Path(sys.executable).parent / "nestry"
BIG = 3 * 1024 * 1024  # over the 1 MiB a bar needs (client.commands.output.BAR_THRESHOLD)

APP = """\
Transform: AWS::Serverless-2016-10-31
Metadata:
  AWS::ServerlessRepo::Application:
    Name: heavy
    Description: ships a big file
    Author: acme
    SemanticVersion: {version}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
"""
USER = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Heavy:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/heavy
        SemanticVersion: '^1'
"""


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


def run(args: list[str], env: dict[str, str], *, terminal: bool) -> Run:
    """``nestry ARGS``, stdout a pipe, stderr a pseudo-terminal (``terminal``) or a pipe."""
    if not terminal:
        done = subprocess.run(
            [str(NESTRY), *args], env=env, capture_output=True, text=True, timeout=120
        )
        return Run(done.returncode, done.stdout, done.stderr)
    controller, terminal_end = pty.openpty()
    process = subprocess.Popen(
        [str(NESTRY), *args], env=env, stdout=subprocess.PIPE, stderr=terminal_end
    )
    os.close(terminal_end)
    seen: list[bytes] = []

    def drain() -> None:  # the bar redraws often: keep the terminal's buffer from filling
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the process closed its end
                return
            if not data:
                return
            seen.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    assert process.stdout is not None
    with process.stdout:
        stdout = process.stdout.read().decode()
    code = process.wait(timeout=120)
    reader.join(timeout=30)
    os.close(controller)
    return Run(code, stdout, b"".join(seen).decode(errors="replace"))


def test_big_uploads_and_downloads_show_a_bar_only_on_a_terminal(
    live_registry: Any, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_TOKEN": live_registry.admin_token,
        "COLUMNS": "120",
    }
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (app / "src" / "data.bin").write_bytes(os.urandom(BIG))  # incompressible
    template = app / "template.yaml"

    template.write_text(APP.format(version="1.0.0"))
    shown = run(["publish", str(template), "-n", "acme"], env, terminal=True)
    assert shown.code == 0, shown.stderr
    assert "Uploading acme/heavy@1.0.0" in shown.stderr
    assert "3.0 MiB of 3.0 MiB" in shown.stderr  # byte counts, up to the whole body
    assert "100%" in shown.stderr
    assert "Publishing acme/heavy@1.0.0: done" in shown.stderr
    assert shown.stdout.startswith("Published acme/heavy@1.0.0")

    template.write_text(APP.format(version="1.0.1"))
    piped = run(["publish", str(template), "-n", "acme"], env, terminal=False)
    assert piped.code == 0, piped.stderr
    assert piped.stderr == ""  # nothing for a pipe
    assert piped.stdout.startswith("Published acme/heavy@1.0.1")

    template.write_text(APP.format(version="1.0.2"))
    as_json = run(["publish", str(template), "-n", "acme", "--json"], env, terminal=True)
    assert as_json.code == 0, as_json.stderr
    assert json.loads(as_json.stdout)["version"] == "1.0.2"  # stdout is pure JSON
    assert "Uploading" not in as_json.stderr and "MiB" not in as_json.stderr

    user = tmp_path / "user" / "template.yaml"
    user.parent.mkdir()
    user.write_text(USER)
    installed = run(["install", "-t", str(user)], env, terminal=True)
    assert installed.code == 0, installed.stderr
    assert "Downloading" in installed.stderr
    assert "MiB of 3.0 MiB" in installed.stderr

    again = tmp_path / "again" / "template.yaml"  # a fresh cache: the bundle is fetched again
    again.parent.mkdir()
    again.write_text(USER)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache2")
    quiet = run(["install", "-t", str(again), "--json"], env, terminal=True)
    assert quiet.code == 0, quiet.stderr
    assert json.loads(quiet.stdout)["tree"][0]["version"] == "1.0.2"
    assert "Downloading" not in quiet.stderr and "MiB" not in quiet.stderr
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache3")
    piped_install = run(["install", "-t", str(again)], env, terminal=False)
    assert piped_install.code == 0, piped_install.stderr
    assert "Downloading" not in piped_install.stderr and "MiB" not in piped_install.stderr

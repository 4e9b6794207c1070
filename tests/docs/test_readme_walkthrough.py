"""README.md's walkthrough and its administrators' section, run as printed.

Each fenced block of the two sections runs in order, one command at a time, in bash: the real
``scripts/serve`` starts the registry, then the real ``nestry`` and ``nestry-registry`` do what
the reader types, in a temporary ``HOME``, starting at the root of a checkout: a temporary
folder whose ``scripts``, ``.venv``, ``examples`` and ``pyproject.toml`` are this checkout's
(so ``./.nestry-data`` is the temporary folder's, and the real checkout is left as it was).

What the blocks mean (``walkthrough_blocks`` reads them):

- ``sh`` (or ``bash``, ``shell``): every line is shell; a line ending in ``\\`` continues, and a
  heredoc (``<<EOF``) runs to its closing word.
- ``console``: ``$ `` starts a command; the lines under it are key lines of what it prints: each
  must be a line of its stdout or stderr, blanks collapsed, ``...`` matching anything. A command
  with an ``Error: ...`` key line must fail; every other command must succeed.
- ``no-run`` (a second word): the block needs an AWS account, so it does not run. The test checks
  that these are exactly the ``sam``/``aws`` commands, and does instead what it can here: the
  template ``sam build -t`` would read goes through cfn-lint and aws-sam-translator (as does every
  build directory ``nestry install`` writes).
- ``background``: the registry server. It is started, waited for, and stopped at the end.

The only liberties taken, each because the README's literal value cannot be used in a test:
the address ``127.0.0.1:8000`` is a free port's (``--port`` is added to the background
command), and ``nst_...`` in a command is the token printed last (what "paste the token"
means: every command's stdin is that token too).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from install_samples import lint_errors, sam_translate_document

from client.template import load_template

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTIONS = (
    "## Walkthrough: from a registry to a deployed stack",
    "## For administrators: organizations, private apps, sharing",
)
ADDRESS = "127.0.0.1:8000"
SHELLS = {"sh", "bash", "shell"}
MARKS = {"no-run", "background"}
TOKEN = re.compile(r"\bnst_[A-Za-z0-9_-]{30,}")
NEEDS_AWS = re.compile(r"(sam|aws)\b")
COMMAND_SECONDS = 120


@dataclass
class Command:
    text: str
    expected: list[str] = field(default_factory=list)  # key lines of its output


@dataclass
class Block:
    line: int  # of the opening fence in README.md
    marks: set[str]
    source: str
    commands: list[Command]


def section_text(readme: str, heading: str) -> tuple[int, str]:
    """The section under ``heading`` (to the next ``## ``) and the line it starts on."""
    start = readme.index("\n" + heading + "\n") + 1
    end = readme.find("\n## ", start + len(heading))
    return readme.count("\n", 0, start) + 1, readme[start : end if end != -1 else None]


def walkthrough_blocks(readme: str) -> list[Block]:
    """The ``sh`` and ``console`` blocks of the two sections, in order."""
    blocks: list[Block] = []
    for heading in SECTIONS:
        first_line, text = section_text(readme, heading)
        lines = text.split("\n")
        index = 0
        while index < len(lines):
            opening, fence = lines[index], first_line + index
            index += 1
            if not opening.startswith("```"):
                continue
            words = opening[3:].split()
            body: list[str] = []
            while not lines[index].startswith("```"):
                body.append(lines[index])
                index += 1
            index += 1
            if not words or not (words[0] in SHELLS or words[0] == "console"):
                continue
            marks = set(words[1:])
            assert marks <= MARKS, f"README.md:{fence}: unknown fence words {marks - MARKS}"
            parse = console_commands if words[0] == "console" else shell_commands
            blocks.append(Block(fence, marks, "\n".join(body), parse(body)))
    return blocks


def shell_commands(lines: list[str]) -> list[Command]:
    """One command per line, with continuation lines and heredocs kept together."""
    commands: list[Command] = []
    index = 0
    while index < len(lines):
        text = lines[index]
        index += 1
        while text.endswith("\\") and index < len(lines):
            text += "\n" + lines[index]
            index += 1
        heredoc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", text)
        if heredoc:
            while index < len(lines) and lines[index].strip() != heredoc[1]:
                text += "\n" + lines[index]
                index += 1
            text += "\n" + heredoc[1]
            index += 1
        if text.strip() and not text.lstrip().startswith("#"):
            commands.append(Command(text))
    return commands


def console_commands(lines: list[str]) -> list[Command]:
    commands: list[Command] = []
    for line in lines:
        if line.startswith("$ "):
            commands.append(Command(line[2:]))
        elif line.strip():
            assert commands, f"output before any command: {line!r}"
            commands[-1].expected.append(line)
    return commands


def _normal(line: str) -> str:
    return " ".join(line.split())


def missing_lines(expected: list[str], output: str) -> list[str]:
    """The expected key lines that match no line of ``output`` (``...`` matches anything)."""
    actual = [_normal(line) for line in output.splitlines()]
    missing = []
    for line in expected:
        pattern = re.compile(".*".join(re.escape(p) for p in _normal(line).split("...")))
        if not any(pattern.fullmatch(a) for a in actual):
            missing.append(line)
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def check_build(template: Path) -> None:
    """What ``sam build`` would judge of a build directory's template, and the templates it
    nests: cfn-lint (which reads nested templates too), each function's code where SAM would
    build it from, and SAM's translation (with local code swapped for an S3 URI, as
    ``sam validate`` does)."""
    assert template.is_file(), f"{template} was not written"
    assert lint_errors(template) == set()
    pending = [template]
    while pending:
        current = pending.pop()
        document = load_template(current.read_text(encoding="utf-8"), source=str(current))
        assert document["Resources"], f"{current} has no resources"
        for resource in document["Resources"].values():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::CloudFormation::Stack":
                pending.append(current.parent / properties["TemplateURL"])
            elif resource["Type"] == "AWS::Serverless::Function" and _zip_code(properties):
                properties["CodeUri"] = _s3_code(current.parent, document, properties)
        sam_translate_document(document)


def _zip_code(properties: dict[str, Any]) -> bool:
    return "InlineCode" not in properties and properties.get("PackageType") != "Image"


def _s3_code(folder: Path, document: dict[str, Any], properties: dict[str, Any]) -> Any:
    """SAM CLI's view of a zip function's code: ``CodeUri`` (else the Globals', else the
    template's folder); a local one must hold the handler's file. Returns the S3 URI SAM CLI
    validates with in place of a local path."""
    defaults = document.get("Globals", {}).get("Function", {})
    code = properties.get("CodeUri", defaults.get("CodeUri", "."))
    if not isinstance(code, str) or code.startswith("s3://"):
        return code
    module = properties.get("Handler", defaults.get("Handler", "")).rsplit(".", 1)[0]
    files = [p for p in (folder / code).glob(module + ".*") if p.is_file()]
    assert files, f"no code for handler {properties.get('Handler')!r} in {folder / code}"
    return "s3://bucket/value"


class Reader:
    """The reader at their terminal: where they are, what they exported, the last token they
    were shown, and the registry running in the background."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        self.port = port
        self.cwd = tmp_path / "checkout"
        self.cwd.mkdir()
        for name in ("scripts", ".venv", "examples", "pyproject.toml"):
            (self.cwd / name).symlink_to(ROOT / name)
        self.state = tmp_path / "shell-state"
        self.state.mkdir()
        home = tmp_path / "home"
        home.mkdir()
        venv_bin = str(ROOT / ".venv" / "bin")
        path = os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin
        )
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("NESTRY_", "XDG_", "AWS_")) and name != "VIRTUAL_ENV"
        }
        self.env.update(PATH=path, HOME=str(home))
        self.token = ""
        self.server: subprocess.Popen[bytes] | None = None
        self.server_log = tmp_path / "serve.log"
        self.ran = 0
        self.checked_builds: set[str] = set()

    def run(self, block: Block, command: Command) -> None:
        text = command.text.replace("nst_...", self.token)
        script = self.state / "command.sh"
        script.write_text(
            f"set -o pipefail\n{text}\n__rc=$?\n"
            f'pwd > "{self.state}/cwd"\nenv -0 > "{self.state}/env"\nexit $__rc\n'
        )
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", str(script)],
            cwd=self.cwd,
            env=self.env,
            input=self.token + "\n",
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
        )
        self.ran += 1
        output = result.stdout + result.stderr
        should_fail = any(line.startswith("Error:") for line in command.expected)
        failed = result.returncode != 0
        missing = missing_lines(command.expected, output)
        if failed != should_fail or missing:
            pytest.fail(
                f"README.md:{block.line}: `{command.text}` exited {result.returncode}"
                + (f"; missing output lines: {missing}" if missing else "")
                + f"\n--- the block:\n{block.source}\n--- stdout:\n{result.stdout}"
                f"\n--- stderr:\n{result.stderr}\n--- registry log (end):\n"
                + self.server_log.read_text()[-3000:],
                pytrace=False,
            )
        self.cwd = Path((self.state / "cwd").read_text().strip())
        pairs = (self.state / "env").read_text().split("\0")
        self.env = dict(p.split("=", 1) for p in pairs if "=" in p)
        self.token = ([*TOKEN.findall(output)] or [self.token])[-1]
        if re.match(r"nestry install\b", text):
            self.check_build(self.cwd / ".nestry" / "build" / "template.yaml")

    def check_build(self, template: Path) -> None:
        """``check_build``, once per distinct build directory (the same bytes, the same
        verdict)."""
        digest = tree_digest(template.parent)
        if digest not in self.checked_builds:
            check_build(template)
            self.checked_builds.add(digest)

    def start_background(self, block: Block, command: Command) -> None:
        """The registry, started as printed (on a free port) and waited for."""
        assert self.server is None, f"README.md:{block.line}: a second background command"
        with self.server_log.open("wb") as log:
            self.server = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-c", f"{command.text} --port {self.port}"],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends all of it
            )
        deadline = time.monotonic() + COMMAND_SECONDS
        while not self._answers():
            if self.server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"README.md:{block.line}: `{command.text}` did not start a registry:\n"
                    + self.server_log.read_text(),
                    pytrace=False,
                )
            time.sleep(0.1)
        output = self.server_log.read_text()
        missing = missing_lines(command.expected, output)
        assert not missing, f"README.md:{block.line}: missing {missing} in:\n{output}"
        self.token = ([*TOKEN.findall(output)] or [self.token])[-1]
        self.ran += 1

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
                return sock.recv(12).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(10)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    # Up to date first (a no-op unless pyproject.toml changed), so that the walkthrough's own
    # `scripts/serve` has nothing to install through the temporary checkout's links.
    subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap")], check=True, timeout=900)
    reader = Reader(tmp_path, free_port())
    try:
        yield reader
    finally:
        reader.stop()


def test_the_blocks_are_read_as_the_docstring_says() -> None:
    lines = ["cat > f <<'EOF'", "a: 1", "EOF", "nestry x \\", "  --y  # z", "# only a comment"]
    assert [c.text for c in shell_commands(lines)] == [
        "cat > f <<'EOF'\na: 1\nEOF",
        "nestry x \\\n  --y  # z",
    ]
    parsed = console_commands(["$ nestry whoami", "admin on ...", "", "$ true"])
    assert [(c.text, c.expected) for c in parsed] == [
        ("nestry whoami", ["admin on ..."]),
        ("true", []),
    ]
    assert missing_lines(["a  b ... d", "x"], "zz\na b c c d\n") == ["x"]


def test_only_the_aws_blocks_are_not_run() -> None:
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    for block in blocks:
        needs_aws = [bool(NEEDS_AWS.match(c.text)) for c in block.commands]
        if "no-run" in block.marks:
            assert needs_aws and all(needs_aws), f"README.md:{block.line}: no-run but runnable"
        else:
            assert not any(needs_aws), f"README.md:{block.line}: needs AWS; mark it no-run"
    not_run = [c.text for b in blocks if "no-run" in b.marks for c in b.commands]
    # The walkthrough ends in a deployment, and the build it deploys is checked instead.
    assert any(re.match(r"sam build -t ", c) for c in not_run), not_run
    assert any(c.startswith("sam deploy") for c in not_run), not_run


def test_the_readme_walkthrough_runs_as_printed(reader: Reader) -> None:
    blocks = walkthrough_blocks(
        README.read_text(encoding="utf-8").replace(ADDRESS, f"127.0.0.1:{reader.port}")
    )
    examples = tree_digest(ROOT / "examples")
    data_before = (ROOT / ".nestry-data").exists()
    for block in blocks:
        for command in block.commands:
            if "background" in block.marks:
                reader.start_background(block, command)
            elif "no-run" not in block.marks:
                reader.run(block, command)
            elif command.text.startswith("sam build"):
                template = re.search(r"-t\s+(\S+)", command.text)
                assert template, f"README.md:{block.line}: sam build without -t"
                reader.check_build(reader.cwd / template[1])
    assert reader.server is not None, "no block started the registry"
    assert reader.ran > 50  # the whole walkthrough, not a prefix of it
    assert len(reader.checked_builds) >= 3  # nested, flattened, and after the update
    # The reader copied the examples before changing anything; the checkout is as it was.
    assert tree_digest(ROOT / "examples") == examples
    assert (ROOT / ".nestry-data").exists() == data_before


def test_a_build_without_its_functions_code_is_caught(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Handler: functions/clean.handler, Runtime: nodejs22.x}\n"
    )
    with pytest.raises(AssertionError, match=r"no code for handler 'functions/clean\.handler'"):
        check_build(template)
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "clean.js").write_text("exports.handler = async () => 1;\n")
    check_build(template)

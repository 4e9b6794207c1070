"""The order in which ``nestry install`` imports what it needs (a warm-install cost)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_install_command_imports_the_template_model_first() -> None:
    """The template model's import compiles deeply recursive regexes (the range grammar). Done
    from inside ``client.install.pipeline``'s own imports, that recursion crossed one of CPython
    3.11's
    16 KiB frame-stack chunks back and forth: ~320 mmap/munmap pairs, ~5 ms of a warm install
    (strace -e mmap; bench/README.md item 7). ``client.commands.install`` imports it first."""
    code = (  # a finder that only notes the order in which imports start
        "import sys\n"
        "started = []\n"
        "class Note:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        started.append(name)\n"
        "sys.meta_path.insert(0, Note())\n"
        "import client.commands.install\n"
        "print(started.index('nodesemver') < started.index('client.install.pipeline'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"

"""The install floor: start the interpreter, import the template model, parse every template.

    .venv/bin/python bench/parse_floor.py DIR     # parses DIR/**/*.yaml once each

``bench/install.py`` times this beside ``python -c pass``: a warm install must at least do this.
"""

from __future__ import annotations

import sys
from pathlib import Path

from client.template import parse_template


def main() -> None:
    files = sorted(Path(sys.argv[1]).rglob("*.yaml"))
    if not files:
        raise SystemExit(f"no templates under {sys.argv[1]}")
    for path in files:
        parse_template(path.read_bytes(), source=str(path))


if __name__ == "__main__":
    main()

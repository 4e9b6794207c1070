"""Where the corpus of real SAR templates is: ``shared/`` beside the checkout (as CI lays it),
else the developer machine's ``/work/shared``, else ``$NESTRY_CORPUS_DIR``. Missing is an error:
a corpus test must never pass by finding no templates."""

from __future__ import annotations

import os
from pathlib import Path

_CANDIDATES = [
    os.environ.get("NESTRY_CORPUS_DIR", ""),
    str(Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sar-templates"),
    "/work/shared/corpus/sar-templates",
]
CORPUS = next((Path(c) for c in _CANDIDATES if c and Path(c, "README.md").is_file()), None)
if CORPUS is None:
    raise RuntimeError(f"the SAR template corpus is missing; looked in {_CANDIDATES}")

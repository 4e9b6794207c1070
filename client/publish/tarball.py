"""Deterministic tar.gz: the same files give the same bytes, on any machine, at any time.

Entries are regular files only, in sorted order, with relative POSIX paths; owner, group,
times and the gzip header are fixed; the mode keeps only whether the file is executable.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from collections.abc import Mapping
from pathlib import Path

FIXED_MTIME = 0


def pack(files: Mapping[str, Path]) -> bytes:
    """A tar.gz of ``files`` (bundle path -> local file)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(files):
            _add(archive, name, files[name])
    out = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of the local name and the time.
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=out, mtime=FIXED_MTIME, compresslevel=9
    ) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _add(archive: tarfile.TarFile, name: str, path: Path) -> None:
    info = tarfile.TarInfo(name)
    with path.open("rb") as src:
        stats = os.fstat(src.fileno())
        if not stat.S_ISREG(stats.st_mode):
            raise ValueError(f"{path} is not a regular file")
        info.size = stats.st_size
        info.mode = 0o755 if stats.st_mode & stat.S_IXUSR else 0o644
        info.mtime = FIXED_MTIME
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        archive.addfile(info, src)

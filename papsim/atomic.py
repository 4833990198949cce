"""Atomic file writes: a file is written under a temporary name, flushed to disk, then renamed into place.

So a reader (or a later run) sees either the previous file or the complete new one, never a truncated one,
whatever happens meanwhile (a full disk, a kill, an error in the writer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path, tmp_dir: str | Path | None = None) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s content to; on success it replaces ``path``.

    The temporary file is hidden (its name starts with '.'), keeps the suffix (writers that choose a format
    by suffix still work) and lies in ``tmp_dir`` (default: ``path``'s folder; it must be on the same file
    system). On an error it is removed and ``path`` is left as it was."""
    path = Path(path)
    folder = Path(tmp_dir) if tmp_dir is not None else path.parent
    tmp = folder / f".{path.stem}.{os.getpid()}.tmp{path.suffix}"
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str, tmp_dir: str | Path | None = None) -> None:
    """Write ``text`` to ``path`` atomically."""
    with replacing(path, tmp_dir) as tmp:
        tmp.write_text(text)

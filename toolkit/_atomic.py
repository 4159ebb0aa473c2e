"""Write outputs all at once or not at all.

A command writes into a temporary folder beside its output folder; only when everything has been
written are the files moved into place. A failure half-way leaves the output folder as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from .errors import user_error

__all__ = ["atomic_output_dir", "atomic_write_text"]


@contextlib.contextmanager
def atomic_output_dir(out_dir: str | os.PathLike, *, protect: Iterable[str | os.PathLike] = ()) -> Iterator[Path]:
    """Yield a temporary folder whose files land in ``out_dir`` only on success.

    Parameters
    ----------
    out_dir : path
        The folder the user asked for; created if missing.
    protect : iterable of paths
        Input files that must survive: if ``out_dir`` would hold one of them, or is one of them,
        a :class:`~toolkit.errors.ToolkitError` is raised before anything is written.
    """
    out = Path(out_dir).resolve()
    for p in protect:
        src = Path(p).resolve()
        if out == src or out == src.parent:
            raise user_error(
                "the output folder would hold the input file, and the raw export must never be "
                "changed or have files written next to it",
                file=out,
                fix="choose another --out folder, outside the folder that holds the export",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        out.mkdir(parents=True, exist_ok=True)
        for child in sorted(tmp.rglob("*")):
            if child.is_dir():
                continue
            target = out / child.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(child, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

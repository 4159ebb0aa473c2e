"""File handling of ``toolkit codebook init``: read an export, write a draft codebook."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_codebook_init"]


def run_codebook_init(export, out_path, *, force: bool = False) -> list[str]:
    """Draft a codebook from ``export`` into ``out_path``; return the messages for the teacher.

    Parameters
    ----------
    export : path
        The survey export.
    out_path : path
        The codebook file to write (.yml). An existing file is kept unless ``force``.
    force : bool, default=False
        Replace an existing codebook file.
    """
    from .._atomic import atomic_write_text
    from ..codebook_draft import draft_codebook
    from ..errors import user_error
    from ..io import read_export

    out_path = Path(out_path)
    if out_path.resolve() == Path(export).resolve():
        raise user_error("the codebook would overwrite the export", file=out_path, fix="choose another --out file")
    if out_path.exists() and not force:
        raise user_error("the codebook file already exists and may hold your decisions", file=out_path,
                         fix="choose another --out file, or add --force to replace it")
    draft = draft_codebook(read_export(export))
    atomic_write_text(out_path, draft.yaml)
    counts = draft.columns["role"].value_counts()
    n_constructs = sum(1 for line in draft.yaml.splitlines() if line.startswith("    items:"))
    n_marks = sum(1 for line in draft.yaml.splitlines() if "TODO" in line)
    return [
        f"Drafted {out_path}: {counts.get('item', 0)} items in {n_constructs} proposed construct(s), "
        f"{counts.get('group', 0)} group, {counts.get('voice', 0)} free-text column(s).",
        f"Note: decide the {n_marks} TODO marks in it and delete them (guide: docs/codebook.md); every "
        f"command refuses the file while a mark is left.",
    ]

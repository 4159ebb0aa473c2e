"""The demo: every pipeline stage, run on the bundled sample."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ._atomic import atomic_output_dir
from .codebook import load_codebook

__all__ = ["run_demo"]


def run_demo(sample_dir: str | os.PathLike, out_dir: str | os.PathLike, *, seed: int) -> Path:
    """Run the pipeline on the sample in ``sample_dir`` and write its outputs into ``out_dir``.

    Returns
    -------
    Path
        The output folder.
    """
    sample_dir = Path(sample_dir)
    codebook = load_codebook(sample_dir / "codebook.yml")
    constructs = pd.DataFrame(
        [(c.key, c.label, c.tag, len(c.items), sum(i.reverse for i in c.items)) for c in codebook.constructs],
        columns=["construct", "label", "tag", "n_items", "n_reverse_keyed"],
    )
    with atomic_output_dir(out_dir) as tmp:
        constructs.to_csv(tmp / "constructs.csv", index=False, lineterminator="\n")
    return Path(out_dir)

"""The demo: the leadership report on the bundled sample."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["run_demo"]


def run_demo(sample_dir: str | os.PathLike, out_dir: str | os.PathLike, *, seed: int, progress: bool = True) -> Path:
    """Run every pipeline stage on the sample in ``sample_dir`` and write the report into ``out_dir``.

    The sample's wave 1 export goes through de-identification, scoring, the profile grid, plans and
    the scaling study (with wave 2 for the transition table), and ends as ``report.html``.

    Returns
    -------
    Path
        The report's HTML file.
    """
    from .report import build_report

    sample_dir = Path(sample_dir)
    result = build_report(
        sample_dir / "survey_export.csv",
        sample_dir / "codebook.yml",
        out_dir,
        wave2=sample_dir / "survey_export_wave2.csv",
        seed=seed,
        progress=progress,
    )
    return result.html

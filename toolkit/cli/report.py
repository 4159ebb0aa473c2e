"""File handling of ``toolkit report``: build the leadership report from an export and its codebook."""

from __future__ import annotations

__all__ = ["run_report"]


def run_report(export, codebook_path, out_dir, *, key_file=None, min_cell=None, models=(1, 2, 3, 6),
               k=range(1, 7), seed=None, wave2_path=None, workload_path=None, profiles_dir=None,
               n_starts=None, progress: bool = True) -> list[str]:
    """Write report.html, report.ipynb and provenance.json into ``out_dir``; return the messages."""
    from ..config import DEFAULT_SEED, MIN_CELL
    from ..report import build_report

    result = build_report(
        export, codebook_path, out_dir, key_file=key_file, min_cell=MIN_CELL if min_cell is None else min_cell,
        models=list(models), k=list(k), seed=DEFAULT_SEED if seed is None else seed, wave2=wave2_path,
        workload=workload_path, progress=progress, profiles=profiles_dir, n_starts=n_starts,
    )
    msgs = [f"Report written to {result.html} (executed notebook and provenance.json beside it)"]
    if profiles_dir is not None:
        msgs.append(f"Profiles: the saved solution in {profiles_dir} (the plans' profiles), not refitted.")
    msgs.append(f"PDF for printing: {result.pdf}" if result.pdf is not None else
                "No PDF: Chromium is not installed (apt-get install chromium); print report.html from a browser.")
    return msgs

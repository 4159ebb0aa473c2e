"""The demo: every pipeline stage run on the bundled sample, then the leadership report.

It calls the same ``run_<stage>`` functions as the commands, in pipeline order, with the
arguments a teacher would type and the defaults of :mod:`toolkit.config`; a user's mistake in any
of them stops the demo there.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["run_demo", "demo_steps"]


def demo_steps(sample_dir: Path, work: Path, *, seed: int) -> list[tuple[str, object, tuple, dict]]:
    """The stages the demo runs, in order: ``(name, run function, arguments, keyword arguments)``.

    Parameters
    ----------
    sample_dir : Path
        The sample's folder (export, wave 2, codebook).
    work : Path
        Where the stage outputs go: one sub-folder per stage.
    seed : int
        Seed of the profile analysis and the scaling study.
    """
    from .._validation import check_k_range
    from ..config import DEFAULT_K_RANGE, DEFAULT_MODELS
    from .deidentify import run_deidentify
    from .plans import run_plans
    from .profiles import run_profiles
    from .scaling import run_scaling
    from .score import run_score

    cb = sample_dir / "codebook.yml"
    w = {name: work / name for name in ("clean", "clean_wave2", "scores", "scores_wave2", "profiles", "plans", "scaling")}
    return [
        ("deidentify", run_deidentify, (sample_dir / "survey_export.csv", cb, w["clean"]), {}),
        ("score", run_score, (w["clean"] / "responses.csv", cb, w["scores"]), {}),
        ("profiles", run_profiles, (w["scores"] / "scores.csv", w["profiles"]), {"codebook_path": cb, "seed": seed, "models": list(DEFAULT_MODELS), "ks": check_k_range(DEFAULT_K_RANGE)}),
        ("plans", run_plans, (w["clean"], w["profiles"], w["plans"]), {"codebook_path": cb}),
        ("deidentify wave 2", run_deidentify, (sample_dir / "survey_export_wave2.csv", cb, w["clean_wave2"]), {}),
        ("score wave 2", run_score, (w["clean_wave2"] / "responses.csv", cb, w["scores_wave2"]), {}),
        ("scaling", run_scaling, (w["scores"] / "scores.csv", w["profiles"], w["scaling"]),
         {"wave2_path": w["scores_wave2"] / "scores.csv", "codebook_path": cb, "seed": seed}),
    ]


def run_demo(sample_dir: str | os.PathLike, out_dir: str | os.PathLike, *, seed: int, progress: bool = True) -> Path:
    """Run every pipeline stage on the sample in ``sample_dir``; write outputs into ``out_dir``.

    ``out_dir/report.html`` is the leadership report (no student-level data). ``out_dir/teacher/``
    holds what each stage wrote (de-identified responses and ledger, scores and reliability,
    profiles, plans, the scaling study): pseudonymised but student-level, so for the teacher only.

    Returns
    -------
    Path
        The report's HTML file.
    """
    from tqdm.auto import tqdm

    from ..report import build_report

    sample_dir, out_dir = Path(sample_dir), Path(out_dir)
    steps = demo_steps(sample_dir, out_dir / "teacher", seed=seed)
    for _name, run, args, kwargs in tqdm(steps, desc="Pipeline stages", unit="stage", disable=not progress):
        run(*args, **kwargs)  # a ToolkitError stops the demo here; the demo command prints it once
    result = build_report(
        sample_dir / "survey_export.csv",
        sample_dir / "codebook.yml",
        out_dir,
        wave2=sample_dir / "survey_export_wave2.csv",
        seed=seed,
        profiles=out_dir / "teacher" / "profiles",  # the report describes the plans' profiles
        progress=progress,
    )
    return result.html

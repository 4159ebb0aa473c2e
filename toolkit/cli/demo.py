"""The demo: every pipeline stage run on the bundled sample, then the leadership report."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["run_demo", "demo_steps"]


def demo_steps(sample_dir: Path, work: Path, *, seed: int) -> list[list[str]]:
    """The ``toolkit`` commands the demo runs, in order, as a teacher would type them.

    Parameters
    ----------
    sample_dir : Path
        The sample's folder (export, wave 2, codebook).
    work : Path
        Where the stage outputs go: one sub-folder per stage.
    seed : int
        Seed of the profile analysis and the scaling study.
    """
    cb = str(sample_dir / "codebook.yml")
    w = {name: str(work / name) for name in ("clean", "clean_wave2", "scores", "scores_wave2", "profiles", "plans", "scaling")}
    return [
        ["deidentify", str(sample_dir / "survey_export.csv"), "--codebook", cb, "--out", w["clean"]],
        ["score", str(work / "clean" / "responses.csv"), "--codebook", cb, "--out", w["scores"]],
        ["profiles", str(work / "scores" / "scores.csv"), "--codebook", cb, "--seed", str(seed), "--out", w["profiles"]],
        ["plans", "--responses", w["clean"], "--profiles", w["profiles"], "--codebook", cb, "--out", w["plans"]],
        ["deidentify", str(sample_dir / "survey_export_wave2.csv"), "--codebook", cb, "--out", w["clean_wave2"]],
        ["score", str(work / "clean_wave2" / "responses.csv"), "--codebook", cb, "--out", w["scores_wave2"]],
        ["scaling", "--responses", str(work / "scores" / "scores.csv"), "--profiles", w["profiles"],
         "--wave2", str(work / "scores_wave2" / "scores.csv"), "--codebook", cb, "--seed", str(seed), "--out", w["scaling"]],
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
    import click
    from tqdm.auto import tqdm

    from . import cli
    from ..report.build import build_report

    sample_dir, out_dir = Path(sample_dir), Path(out_dir)
    steps = demo_steps(sample_dir, out_dir / "teacher", seed=seed)
    for args in tqdm(steps, desc="Pipeline stages", unit="stage", disable=not progress):
        # click.Group.invoke, not the toolkit group's own, so that a ToolkitError stops the demo
        # here and reaches the demo command, which prints it once and exits 2.
        with cli.make_context("toolkit", list(args)) as ctx:
            click.Group.invoke(cli, ctx)
    result = build_report(
        sample_dir / "survey_export.csv",
        sample_dir / "codebook.yml",
        out_dir,
        wave2=sample_dir / "survey_export_wave2.csv",
        seed=seed,
        progress=progress,
    )
    return result.html

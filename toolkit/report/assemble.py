"""Everything the leadership report shows, computed in one call before the page is written.

The report notebook stays thin (narrative and display calls): the pipeline it runs - read,
de-identify, score, profiles (fitted here or the saved solution the plans were drafted from),
plans, scaling study - lives here, so a script can build the same numbers without the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from ..config import DEFAULT_SEED, MIN_CELL
from ..errors import user_error

__all__ = ["ReportInputs", "assemble"]


@dataclass
class ReportInputs:
    """What :func:`assemble` computed for the report.

    Attributes
    ----------
    codebook : Codebook
    clean : Deidentified
        The de-identified first wave.
    scores : DataFrame
        Scale scores, index pseudonym.
    labels : dict
        Construct key -> label (the codebook's words).
    solution : ProfileSolution
        The profiles the report describes.
    results : ProfileResults or None
        The fitted grid, when the profiles were fitted here (None for a saved solution).
    chosen_how : list of str
        Why this solution (the recommendation's reasons and warnings, or how it was saved).
    source_of_profiles : str
        One sentence for leaders: where the profiles come from.
    plans : PlanSet
    reliability : DataFrame
        Each scale's reliability on the first wave.
    reliability_notes : list of str
    workload : Workload
    study : ScalingStudy
    wave2 : DataFrame or None
        Second-wave scores, when a second wave was given.
    min_cell : int
    scale_range : tuple of int
        Lowest and highest answer of the items (scores are averages, so they lie in this range).
    transitions : DataFrame or None
        Moves between the waves of the report's own profiles (wave 1 profile, students in both
        waves, to each profile, stayed, changed), unsuppressed: shown only through ``plan``.
    plan : PagePlan
        The page's suppression plan (:func:`toolkit.report.disclosure.plan_page`): which counts
        every table shows or hides, chosen over all the tables together.
    """

    codebook: Any
    clean: Any
    scores: pd.DataFrame
    labels: dict
    solution: Any
    results: Any
    chosen_how: list
    source_of_profiles: str
    plans: Any
    reliability: pd.DataFrame
    reliability_notes: list
    workload: Any
    study: Any
    wave2: pd.DataFrame | None = None
    min_cell: int = MIN_CELL
    scale_range: tuple = (1, 5)
    transitions: pd.DataFrame | None = None
    plan: Any = None


def assemble(
    export_path,
    codebook_path,
    *,
    wave2_path=None,
    profiles_path=None,
    workload_path=None,
    key_file=None,
    min_cell: int = MIN_CELL,
    models: Sequence[int] = (1, 2, 3, 6),
    n_profiles: Sequence[int] = (1, 2, 3, 4, 5, 6),
    n_starts: int | None = None,
    seed: int = DEFAULT_SEED,
) -> ReportInputs:
    """Run the pipeline the report describes and return its pieces.

    Parameters
    ----------
    export_path, codebook_path : path
        The survey export and its codebook.
    wave2_path : path, optional
        A later wave of the same survey.
    profiles_path : path, optional
        The folder of ``toolkit profiles``: use that saved solution (checked student by student)
        instead of fitting profiles here.
    workload_path : path, optional
        Workload assumptions (YAML); the shipped ones when empty.
    key_file : path, optional
        The pseudonym key; ``$TOOLKIT_KEY_FILE`` or the settings folder when empty (the report
        build passes it through the environment, so no path reaches the notebook).
    min_cell : int, default=10
    models : sequence of int, default=(1, 2, 3, 6)
    n_profiles : sequence of int, default=(1, 2, 3, 4, 5, 6)
        Numbers of profiles compared.
    n_starts : int, optional
        Random starts per profile fit; the estimator's default when None or 0.
    seed : int, default=2024

    Returns
    -------
    ReportInputs
    """
    from ..codebook import load_codebook
    from ..io import read_export
    from ..plans import draft_plans
    from ..privacy import deidentify, load_or_create_key
    from ..profiles import fit_profiles
    from ..scaling import load_workload, scaling_study
    from ..scoring import reliability, reliability_warnings, score_scales
    from ..profiles import assign_profiles
    from ..scaling.transfer import transition_table
    from .disclosure import plan_page
    from .saved import saved_solution

    codebook = load_codebook(codebook_path)
    key = load_or_create_key(key_file or None)
    clean = deidentify(read_export(export_path, codebook), codebook, key=key, min_cell=min_cell)
    scores = score_scales(clean.responses, codebook)
    n_scored = int(scores.notna().any(axis=1).sum())
    if n_scored < int(min_cell):
        raise user_error(
            f"only {n_scored} students have scores, fewer than the minimum group size of {int(min_cell)}, so the "
            "report could show no group at all",
            file=export_path,
            fix="survey more students (a whole class or more), or lower --min-cell only if your school's rule allows",
        )
    labels = {c.key: c.label for c in codebook.constructs}
    results = None
    if profiles_path:
        solution, chosen_how = saved_solution(profiles_path, scores, codebook)
        by_person = bool(chosen_how) and chosen_how[0].startswith("A person")
        source = ("These are the profiles the teachers' plans were drafted from, as saved when they were chosen"
                  + (" by a person" if by_person else " on the toolkit's recommendation")
                  + " (the reasons are in the appendix).")
    else:
        results = fit_profiles(scores, n_profiles=[int(k) for k in n_profiles], models=models,
                               n_starts=n_starts or None, random_state=seed, min_cell=min_cell, labels=labels)
        choice = results.recommend()
        solution = results.solution(choice.model, choice.n_profiles)
        chosen_how = list(choice.reasons) + list(choice.warnings)
        source = ("The profiles were found for this report, on the toolkit's recommendation (the reasons are "
                  "in the appendix); plans drafted from another saved solution may use other profiles.")
    plans = draft_plans(scores, solution, codebook, voice=clean.responses[list(codebook.voice_columns)])
    rel = reliability(clean.responses, codebook, warn=False)
    notes = reliability_warnings(clean.responses, codebook)
    alpha = {str(r.construct): float(r.alpha) for r in rel.itertuples() if r.alpha == r.alpha}
    wave2 = None
    if wave2_path:
        wave2_clean = deidentify(read_export(wave2_path, codebook), codebook, key=key, min_cell=min_cell)
        wave2 = score_scales(wave2_clean.responses, codebook)
    workload = load_workload(workload_path or None)
    groups = list(codebook.group_columns)
    study = scaling_study(scores.join(clean.responses[groups]), workload=workload, model=solution.model_number,
                          k=solution.n_profiles, wave2_scores=wave2, groups=groups, random_state=seed,
                          min_cell=min_cell, codebook=codebook,
                          reliability=alpha if set(codebook.construct_keys) <= set(alpha) else None)
    scale_range = (min(i.scale.min for i in codebook.items), max(i.scale.max for i in codebook.items))
    r = ReportInputs(codebook=codebook, clean=clean, scores=scores, labels=labels, solution=solution,
                     results=results, chosen_how=chosen_how, source_of_profiles=source, plans=plans,
                     reliability=rel, reliability_notes=notes, workload=workload, study=study, wave2=wave2,
                     min_cell=int(min_cell), scale_range=scale_range)
    if wave2 is not None:
        # The second wave placed in the report's own profiles (the model of the solution shown), so
        # that moves are counted on the profiles the page describes.
        cols = [str(c) for c in solution.model.feature_names_in_]
        w2 = wave2.loc[~wave2[cols].isna().all(axis=1)]
        placed = assign_profiles(solution.model, w2[cols])
        r.transitions = transition_table(solution.assignments["profile"], placed["profile"], int(solution.n_profiles))
    r.plan = plan_page(r)
    return r

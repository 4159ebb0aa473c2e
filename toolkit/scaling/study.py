"""The scaling study: can lightweight individual plans for every student scale?

:func:`scaling_study` answers the questions a school asks before it gives every student a plan,
with one cost model (:func:`toolkit.plans.costs.plan_minutes`, the drafted plans' own) and one
denominator for a person's time: **hours a week outside lessons for ONE plan owner with the
stated caseload**, a Monte Carlo median with its 90% interval.

1. **What does it cost?** The owner model (:mod:`toolkit.scaling.owners`): every student has a
   named owner (an advisor by default) with a caseload; templates are shared at a scope (owner,
   school, district); a school year of cycles with re-surveys and movers; four ways of planning
   (individual, templated, hybrid, co-written). ``costs`` is the surveyed group, ``projection``
   the group up to a sensible size, ``sensitivity`` the assumptions' swings for the stated
   caseload (:mod:`toolkit.scaling.projection`), ``budget`` the designs against an owner's budget.
2. **How individual do the plans stay?** Fidelity per way and per number of profiles K
   (:mod:`toolkit.scaling.fidelity`), the trade-off of one owner's hours against fidelity across K
   with its knee, and, with the scales' reliabilities, a benefit measure that is not circular
   (:mod:`toolkit.scaling.benefit`).
3. **Do the templates travel?** Profiles fitted on some groups are used for a held-out one, and
   wave-1 profiles for wave 2 (:mod:`toolkit.scaling.transfer`).

The sentences a leader reads are in ``statements`` (:mod:`toolkit.scaling.statements`) and the
verdict in ``answer`` (:func:`toolkit.scaling.owners.answer`).

Flags follow the plans stage's rule with its defaults (certainty under 0.7, or a need 2 standard
units from the profile's mean), so the study flags the students the drafted plans flag; with a
codebook, each K's plan mix (check-in cadence per template, strategies added for one student, the
template's class minutes) comes from plans drafted for that K.
"""

from __future__ import annotations

import numbers
import warnings
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._validation import check_k_range, check_min_cell
from ..codebook import Codebook
from ..config import MIN_CELL
from ..errors import ToolkitError, user_error
from ..plans.needs import growth_areas, need_scores
from ..suppression import HIDDEN as _HIDDEN
from .fidelity import ATYPICAL_Z, FLAG_THRESHOLD, KNEE_MARGIN, find_knee, plan_fidelity, planning_needs
from .owners import OWNER_KINDS, SCOPES, budget_table, default_mix, mix_from_plans, owner_table
from .projection import (MAX_PROJECTION_FACTOR, TRADEOFF_WAYS, breakeven_caseload, costs_table, projection_sizes,
                         projection_table, sensitivity_table, tradeoff_rows)
from .statements import group_label, study_statements
from .transfer import (_TRANSFER_STATS, ProfileFit, _fit_quietly, _suppress_transfer, _suppress_transitions, fit_lpa,
                       link_waves, transfer_table, transition_table)
from .workload import Workload, load_workload

__all__ = [
    "ScalingStudy",
    "ProfileFit",
    "scaling_study",
    "fit_lpa",
    "plan_fidelity",
    "find_knee",
    "transfer_table",
    "transition_table",
    "FLAG_THRESHOLD",
    "ATYPICAL_Z",
    "MAX_PROJECTION_FACTOR",
]

#: Template scopes accepted by :func:`scaling_study` ("teacher" is the older name of "owner").
TEMPLATE_SCOPES = (*SCOPES, "teacher")


@dataclass(frozen=True)
class ScalingStudy:
    """The result of :func:`scaling_study`: tables as DataFrames, and plots.

    Every figure of a person's time is hours a week outside lessons for ONE owner with the stated
    caseload (``owner_settings["students_per_owner"]``): Monte Carlo median ``_p50`` with its 90%
    interval ``_p05``/``_p95``, the mode (``_mode``) only beside it.

    Attributes
    ----------
    costs : DataFrame
        The surveyed group at the chosen K and scope, one row per way (individual, templated,
        hybrid, cowritten): the ``owner`` table's columns with ``n_students``, ``n_owners``
        (fractional FTE), ``flagged_share`` (the drafted plans' share) and
        ``hours_per_year_in_all_p05/_p50/_p95`` (the group's owners together).
    fidelity : DataFrame
        One row per (K, way): ``n`` students, ``n_flagged``, ``flagged_share``, ``fidelity``
        (mean coverage of the two largest growth areas), ``coverage_template``, ``distance``.
    tradeoff : DataFrame
        One row per (way, K) for templated, hybrid and cowritten: one owner's
        ``hours_per_week_p05/_p50/_p95``, ``share_of_planning_p50``, ``hours_per_week_mode``,
        ``flagged_share``, ``check_ins``, ``fidelity``, ``knee``.
    projection : DataFrame
        One row per (size, way), from the surveyed group up to at most
        :data:`~toolkit.scaling.projection.MAX_PROJECTION_FACTOR` times it: ``n_owners``, one
        owner's ``hours_per_week_*``, ``hours_per_year_in_all_*``.
    statements : list of str
        Sentences a leader can quote, with the numbers computed.
    transfer : DataFrame
        Leave-one-group-out transfer, one row per held-out group (small groups blanked).
    transitions : DataFrame
        Wave 1 -> wave 2 profile transitions (empty without wave 2; small counts suppressed).
    sensitivity : DataFrame
        One-at-a-time swings of every assumption the owner model uses, for the surveyed group and
        the stated caseload: ``way, metric`` ("minutes_per_week", "share_of_planning"),
        ``assumption, kind, low, value, high, at_low, base, at_high, swing``.
    k : int
        The number of profiles (templates) of the costs, projection, owner model and transfer.
    knee : dict
        Way -> knee K (None when there is none).
    workload : Workload
        The assumptions used (with local timings, when a time log was applied).
    notes : list of str
        Warnings raised while fitting, suppression applied, students left out.
    owner : DataFrame
        The owner model (:mod:`toolkit.scaling.owners`): one row per way (individual, templated,
        hybrid, cowritten), hours a week for ONE owner with the stated caseload, Monte Carlo median
        and 90% interval, class minutes apart, P(cheaper than individual plans), the mode labelled.
    budget : DataFrame
        Every design (way x template scope) against ``budget_minutes`` a week: fits, capacity.
    owner_settings : dict
        Caseload, owner kind, scope, planning time, the drafted plans' mix, unsourced and local
        assumptions, the owner sensitivity table (``owner_sensitivity``), the projection
        (``projection``, the same table as ``projection``), the per-student cycle minutes by kind
        (``cycle_minutes``) and the way the answer speaks of (``best_way``).
    answer : str
        The verdict for a principal (property; :func:`toolkit.scaling.owners.answer`).
    """

    costs: pd.DataFrame
    fidelity: pd.DataFrame
    tradeoff: pd.DataFrame
    projection: pd.DataFrame
    statements: list
    transfer: pd.DataFrame
    transitions: pd.DataFrame
    sensitivity: pd.DataFrame
    k: int
    knee: dict
    workload: Workload
    notes: list = field(default_factory=list)
    owner: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    owner_settings: dict = field(default_factory=dict)

    @property
    def answer(self) -> str:
        """The verdict for a principal in words (:func:`toolkit.scaling.owners.answer`)."""
        from .owners import answer

        return answer(self) if self.owner is not None else ""

    def plot_costs(self, ax=None):
        """One owner's minutes a week of each way for the surveyed group, against planning time. Returns the Axes."""
        from .plots import plot_costs

        return plot_costs(self.costs, planning_minutes=self.owner_settings.get("planning_minutes_per_week"), ax=ax)

    def plot_owner(self, ax=None):
        """One owner's minutes a week by way, outside and inside lessons. Returns the Axes."""
        from .plots import plot_owner

        return plot_owner(self.owner, planning_minutes=self.owner_settings.get("planning_minutes_per_week"), ax=ax)

    def plot_tradeoff(self, ax=None):
        """One owner's minutes a week against fidelity across K, with the knee. Returns the Axes."""
        from .plots import plot_tradeoff

        return plot_tradeoff(self.tradeoff, ax=ax)

    def plot_projection(self, ax=None):
        """One owner's minutes a week as the number of students grows, owners in FTE marked. Returns the Axes."""
        from .plots import plot_projection

        return plot_projection(self.projection, ax=ax)

    def plot_sensitivity(self, ax=None, *, way=None, metric="minutes_per_week"):
        """Tornado chart of the assumptions' swings (default: the way the answer speaks of). Returns the Axes."""
        from .plots import plot_sensitivity

        way = way or self.owner_settings.get("best_way", "hybrid")
        return plot_sensitivity(self.sensitivity, way=way, metric=metric, ax=ax)


def _orientation(scores: pd.DataFrame, codebook: Codebook | None, groups: Sequence[str]):
    """The constructs and which way they point: the codebook's, or every numeric column."""
    if codebook is not None:
        return codebook, list(codebook.construct_keys)
    keys = [c for c in scores.columns if c not in groups and pd.api.types.is_numeric_dtype(scores[c])]
    if not keys:
        raise user_error("the score table has no numeric construct column", column=None,
                         fix="pass the scores from toolkit score (one column per construct)")
    warnings.warn(
        "no codebook given: every numeric column is treated as a construct where a high score is "
        "good. Pass codebook= so that constructs where a high score is a need (test anxiety) are "
        "read the right way.", UserWarning, stacklevel=3)
    cons = tuple(SimpleNamespace(key=k, higher_is_better=True) for k in keys)
    return SimpleNamespace(construct_keys=tuple(keys), constructs=cons), keys


def _check_scores(scores, keys: list[str], what: str) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise user_error(f"{what} should be a table (DataFrame), not {type(scores).__name__}",
                         fix="read the scores CSV with pandas or pass the result of toolkit.score_scales")
    missing = [k for k in keys if k not in scores.columns]
    if missing:
        raise user_error(f"{what} has no column for construct(s) {', '.join(missing)}", column=missing[0],
                         fix="score the responses with the same codebook and try again")
    if scores.index.has_duplicates:
        dup = scores.index[scores.index.duplicated()][0]
        raise user_error(f"{what} has the same pseudonym on more than one row", row=str(dup),
                         fix="keep one row per student (the last submission)")
    out = scores.copy()
    for k in keys:
        col = pd.to_numeric(out[k], errors="coerce")
        bad = out[k].notna() & col.isna()
        if bad.any():
            where = bad.idxmax()
            raise user_error(f"{what}: a construct score is not a number", row=str(where), column=k,
                             value=out.loc[where, k], fix="scale scores must be numbers; re-run the scoring")
        out[k] = col.astype(float)
    return out


def _benefit(plan_set, reliability, notes) -> pd.DataFrame:
    """Expected recall and precision (toolkit.scaling.benefit) of every way's plans drafted for this solution."""
    from .benefit import expected_benefit

    needs = plan_set.needs
    missing = [c for c in needs.columns if c not in reliability]
    if missing:
        raise ToolkitError(f"no reliability for construct(s) {', '.join(missing)}; give every construct's reliability "
                           f"(the alpha column of toolkit score's reliability.csv).")
    observed = growth_areas(needs, n=2)
    individual, templated, hybrid = {}, {}, {}
    for p in plan_set.plans:
        own = frozenset(observed.get(p.pseudonym, ()))
        areas = frozenset(p.focus) | frozenset(p.personal_growth_areas[:1])
        individual[p.pseudonym], templated[p.pseudonym] = own, areas
        hybrid[p.pseudonym] = own if p.flagged else areas
    plans = {"individual": individual, "templated": templated, "hybrid": hybrid, "cowritten": templated}
    rel = {c: min(max(float(reliability[c]), 1e-6), 1.0) for c in needs.columns}
    notes.append("benefit: the co-written plan is scored as its template with the personal layer (the student's own "
                 "choices are not yet in the measure)")
    return expected_benefit(needs.loc[[p.pseudonym for p in plan_set.plans]], plans, rel, n_draws=100, random_state=0)

def _owner_model(at, *, k, caseload, owner_kind, scope, budget_minutes, reliability, notes):
    """The owner model's tables (toolkit.scaling.owners) at the chosen K, from the drafted plans' own mix."""
    from .owners import cycle_minutes, owner_sensitivity

    workload, draws, mix, plan_set = at["workload"], at["draws"], at["mix"], at["plan_set"]
    fidelity_of = dict(at["fidelity"])
    budget_minutes = workload["planning_minutes_per_week"].value if budget_minutes is None else float(budget_minutes)
    benefit = None
    if reliability is not None and plan_set is None:
        notes.append("owner model: reliabilities were given but no plans could be drafted (no codebook), so no benefit measure")
    if reliability is not None and plan_set is not None:
        # A NaN reliability (a one-item scale has no alpha) leaves the benefit out with a note; a
        # construct missing from the mapping is a mistake, refused by _benefit.
        lacking = [c for c in plan_set.needs.columns if c in reliability and not float(reliability[c]) == float(reliability[c])]
        if lacking:
            notes.append(f"owner model: no reliability for {', '.join(lacking)} (a single item has no alpha), so no "
                         f"benefit measure; fidelity is used instead")
            reliability = None
    if reliability is not None and plan_set is not None:
        benefit = _benefit(plan_set, reliability, notes)
        fidelity_of = dict(fidelity_of, **benefit.set_index("way")["recall"].to_dict())
    owner = owner_table(workload, k=k, mix=mix, caseload=caseload, scope=scope, draws=draws,
                        owner_kind=owner_kind, fidelity=fidelity_of)
    if benefit is not None:
        b = benefit.set_index("way")
        owner["benefit_recall"] = owner["way"].map(lambda w: b.loc[w, "recall"])
        owner["benefit_precision"] = owner["way"].map(lambda w: b.loc[w, "precision"])
    budget = budget_table(workload, k=k, mix=mix, caseload=caseload, budget_minutes=budget_minutes, draws=draws,
                          fidelity=fidelity_of)
    used = ("individual_plan_minutes", "template_minutes", "personalise_minutes", "conversation_minutes",
            "checkin_minutes", "adapt_template_minutes", "cycles_per_year", "resurvey_minutes", "update_minutes",
            "transition_rate", "cowrite_lesson_minutes", "conference_minutes", "weeks_per_term", "students_per_school")
    measured = {"transition_rate"} if at["rate"] is not None else set()
    unsourced = [key for key in used if workload[key].kind == "assumption" and key not in measured]
    local = {key: a.source for key, a in workload.assumptions.items() if a.kind == "local"}
    best = owner.set_index("way").drop(index="individual")["hours_per_week_p50"].idxmin()
    sens = owner_sensitivity(workload, way=best, k=k, mix=mix, caseload=caseload, scope=scope)
    sens = sens[~sens["assumption"].isin(set(OWNER_KINDS.values()))]
    r = sens.iloc[0]
    top = (f"{r['assumption']} ({'an assumption with no public source' if r['kind'] == 'assumption' else r['kind'] + ' figure'}): "
           f"from {r['low']:g} to {r['high']:g} it moves one owner's time from {r['at_low']:.0f} to {r['at_high']:.0f} "
           f"minutes a week")
    settings = {"owner_kind": owner_kind, "students_per_owner": caseload, "template_scope": scope,
                "planning_minutes_per_week": workload["planning_minutes_per_week"].value,
                "n_draws": len(draws["transition_rate"]), "budget_minutes": budget_minutes, "mix": mix,
                "benefit": benefit, "best_way": best, "local": local,
                "unsourced": unsourced, "top_assumption": top, "owner_sensitivity": sens,
                "cycle_minutes": {w: cycle_minutes(workload.values, mix, w) for w in ("individual", "templated", "hybrid", "cowritten")}}
    return owner, budget, settings


def _plan_mix(scores, solution, codebook, values, flagged_share, notes):
    """(plan set, mix) of the plans drafted for one solution; the workload's mix without a codebook."""
    if codebook is not None:
        try:
            from ..plans import draft_plans

            plan_set = draft_plans(scores, solution, codebook)
            return plan_set, mix_from_plans(plan_set)
        except ToolkitError as exc:
            msg = f"owner model: plans could not be drafted ({exc}); the workload's check-ins are used"
            if msg not in notes:
                notes.append(msg)
    return None, default_mix(values, flagged_share)


def _wave2_profiles(solution, w2: pd.DataFrame, keys):
    """Wave-2 profile and certainty per pseudonym under a wave-1 solution's model."""
    proba = np.asarray(solution.model.predict_proba(w2[keys]), dtype=float)
    return (pd.Series(proba.argmax(axis=1) + 1, index=w2.index), pd.Series(proba.max(axis=1), index=w2.index))


def _rate(transitions) -> float | None:
    allrow = transitions.set_index("wave1_profile").loc["all"]
    return int(allrow["changed"]) / int(allrow["n"]) if int(allrow["n"]) > 0 else None


def _owner_draws(workload, draws, caseload_key, caseload, rate):
    """The workload (mode) and the draws with the stated caseload and a measured transition rate held fixed."""
    fixed = {caseload_key: float(caseload)}
    if rate is not None:
        fixed["transition_rate"] = float(rate)
    n = len(next(iter(draws.values())))
    return workload.with_values(**fixed), dict(draws, **{key: np.full(n, v) for key, v in fixed.items()})


def _knee_text(tradeoff, knee, owner_kind, caseload):
    for way in ("hybrid", "templated", "cowritten"):
        if knee.get(way) is None:
            continue
        grp = tradeoff[tradeoff["way"] == way]
        r = grp[grp["knee"]].iloc[0]
        return (f"The knee of the {way} trade-off is at K={knee[way]} profiles ({60 * r['hours_per_week_p50']:.0f} "
                f"minutes a week for one {owner_kind} of {caseload:.0f} students, median; {100 * r['fidelity']:.0f}% "
                f"fidelity): fidelity rises there, and it is the point farthest above the straight line from "
                f"K={grp['n_profiles'].iloc[0]} to K={grp['n_profiles'].iloc[-1]} with minutes and fidelity both "
                f"scaled to 0-1 (Kneedle), by at least {KNEE_MARGIN:g} more than its neighbours.")
    if tradeoff["n_profiles"].nunique() >= 3:
        return (f"There is no clear knee in the trade-off: no K where fidelity rises and that lies above the straight "
                f"line by {KNEE_MARGIN:g} more than its neighbours (minutes and fidelity scaled to 0-1).")
    return None


def scaling_study(
    scores: pd.DataFrame,
    *,
    workload: Workload | None = None,
    k_range: Iterable[int] = range(1, 9),
    model: int = 1,
    wave2_scores: pd.DataFrame | None = None,
    groups: Sequence[str] | None = None,
    random_state=None,
    fit: Callable | None = None,
    min_cell: int = MIN_CELL,
    codebook: Codebook | None = None,
    k: int | None = None,
    n_students: Sequence[int] | None = None,
    template_scope: str = "school",
    flag_threshold: float = FLAG_THRESHOLD,
    focus_min_need: float = 0.2,
    personal_min_need: float = 0.5,
    atypical_z: float | None = ATYPICAL_Z,
    n_draws: int = 2000,
    distribution: str = "triangular",
    students_per_owner: float | None = None,
    owner_kind: str = "advisor",
    owner_scope: str | None = None,
    budget_minutes: float | None = None,
    reliability: dict | None = None,
) -> ScalingStudy:
    """Run the scaling study: the owner model's costs, fidelity, trade-off, projection, transfer, sensitivity.

    Parameters
    ----------
    scores : DataFrame
        Index pseudonym; one column per construct; group columns.
    workload : Workload, optional
        From :func:`toolkit.scaling.load_workload` (with :func:`~toolkit.scaling.apply_time_log`
        for local timings); default the bundled assumptions.
    k_range : iterable of int, default=range(1, 9)
        Numbers of profiles for the fidelity table and the trade-off.
    model : int, default=1
        tidyLPA's model number for every profile fit.
    wave2_scores : DataFrame, optional
        Wave-2 scores (same constructs, index pseudonym): the transition table, and the measured
        rate of movers between cycles. Linked by :func:`toolkit.privacy.check_wave_link`.
    groups : sequence of str, optional
        Group columns for leave-one-group-out transfer; default (None) the codebook's
        ``group_columns`` (none without a codebook). Columns absent from ``scores`` are skipped
        with a note.
    random_state : int, RandomState instance or None
        Seeds every fit and the Monte Carlo; the same seed gives the same tables.
    fit : callable, optional
        ``fit(data, n_profiles, *, model, random_state)`` returning an object with
        ``.assignments`` (``profile`` 1..K and ``certainty`` per row of ``data``), ``.means`` (K
        rows) and ``.model`` (``predict_proba``, ``score_samples``). Default :func:`fit_lpa`.
    min_cell : int, default=10
        Groups and counts under it are hidden in the transfer and transition tables and never
        named or counted in a sentence (0: show all, for the teacher's own use only).
    codebook : Codebook, optional
        Which constructs are "higher is better", the group columns and their labels; with it the
        plans are drafted for every K, so the study's flags and plan mix are the plans' own.
        Without it every numeric column is a construct where a high score is good (a warning
        says so) and the workload's check-ins stand in for the plans' mix.
    k : int, optional
        The number of profiles (templates) for the costs, projection, owner model and waves;
        default the knee of the hybrid trade-off (else the templated one's, else the smallest K
        within 0.01 of the best fidelity).
    n_students : sequence of int, optional
        Sizes of the projection; default the surveyed group, a school (``students_per_school``)
        and a district (20,000), keeping only sizes up to 100 times the surveyed group.
    template_scope : {"owner", "school", "district"}, default="school"
        Who shares the templates ("teacher" is the older name of "owner"). Adapting a shared
        template has its own cost (``adapt_template_minutes``).
    flag_threshold : float, default=0.7
        Certainty under which a student is flagged (the plans' ``fit_threshold``).
    focus_min_need, personal_min_need : float
        As in :func:`plan_fidelity` (defaults those of the plans stage).
    atypical_z : float or None, default=2.0
        The plans' second flag (a need this far from the profile's mean); None: certainty alone.
    n_draws : int, default=2000
        Monte Carlo draws of the assumptions.
    distribution : {"triangular", "uniform"}, default="triangular"
    students_per_owner : float, optional
        The plan owner's caseload; default the workload's figure for ``owner_kind``.
    owner_kind : {"advisor", "subject teacher", "counsellor"}, default="advisor"
    owner_scope : str, optional
        The older name of ``template_scope``; when given it wins.
    budget_minutes : float, optional
        Out-of-class minutes a week one owner can give: ``study.budget`` lists every design
        against it. Default: the workload's planning time a week.
    reliability : mapping, optional
        Construct -> reliability (alpha). With it the owner and budget tables carry the non-circular
        benefit (``benefit_recall``, ``benefit_precision``: :mod:`toolkit.scaling.benefit`) and the
        budget's recommendation ranks designs by it instead of the circular fidelity.

    Returns
    -------
    ScalingStudy

    Raises
    ------
    ToolkitError
        For a score table without the constructs, with duplicate pseudonyms or non-numeric
        scores, fewer students than the largest K needs, a bad option, or a second wave whose
        pseudonyms mostly do not match the first (different key files).
    """
    workload = load_workload() if workload is None else workload
    scope = owner_scope if owner_scope is not None else template_scope
    if scope not in TEMPLATE_SCOPES:
        raise ToolkitError(f"template_scope={scope!r} should be one of {', '.join(SCOPES)} ('teacher' is the older "
                           f"name of 'owner').")
    scope = "owner" if scope == "teacher" else scope
    if owner_kind not in OWNER_KINDS:
        raise ToolkitError(f"owner_kind={owner_kind!r} should be one of {', '.join(OWNER_KINDS)}.")
    if students_per_owner is not None and not (isinstance(students_per_owner, numbers.Real) and students_per_owner > 0):
        raise ToolkitError(f"students_per_owner={students_per_owner!r} should be a number of students above 0.")
    if budget_minutes is not None and not (isinstance(budget_minutes, numbers.Real) and budget_minutes >= 0):
        raise ToolkitError(f"budget_minutes={budget_minutes!r} should be minutes a week, 0 or more.")
    min_cell = check_min_cell(min_cell)
    ks = check_k_range(k_range, name="k_range")
    if n_students is not None:
        sizes_in = [int(x) for x in n_students]
        if not sizes_in or min(sizes_in) < 1:
            raise ToolkitError(f"n_students={n_students!r} should be numbers of students of 1 or more.")
    if not 0.0 < float(flag_threshold) <= 1.0:
        raise ToolkitError(f"flag_threshold={flag_threshold!r} should be a certainty between 0 and 1.")
    if groups is None:
        groups = tuple(codebook.group_columns) if codebook is not None else ()
    groups = tuple(groups)
    fit = fit_lpa if fit is None else fit
    rng = check_random_state(random_state)
    notes: list[str] = []
    warned: Counter = Counter()

    cb, keys = _orientation(scores, codebook, groups)
    plan_cb = codebook
    scores = _check_scores(scores, keys, "the score table")
    empty = scores[keys].isna().all(axis=1)
    if empty.any():
        notes.append(f"{int(empty.sum())} student(s) with no construct score were left out")
        scores = scores.loc[~empty]
    n = len(scores)
    if n < max(ks) + 1:
        raise user_error(f"the score table has {n} students, too few for {max(ks)} profiles",
                         fix=f"give at least {max(ks) + 1} students or a smaller k_range")
    X = scores[keys]
    needs = need_scores(scores, cb)
    fid_kw = dict(flag_threshold=flag_threshold, focus_min_need=focus_min_need,
                  personal_min_need=personal_min_need, atypical_z=atypical_z,
                  planning_needs=planning_needs(needs, codebook))
    caseload_key = OWNER_KINDS[owner_kind]
    caseload = float(students_per_owner) if students_per_owner is not None else workload[caseload_key].value

    w2 = None
    if wave2_scores is not None:
        w2 = _check_scores(wave2_scores, keys, "the wave-2 score table")
        w2 = w2.loc[~w2[keys].isna().all(axis=1)]
        link_waves(scores[keys], w2.index, notes)

    # One set of Monte Carlo draws for every K, size and way.
    draws = workload.draw(n_draws, distribution=distribution, random_state=int(rng.randint(0, 2**31 - 1)))
    draws = {c: draws[c].to_numpy() for c in draws.columns}

    fits, frames, trade, per_k = {}, [], [], {}

    def _one_k(kk, sol):
        f = plan_fidelity(needs, sol.assignments, **fid_kw)
        f.insert(0, "n_profiles", kk)
        share = float(f.loc[f["way"] == "templated", "flagged_share"].iloc[0])
        plan_set, mix = _plan_mix(scores, sol, plan_cb, workload.values, share, notes)
        rate = trans = None
        if w2 is not None:
            p2, _ = _wave2_profiles(sol, w2, keys)
            trans = transition_table(sol.assignments["profile"], p2, kk)
            rate = _rate(trans)
        wl, dr = _owner_draws(workload, draws, caseload_key, caseload, rate)
        fid = f.set_index("way")["fidelity"].to_dict()
        rows = tradeoff_rows(dr, wl.values, k=kk, mix=mix, caseload=caseload, scope=scope, fidelity=fid)
        for r in rows:
            r["coverage_template"] = float(f.loc[f["way"] == ("templated" if r["way"] == "cowritten" else r["way"]),
                                                 "coverage_template"].iloc[0])
        per_k[kk] = dict(plan_set=plan_set, mix=mix, rate=rate, transitions=trans, workload=wl, draws=dr, fidelity=fid,
                         flagged_share=share)
        return f, rows

    for kk in ks:
        sol = _fit_quietly(fit, X, kk, model, int(rng.randint(0, 2**31 - 1)), warned)
        fits[kk] = sol
        f, rows = _one_k(kk, sol)
        frames.append(f)
        trade += rows
    fidelity = pd.concat(frames, ignore_index=True)
    tradeoff = pd.DataFrame(trade)
    tradeoff["knee"] = False
    knee: dict = {}
    for way, grp in tradeoff.groupby("way", sort=False):
        i = find_knee(grp["hours_per_week_p50"], grp["fidelity"])
        knee[way] = None if i is None else int(grp["n_profiles"].iloc[i])
        if i is not None:
            tradeoff.loc[grp.index[i], "knee"] = True

    if k is None:
        if knee.get("hybrid") is not None:
            k = knee["hybrid"]
        elif knee.get("templated") is not None:
            k = knee["templated"]
            notes.append(f"the hybrid trade-off has no clear knee; K={k} is the templated trade-off's knee")
        else:
            hyb = tradeoff[tradeoff["way"] == "hybrid"]
            k = int(hyb.loc[hyb["fidelity"] >= hyb["fidelity"].max() - 0.01, "n_profiles"].min())
            notes.append(f"the hybrid trade-off has no knee; K={k} is the smallest K within 0.01 of the best fidelity")
    k = int(k)
    if k not in fits:
        if k < 1 or k > n - 1:
            raise ToolkitError(f"k={k} profiles cannot be fitted to {n} students; choose k between 1 and {n - 1}.")
        fits[k] = _fit_quietly(fit, X, k, model, int(rng.randint(0, 2**31 - 1)), warned)
        f, _ = _one_k(k, fits[k])
        fidelity = pd.concat([fidelity, f], ignore_index=True).sort_values(["n_profiles"], kind="stable").reset_index(drop=True)
    at = per_k[k]
    knee_text = _knee_text(tradeoff, knee, owner_kind, caseload)

    # Transfer over groups, named by the codebook's labels.
    labels = {g: group_label(codebook, g) for g in groups}
    fit_k = lambda data, kk, random_state=None: _fit_quietly(fit, data, kk, model, random_state, warned)  # noqa: E731
    parts = []
    for g in groups:
        if g not in scores.columns:
            notes.append(f"no column '{g}' in the score table: no transfer over it")
            continue
        parts.append(transfer_table(scores, keys, g, k, fit=fit_k, random_state=int(rng.randint(0, 2**31 - 1)),
                                    min_cell=min_cell, notes=notes, label=labels[g]))
    transfer = (pd.concat(parts, ignore_index=True) if parts else
                pd.DataFrame(columns=["grouping", "group", "n", "n_train", *_TRANSFER_STATS]))
    transfer_raw = transfer
    transfer = _suppress_transfer(transfer, min_cell, notes)

    # Waves at the chosen K.
    uncertain_moves = None
    if w2 is not None:
        transitions_raw = at["transitions"]
        p2, c2 = _wave2_profiles(fits[k], w2, keys)
        p1 = fits[k].assignments["profile"]
        both = p1.index.intersection(p2.index)
        c1 = fits[k].assignments["certainty"].reindex(both).to_numpy(dtype=float)
        moved = p1.reindex(both).to_numpy() != p2.reindex(both).to_numpy()
        c2b = c2.reindex(both).to_numpy(dtype=float)
        uncertain_moves = (int((moved & ((c1 < flag_threshold) | (c2b < flag_threshold))).sum()), flag_threshold)
        transitions = _suppress_transitions(transitions_raw, k, min_cell, notes)
        if at["rate"] is not None:
            notes.append(f"owner model: the transition rate between cycles is the one measured between the waves, "
                         f"{at['rate']:.2f}")
    else:
        transitions_raw = transitions = pd.DataFrame(columns=["wave1_profile", "n", "stayed", "changed", "share_changed"])

    owner, budget, settings = _owner_model(at, k=k, caseload=caseload, owner_kind=owner_kind, scope=scope,
                                           budget_minutes=budget_minutes, reliability=reliability, notes=notes)
    wl, dr, mix = at["workload"], at["draws"], at["mix"]
    costs = costs_table(owner, n_students=n, draws=dr, k=k, mix=mix, caseload=caseload, scope=scope)
    sizes, names, dropped = projection_sizes(n, wl["students_per_school"].value, sizes=None if n_students is None else sizes_in)
    if dropped:
        notes.append(f"projection: sizes over {MAX_PROJECTION_FACTOR} times the {n:,} students surveyed are left out "
                     f"({', '.join(f'{s:,}' for s in dropped)})")
    projection = projection_table(wl.values, dr, k=k, mix=mix, caseload=caseload, scope=scope, sizes=sizes, names=names)
    settings["projection"] = projection
    sensitivity = sensitivity_table(wl, k=k, mix=mix, caseload=caseload, scope=scope, n_students=n,
                                    owner_kind=owner_kind)
    best = settings["best_way"]
    breakeven = breakeven_caseload(wl.values, way=best, k=k, mix=mix, scope=scope)
    changed_hidden = bool(min_cell > 0 and len(transitions)
                          and transitions.set_index("wave1_profile").loc["all", "changed"] == _HIDDEN)
    statements = study_statements(
        costs=costs, projection=projection, workload=workload, k=k, owner_kind=owner_kind, caseload=caseload, scope=scope,
        best_way=best, breakeven=breakeven, knee_text=knee_text, sensitivity=sensitivity, transfer=transfer_raw,
        labels=labels, transitions=transitions_raw if w2 is not None else None, min_cell=min_cell,
        changed_hidden=changed_hidden, n_wave1=n, uncertain_moves=uncertain_moves, unsourced=settings["unsourced"],
        dropped_sizes=dropped)
    if warned:
        notes.append("profile fits warned: " + ", ".join(f"{name} x{c}" for name, c in sorted(warned.items())))
    return ScalingStudy(costs=costs, fidelity=fidelity, tradeoff=tradeoff, projection=projection,
                        statements=statements, transfer=transfer, transitions=transitions,
                        sensitivity=sensitivity, k=k, knee=knee, workload=workload, notes=notes,
                        owner=owner, budget=budget, owner_settings=settings)

"""The scaling study: can lightweight individual plans for every student scale?

:func:`scaling_study` answers three questions a school asks before it gives every student a plan:

1. **What does it cost?** Teacher hours per term and per week, and the share of planning time,
   for four ways of planning (none, fully individual, profile-templated, hybrid), from the
   workload model in :mod:`toolkit.workload`; projected from a class of 30 to a district of
   20,000 with Monte Carlo bands over the assumption ranges, and a one-at-a-time sensitivity
   analysis (which assumption moves the answer most).
2. **How individual do the plans stay?** Fidelity per way and per number of profiles K, against
   the fully individual plan as the reference (fidelity 1), and the trade-off between hours and
   fidelity across K with its knee.
3. **Do the templates travel?** Profiles fitted on some sections (or grades) are used for a
   held-out one and compared with that group's own profiles; and wave-1 profiles are used for
   wave 2 to count how many plans would need rewriting.

Definitions
-----------
Needs, growth areas and template focus use :mod:`toolkit.needs` with the plans stage's defaults
(:func:`toolkit.plans.draft_plans`). A student's *growth areas* G, what a plan should address,
are their two largest needs above the average student (``growth_areas(needs, n=2)``). A profile
template's *focus* F_p is its up to three largest mean needs above ``focus_min_need`` = 0.2
(``profile_focus(needs, profile, n_focus=3, min_need=0.2)``, as in the plans). What each way's
plan addresses:

- none: nothing. Coverage 0; the plan's focus vector is the zero vector (the average student).
- individual: exactly G. Coverage 1 and distance 0 by construction: the reference.
- templated: the template's focus F_p plus the *personal layer*, which adds one area: the
  student's largest need above ``personal_min_need`` = 0.5 (among their two largest, as the
  plans stage chooses personal growth areas) that F_p does not hold; nothing when there is none.
  The plans stage adds one strategy for such an area when the template's strategies do not
  already serve it, so counting the area as addressed is the plan at its best. The plan's focus
  vector is the profile's mean need vector.
- hybrid: templated, except that a flagged student gets a fully individual plan.

Per student, *coverage* = |G ∩ plan| / |G| (students with no growth area, |G| = 0, are left out
of the mean) and *distance* = the Euclidean distance between the student's need vector and the
plan's focus vector (in standard-deviation units; constructs a student did not answer are left
out). A student is *flagged* when their posterior certainty (largest profile probability) is
below ``flag_threshold`` (0.7); with ``atypical_z`` given, also when a need differs from the
profile's mean need by more than that many standard units (the plans stage's second flag, 2.0
there). The *fidelity* of a way is its mean coverage; the table also shows
``coverage_template`` (the template alone, without the personal layer), which shows more plainly
how fidelity depends on K.

The knee of the trade-off is found as in Kneedle (Satopää et al., 2011): hours and fidelity are
both rescaled to 0..1 over K = 1..8, and the knee is the K whose point lies farthest above the
straight line (the chord) from the first K to the last. Before the knee each extra template buys
more fidelity per hour than after it. When no point lies above the chord there is no knee.

Transfer compares, for a held-out group, the profiles of a model fitted on everyone else with
the group's own fit: the adjusted Rand index (label-free), the agreement after aligning the two
solutions' profiles (Hungarian matching on the distance between profile means), the mean
log-likelihood per student of the group under the transferred model and under its own model,
and the mean distance between matched profile means (in score units).

Small groups
------------
The group-level tables pass through :func:`toolkit.suppression.suppress` (the one gate for what
leadership sees): in ``transfer`` a held-out group under ``min_cell`` students is not fitted and
its statistics are blank, and the counts ``n``/``n_train`` are suppressed; in ``transitions``
the K x K counts with their margins are suppressed (counts become text, hidden cells read
"hidden"), and ``stayed``/``changed`` are hidden with the diagonal cell they come from. The other
tables describe all students at once. ``min_cell=0`` turns suppression off, for a teacher's
own use only.

References
----------
.. [1] Satopää, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a
   haystack: detecting knee points in system behavior. ICDCS Workshops, 166-171.
.. [2] Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2,
   193-218.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from ..codebook import Codebook
from ..config import MIN_CELL
from ..errors import ToolkitError, user_error
from ..plans.needs import growth_areas, need_scores, profile_focus
from ..suppression import HIDDEN as _HIDDEN, suppress
from .workload import WAYS, TEMPLATE_SCOPES, Workload, _derive, load_workload, way_minutes

__all__ = [
    "ScalingStudy",
    "ProfileFit",
    "scaling_study",
    "fit_lpa",
    "plan_fidelity",
    "find_knee",
    "transfer_table",
    "transition_table",
    "PROJECTION_SIZES",
    "FLAG_THRESHOLD",
]

#: Student numbers of the projection: a class, one teacher's load, a school, a district.
PROJECTION_SIZES = (30, 150, 1500, 20000)
#: Posterior certainty under which a student is flagged for a one-to-one conversation.
FLAG_THRESHOLD = 0.7
_FOCUS_EPS = 1e-9
_PCTS = (5, 50, 95)


@dataclass(frozen=True)
class ProfileFit:
    """A fitted profile solution in the shape the study reads (that of ``ProfileSolution``).

    For a ``fit`` callable built on another estimator (k-means, a scikit-learn mixture):
    ``ProfileFit.from_model(estimator, data)``.

    Attributes
    ----------
    assignments : DataFrame
        Index as the data; ``profile`` (1..K), ``certainty`` (largest posterior), ``p1..pK``.
    means : DataFrame
        Index profile 1..K, one column per construct.
    model : estimator
        Fitted, with ``predict_proba``, ``score_samples`` and ``means_``.
    """

    assignments: pd.DataFrame
    means: pd.DataFrame
    model: object

    @classmethod
    def from_model(cls, model, data: pd.DataFrame) -> "ProfileFit":
        """Assignments and means of a fitted estimator with ``predict_proba`` and ``means_``."""
        proba = np.asarray(model.predict_proba(data), dtype=float)
        k = proba.shape[1]
        assignments = pd.DataFrame(proba, index=data.index, columns=[f"p{j}" for j in range(1, k + 1)])
        assignments.insert(0, "certainty", proba.max(axis=1))
        assignments.insert(0, "profile", proba.argmax(axis=1) + 1)
        means = pd.DataFrame(np.asarray(model.means_, dtype=float), index=pd.RangeIndex(1, k + 1, name="profile"),
                             columns=list(data.columns))
        return cls(assignments, means, model)


def fit_lpa(data: pd.DataFrame, n_profiles: int, *, model: int = 1, random_state=None,
            n_starts: int = 20, n_final: int = 4):
    """Fit one latent profile solution with the profile engine, :func:`toolkit.profiles.fit_profiles`.

    The default ``fit`` of :func:`scaling_study`. Missing values are handled by FIML.

    Parameters
    ----------
    data : DataFrame
        One row per student, one column per construct.
    n_profiles : int
    model : int, default=1
        tidyLPA's model number.
    random_state : int, RandomState instance or None
    n_starts, n_final : int
        Random starts, and starts run to convergence (fewer than the engine's defaults: the
        study fits dozens of models, and profiles on a few scales replicate with 20 starts).

    Returns
    -------
    ProfileSolution
        ``.assignments``, ``.means`` and ``.model`` (a fitted ``LatentProfileModel``).
    """
    from ..profiles import fit_profiles  # imported here: the engine is a separate stage

    grid = fit_profiles(data, n_profiles=[int(n_profiles)], models=(int(model),), n_starts=n_starts,
                        n_final=n_final, random_state=random_state)
    return grid.solution(int(model), int(n_profiles))


@dataclass(frozen=True)
class ScalingStudy:
    """The result of :func:`scaling_study`: tables as DataFrames, and plots.

    Attributes
    ----------
    costs : DataFrame
        The four ways at the data's number of students and the chosen K: hours per term (with
        Monte Carlo 5th-95th percentile), hours per week per teacher, share of planning time,
        fidelity.
    fidelity : DataFrame
        One row per (K, way): ``n`` students, ``n_flagged``, ``flagged_share``, ``fidelity``
        (mean coverage of the two largest growth areas), ``coverage_template``, ``distance``.
    tradeoff : DataFrame
        One row per (way, K) for templated and hybrid: hours and fidelity, ``knee`` marked.
    projection : DataFrame
        One row per (students, way): hours per term with Monte Carlo bands, per teacher per
        week, share of planning time, fidelity.
    statements : list of str
        Sentences a leader can quote, with the numbers computed.
    transfer : DataFrame
        Leave-one-group-out transfer, one row per held-out group (small groups blanked).
    transitions : DataFrame
        Wave 1 -> wave 2 profile transitions (empty without wave 2; small counts suppressed).
    sensitivity : DataFrame
        One-at-a-time low/high swings of every assumption on templated and hybrid hours.
    k : int
        The number of profiles the costs, projection and transfer use.
    knee : dict
        Way -> knee K (None when there is none).
    workload : Workload
    notes : list of str
        Warnings raised while fitting, suppression applied, students left out.
    owner : DataFrame
        The owner model (:mod:`toolkit.scaling.owners`): one row per way (individual, templated,
        hybrid, cowritten), hours a week for ONE owner with the stated caseload, Monte Carlo median
        and 90% interval, class minutes apart, P(cheaper than individual plans), the mode labelled.
    budget : DataFrame
        Every design (way x template scope) against ``budget_minutes`` a week: fits, capacity.
    owner_settings : dict
        Caseload, owner kind, scope, planning time, the drafted plans' mix, unsourced assumptions,
        the owner sensitivity table (``owner_sensitivity``), the owner projection (``projection``)
        and the per-student cycle minutes by kind (``cycle_minutes``).
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
        """Hours per week per teacher of each way, against planning time. Returns the Axes."""
        from .plots import plot_costs

        return plot_costs(self.costs, planning_hours=self.workload["planning_minutes_per_week"].value / 60, ax=ax)

    def plot_owner(self, ax=None):
        """One owner's minutes a week by way, outside and inside lessons. Returns the Axes."""
        from .plots import plot_owner

        return plot_owner(self.owner, planning_minutes=self.owner_settings.get("planning_minutes_per_week"), ax=ax)

    def plot_tradeoff(self, ax=None):
        """Hours against fidelity across K, with the knee. Returns the Axes."""
        from .plots import plot_tradeoff

        return plot_tradeoff(self.tradeoff, ax=ax)

    def plot_projection(self, ax=None):
        """Hours per term as students grow, with Monte Carlo bands. Returns the Axes."""
        from .plots import plot_projection

        return plot_projection(self.projection, ax=ax)

    def plot_sensitivity(self, ax=None, *, way="hybrid", metric="hours_per_term"):
        """Tornado chart of the assumptions' swings. Returns the Axes."""
        from .plots import plot_sensitivity

        return plot_sensitivity(self.sensitivity, way=way, metric=metric, ax=ax)


# ---------------------------------------------------------------------------------- validation
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


# ------------------------------------------------------------------------------------ fidelity
def _student_fidelity(needs: pd.DataFrame, growth: pd.Series, assignments: pd.DataFrame, flag_threshold: float,
                      focus_min_need: float, personal_min_need: float, atypical_z: float | None) -> pd.DataFrame:
    """Per student: coverage and distance of each way for one solution."""
    profile = assignments["profile"].reindex(needs.index)
    focus = profile_focus(needs, profile, n_focus=3, min_need=max(focus_min_need, _FOCUS_EPS))
    personal = growth_areas(needs, n=2, min_need=personal_min_need)
    mean_need = needs.groupby(profile).mean()
    nv = needs.to_numpy(dtype=float)
    centre = mean_need.reindex(profile.to_numpy()).to_numpy(dtype=float)
    dist_t = np.sqrt(np.nansum((nv - np.nan_to_num(centre)) ** 2, axis=1))
    dist_none = np.sqrt(np.nansum(nv ** 2, axis=1))
    cov_t, cov_template = [], []
    for g, own, p in zip(growth.to_numpy(), personal.to_numpy(), profile.to_numpy()):
        if not g:
            cov_t.append(np.nan)
            cov_template.append(np.nan)
            continue
        f = set(focus.get(int(p), ()))
        added = next((a for a in own if a not in f), None)  # the personal layer's one added area
        plan = f | ({added} if added is not None else set())
        cov_template.append(len(f.intersection(g)) / len(g))
        cov_t.append(len(plan.intersection(g)) / len(g))
    has = np.array([bool(g) for g in growth.to_numpy()])
    flagged = (assignments["certainty"].reindex(needs.index).to_numpy(dtype=float) < flag_threshold)
    if atypical_z is not None:
        flagged |= np.nan_to_num(np.nanmax(np.abs(nv - centre), axis=1, initial=0.0)) > atypical_z
    cov_t, cov_template = np.array(cov_t), np.array(cov_template)
    return pd.DataFrame({
        "has_growth": has,
        "flagged": flagged,
        "cov_templated": cov_t,
        "cov_template": cov_template,
        "dist_templated": dist_t,
        "dist_none": dist_none,
        "cov_hybrid": np.where(flagged & has, 1.0, cov_t),
        "dist_hybrid": np.where(flagged, 0.0, dist_t),
    }, index=needs.index)


def plan_fidelity(needs: pd.DataFrame, assignments: pd.DataFrame, *, flag_threshold: float = FLAG_THRESHOLD,
                  focus_min_need: float = 0.2, personal_min_need: float = 0.5,
                  atypical_z: float | None = None) -> pd.DataFrame:
    """Fidelity of the four ways for one profile solution.

    Parameters
    ----------
    needs : DataFrame
        From :func:`toolkit.needs.need_scores`, one row per student.
    assignments : DataFrame
        ``profile`` (1..K) and ``certainty`` per student, same index as ``needs``.
    flag_threshold : float, default=0.7
        Students with a certainty below it are flagged.
    focus_min_need : float, default=0.2
        A template's focus areas are its mean needs above this (the plans stage's default).
    personal_min_need : float, default=0.5
        The personal layer adds an area only where the student's need is above this.
    atypical_z : float, optional
        Also flag a student whose need differs from the profile's mean need by more than this
        (the plans stage uses 2.0); default: certainty alone.

    Returns
    -------
    DataFrame
        One row per way: ``way, n, n_flagged, flagged_share, fidelity, coverage_template,
        distance``. See the module docstring for the definitions.

    Examples
    --------
    >>> import pandas as pd
    >>> needs = pd.DataFrame({"a": [1.0, 1.0, -1.0, -1.0], "b": [0.5, 0.4, -0.5, -0.4],
    ...                       "c": [-1.5, -1.4, 1.5, 1.4]})
    >>> asg = pd.DataFrame({"profile": [1, 1, 2, 2], "certainty": [0.9, 0.9, 0.9, 0.6]})
    >>> plan_fidelity(needs, asg).set_index("way")["fidelity"].tolist()
    [0.0, 1.0, 1.0, 1.0]
    """
    growth = growth_areas(needs, n=2)
    per = _student_fidelity(needs, growth, assignments, flag_threshold, focus_min_need, personal_min_need, atypical_z)
    n = len(per)
    n_flagged = int(per["flagged"].sum())
    has = per["has_growth"]
    rows = []
    for way in WAYS:
        if way == "none":
            fid, tmpl, dist = 0.0, 0.0, per["dist_none"].mean()
        elif way == "individual":
            fid, tmpl, dist = 1.0, 1.0, 0.0
        else:
            fid = per.loc[has, f"cov_{way}"].mean() if has.any() else 1.0
            tmpl = per.loc[has, "cov_template"].mean() if has.any() else 1.0
            dist = per[f"dist_{way}"].mean()
        rows.append({"way": way, "n": n, "n_flagged": n_flagged if way in ("templated", "hybrid") else 0,
                     "flagged_share": n_flagged / n if way in ("templated", "hybrid") else 0.0,
                     "fidelity": float(fid), "coverage_template": float(tmpl), "distance": float(dist)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------- knee
#: How far (in the 0-1 rescaled units) the knee must lie above the chord beyond both neighbours.
KNEE_MARGIN = 0.02


def find_knee(x: Sequence[float], y: Sequence[float], *, margin: float = KNEE_MARGIN) -> int | None:
    """Position of the knee of a curve y(x), or None: Kneedle's largest distance above the chord.

    A knee is claimed only where it is one: the curve is increasing there (y above the previous
    point's) and the point lies above the chord by at least ``margin`` more than both neighbours.

    Parameters
    ----------
    x, y : sequence of float
        The curve's points in their natural order (here K = 1..8); x is hours, y is fidelity.
    margin : float, default=0.02
        How much farther above the chord (rescaled units) than each neighbour the knee must be.

    Returns
    -------
    int or None
        Index into the points of the knee; None when fewer than three points, a flat axis, or
        no point above the chord from the first point to the last.

    Notes
    -----
    Both axes are rescaled to 0..1 over the points. With A the first and B the last rescaled
    point, a point P's signed distance above the chord is the 2-D cross product
    ``((B - A) x (P - A)) / |B - A|``; the knee is the point with the largest positive distance.

    Examples
    --------
    >>> find_knee([1, 2, 3, 4, 5], [0.0, 0.8, 0.9, 0.95, 1.0])
    1
    >>> find_knee([1, 2, 3], [0.0, 0.5, 1.0]) is None
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0 or not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    xs = (x - x.min()) / np.ptp(x)
    ys = (y - y.min()) / np.ptp(y)
    a = np.array([xs[0], ys[0]])
    b = np.array([xs[-1], ys[-1]])
    ab = b - a
    norm = np.hypot(*ab)
    if norm == 0:
        return None
    d = (ab[0] * (ys - a[1]) - ab[1] * (xs - a[0])) / norm
    i = int(np.argmax(d))
    if d[i] <= 1e-9 or i == 0 or i == len(d) - 1 or not y[i] > y[i - 1]:
        return None
    if d[i] - max(d[i - 1], d[i + 1]) < margin:
        return None
    return i


# ------------------------------------------------------------------------------------ transfer
def _align(means_a: np.ndarray, means_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian matching of A's profiles to B's on the Euclidean distance of their means.

    Returns ``mapping`` (A index -> B index, -1 when unmatched) and the matched distances.
    """
    cost = np.sqrt(((means_a[:, None, :] - means_b[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    mapping = np.full(len(means_a), -1)
    mapping[rows] = cols
    return mapping, cost[rows, cols]


def _compare(train, own, X_held: pd.DataFrame) -> dict:
    """Compare the transferred solution with the held-out group's own fit."""
    proba = np.asarray(train.model.predict_proba(X_held), dtype=float)
    a = proba.argmax(axis=1)
    b = own.assignments["profile"].reindex(X_held.index).to_numpy() - 1
    mapping, dists = _align(train.means.to_numpy(dtype=float), own.means.to_numpy(dtype=float))
    return {
        "ari": float(adjusted_rand_score(b, a)),
        "agreement": float(np.mean(mapping[a] == b)),
        "ll_transfer": float(np.mean(train.model.score_samples(X_held))),
        "ll_own": float(np.mean(own.model.score_samples(X_held))),
        "mean_distance": float(np.mean(dists)),
        "max_distance": float(np.max(dists)),
    }


_TRANSFER_STATS = ("ari", "agreement", "ll_transfer", "ll_own", "ll_gap", "mean_distance", "max_distance")


def transfer_table(scores: pd.DataFrame, constructs: Sequence[str], group: str, n_profiles: int, *,
                   fit: Callable, random_state=None, min_cell: int = MIN_CELL, min_per_profile: int = 3,
                   notes: list | None = None) -> pd.DataFrame:
    """Leave-one-group-out transfer of a K-profile solution over the groups of one column.

    For each group g (for example a section): fit K profiles on every other student, assign g's
    students with that model, fit g's own K profiles, and compare (see the module docstring).

    Parameters
    ----------
    scores : DataFrame
        Construct columns and the ``group`` column.
    constructs : sequence of str
    group : str
        The grouping column (``"Section"``, ``"Grade"``).
    n_profiles : int
    fit : callable
        ``fit(data, n_profiles, model=..., random_state=...)`` -> solution; see
        :func:`scaling_study`. Pass a ``functools.partial`` to fix the model.
    random_state : int, RandomState instance or None
    min_cell : int, default=10
        Groups with fewer students are not fitted; their statistics are blank.
    min_per_profile : int, default=3
        Nor are groups with fewer than this many students per profile: a group's own K-profile
        fit on a handful of students is noise, not a reference.
    notes : list, optional
        Receives a sentence for every group left blank and why.

    Returns
    -------
    DataFrame
        One row per group: ``grouping, group, n, n_train, ari, agreement, ll_transfer, ll_own,
        ll_gap`` (own minus transfer, per student), ``mean_distance, max_distance``.
    """
    rng = check_random_state(random_state)
    notes = notes if notes is not None else []
    if group not in scores.columns:
        raise user_error("the score table has no such group column", column=group,
                         fix=f"use one of the columns {', '.join(map(str, scores.columns))}")
    labels = scores[group].astype("string")
    rows = []
    for g in sorted(labels.dropna().unique(), key=str):
        held = (labels == g).fillna(False).to_numpy()
        X_held = scores.loc[held, list(constructs)]
        X_rest = scores.loc[~held, list(constructs)]
        row = {"grouping": group, "group": str(g), "n": int(held.sum()), "n_train": int((~held).sum())}
        seeds = rng.randint(0, 2**31 - 1, size=2)
        blank = None
        need = max(min_cell, min_per_profile * n_profiles, n_profiles + 1)
        if row["n"] < need:
            blank = (f"{group} {g}: {row['n']} students, fewer than the {need} needed to fit its own {n_profiles} "
                     f"profiles (min_cell={min_cell}, {min_per_profile} per profile); not fitted")
        elif row["n_train"] < n_profiles + 1:
            blank = f"{group} {g}: only {row['n_train']} students in the other groups; not fitted"
        if blank is None:
            try:
                train = fit(X_rest, n_profiles, random_state=int(seeds[0]))
                own = fit(X_held, n_profiles, random_state=int(seeds[1]))
                row.update(_compare(train, own, X_held))
                row["ll_gap"] = row["ll_own"] - row["ll_transfer"]
            except (ValueError, np.linalg.LinAlgError) as exc:
                blank = f"{group} {g}: the profile fit failed ({exc})"
        if blank is not None:
            notes.append(blank)
            row.update({s: np.nan for s in _TRANSFER_STATS})
        rows.append(row)
    cols = ["grouping", "group", "n", "n_train", *_TRANSFER_STATS]
    return pd.DataFrame(rows, columns=cols)


def transition_table(wave1: pd.Series, wave2: pd.Series, n_profiles: int) -> pd.DataFrame:
    """Profile transitions from wave 1 to wave 2, joined by pseudonym.

    Parameters
    ----------
    wave1, wave2 : Series
        Profile (1..K) per pseudonym; only students in both are counted.
    n_profiles : int

    Returns
    -------
    DataFrame
        One row per wave-1 profile: ``wave1_profile, n, to_1 .. to_K, stayed, changed,
        share_changed``, then a row ``all``. ``changed`` is the number of plans that would need
        rewriting from another profile's template.

    Examples
    --------
    >>> import pandas as pd
    >>> t = transition_table(pd.Series([1, 1, 2], index=list("abc")), pd.Series([1, 2, 2], index=list("abc")), 2)
    >>> t[["wave1_profile", "n", "to_1", "to_2", "changed"]].to_numpy().tolist()
    [['1', 2, 1, 1, 1], ['2', 1, 0, 1, 0], ['all', 3, 1, 2, 1]]
    """
    joined = pd.concat([wave1.rename("w1"), wave2.rename("w2")], axis=1, join="inner").dropna()
    ks = list(range(1, n_profiles + 1))
    counts = pd.crosstab(joined["w1"].astype(int), joined["w2"].astype(int)).reindex(index=ks, columns=ks, fill_value=0)
    rows = []
    for k in ks:
        r = counts.loc[k]
        rows.append({"wave1_profile": str(k), "n": int(r.sum()),
                     **{f"to_{j}": int(r[j]) for j in ks}, "stayed": int(r[k]), "changed": int(r.sum() - r[k])})
    total = {"wave1_profile": "all", "n": int(counts.to_numpy().sum()),
             **{f"to_{j}": int(counts[j].sum()) for j in ks},
             "stayed": int(np.trace(counts.to_numpy())), "changed": int(counts.to_numpy().sum() - np.trace(counts.to_numpy()))}
    rows.append(total)
    out = pd.DataFrame(rows)
    out["share_changed"] = out["changed"] / out["n"].where(out["n"] > 0)
    return out


# --------------------------------------------------------------------------------- suppression
def _suppress_counts(table: pd.DataFrame, count_columns: Sequence[str], min_cell: int, **kwargs) -> pd.DataFrame:
    """Pass counts through :func:`toolkit.suppression.suppress`, the one suppression function (counts become text)."""
    return suppress(table, count_columns=list(count_columns), min_cell=min_cell, **kwargs)


def _suppress_transfer(transfer: pd.DataFrame, min_cell: int, notes: list) -> pd.DataFrame:
    """Blank the statistics of held-out groups under ``min_cell`` and suppress the counts."""
    if min_cell <= 0 or transfer.empty:
        return transfer
    out = transfer.copy()
    small = out["n"] < min_cell
    if small.any():
        out.loc[small, list(_TRANSFER_STATS)] = np.nan
        notes.append(f"transfer: {int(small.sum())} group(s) under {min_cell} students have blank statistics")
    out.index = out["grouping"].astype(str) + " " + out["group"].astype(str)
    # One grouping at a time: within a grouping the groups' sizes add up to all students.
    blocks = [_suppress_counts(block, ["n", "n_train"], min_cell) for _, block in out.groupby("grouping", sort=False)]
    return pd.concat(blocks).reset_index(drop=True)


def _suppress_transitions(transitions: pd.DataFrame, k: int, min_cell: int, notes: list) -> pd.DataFrame:
    """Suppress the transition counts (a K x K table with margins), and what derives from them.

    The K x K cells with the row total ``n`` and the row ``all`` go through suppression;
    ``stayed``, ``changed`` and ``share_changed`` are hidden when the row's diagonal cell or its
    total is hidden (either would give them back).
    """
    if min_cell <= 0 or transitions.empty:
        return transitions
    cells = [f"to_{j}" for j in range(1, k + 1)]
    t = transitions.set_index("wave1_profile")
    shown = _suppress_counts(t[cells + ["n"]], cells + ["n"], min_cell, total_row="all", total_column="n")
    out = t.copy().astype({c: object for c in ["n", *cells, "stayed", "changed", "share_changed"]})
    out[cells + ["n"]] = shown[cells + ["n"]]
    any_diag_hidden = any(out.loc[str(j), f"to_{j}"] == _HIDDEN for j in range(1, k + 1))
    for label in out.index:
        # stayed is the diagonal cell (for "all", the sum of the diagonal) and changed = n - stayed,
        # so both are hidden when the diagonal cell or the row total is.
        if label == "all":
            gone = out.loc[label, "n"] == _HIDDEN or any_diag_hidden
        else:
            gone = _HIDDEN in (out.loc[label, "n"], out.loc[label, f"to_{label}"])
        values = [int(t.loc[label, "stayed"]), int(t.loc[label, "changed"])]
        gone = gone or any(0 < v < min_cell for v in values)
        if gone:
            out.loc[label, ["stayed", "changed", "share_changed"]] = _HIDDEN
        else:
            out.loc[label, "stayed"], out.loc[label, "changed"] = str(values[0]), str(values[1])
            out.loc[label, "share_changed"] = round(float(t.loc[label, "share_changed"]), 3)
    n_hidden = int((out[cells] == _HIDDEN).to_numpy().sum())
    if n_hidden:
        notes.append(f"transitions: {n_hidden} cell(s) hidden (counts under {min_cell} and their complements)")
    return out.reset_index()


# ------------------------------------------------------------------------------------- the study
def _check_int_range(k_range) -> list[int]:
    try:
        ks = sorted({int(k) for k in k_range})
    except (TypeError, ValueError):
        raise ToolkitError(f"k_range={k_range!r} should be whole numbers of profiles, such as range(1, 9).") from None
    if not ks or ks[0] < 1:
        raise ToolkitError(f"k_range={k_range!r} should hold numbers of profiles of 1 or more.")
    return ks


def _fit_quietly(fit, data, k, model, seed, counter: Counter):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = fit(data, k, model=model, random_state=seed)
    for w in caught:
        counter[w.category.__name__] += 1
    return sol


def _mc_stats(minutes, teachers, draws) -> dict[str, float]:
    d = _derive(minutes, teachers, draws)
    out = {}
    for key in ("hours_per_term", "hours_per_week_per_teacher", "share_of_planning"):
        lo, mid, hi = np.percentile(d[key], _PCTS)
        out[f"{key}_p05"], out[f"{key}_p50"], out[f"{key}_p95"] = float(lo), float(mid), float(hi)
    return out


def _projection(workload: Workload, sizes, k, flagged_share, fidelity_of, draws, template_scope) -> pd.DataFrame:
    values = workload.values
    rows = []
    for n in sizes:
        point = way_minutes(values, n, k, flagged_share, template_scope=template_scope)
        mc = way_minutes(draws, n, k, flagged_share, template_scope=template_scope)
        for way in WAYS:
            d = _derive(point[way], point["n_teachers"], values)
            rows.append({
                "n_students": int(n), "way": way, "n_profiles": k if way in ("templated", "hybrid") else 0,
                "n_teachers": int(point["n_teachers"]),
                **{key: float(v) for key, v in d.items()},
                **_mc_stats(mc[way], mc["n_teachers"], draws),
                "fidelity": fidelity_of[way],
            })
    return pd.DataFrame(rows)


def _sensitivity(workload: Workload, n, k, flagged_share, template_scope) -> pd.DataFrame:
    base_vals = workload.values
    rows = []
    for way in ("templated", "hybrid"):
        base_m = way_minutes(base_vals, n, k, flagged_share, template_scope=template_scope)
        base = _derive(base_m[way], base_m["n_teachers"], base_vals)
        for key, a in workload.assumptions.items():
            res = {}
            for end in ("low", "high"):
                vals = dict(base_vals, **{key: getattr(a, end)})
                m = way_minutes(vals, n, k, flagged_share, template_scope=template_scope)
                res[end] = _derive(m[way], m["n_teachers"], vals)
            for metric in ("hours_per_term", "hours_per_week_per_teacher", "share_of_planning"):
                lo, hi, b = float(res["low"][metric]), float(res["high"][metric]), float(base[metric])
                rows.append({"way": way, "metric": metric, "assumption": key, "kind": a.kind,
                             "low": a.low, "value": a.value, "high": a.high,
                             "at_low": lo, "base": b, "at_high": hi, "swing": abs(hi - lo)})
    out = pd.DataFrame(rows)
    out = out.sort_values(["way", "metric", "swing", "assumption"], ascending=[True, True, False, True], kind="stable")
    out.insert(0, "n_students", int(n))
    return out.reset_index(drop=True)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _statements(projection, k, fid, knee_text, transfer, transitions, breakeven, sens, min_cell,
                uncertain_moves=None, changed_hidden=False) -> list[str]:
    out = []
    for n, grp in projection.groupby("n_students", sort=True):
        g = grp.set_index("way")
        t, i, h = g.loc["templated"], g.loc["individual"], g.loc["hybrid"]
        # Medians of the Monte Carlo with their 90% interval; the mode (every assumption at its most
        # likely value) only beside them, labelled. Totals for all the students: the per-owner
        # figure is in the answer (hours a week for one owner with the stated caseload), the one
        # denominator the study uses for a person's time.
        out.append(
            f"At {n:,} students in all, profile plans (K={k}) take a median of {_fmt(t['hours_per_term_p50'])} hours a "
            f"term (90% interval {_fmt(t['hours_per_term_p05'])}-{_fmt(t['hours_per_term_p95'])}; "
            f"{_fmt(t['hours_per_term'])} at the mode) against {_fmt(i['hours_per_term_p50'])} for individual plans "
            f"({_fmt(i['hours_per_term_p05'])}-{_fmt(i['hours_per_term_p95'])}; {_fmt(i['hours_per_term'])} at the "
            f"mode), keeping {100 * t['fidelity']:.0f}% of fidelity; with full plans for flagged students (hybrid) "
            f"it is {_fmt(h['hours_per_term_p50'])} hours, keeping {100 * h['fidelity']:.0f}%. "
            f"These are totals for all the students; the time of one plan owner is in the answer."
        )
    if breakeven is not None:
        out.append(breakeven)
    if knee_text:
        out.append(knee_text)
    if sens is not None and not sens.empty:
        top = sens[(sens["way"] == "hybrid") & (sens["metric"] == "hours_per_term")].iloc[0]
        out.append(
            f"The assumption that moves the hybrid's hours most is {top['assumption']} "
            f"({top['kind']}): from {top['low']:g} to {top['high']:g} it moves the hours a term of "
            f"{top['n_students']:,} students from {_fmt(top['at_low'])} to {_fmt(top['at_high'])}."
        )
    if transfer is not None and not transfer.empty:
        for grouping, grp in transfer.groupby("grouping", sort=False):
            ari = grp.loc[grp["n"] >= min_cell, "ari"].dropna()
            if len(ari):
                out.append(
                    f"Profiles fitted on the other {grouping.lower()}s and used for a held-out one agree "
                    f"with its own profiles at a mean adjusted Rand index of {ari.mean():.2f} "
                    f"(lowest {ari.min():.2f}, over {len(ari)} {grouping.lower()}s)."
                )
    if transitions is not None and not transitions.empty:
        allrow = transitions.set_index("wave1_profile").loc["all"]
        changed, total = int(allrow["changed"]), int(allrow["n"])
        if total > 0 and changed_hidden:
            # Round to steps of 5% that each span at least min_cell students: with a step of 5%
            # of 30 students (1.5), "roughly 10%" would give back the hidden count exactly.
            step = 5 * max(1, math.ceil(20 * min_cell / total))
            out.append(
                f"Between the waves, roughly {step * round(100 * changed / total / step)}% of the {total:,} students in both "
                f"waves moved to another profile, and their plans would need rewriting from a new template (the "
                f"exact count is hidden because a profile's count is under {min_cell})."
            )
        elif total > 0:
            out.append(
                f"Between the waves, {changed:,} of {total:,} students ({100 * changed / total:.0f}%) moved to "
                f"another profile: their plans would need rewriting from a new template; the other "
                f"{total - changed:,} keep theirs."
            )
            if uncertain_moves is not None and uncertain_moves[0] >= min_cell:
                out[-1] += (f" {uncertain_moves[0]:,} of the moves are of students whose profile was uncertain (certainty "
                            f"under {uncertain_moves[1]:g}) in one of the waves, so part of the change is classification "
                            f"noise rather than a changed student.")
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


def _owner_model(workload, scores, solution, codebook, k, flagged_share, fidelity_of, draws, transitions_raw,
                 students_per_owner, owner_kind, owner_scope, budget_minutes, sensitivity, notes, sizes=PROJECTION_SIZES,
                 reliability=None):
    """The owner model's tables (toolkit.scaling.owners) from the drafted plans' own mix."""
    from .owners import OWNER_KINDS, SCOPES, budget_table, default_mix, mix_from_plans, owner_table

    if owner_kind not in OWNER_KINDS:
        raise ToolkitError(f"owner_kind={owner_kind!r} should be one of {', '.join(OWNER_KINDS)}.")
    if owner_scope not in SCOPES:
        raise ToolkitError(f"owner_scope={owner_scope!r} should be one of {', '.join(SCOPES)}.")
    if students_per_owner is not None and not (isinstance(students_per_owner, numbers.Real) and students_per_owner > 0):
        raise ToolkitError(f"students_per_owner={students_per_owner!r} should be a number of students above 0.")
    if budget_minutes is not None and not (isinstance(budget_minutes, numbers.Real) and budget_minutes >= 0):
        raise ToolkitError(f"budget_minutes={budget_minutes!r} should be minutes a week, 0 or more.")
    if transitions_raw is not None and len(transitions_raw):
        allrow = transitions_raw.set_index("wave1_profile").loc["all"]
        if int(allrow["n"]) > 0:
            rate = int(allrow["changed"]) / int(allrow["n"])
            workload = workload.with_values(transition_rate=rate)
            draws = dict(draws, transition_rate=np.full(len(draws["transition_rate"]), rate))
            notes.append(f"owner model: the transition rate between cycles is the one measured between the waves, {rate:.2f}")
    caseload = float(students_per_owner) if students_per_owner is not None else workload[OWNER_KINDS[owner_kind]].value
    if students_per_owner is not None:
        draws = dict(draws)
    draws = dict(draws, **{OWNER_KINDS[owner_kind]: np.full(len(draws["transition_rate"]), caseload)})
    mix = plan_set = None
    if codebook is not None:
        try:
            from ..plans import draft_plans

            plan_set = draft_plans(scores, solution, codebook)
            mix = mix_from_plans(plan_set)
        except ToolkitError as exc:
            notes.append(f"owner model: plans could not be drafted ({exc}); the workload's check-ins are used")
    if mix is None:
        mix = default_mix(workload.values, flagged_share)
    budget_minutes = workload["planning_minutes_per_week"].value if budget_minutes is None else float(budget_minutes)
    benefit = None
    if reliability is not None and plan_set is None:
        notes.append("owner model: reliabilities were given but no plans could be drafted (no codebook), so no benefit measure")
    if reliability is not None and plan_set is not None:
        benefit = _benefit(plan_set, reliability, notes)
        fidelity_of = dict(fidelity_of, **benefit.set_index("way")["recall"].to_dict())
    owner = owner_table(workload, k=k, mix=mix, caseload=caseload, scope=owner_scope, draws=draws,
                        owner_kind=owner_kind, fidelity=fidelity_of)
    if benefit is not None:
        b = benefit.set_index("way")
        owner["benefit_recall"] = owner["way"].map(lambda w: b.loc[w, "recall"])
        owner["benefit_precision"] = owner["way"].map(lambda w: b.loc[w, "precision"])
    budget = budget_table(workload, k=k, mix=mix, caseload=caseload, budget_minutes=budget_minutes, draws=draws,
                          fidelity=fidelity_of)
    from .owners import owner_projection

    projection = owner_projection(workload, k=k, mix=mix, caseload=caseload, scope=owner_scope, sizes=sizes, draws=draws)
    used = ("individual_plan_minutes", "template_minutes", "personalise_minutes", "conversation_minutes",
            "checkin_minutes", "adapt_template_minutes", "cycles_per_year", "resurvey_minutes", "update_minutes",
            "transition_rate", "cowrite_lesson_minutes", "conference_minutes", "weeks_per_term", "students_per_school")
    measured = {"transition_rate"} if any("measured between the waves" in n for n in notes) else set()
    unsourced = [key for key in used if workload[key].kind == "assumption" and key not in measured]
    from .owners import cycle_minutes, owner_sensitivity

    best = owner.set_index("way").drop(index="individual")["hours_per_week_p50"].idxmin()
    sens = owner_sensitivity(workload.with_values(**{OWNER_KINDS[owner_kind]: caseload}), way=best, k=k, mix=mix,
                             caseload=caseload, scope=owner_scope)
    sens = sens[sens["assumption"] != OWNER_KINDS[owner_kind]]
    r = sens.iloc[0]
    top = (f"{r['assumption']} ({'an assumption with no public source' if r['kind'] == 'assumption' else r['kind'] + ' figure'}): "
           f"from {r['low']:g} to {r['high']:g} it moves one owner's time from {r['at_low']:.0f} to {r['at_high']:.0f} "
           f"minutes a week")
    settings = {"owner_kind": owner_kind, "students_per_owner": caseload, "template_scope": owner_scope,
                "planning_minutes_per_week": workload["planning_minutes_per_week"].value,
                "n_draws": len(draws["transition_rate"]), "budget_minutes": budget_minutes, "mix": mix,
                "benefit": benefit,
                "unsourced": unsourced, "top_assumption": top, "owner_sensitivity": sens, "projection": projection,
                "cycle_minutes": {w: cycle_minutes(workload.values, mix, w) for w in ("individual", "templated", "hybrid", "cowritten")}}
    return owner, budget, settings


def _breakeven(workload: Workload, k, flagged_share, template_scope) -> str | None:
    """Students per teacher above which profile plans cost less than individual plans."""
    v = workload.values
    saving = v["individual_plan_minutes"] - v["personalise_minutes"] - flagged_share * v["conversation_minutes"]
    if template_scope != "teacher":
        return None
    if saving <= 0:
        return (f"At these assumptions profile plans never cost less than individual plans: personalising a "
                f"plan ({v['personalise_minutes']:g} min) plus conversations cost as much as writing one.")
    n_star = k * v["template_minutes"] / saving
    return (f"Profile plans cost less than individual plans once a teacher has more than {math.floor(n_star)} "
            f"students: {k} templates of {v['template_minutes']:g} minutes are paid back at "
            f"{saving:.1f} minutes saved per student.")


def scaling_study(
    scores: pd.DataFrame,
    *,
    workload: Workload | None = None,
    k_range: Iterable[int] = range(1, 9),
    model: int = 1,
    wave2_scores: pd.DataFrame | None = None,
    groups: Sequence[str] = ("Section", "Grade"),
    random_state=None,
    fit: Callable | None = None,
    min_cell: int = MIN_CELL,
    codebook: Codebook | None = None,
    k: int | None = None,
    n_students: Sequence[int] = PROJECTION_SIZES,
    template_scope: str = "teacher",
    flag_threshold: float = FLAG_THRESHOLD,
    focus_min_need: float = 0.2,
    personal_min_need: float = 0.5,
    atypical_z: float | None = None,
    n_draws: int = 2000,
    distribution: str = "triangular",
    sensitivity_students: int = 1500,
    students_per_owner: float | None = None,
    owner_kind: str = "advisor",
    owner_scope: str = "school",
    budget_minutes: float | None = None,
    reliability: dict | None = None,
) -> ScalingStudy:
    """Run the scaling study: cost, fidelity, trade-off, projection, transfer and sensitivity.

    Parameters
    ----------
    scores : DataFrame
        Index pseudonym; one column per construct; group columns (Grade, Section, ...).
    workload : Workload, optional
        From :func:`toolkit.workload.load_workload`; default the bundled assumptions.
    k_range : iterable of int, default=range(1, 9)
        Numbers of profiles for the fidelity table and the trade-off.
    model : int, default=1
        tidyLPA's model number for every profile fit.
    wave2_scores : DataFrame, optional
        Wave-2 scores (same constructs, index pseudonym) for the transition table.
    groups : sequence of str, default=("Section", "Grade")
        Group columns for leave-one-group-out transfer; columns absent from ``scores`` are skipped
        with a note.
    random_state : int, RandomState instance or None
        Seeds every fit and the Monte Carlo; the same seed gives the same tables.
    fit : callable, optional
        ``fit(data, n_profiles, *, model, random_state)`` returning an object with
        ``.assignments`` (``profile`` 1..K and ``certainty`` per row of ``data``), ``.means`` (K
        rows) and ``.model`` (``predict_proba``, ``score_samples``). Default :func:`fit_lpa`.
    min_cell : int, default=10
        Groups and counts under it are hidden in the transfer and transition tables (0: show all,
        for the teacher's own use only).
    codebook : Codebook, optional
        Which constructs are "higher is better"; without it every numeric column is a construct
        where a high score is good (a warning says so).
    k : int, optional
        The number of profiles (templates) for the costs, projection, transfer and waves; default
        the knee of the hybrid trade-off (else the smallest K within 0.01 of the best fidelity).
    n_students : sequence of int, default=(30, 150, 1500, 20000)
        Sizes of the projection.
    template_scope : {"teacher", "school"}, default="teacher"
        Who writes the templates: every teacher their own K (the cautious default, as templates
        are written for one teacher's classes), or one set of K per school shared by its
        teachers (the economy of scale that transfer across sections and grades would allow).
    flag_threshold : float, default=0.7
        Certainty under which a student is flagged.
    focus_min_need, personal_min_need, atypical_z : float
        As in :func:`plan_fidelity` (defaults those of the plans stage; ``atypical_z=None``
        flags on certainty alone).
    n_draws : int, default=2000
        Monte Carlo draws of the assumptions.
    distribution : {"triangular", "uniform"}, default="triangular"
    sensitivity_students : int, default=1500
        Students (a school) at which the tornado's swings are computed.
    students_per_owner : float, optional
        The plan owner's caseload for the owner model (``study.owner``, ``study.answer``);
        default the workload's figure for ``owner_kind``.
    owner_kind : {"advisor", "subject teacher", "counsellor"}, default="advisor"
    owner_scope : {"owner", "school", "district"}, default="school"
        Who shares the templates in the owner model.
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
        scores, or fewer students than the largest K needs.

    Notes
    -----
    Definitions of fidelity, the knee and transfer are in the module docstring; the cost
    formulas in :mod:`toolkit.workload`.
    """
    workload = load_workload() if workload is None else workload
    if template_scope not in TEMPLATE_SCOPES:
        raise ToolkitError(f"template_scope={template_scope!r} should be one of {', '.join(TEMPLATE_SCOPES)}.")
    if not isinstance(min_cell, numbers.Integral) or min_cell < 0:
        raise ToolkitError(f"min_cell={min_cell!r} should be a whole number of 0 or more.")
    ks = _check_int_range(k_range)
    sizes = [int(x) for x in n_students] if n_students is not None else []
    if not sizes or min(sizes) < 1 or int(sensitivity_students) < 1:
        raise ToolkitError(f"n_students={n_students!r} and sensitivity_students={sensitivity_students!r} should be "
                           f"numbers of students of 1 or more.")
    if not 0.0 < float(flag_threshold) <= 1.0:
        raise ToolkitError(f"flag_threshold={flag_threshold!r} should be a certainty between 0 and 1.")
    fit = fit_lpa if fit is None else fit
    rng = check_random_state(random_state)
    notes: list[str] = []
    warned: Counter = Counter()

    cb, keys = _orientation(scores, codebook, groups)
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
                  personal_min_need=personal_min_need, atypical_z=atypical_z)

    # Fidelity and cost per K.
    fits, frames, trade = {}, [], []
    for kk in ks:
        sol = _fit_quietly(fit, X, kk, model, int(rng.randint(0, 2**31 - 1)), warned)
        fits[kk] = sol
        f = plan_fidelity(needs, sol.assignments, **fid_kw)
        f.insert(0, "n_profiles", kk)
        frames.append(f)
        share = float(f.loc[f["way"] == "templated", "flagged_share"].iloc[0])
        m = way_minutes(workload.values, n, kk, share, template_scope=template_scope)
        for way in ("templated", "hybrid"):
            d = _derive(m[way], m["n_teachers"], workload.values)
            trade.append({"way": way, "n_profiles": kk, "n": n, "flagged_share": share,
                          **{key: float(v) for key, v in d.items()},
                          "fidelity": float(f.loc[f["way"] == way, "fidelity"].iloc[0]),
                          "coverage_template": float(f.loc[f["way"] == way, "coverage_template"].iloc[0]),
                          "distance": float(f.loc[f["way"] == way, "distance"].iloc[0])})
    fidelity = pd.concat(frames, ignore_index=True)
    tradeoff = pd.DataFrame(trade)
    tradeoff["knee"] = False
    knee: dict = {}
    for way, grp in tradeoff.groupby("way", sort=False):
        i = find_knee(grp["hours_per_term"], grp["fidelity"])
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
        f = plan_fidelity(needs, fits[k].assignments, **fid_kw)
        f.insert(0, "n_profiles", k)
        fidelity = pd.concat([fidelity, f], ignore_index=True).sort_values(["n_profiles"], kind="stable").reset_index(drop=True)
    chosen = fidelity[fidelity["n_profiles"] == k].set_index("way")
    flagged_share = float(chosen.loc["templated", "flagged_share"])
    fidelity_of = chosen["fidelity"].to_dict()

    knee_text = None
    for way in ("hybrid", "templated"):
        grp = tradeoff[tradeoff["way"] == way]
        if knee.get(way) is not None:
            r = grp[grp["knee"]].iloc[0]
            knee_text = (
                f"The knee of the {way} trade-off is at K={knee[way]} profiles ({_fmt(r['hours_per_term'])} hours a "
                f"term for {n:,} students, {100 * r['fidelity']:.0f}% fidelity): fidelity rises there, and it is the "
                f"point farthest above the straight line from K={grp['n_profiles'].iloc[0]} to "
                f"K={grp['n_profiles'].iloc[-1]} with hours and fidelity both scaled to 0-1 (Kneedle), by at least "
                f"{KNEE_MARGIN:g} more than its neighbours."
            )
            break
    if knee_text is None and len(ks) >= 3:
        knee_text = (f"There is no clear knee in the trade-off: no K where fidelity rises and that lies above the "
                     f"straight line by {KNEE_MARGIN:g} more than its neighbours (hours and fidelity scaled to 0-1).")

    # Costs and projection with Monte Carlo bands (one set of draws for every size and way).
    draws = workload.draw(n_draws, distribution=distribution, random_state=int(rng.randint(0, 2**31 - 1)))
    draw_values = {c: draws[c].to_numpy() for c in draws.columns}
    costs = _projection(workload, [n], k, flagged_share, fidelity_of, draw_values, template_scope)
    costs.insert(3, "flagged_share", [flagged_share if w in ("templated", "hybrid") else 0.0 for w in costs["way"]])
    projection = _projection(workload, sorted(set(sizes)), k, flagged_share, fidelity_of,
                             draw_values, template_scope)
    sensitivity = _sensitivity(workload, int(sensitivity_students), k, flagged_share, template_scope)

    # Transfer over groups.
    fit_k = lambda data, kk, random_state=None: _fit_quietly(fit, data, kk, model, random_state, warned)  # noqa: E731
    parts = []
    for g in groups:
        if g not in scores.columns:
            notes.append(f"no column '{g}' in the score table: no transfer over it")
            continue
        parts.append(transfer_table(scores, keys, g, k, fit=fit_k, random_state=int(rng.randint(0, 2**31 - 1)),
                                    min_cell=min_cell, notes=notes))
    transfer = (pd.concat(parts, ignore_index=True) if parts else
                pd.DataFrame(columns=["grouping", "group", "n", "n_train", *_TRANSFER_STATS]))
    transfer_raw = transfer
    transfer = _suppress_transfer(transfer, min_cell, notes)

    # Waves.
    if wave2_scores is not None:
        w2 = _check_scores(wave2_scores, keys, "the wave-2 score table")
        w2 = w2.loc[~w2[keys].isna().all(axis=1)]
        proba2 = np.asarray(fits[k].model.predict_proba(w2[keys]), dtype=float)
        p2 = pd.Series(proba2.argmax(axis=1) + 1, index=w2.index)
        p1 = fits[k].assignments["profile"]
        n_join = len(p1.index.intersection(p2.index))
        if n_join == 0:
            raise user_error("no pseudonym of the wave-2 scores is in wave 1",
                             fix="de-identify both waves with the same key file so the pseudonyms match")
        transitions_raw = transition_table(p1, p2, k)
        both = p1.index.intersection(p2.index)
        c1 = fits[k].assignments["certainty"].reindex(both).to_numpy(dtype=float)
        c2 = pd.Series(proba2.max(axis=1), index=w2.index).reindex(both).to_numpy(dtype=float)
        moved = p1.reindex(both).to_numpy() != p2.reindex(both).to_numpy()
        uncertain_moves = (int((moved & ((c1 < flag_threshold) | (c2 < flag_threshold))).sum()), flag_threshold)
        transitions = _suppress_transitions(transitions_raw, k, min_cell, notes)
    else:
        transitions_raw = transitions = pd.DataFrame(columns=["wave1_profile", "n", "stayed", "changed", "share_changed"])
        uncertain_moves = None

    owner, budget, owner_settings = _owner_model(
        workload, scores, fits[k], cb if codebook is not None else None, k, flagged_share, fidelity_of,
        draw_values, transitions_raw, students_per_owner, owner_kind, owner_scope, budget_minutes, sensitivity, notes,
        sizes=sorted(set(sizes)), reliability=reliability)
    breakeven = _breakeven(workload, k, flagged_share, template_scope)
    statements = _statements(projection, k, fidelity_of, knee_text, transfer_raw, transitions_raw, breakeven,
                             sensitivity, min_cell, uncertain_moves,
                             changed_hidden=bool(min_cell > 0 and len(transitions)
                                                 and transitions.set_index("wave1_profile").loc["all", "changed"] == _HIDDEN))
    if warned:
        notes.append("profile fits warned: " + ", ".join(f"{name} x{c}" for name, c in sorted(warned.items())))
    return ScalingStudy(costs=costs, fidelity=fidelity, tradeoff=tradeoff, projection=projection,
                        statements=statements, transfer=transfer, transitions=transitions,
                        sensitivity=sensitivity, k=k, knee=knee, workload=workload, notes=notes,
                        owner=owner, budget=budget, owner_settings=owner_settings)

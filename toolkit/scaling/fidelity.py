"""How individual the plans stay: fidelity of each way of planning, and the knee of the trade-off.

Definitions
-----------
Needs, growth areas and template focus use :mod:`toolkit.plans.needs` with the plans stage's
defaults (:func:`toolkit.plans.draft_plans`). A student's *growth areas* G, what a plan should
address, are their two largest needs above the average student (``growth_areas(needs, n=2)``). A
profile template's *focus* F_p is its up to three largest mean needs above ``focus_min_need`` = 0.2
(``profile_focus(needs, profile, n_focus=3, min_need=0.2)``, as in the plans). What each way's plan
addresses:

- none: nothing. Coverage 0; the plan's focus vector is the zero vector (the average student).
- individual: exactly G. Coverage 1 and distance 0 by construction: the reference.
- templated: the template's focus F_p plus the *personal layer*, which adds one area: the
  student's largest need above ``personal_min_need`` = 0.5 (among their two largest, as the
  plans stage chooses personal growth areas) that F_p does not hold; nothing when there is none.
  The plan's focus vector is the profile's mean need vector.
- hybrid: templated, except that a flagged student gets a fully individual plan.

Per student, *coverage* = |G ∩ plan| / |G| (students with no growth area, |G| = 0, are left out
of the mean) and *distance* = the Euclidean distance between the student's need vector and the
plan's focus vector (in standard-deviation units; constructs a student did not answer are left
out).

A student is *flagged* by the plans stage's rule, with its defaults (read from
:func:`toolkit.plans.draft_plans`, so that the study flags the students the plans flag): a
posterior certainty (largest profile probability) below ``fit_threshold`` (0.7), or a need that
differs from the profile's mean need by more than ``atypical_z`` (2.0) standard units.

The *fidelity* of a way is its mean coverage; the table also shows ``coverage_template`` (the
template alone, without the personal layer). Fidelity is circular (the same survey defines the
profiles, builds the templates and judges them, and an individual plan scores 1 by definition):
:mod:`toolkit.scaling.benefit` is the measure that is not.

The knee of the trade-off is found as in Kneedle (Satopää et al., 2011): hours and fidelity are
both rescaled to 0..1 over K, and the knee is the K whose point lies farthest above the straight
line (the chord) from the first K to the last, claimed only where fidelity rises there and the
point beats both neighbours by :data:`KNEE_MARGIN`.

References
----------
.. [1] Satopää, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a
   haystack: detecting knee points in system behavior. ICDCS Workshops, 166-171.
"""

from __future__ import annotations

import inspect
from typing import Sequence

import numpy as np
import pandas as pd

from ..plans.drafting import draft_plans
from ..plans.needs import growth_areas, profile_focus
from .workload import WAYS

__all__ = ["plan_fidelity", "planning_needs", "find_knee", "KNEE_MARGIN", "FLAG_THRESHOLD", "ATYPICAL_Z"]

_PLAN_DEFAULTS = {name: p.default for name, p in inspect.signature(draft_plans).parameters.items()}
#: Posterior certainty under which a student is flagged: the plans stage's ``fit_threshold``.
FLAG_THRESHOLD = float(_PLAN_DEFAULTS["fit_threshold"])
#: A need this many standard units from the profile's mean need flags a student: the plans' ``atypical_z``.
ATYPICAL_Z = float(_PLAN_DEFAULTS["atypical_z"])
_FOCUS_EPS = 1e-9


def planning_needs(needs: pd.DataFrame, codebook) -> pd.DataFrame:
    """The needs the plans stage writes plans from: ``needs`` with preferences masked, as the plans do.

    When the plans stage masks preferences (``toolkit.plans.needs.mask_preferences`` with the
    strategy library's ``preference_tags``: a low preference is not a need), the same masking;
    otherwise, or without a codebook, ``needs`` unchanged.
    """
    if codebook is None or not hasattr(codebook, "constructs"):
        return needs
    from ..plans import needs as _needs_module
    from ..plans.strategies import load_strategy_library

    mask = getattr(_needs_module, "mask_preferences", None)
    tags = getattr(load_strategy_library(), "preference_tags", ()) if mask is not None else ()
    return mask(needs, codebook, tags) if tags else needs


def _student_fidelity(needs: pd.DataFrame, growth: pd.Series, assignments: pd.DataFrame, flag_threshold: float,
                      focus_min_need: float, personal_min_need: float, atypical_z: float | None,
                      planning: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per student: coverage and distance of each way for one solution.

    ``planning`` (default ``needs``) are the needs plans are written from (focus, personal layer);
    the distance and the atypical flag use ``needs``, as the plans stage does.
    """
    planning = needs if planning is None else planning
    profile = assignments["profile"].reindex(needs.index)
    focus = profile_focus(planning, profile, n_focus=3, min_need=max(focus_min_need, _FOCUS_EPS))
    personal = growth_areas(planning, n=2, min_need=personal_min_need)
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
                  atypical_z: float | None = ATYPICAL_Z, planning_needs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fidelity of the four ways for one profile solution.

    Parameters
    ----------
    needs : DataFrame
        From :func:`toolkit.needs.need_scores`, one row per student.
    assignments : DataFrame
        ``profile`` (1..K) and ``certainty`` per student, same index as ``needs``.
    flag_threshold : float, default=0.7
        Students with a certainty below it are flagged (the plans stage's ``fit_threshold``).
    focus_min_need : float, default=0.2
        A template's focus areas are its mean needs above this (the plans stage's default).
    personal_min_need : float, default=0.5
        The personal layer adds an area only where the student's need is above this.
    atypical_z : float or None, default=2.0
        Also flag a student whose need differs from the profile's mean need by more than this:
        the plans stage's second flag, with its default (:data:`ATYPICAL_Z`). ``None`` flags on
        certainty alone.
    planning_needs : DataFrame, optional
        The needs plans are written from, when the plans stage masks some (a low preference is
        not a need: :func:`planning_needs`): growth areas, focus and the personal layer use them;
        distances and the atypical flag use ``needs``. Default ``needs``.

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
    growth = growth_areas(needs if planning_needs is None else planning_needs, n=2)
    per = _student_fidelity(needs, growth, assignments, flag_threshold, focus_min_need, personal_min_need, atypical_z,
                            planning_needs)
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

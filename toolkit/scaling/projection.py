"""The study's cost tables on the owner model: the surveyed group, K, sizes and sensitivity, one denominator.

Every table here comes from :func:`toolkit.scaling.owners.owner_year_minutes` (which calls
:func:`toolkit.plans.costs.plan_minutes`, the cost model the drafted plans use) and states one
person's time the way the answer does: **hours a week outside lessons for ONE owner with the
stated caseload**, the Monte Carlo median with its 90% interval (5th-95th percentile), the mode
(every assumption at its most likely value) only beside it, labelled. Class minutes (check-ins and
strategies inside lessons) are kept apart. Totals (all owners together, hours a year) are labelled
"in all" and never divided by another head count.

Tables
------
costs
    The surveyed group: one row per way (individual, templated, hybrid, cowritten) at the chosen K
    and template scope; the owner table with the group's size, its owners in fractional FTE and
    the group's hours a year in all.
tradeoff
    One row per (way, K): one owner's hours a week against fidelity, with the knee.
projection
    From the surveyed group up to at most :data:`MAX_PROJECTION_FACTOR` times its size (a school,
    a district only when the survey is large enough to speak for one): owners in fractional FTE,
    one owner's hours a week (which hardly moves with size: only a shared template's share does)
    and the hours a year in all.
sensitivity
    One-at-a-time swings of every assumption the owner model uses, for the stated caseload and
    scope: one owner's minutes a week and the share of planning time.

Choices, stated once
--------------------
- Sizes beyond ``MAX_PROJECTION_FACTOR`` (100) times the surveyed group are not projected: the
  profiles of one class say little about a district. This cap is a judgement, not a sourced figure.
- The caseload is a decision the school states, not an uncertain assumption: it is held at the
  stated value in the Monte Carlo and left out of the sensitivity analysis.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .owners import DESIGN_WAYS, DISTRICT_STUDENTS, OWNER_KINDS, owner_year_minutes

__all__ = ["MAX_PROJECTION_FACTOR", "TRADEOFF_WAYS", "projection_sizes", "costs_table", "tradeoff_rows",
           "projection_table", "sensitivity_table", "breakeven_caseload"]

#: Projections go up to at most this many times the surveyed group.
MAX_PROJECTION_FACTOR = 100
#: The ways whose cost depends on K (they use templates).
TRADEOFF_WAYS = ("templated", "hybrid", "cowritten")
_PCT = (5, 50, 95)


def _weeks(v) -> np.ndarray:
    return np.asarray(v["cycles_per_year"], dtype=float) * np.asarray(v["weeks_per_term"], dtype=float)


def _pct(x) -> tuple[float, float, float]:
    lo, mid, hi = np.percentile(np.asarray(x, dtype=float), _PCT)
    return float(lo), float(mid), float(hi)


def projection_sizes(n_surveyed: int, students_per_school: float, *, sizes: Sequence[int] | None = None,
                     district_students: int = DISTRICT_STUDENTS,
                     max_factor: float = MAX_PROJECTION_FACTOR) -> tuple[list[int], dict[int, str], list[int]]:
    """The sizes the study projects to, capped at a sensible range for the surveyed group.

    Parameters
    ----------
    n_surveyed : int
        Students surveyed.
    students_per_school : float
        The workload's school size.
    sizes : sequence of int, optional
        Sizes asked for; default the surveyed group, a school and a district.
    district_students : int, default=20000
    max_factor : float, default=100
        Sizes above ``max_factor * n_surveyed`` are dropped.

    Returns
    -------
    (list of int, dict, list of int)
        The sizes kept (sorted), a name for each ("the surveyed group", "a school", "a district",
        else ""), and the sizes dropped.

    Examples
    --------
    >>> projection_sizes(59, 1500)[0]
    [59, 1500]
    >>> projection_sizes(240, 1500)[0]
    [240, 1500, 20000]
    """
    n = int(n_surveyed)
    school = int(round(float(students_per_school)))
    wanted = [n, school, int(district_students)] if sizes is None else [int(s) for s in sizes]
    cap = max_factor * n
    kept = sorted({s for s in wanted if 1 <= s <= cap})
    dropped = sorted({s for s in wanted if s > cap})
    names = {s: ("the surveyed group" if s == n else "a school" if s == school else
                 "a district" if s == int(district_students) else "") for s in kept}
    return kept, names, dropped


def _year(draws, way, k, mix, caseload, scope):
    return owner_year_minutes(draws, way=way, k=k, mix=mix, caseload=caseload, scope=scope)


def costs_table(owner: pd.DataFrame, *, n_students: int, draws: Mapping, k: int, mix: Mapping, caseload: float,
                scope: str) -> pd.DataFrame:
    """The surveyed group's costs: the owner table with the group's size, owners and hours a year in all.

    Parameters
    ----------
    owner : DataFrame
        :func:`toolkit.scaling.owners.owner_table` for the same design.
    n_students : int
        Students surveyed.
    draws, k, mix, caseload, scope
        As for :func:`toolkit.scaling.owners.owner_year_minutes`.

    Returns
    -------
    DataFrame
        ``owner``'s columns (one owner's ``hours_per_week_p05/_p50/_p95``, ``share_of_planning_*``,
        ``class_hours_per_week_p50``, the mode, P(cheaper), fidelity) with ``n_students``,
        ``n_owners`` (fractional FTE), ``flagged_share`` and ``hours_per_year_in_all_p05/_p50/_p95``
        (all the group's owners, outside lessons).
    """
    out = owner.copy()
    owners = float(n_students) / float(caseload)
    out.insert(1, "n_students", int(n_students))
    out.insert(2, "n_owners", owners)
    out.insert(3, "flagged_share", [0.0 if w == "individual" else float(mix["flagged"]) for w in out["way"]])
    totals = {w: _pct(owners * _year(draws, w, k, mix, caseload, scope)["out_of_class"] / 60.0) for w in out["way"]}
    for i, suffix in enumerate(("p05", "p50", "p95")):
        out[f"hours_per_year_in_all_{suffix}"] = [totals[w][i] for w in out["way"]]
    return out


def tradeoff_rows(draws: Mapping, values: Mapping, *, k: int, mix: Mapping, caseload: float, scope: str,
                  fidelity: Mapping[str, float]) -> list[dict]:
    """One owner's hours a week for each way that uses templates, at one K (rows of the trade-off table)."""
    wk, wk0 = _weeks(draws), float(_weeks(values))
    planning = np.asarray(draws["planning_minutes_per_week"], dtype=float)
    rows = []
    for way in TRADEOFF_WAYS:
        mc = _year(draws, way, k, mix, caseload, scope)["out_of_class"]
        pt = float(_year(values, way, k, mix, caseload, scope)["out_of_class"])
        h = mc / 60.0 / wk
        lo, mid, hi = _pct(h)
        rows.append({"way": way, "n_profiles": int(k), "students_per_owner": float(caseload), "template_scope": scope,
                     "flagged_share": float(mix["flagged"]), "check_ins": float(mix["check_ins"]),
                     "hours_per_week_p05": lo, "hours_per_week_p50": mid, "hours_per_week_p95": hi,
                     "share_of_planning_p50": float(np.median(h * 60.0 / planning)),
                     "hours_per_week_mode": pt / 60.0 / wk0,
                     "fidelity": float(fidelity.get("templated" if way == "cowritten" else way, np.nan))})
    return rows


def projection_table(values: Mapping, draws: Mapping, *, k: int, mix: Mapping, caseload: float, scope: str,
                     sizes: Sequence[int], names: Mapping[int, str] | None = None) -> pd.DataFrame:
    """The owner model from the surveyed group to the largest sensible size.

    One owner's time a week does not grow with the number of students (only the share of a
    template written for the school or district changes, and only when the scope's pool is the
    size itself); what grows is the number of owners, ``students / caseload``, in fractional FTE.

    Returns
    -------
    DataFrame
        One row per (size, way): ``n_students, size_name, way, n_owners, students_per_owner,
        template_scope``, one owner's ``hours_per_week_p05/_p50/_p95`` (outside lessons) and
        ``class_hours_per_week_p50``, and ``hours_per_year_in_all_p05/_p50/_p95`` (all owners),
        ``owner_hours_per_week_p50`` (the same as ``hours_per_week_p50``, the older name).
    """
    names = names or {}
    wk = _weeks(draws)
    rows = []
    for n in sizes:
        owners = float(n) / float(caseload)
        for way in DESIGN_WAYS:
            mc = _year(draws, way, k, mix, caseload, scope)
            h = _pct(mc["out_of_class"] / 60.0 / wk)
            tot = _pct(owners * mc["out_of_class"] / 60.0)
            rows.append({"n_students": int(n), "size_name": names.get(int(n), ""), "way": way, "n_owners": owners,
                         "students_per_owner": float(caseload), "template_scope": scope,
                         "n_profiles": int(k) if way != "individual" else 0,
                         "hours_per_week_p05": h[0], "hours_per_week_p50": h[1], "hours_per_week_p95": h[2],
                         "class_hours_per_week_p50": float(np.median(mc["class"] / 60.0 / wk)),
                         "hours_per_year_in_all_p05": tot[0], "hours_per_year_in_all_p50": tot[1],
                         "hours_per_year_in_all_p95": tot[2],
                         # the older names of owner_projection, kept for the owner_projection.csv readers
                         "hours_per_year_p05": tot[0], "hours_per_year_p50": tot[1], "hours_per_year_p95": tot[2],
                         "owner_hours_per_week_p50": h[1]})
    return pd.DataFrame(rows)


def sensitivity_table(workload, *, k: int, mix: Mapping, caseload: float, scope: str, n_students: int,
                      owner_kind: str = "advisor", ways: Sequence[str] = TRADEOFF_WAYS) -> pd.DataFrame:
    """One-at-a-time swings of one owner's time, every assumption the owner model uses, low to high.

    The caseload is held at the stated value (a decision, not an uncertain assumption), so the
    caseload assumptions are not swung; assumptions that move neither metric of any way (the
    owner model does not use them) are left out.

    Returns
    -------
    DataFrame
        ``n_students, students_per_owner, template_scope, way, metric`` ("minutes_per_week": one
        owner's minutes a week outside lessons; "share_of_planning"), ``assumption, kind,
        description, low, value, high, at_low, base, at_high, swing``; per (way, metric) the
        largest swing first.
    """
    caseload_keys = set(OWNER_KINDS.values())
    base_v = dict(workload.values, **{OWNER_KINDS[owner_kind]: float(caseload)})

    def metrics(vals, way):
        m = float(_year(vals, way, k, mix, caseload, scope)["out_of_class"]) / float(_weeks(vals))
        return {"minutes_per_week": m, "share_of_planning": m / float(vals["planning_minutes_per_week"])}

    rows = []
    for way in ways:
        base = metrics(base_v, way)
        for key, a in workload.assumptions.items():
            if key in caseload_keys:
                continue
            lo, hi = metrics(dict(base_v, **{key: a.low}), way), metrics(dict(base_v, **{key: a.high}), way)
            for metric in ("minutes_per_week", "share_of_planning"):
                rows.append({"way": way, "metric": metric, "assumption": key, "kind": a.kind,
                             "description": a.description, "low": a.low, "value": a.value, "high": a.high,
                             "at_low": lo[metric], "base": base[metric], "at_high": hi[metric],
                             "swing": abs(hi[metric] - lo[metric])})
    out = pd.DataFrame(rows)
    moves = out.groupby("assumption")["swing"].max()
    out = out[out["assumption"].map(moves) > 1e-12]
    out = out.sort_values(["way", "metric", "swing", "assumption"], ascending=[True, True, False, True], kind="stable")
    out.insert(0, "template_scope", scope)
    out.insert(0, "students_per_owner", float(caseload))
    out.insert(0, "n_students", int(n_students))
    return out.reset_index(drop=True)


def breakeven_caseload(values: Mapping, *, way: str, k: int, mix: Mapping, scope: str) -> dict:
    """The caseload above which ``way`` costs one owner less time outside lessons than individual plans.

    Both ways' yearly minutes are linear in the caseload c (a + b*c), so they cross at
    c* = (a_way - a_individual) / (b_individual - b_way).

    Returns
    -------
    dict
        ``caseload`` (c*, ``inf`` when the way never costs less, 0 when it always does),
        ``fixed_minutes`` (a_way: the templates' share a year), ``saving_per_student`` (b_individual
        - b_way, minutes a year).
    """
    def line(w):
        m1 = float(_year(values, w, k, mix, 1.0, scope)["out_of_class"])
        m2 = float(_year(values, w, k, mix, 2.0, scope)["out_of_class"])
        return m1 - (m2 - m1), m2 - m1

    a_w, b_w = line(way)
    a_i, b_i = line("individual")
    saving = b_i - b_w
    if saving <= 0:
        c = math.inf
    else:
        c = max(0.0, (a_w - a_i) / saving)
    return {"caseload": c, "fixed_minutes": a_w, "saving_per_student": saving}

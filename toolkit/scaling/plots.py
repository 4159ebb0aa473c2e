"""Plots of the scaling study. Each takes a table of :class:`toolkit.scaling.ScalingStudy` and an
optional Axes, draws on it and returns it; none shows or saves a figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_costs", "plot_tradeoff", "plot_projection", "plot_sensitivity", "plot_owner", "WAY_LABELS"]

#: Plain names of the four ways, for legends.
WAY_LABELS = {
    "none": "No plans",
    "individual": "Individual plans",
    "templated": "Profile plans",
    "hybrid": "Hybrid (individual for flagged)",
    "cowritten": "Co-written (student drafts, owner agrees)",
}
_COLORS = {"none": "0.6", "individual": "tab:red", "templated": "tab:blue", "hybrid": "tab:purple",
           "cowritten": "tab:green"}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _check(table: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} needs the column(s) {', '.join(missing)}; pass the table from scaling_study")


def plot_costs(costs: pd.DataFrame, *, planning_hours: float | None = None, ax=None):
    """Hours per week per teacher of each way, with Monte Carlo 5th-95th percentile whiskers.

    Parameters
    ----------
    costs : DataFrame
        ``ScalingStudy.costs``.
    planning_hours : float, optional
        Planning hours a teacher has per week; drawn as a dashed line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(costs, ["way", "hours_per_week_per_teacher", "hours_per_week_per_teacher_p05",
                   "hours_per_week_per_teacher_p95"], "plot_costs")
    ax = _axes(ax)
    t = costs.reset_index(drop=True)
    y = np.arange(len(t))
    mid = t["hours_per_week_per_teacher"].to_numpy(dtype=float)
    lo = t["hours_per_week_per_teacher_p05"].to_numpy(dtype=float)
    hi = t["hours_per_week_per_teacher_p95"].to_numpy(dtype=float)
    ax.barh(y, mid, color=[_COLORS.get(w, "0.5") for w in t["way"]], alpha=0.85)
    ax.errorbar(mid, y, xerr=[np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)], fmt="none", ecolor="k",
                capsize=3, lw=1)
    ax.set_yticks(y, [WAY_LABELS.get(w, w) for w in t["way"]])
    ax.invert_yaxis()
    if planning_hours is not None:
        ax.axvline(planning_hours, ls="--", color="k", lw=1, label=f"planning time ({planning_hours:.1f} h/week)")
        ax.legend(loc="lower right", fontsize="small")
    n = int(t["n_students"].iloc[0]) if "n_students" in t and len(t) else None
    ax.set_xlabel("teacher hours per week (bar: defaults; whiskers: 5th-95th percentile)")
    ax.set_title(f"Plans for {n:,} students" if n else "Plans")
    return ax


def plot_tradeoff(tradeoff: pd.DataFrame, *, ways=("templated", "hybrid"), ax=None):
    """Hours per term against fidelity across K, the knee circled, individual plans as reference.

    Parameters
    ----------
    tradeoff : DataFrame
        ``ScalingStudy.tradeoff``.
    ways : sequence of str, default=("templated", "hybrid")
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(tradeoff, ["way", "n_profiles", "hours_per_term", "fidelity", "knee"], "plot_tradeoff")
    ax = _axes(ax)
    for way in ways:
        g = tradeoff[tradeoff["way"] == way]
        if g.empty:
            continue
        ax.plot(g["hours_per_term"], g["fidelity"], "o-", color=_COLORS.get(way), label=WAY_LABELS.get(way, way))
        # Points run K = 1, 2, ... from left to right; labelling every one makes the crowded
        # right-hand end unreadable, so only the first, the knee and the last are labelled.
        ends = {int(g["n_profiles"].min()), int(g["n_profiles"].max())}
        below = way == ways[0]
        for _, r in g.iterrows():
            if int(r["n_profiles"]) in ends or bool(r["knee"]):
                ax.annotate(f"K={int(r['n_profiles'])}", (r["hours_per_term"], r["fidelity"]),
                            textcoords="offset points", xytext=(4, -12 if below else 7), fontsize="x-small",
                            color=_COLORS.get(way))
        knee = g[g["knee"].astype(bool)]
        if not knee.empty:
            r = knee.iloc[0]
            ax.plot([r["hours_per_term"]], [r["fidelity"]], "o", ms=14, mfc="none", mec=_COLORS.get(way), mew=2,
                    label=f"knee, {WAY_LABELS.get(way, way).lower()}: K={int(r['n_profiles'])}")
    ax.axhline(1.0, ls=":", color=_COLORS["individual"], lw=1, label="individual plans (fidelity 1)")
    ax.set_xlabel("teacher hours per term (all students)")
    ax.set_ylabel("fidelity: share of growth areas addressed")
    ax.set_ylim(min(0.0, float(tradeoff["fidelity"].min()) - 0.05) if len(tradeoff) else 0, 1.05)
    ax.legend(fontsize="small", loc="lower right")
    ax.set_title("Hours against fidelity as the number of profiles K grows (K = 1, 2, ... left to right)")
    return ax


def plot_projection(projection: pd.DataFrame, *, ways=("individual", "templated", "hybrid"), ax=None):
    """Hours per term as students grow (log-log), with Monte Carlo 5th-95th percentile bands.

    Parameters
    ----------
    projection : DataFrame
        ``ScalingStudy.projection``.
    ways : sequence of str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(projection, ["n_students", "way", "hours_per_term", "hours_per_term_p05", "hours_per_term_p95"],
           "plot_projection")
    ax = _axes(ax)
    for way in ways:
        g = projection[projection["way"] == way].sort_values("n_students")
        if g.empty:
            continue
        c = _COLORS.get(way)
        ax.fill_between(g["n_students"], g["hours_per_term_p05"], g["hours_per_term_p95"], color=c, alpha=0.2, lw=0)
        ax.plot(g["n_students"], g["hours_per_term"], "o-", color=c, label=WAY_LABELS.get(way, way))
    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = sorted(projection["n_students"].unique())
    ax.set_xticks(sizes, [f"{int(s):,}" for s in sizes])
    ax.set_xlabel("students")
    ax.set_ylabel("teacher hours per term (band: 5th-95th percentile)")
    ax.legend(fontsize="small")
    ax.set_title("Teacher hours as the number of students grows")
    return ax


def plot_sensitivity(sensitivity: pd.DataFrame, *, way: str = "hybrid", metric: str = "hours_per_term",
                     top: int | None = None, ax=None):
    """Tornado chart: how far each assumption's low and high move the answer.

    Parameters
    ----------
    sensitivity : DataFrame
        ``ScalingStudy.sensitivity``.
    way : {"templated", "hybrid"}, default="hybrid"
    metric : str, default="hours_per_term"
        Also ``"hours_per_week_per_teacher"`` or ``"share_of_planning"``.
    top : int, optional
        Show only the largest swings.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(sensitivity, ["way", "metric", "assumption", "at_low", "at_high", "base", "swing"], "plot_sensitivity")
    t = sensitivity[(sensitivity["way"] == way) & (sensitivity["metric"] == metric)]
    if t.empty:
        raise ValueError(f"no sensitivity rows for way={way!r} and metric={metric!r}")
    t = t.sort_values("swing", ascending=False, kind="stable")
    if top is not None:
        t = t.head(top)
    ax = _axes(ax)
    base = float(t["base"].iloc[0])
    y = np.arange(len(t))
    lo = t["at_low"].to_numpy(dtype=float) - base
    hi = t["at_high"].to_numpy(dtype=float) - base
    ax.barh(y, lo, left=base, color="tab:blue", label="assumption at its low")
    ax.barh(y, hi, left=base, color="tab:orange", label="assumption at its high")
    ax.axvline(base, color="k", lw=1)
    labels = [f"{r.assumption} ({r.low:g}-{r.high:g})" + (" *" if getattr(r, "kind", "") == "assumption" else "")
              for r in t.itertuples()]
    ax.set_yticks(y, labels, fontsize="small")
    ax.invert_yaxis()
    n = int(t["n_students"].iloc[0]) if "n_students" in t else None
    ax.set_xlabel(f"{metric.replace('_', ' ')}" + (f" for {n:,} students" if n else "")
                  + f"; base {base:,.1f}")
    ax.set_title(f"What moves the answer most ({way}); * no public source")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_owner(owner: pd.DataFrame, *, planning_minutes: float | None = None, ax=None):
    """One owner's minutes a week by way: outside lessons (median, 90% whiskers) and inside lessons.

    Parameters
    ----------
    owner : DataFrame
        ``ScalingStudy.owner``.
    planning_minutes : float, optional
        Planning minutes a week; drawn as a dashed line (outside-lesson minutes are compared with it).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(owner, ["way", "hours_per_week_p05", "hours_per_week_p50", "hours_per_week_p95",
                   "class_hours_per_week_p50", "students_per_owner"], "plot_owner")
    ax = _axes(ax)
    t = owner.reset_index(drop=True)
    y = np.arange(len(t))
    mid, lo, hi = (60 * t[c].to_numpy(dtype=float) for c in ("hours_per_week_p50", "hours_per_week_p05", "hours_per_week_p95"))
    ax.barh(y + 0.2, mid, height=0.4, color=[_COLORS.get(w, "0.5") for w in t["way"]], label="outside lessons (median)")
    ax.errorbar(mid, y + 0.2, xerr=[np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)], fmt="none", ecolor="k",
                capsize=3, label="90% interval")
    ax.barh(y - 0.2, 60 * t["class_hours_per_week_p50"].to_numpy(dtype=float), height=0.4, color="white",
            edgecolor=[_COLORS.get(w, "0.5") for w in t["way"]], hatch="//", label="inside lessons (median)")
    if planning_minutes is not None:
        ax.axvline(planning_minutes, ls="--", color="k", lw=1, label=f"planning time ({planning_minutes:g} min)")
    ax.set_yticks(y, [WAY_LABELS.get(w, w) for w in t["way"]])
    ax.invert_yaxis()
    ax.set_xlabel(f"minutes a week for one owner with {t['students_per_owner'].iloc[0]:g} students")
    ax.set_title("One plan owner's time a week")
    ax.legend(loc="lower right", fontsize="small")
    return ax

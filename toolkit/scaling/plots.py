"""Plots of the scaling study, every one in one owner's time a week (the answer's denominator).

Each takes a table of :class:`toolkit.scaling.ScalingStudy` and an optional Axes, draws on it and
returns it; none shows or saves a figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .owners import owners_needed

__all__ = ["plot_costs", "plot_tradeoff", "plot_projection", "plot_sensitivity", "plot_owner", "WAY_LABELS"]

#: Plain names of the four ways, for legends.
WAY_LABELS = {
    "none": "No plans",
    "individual": "Individual plans",
    "templated": "Profile plans",
    "hybrid": "Hybrid (individual for flagged)",
    "cowritten": "Co-written (student drafts, owner agrees)",
}
#: Okabe and Ito's colour-blind-safe palette (no red/green pair): vermillion, blue, reddish purple, bluish green.
_COLORS = {"none": "0.6", "individual": "#D55E00", "templated": "#0072B2", "hybrid": "#CC79A7",
           "cowritten": "#009E73"}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _check(table: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} needs the column(s) {', '.join(missing)}; pass the table from scaling_study")


def plot_costs(costs: pd.DataFrame, *, planning_minutes: float | None = None, ax=None):
    """One owner's minutes a week of each way for the surveyed group: median, 90% whiskers, class minutes apart.

    The same denominator as the answer (one owner with the stated caseload); see :func:`plot_owner`.

    Parameters
    ----------
    costs : DataFrame
        ``ScalingStudy.costs``.
    planning_minutes : float, optional
        Planning minutes a week; drawn as a dashed line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(costs, ["way", "n_students", "n_owners"], "plot_costs")
    ax = plot_owner(costs, planning_minutes=planning_minutes, ax=ax)
    n, owners = int(costs["n_students"].iloc[0]), float(costs["n_owners"].iloc[0])
    ax.set_title(f"One owner's time a week, for the {n:,} students surveyed ({owners_needed(owners):,} owners)")
    return ax


def plot_tradeoff(tradeoff: pd.DataFrame, *, ways=("templated", "hybrid", "cowritten"), ax=None):
    """One owner's minutes a week against fidelity across K, the knee circled.

    Parameters
    ----------
    tradeoff : DataFrame
        ``ScalingStudy.tradeoff``.
    ways : sequence of str, default=("templated", "hybrid", "cowritten")
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _check(tradeoff, ["way", "n_profiles", "hours_per_week_p50", "fidelity", "knee", "students_per_owner"],
           "plot_tradeoff")
    ax = _axes(ax)
    for j, way in enumerate(ways):
        g = tradeoff[tradeoff["way"] == way]
        if g.empty:
            continue
        x = 60 * g["hours_per_week_p50"].to_numpy(dtype=float)
        ax.plot(x, g["fidelity"], "o-", color=_COLORS.get(way), label=WAY_LABELS.get(way, way))
        # Points run K = 1, 2, ...; labelling every one crowds the plot, so only the ends and the knee.
        ends = {int(g["n_profiles"].min()), int(g["n_profiles"].max())}
        for xi, (_, r) in zip(x, g.iterrows()):
            if int(r["n_profiles"]) in ends or bool(r["knee"]):
                ax.annotate(f"K={int(r['n_profiles'])}", (xi, r["fidelity"]), textcoords="offset points",
                            xytext=(4, -12 if j == 0 else 7), fontsize="x-small", color=_COLORS.get(way))
        knee = g[g["knee"].astype(bool)]
        if not knee.empty:
            r = knee.iloc[0]
            ax.plot([60 * r["hours_per_week_p50"]], [r["fidelity"]], "o", ms=14, mfc="none", mec=_COLORS.get(way),
                    mew=2, label=f"knee, {WAY_LABELS.get(way, way).lower()}: K={int(r['n_profiles'])}")
    ax.axhline(1.0, ls=":", color=_COLORS["individual"], lw=1, label="individual plans (fidelity 1 by definition)")
    c = float(tradeoff["students_per_owner"].iloc[0]) if len(tradeoff) else 0
    ax.set_xlabel(f"minutes a week outside lessons, one owner with {c:g} students (median)")
    ax.set_ylabel("fidelity: share of growth areas addressed")
    ax.set_ylim(min(0.0, float(tradeoff["fidelity"].min()) - 0.05) if len(tradeoff) else 0, 1.05)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("One owner's time against fidelity as the number of profiles K grows")
    return ax


def plot_projection(projection: pd.DataFrame, *, ways=("individual", "templated", "hybrid", "cowritten"), ax=None):
    """One owner's minutes a week as the number of students grows (90% bands), the owners in FTE on the axis.

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
    _check(projection, ["n_students", "way", "n_owners", "hours_per_week_p05", "hours_per_week_p50",
                        "hours_per_week_p95", "students_per_owner"], "plot_projection")
    ax = _axes(ax)
    for way in ways:
        g = projection[projection["way"] == way].sort_values("n_students")
        if g.empty:
            continue
        c = _COLORS.get(way)
        ax.fill_between(g["n_students"], 60 * g["hours_per_week_p05"], 60 * g["hours_per_week_p95"], color=c,
                        alpha=0.15, lw=0)
        ax.plot(g["n_students"], 60 * g["hours_per_week_p50"], "o-", color=c, label=WAY_LABELS.get(way, way))
    ax.set_xscale("log")
    first = projection.drop_duplicates("n_students").sort_values("n_students")
    ticks = []
    for r in first.itertuples():
        name = getattr(r, "size_name", "") or ""
        ticks.append(f"{int(r.n_students):,}\n{owners_needed(r.n_owners):,} owners" + (f"\n({name})" if name else ""))
    ax.set_xticks(first["n_students"].to_numpy(), ticks, fontsize="small")
    ax.minorticks_off()
    ax.set_ylim(bottom=0)
    ax.set_xlabel("students (and plan owners, each a teacher giving part of their week)")
    ax.set_ylabel(f"minutes a week, one owner with {float(projection['students_per_owner'].iloc[0]):g} students")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("One owner's time as the number of students grows (band: 90% interval)")
    return ax


def plot_sensitivity(sensitivity: pd.DataFrame, *, way: str = "hybrid", metric: str = "minutes_per_week",
                     top: int | None = None, ax=None):
    """Tornado chart: how far each assumption's low and high move one owner's time.

    Parameters
    ----------
    sensitivity : DataFrame
        ``ScalingStudy.sensitivity``.
    way : {"templated", "hybrid", "cowritten"}, default="hybrid"
    metric : {"minutes_per_week", "share_of_planning"}, default="minutes_per_week"
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
    who = ""
    if "students_per_owner" in t and "n_students" in t:
        who = (f" for one owner with {float(t['students_per_owner'].iloc[0]):g} students "
               f"({int(t['n_students'].iloc[0]):,} surveyed)")
    unit = "minutes a week" if metric == "minutes_per_week" else metric.replace("_", " ")
    ax.set_xlabel(f"{unit}{who}; base {base:,.2f}" if metric != "minutes_per_week" else f"{unit}{who}; base {base:,.0f}")
    ax.set_title(f"What moves the answer most ({WAY_LABELS.get(way, way).lower()}); * an assumption with no public source")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
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
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax

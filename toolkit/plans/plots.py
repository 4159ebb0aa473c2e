"""Plots of plans: a template at a glance, and a student's scores against their profile.

Both take ``ax=None`` (a new figure's axes when not given), draw on it and return it; they never
show or save a figure.
"""

from __future__ import annotations

import numpy as np

from ..errors import ToolkitError
from .plan_set import PlanSet

__all__ = ["plot_template", "plot_student"]

_FOCUS = "#c0392b"
_STRENGTH = "#1e8449"
_OTHER = "#b3b6b7"


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    return ax


def plot_template(plans: PlanSet, profile: int, *, ax=None):
    """A profile's template at a glance: its mean need on each construct.

    Bars show the profile's mean need in standard units (right of zero: more need than the
    average student surveyed); focus areas are red, strengths green. The title names the
    profile, its size, its check-in rhythm and its teacher minutes.

    Parameters
    ----------
    plans : PlanSet
    profile : int
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    t = plans.template(profile)
    ax = _axes(ax)
    keys = list(plans.codebook.construct_keys)
    values = np.array([t.mean_needs.get(k, np.nan) for k in keys], dtype=float)
    colors = [_FOCUS if k in t.focus else _STRENGTH if k in t.strengths else _OTHER for k in keys]
    y = np.arange(len(keys))[::-1]
    ax.barh(y, np.nan_to_num(values), color=colors)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([plans.label(k) for k in keys])
    ax.set_xlabel("mean need (standard units; right = more need than average)")
    ax.set_title(f"{t.name}: {t.n_students} students, check-in {t.check_in}, {t.minutes_per_week:g} min/week")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_FOCUS, label="focus area"), Patch(color=_STRENGTH, label="strength"),
                       Patch(color=_OTHER, label="other")], loc="best", fontsize="small", framealpha=0.8)
    return ax


def plot_student(plans: PlanSet, pseudonym: str, *, ax=None):
    """A student's scale scores against the mean scores of their profile.

    Dots are the student's scores; open diamonds the profile's means, on the codebook's response
    scale; a line joins each pair. Constructs of the student's personal layer are labelled in
    bold.

    Parameters
    ----------
    plans : PlanSet
    pseudonym : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    p = plans.plan(pseudonym)
    if pseudonym not in plans.scores.index:
        raise ToolkitError(f"no scores for pseudonym '{pseudonym}'. Check the pseudonym (plans.csv lists them).")
    ax = _axes(ax)
    keys = list(plans.codebook.construct_keys)
    own = plans.scores.loc[pseudonym, keys].to_numpy(dtype=float)
    means = plans.profile_means.loc[p.profile, keys].to_numpy(dtype=float)
    y = np.arange(len(keys))[::-1]
    for yi, a, b in zip(y, own, means):
        if np.isfinite(a) and np.isfinite(b):
            ax.plot([a, b], [yi, yi], color=_OTHER, linewidth=2, zorder=1)
    ax.scatter(means, y, marker="D", facecolors="white", edgecolors="black", label=f"{p.profile_name} (mean)", zorder=2)
    ax.scatter(own, y, color=_FOCUS if p.flagged else "#2c3e50", label=f"student {p.pseudonym}", zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels([plans.label(k) for k in keys])
    for tick, k in zip(ax.get_yticklabels(), keys):
        if k in p.personal_growth_areas or k in p.personal_strengths:
            tick.set_fontweight("bold")
    scale = plans.codebook.response_scale
    ax.set_xlim(scale.min - 0.2, scale.max + 0.2)
    ax.set_xlabel("scale score")
    title = f"{p.pseudonym} against {p.profile_name}"
    ax.set_title(title + (" (flagged: talk first)" if p.flagged else ""))
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    return ax

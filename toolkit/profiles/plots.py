"""Plots of latent profile results. Each draws on the Axes it is given (a new one when ``ax`` is
None) and returns it; none shows or saves a figure.

* :func:`plot_profile_means`: the profile means per construct with 95% intervals, one line per
  profile (the usual LPA profile plot);
* :func:`plot_fit_indices`: a fit index against the number of profiles, one line per model;
* :func:`plot_certainty`: the distribution of each student's posterior certainty, per profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._words import count
from ..errors import user_error

__all__ = ["plot_certainty", "plot_fit_indices", "plot_profile_means"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_profile_means(solution, ax=None, *, standardized=False, labels=None, ci=True, profiles=None):
    """Profile means per construct with 95% intervals, one line per profile.

    Parameters
    ----------
    solution : ProfileSolution
    ax : matplotlib Axes, optional
    standardized : bool, default=False
        Plot z-scores relative to the whole sample (as the profile names use) instead of the
        raw scale; intervals are scaled by the same SD.
    labels : dict, optional
        Construct -> axis label.
    ci : bool, default=True
        Draw the 95% intervals (``profile_table.lower``/``upper``) as error bars.
    profiles : iterable of int, optional
        Draw only these profiles (default all); the report leaves out profiles too small to show.

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    table = solution.profile_table
    constructs = list(solution.means.columns)
    x = np.arange(len(constructs))
    data = solution.data[constructs].astype(float)
    mu, sd = data.mean(), data.std(ddof=1).replace(0, 1.0)
    for k in solution.means.index if profiles is None else [k for k in solution.means.index if k in set(profiles)]:
        rows = table[table["profile"] == k].set_index("construct").loc[constructs]
        m, lo, hi = rows["mean"], rows["lower"], rows["upper"]
        if standardized:
            m, lo, hi = (m - mu) / sd, (lo - mu) / sd, (hi - mu) / sd
        err = np.vstack([m - lo, hi - m]) if ci else None
        n = int(solution.sizes[k])
        ax.errorbar(x + (k - (len(solution.means) + 1) / 2) * 0.04, m.to_numpy(), yerr=err, marker="o", capsize=3,
                    label=f"{k}: {solution.names.get(int(k), '')} (n={n})")
    ax.set_xticks(x)
    ax.set_xticklabels([(labels or {}).get(c, c) for c in constructs], rotation=30, ha="right")
    ax.set_ylabel("z-score (whole sample)" if standardized else "mean score")
    if standardized:
        ax.axhline(0.0, color="grey", lw=0.8, ls=":")
    ax.set_title(f"Profile means with 95% intervals (model {solution.model_number}, "
                 f"{count(solution.n_profiles, 'profile')})")
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_fit_indices(results, ax=None, *, index="bic"):
    """A fit index against the number of profiles, one line per model.

    Parameters
    ----------
    results : ProfileResults or DataFrame
        A fit table (``ProfileResults.fit_table``) or the results holding it.
    ax : matplotlib Axes, optional
    index : str, default="bic"
        A column of the fit table: ``"bic"``, ``"sabic"``, ``"aic"``, ``"icl"``, ``"entropy"``...

    Returns
    -------
    matplotlib Axes
    """
    table = getattr(results, "fit_table", results)
    if index not in table.columns:
        raise user_error("unknown fit index", value=index, fix=f"use one of {', '.join(map(str, table.columns[3:]))}")
    ax = _axes(ax)
    key = "model" if "model" in table.columns else "method"
    for m, rows in table.groupby(key, sort=True):
        rows = rows.sort_values("n_profiles")
        ax.plot(rows["n_profiles"], rows[index], marker="o", label=f"{key} {m}")
    ax.set_xlabel("number of profiles")
    ax.set_ylabel(index.upper() if len(index) <= 5 else index.replace("_", " "))
    ks = sorted(table["n_profiles"].unique())
    ax.set_xticks(ks)
    ax.set_title(f"{index.upper() if len(index) <= 5 else index} by number of profiles")
    ax.legend(fontsize="small")
    return ax


def plot_certainty(solution, ax=None, *, bins=20):
    """Distribution of the posterior certainty (largest posterior probability) per profile.

    Parameters
    ----------
    solution : ProfileSolution
    ax : matplotlib Axes, optional
    bins : int, default=20

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    a = solution.assignments
    K = solution.n_profiles
    edges = np.linspace(1.0 / K if K > 1 else 0.0, 1.0, bins + 1)
    groups = [a.loc[a["profile"] == k, "certainty"].to_numpy() for k in range(1, K + 1)]
    ax.hist(groups, bins=edges, stacked=True, label=[f"profile {k}" for k in range(1, K + 1)])
    ax.set_xlabel("posterior probability of the assigned profile")
    ax.set_ylabel("students")
    mean = float(pd.Series(a["certainty"]).mean())
    ax.axvline(mean, color="black", ls="--", lw=1)
    ax.set_title(f"Classification certainty (mean {mean:.2f})")
    ax.legend(fontsize="small")
    return ax

"""Plots of the scoring stage: how students answered the items, and how the scale scores spread.

Only the scoring stage's plots live here; the other stages keep their plots beside their own code
(for example ``ScalingStudy`` has plot methods). Every function draws on the Axes it is given (a
new one when ``ax`` is ``None``) and returns it; none shows or saves a figure.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..codebook import Codebook
from ..errors import user_error
from .scales import keyed_items, select_constructs

__all__ = ["plot_item_distributions", "plot_scale_scores"]


def plot_item_distributions(
    responses: pd.DataFrame,
    codebook: Codebook,
    ax=None,
    *,
    constructs: str | Iterable[str] | None = None,
    cmap: str = "RdBu",
):
    """Diverging stacked bars of the answers to each item, the usual chart for Likert data.

    Each item is one horizontal bar made of the shares of students giving each answer (among
    those who answered it). Answers below the middle of the scale go left of zero, answers above
    it go right, and the middle answer straddles zero, so agreement reads at a glance. Answers
    are shown as the students gave them, before reverse keying; reverse-keyed items are marked
    "(R)": for them, agreeing is the low end of the construct. Answers between two points of the
    scale (averaged indices) are counted at the nearest point.

    Parameters
    ----------
    responses : DataFrame
        The de-identified responses (one numeric column per item id).
    codebook : Codebook
        Items, constructs, response scale and its labels (used in the legend).
    ax : matplotlib Axes, optional
        Where to draw; a new figure's Axes when ``None``.
    constructs : str or iterable of str, optional
        Only the items of these constructs; all when ``None``.
    cmap : str, default="RdBu"
        A diverging colormap: its low end colours the lowest answer.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ToolkitError
        Unknown construct, item missing from the responses, or non-numeric answers.
    """
    cons = select_constructs(codebook, constructs)
    keyed_items(responses, codebook, [c.key for c in cons])  # validates the answers
    import matplotlib.pyplot as plt  # imported here so that importing toolkit stays light

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.32 * sum(len(c.items) for c in cons) + 1.2))
    colours = plt.get_cmap(cmap)
    labels, handles = [], {}
    y = 0
    for ci, construct in enumerate(cons):
        if ci:
            ax.axhline(y - 0.5, color="0.85", linewidth=0.8)
        for item in construct.items:
            answers = pd.to_numeric(responses[item.id], errors="coerce").dropna()
            values = np.array(item.scale.values)
            counts = np.array([(np.rint(answers) == v).sum() for v in values], dtype=float)
            shares = counts / counts.sum() if counts.sum() else counts
            middle = (item.scale.min + item.scale.max) / 2
            left = -shares[values < middle].sum() - shares[values == middle].sum() / 2
            for j, (v, share) in enumerate(zip(values, shares)):
                colour = "0.78" if v == middle else colours(j / (len(values) - 1))
                bar = ax.barh(y, share, left=left, color=colour, edgecolor="white", linewidth=0.5, height=0.75)
                key = (item.scale, v)
                if key not in handles:
                    handles[key] = (bar, _answer_label(item.scale, v))
                left += share
            labels.append(f"{item.id} (R)" if item.reverse else item.id)
            y += 1
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
    ax.set_xlabel("share of the students who answered the item")
    ax.set_title("Answers to each item")
    seen = {}
    for bar, label in handles.values():
        seen.setdefault(label, bar)
    ax.legend(list(seen.values()), list(seen.keys()), loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=min(len(seen), 5), frameon=False, fontsize="small")
    return ax


def plot_scale_scores(scores: pd.DataFrame, ax=None):
    """Box plots of the scale scores, one per construct, with every student as a dot.

    Parameters
    ----------
    scores : DataFrame
        One row per student, one numeric column per construct (as :func:`toolkit.score_scales`
        returns). Missing scores are left out.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's Axes when ``None``.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ToolkitError
        When ``scores`` has no numeric column.
    """
    numeric = scores.select_dtypes("number")
    if numeric.shape[1] == 0:
        raise user_error(
            "the scores have no numeric column to plot",
            fix="pass the table toolkit.score_scales returns (one numeric column per construct)",
        )
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * numeric.shape[1] + 1.5))
    data = [numeric[c].dropna().to_numpy(dtype=float) for c in numeric.columns]
    positions = np.arange(1, len(data) + 1)
    ax.boxplot(data, positions=positions, orientation="horizontal", widths=0.5, showfliers=False,
               medianprops={"color": "black"})
    jitter = np.random.default_rng(0)  # fixed: the same scores always give the same picture
    for pos, values in zip(positions, data):
        ax.scatter(values, pos + jitter.uniform(-0.18, 0.18, len(values)), s=6, alpha=0.35, color="tab:blue",
                   linewidths=0)
        if len(values):
            ax.plot(values.mean(), pos, marker="D", color="tab:red", markersize=5, zorder=3)
    ax.set_yticks(positions, [str(c) for c in numeric.columns])
    ax.set_ylim(len(data) + 0.5, 0.5)
    ax.set_xlabel("scale score")
    ax.set_title("Scale scores (box: quartiles; diamond: mean)")
    return ax


def _answer_label(scale, value) -> str:
    if scale.labels:
        return scale.labels[value - scale.min]
    return str(value)

"""Needs: scale scores turned into "how much support this student or profile needs, and where".

Plans and the scaling study both ask the same question of a score table: which constructs are a
student's largest growth areas, and which ones does a profile's template focus on? The answer
lives here so both stages use one definition.

A need score is a standardised score oriented so that higher means more need::

    need = -(x - mean) / sd   for constructs where a high score is good (interest, self-efficacy)
    need = +(x - mean) / sd   for constructs where a high score is a need (test anxiety)

with mean and sd (ddof=1) taken over a reference group, by default all students scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import ToolkitError

__all__ = ["need_scores", "growth_areas", "profile_focus", "profile_strengths"]


def need_scores(scores: pd.DataFrame, codebook: Codebook, *, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Standardise scale scores so that higher means more need.

    Parameters
    ----------
    scores : DataFrame
        One row per student, one column per construct key (other columns are ignored).
    codebook : Codebook
        Says which constructs are "higher is better".
    reference : DataFrame, optional
        Whose mean and standard deviation define the standard; default ``scores``.

    Returns
    -------
    DataFrame
        Same index as ``scores``, one column per construct in codebook order.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sample import SAMPLE_CODEBOOK
    >>> from toolkit.codebook import parse_codebook
    >>> cb = parse_codebook(SAMPLE_CODEBOOK)
    >>> s = pd.DataFrame({k: [1.0, 3.0, 5.0] for k in cb.construct_keys})
    >>> need_scores(s, cb)[["interest", "test_anxiety"]].round(1).to_numpy().tolist()
    [[1.0, -1.0], [-0.0, 0.0], [-1.0, 1.0]]
    """
    keys = list(codebook.construct_keys)
    missing = [k for k in keys if k not in scores.columns]
    if missing:
        raise ToolkitError(
            f"the score table has no column for construct(s) {', '.join(missing)}. "
            f"Score the responses with the same codebook (toolkit score) and try again."
        )
    ref = scores if reference is None else reference
    x = scores[keys].astype(float)
    mean = ref[keys].astype(float).mean()
    sd = ref[keys].astype(float).std(ddof=1).replace(0.0, np.nan)
    sign = pd.Series({c.key: (-1.0 if c.higher_is_better else 1.0) for c in codebook.constructs})
    return (x - mean) / sd * sign[keys]


def growth_areas(needs: pd.DataFrame, n: int = 2, *, min_need: float = 0.0) -> pd.Series:
    """Each student's ``n`` largest needs, largest first.

    Parameters
    ----------
    needs : DataFrame
        From :func:`need_scores`.
    n : int, default=2
        How many growth areas per student.
    min_need : float, default=0.0
        Only constructs with a need above this count (0 = below the average student).

    Returns
    -------
    Series of tuple of str
        Indexed like ``needs``; a student with no need above ``min_need`` gets an empty tuple.
        Ties are broken by codebook (column) order, so the result is deterministic.
    """
    values = needs.to_numpy(dtype=float)
    cols = np.array(needs.columns)
    # argsort of the negated values with a stable sort keeps column order among ties;
    # NaN (a construct the student did not answer) sorts last and never counts as a need.
    filled = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(-filled, axis=1, kind="stable")[:, :n]
    top = np.take_along_axis(filled, order, axis=1)
    out = [tuple(cols[o][t > min_need]) for o, t in zip(order, top)]
    return pd.Series(out, index=needs.index, name="growth_areas", dtype=object)


def profile_focus(needs: pd.DataFrame, profile: pd.Series, n_focus: int = 3, *, min_need: float = 0.0) -> dict[int, tuple[str, ...]]:
    """The focus areas of each profile's template: its largest mean needs.

    Parameters
    ----------
    needs : DataFrame
        From :func:`need_scores`, one row per student.
    profile : Series
        Each student's profile (same index as ``needs``).
    n_focus : int, default=3
        At most this many focus areas per profile.
    min_need : float, default=0.0
        A construct is a focus area only if the profile's mean need is above this.

    Returns
    -------
    dict
        Profile -> tuple of construct keys, largest need first.
    """
    means = needs.groupby(profile.reindex(needs.index)).mean()
    return {int(k): tuple(row.sort_values(ascending=False, kind="stable").loc[lambda r: r > min_need].index[:n_focus])
            for k, row in means.iterrows()}


def profile_strengths(needs: pd.DataFrame, profile: pd.Series, n_strengths: int = 2) -> dict[int, tuple[str, ...]]:
    """Each profile's strengths: its lowest mean needs below zero (at most ``n_strengths``)."""
    means = needs.groupby(profile.reindex(needs.index)).mean()
    return {int(k): tuple(row.sort_values(kind="stable").loc[lambda r: r < 0].index[:n_strengths])
            for k, row in means.iterrows()}

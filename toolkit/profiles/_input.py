"""Checks of the profile stage's inputs: the score table and the (model, K) grid.

Every entry point of the stage (:func:`~toolkit.profiles.grid.fit_profiles`,
:func:`~toolkit.profiles.clustering.fit_clusters`, :func:`~toolkit.profiles.persist.assign_profiles`)
reads its scores through :func:`as_score_frame`, so a score table gets the same verdict everywhere.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import user_error
from .model import MODEL_NAMES

__all__ = ["as_score_frame", "check_grid"]


def as_score_frame(data, columns=None, *, source=None):
    """A float DataFrame of the analysis columns; user mistakes raise ToolkitError."""
    if isinstance(data, pd.DataFrame):
        df = data
    else:
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise user_error(
                f"the scores should be a table (2-d), got an array of shape {arr.shape}",
                file=source,
                fix="pass a DataFrame with one row per student and one column per construct",
            )
        df = pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])
    if columns is not None:
        columns = list(columns)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise user_error(
                "column not found in the scores",
                file=source,
                column=str(missing[0]),
                fix=f"choose among {', '.join(map(str, df.columns))}",
            )
        df = df[columns]
    if df.shape[1] == 0:
        raise user_error(
            "there are no construct columns to fit profiles on",
            file=source,
            fix="pass scores with at least one numeric construct column",
        )
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise user_error("the column appears twice", file=source, column=str(dup), fix="rename one of them")
    out = {}
    for col in df.columns:
        s = df[col]
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise user_error(
                "the value is not a number",
                file=source,
                row=df.index[pos] if source is None else pos + 2,
                column=str(col),
                value=s.iloc[pos],
                fix="profiles need numeric scale scores; fix the value or leave it empty",
            )
        num = num.astype(float)
        inf = np.isinf(num.to_numpy())
        if inf.any():
            pos = int(np.flatnonzero(inf)[0])
            raise user_error(
                "the value is infinite",
                file=source,
                row=df.index[pos] if source is None else pos + 2,
                column=str(col),
                value=float(num.iloc[pos]),
                fix="use a finite score or leave the cell empty",
            )
        if num.notna().sum() == 0:
            raise user_error(
                "the column has no values", file=source, column=str(col), fix="drop it or fill it"
            )
        out[col] = num.to_numpy(dtype=float)
    frame = pd.DataFrame(out, index=df.index)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def check_grid(n_profiles, models):
    """The grid's numbers of profiles and model numbers, checked by the toolkit's one rule (toolkit._validation)."""
    from .._validation import check_k_range, check_models

    return check_k_range(n_profiles, name="n_profiles"), check_models(models, name="models")


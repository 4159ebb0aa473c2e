"""A benefit measure that is not circular: the expected share of a student's TRUE top needs a plan addresses.

A survey reads each need with error. With a scale's reliability r (Cronbach's alpha or omega), the
classical test theory model gives a student's true standardised need, given the observed one z:
``true = sqrt(r) * z + sqrt(1 - r) * e`` with e standard normal (Kelley's regressed estimate, in
true-score standard units). :func:`expected_benefit` draws the true needs of every student from
that model, takes each draw's true top needs (the ``n_top`` largest above the average), and
scores every way's plan against them:

recall
    |plan ∩ true top| / |true top| (students with no true top need in a draw are left out of it).
precision
    |plan ∩ true top| / |plan| (a plan addressing nothing has no precision, left out).

So listing every construct has recall 1 but a low precision, and an individual plan written from
the survey (the observed top two) does not score 1: the survey's measurement error is its ceiling.
Benefit responds to what the plan contains (its areas), never to hours.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["expected_benefit", "realised_benefit"]


def _scores(plan: Mapping[str, frozenset], top: np.ndarray, cols: list[str], index) -> tuple[float, float]:
    """Mean recall and precision of plans (pseudonym -> set of constructs) against top-need masks (n, d)."""
    P = np.array([[c in plan.get(i, frozenset()) for c in cols] for i in index], dtype=bool)
    hit = (P & top).sum(axis=1)
    n_top, n_plan = top.sum(axis=1), P.sum(axis=1)
    rec = np.where(n_top > 0, hit / np.maximum(n_top, 1), np.nan)
    prec = np.where(n_plan > 0, hit / np.maximum(n_plan, 1), np.nan)
    return rec, prec


def _top_mask(values: np.ndarray, n_top: int) -> np.ndarray:
    """Per row, the n_top largest values above 0 (NaN never chosen)."""
    v = np.where(np.isfinite(values), values, -np.inf)
    order = np.argsort(-v, axis=1, kind="stable")[:, :n_top]
    mask = np.zeros(v.shape, dtype=bool)
    rows = np.arange(len(v))[:, None]
    mask[rows, order] = True
    return mask & (v > 0)


def expected_benefit(needs: pd.DataFrame, plans: Mapping[str, Mapping[str, frozenset]], reliability: Mapping[str, float],
                     *, n_top: int = 2, n_draws: int = 200, random_state=None) -> pd.DataFrame:
    """Expected recall and precision of each way's plans against the students' true top needs.

    Parameters
    ----------
    needs : DataFrame
        Observed standardised needs (:func:`toolkit.plans.needs.need_scores`), one column per construct.
    plans : mapping
        Way -> (pseudonym -> set of constructs the plan addresses).
    reliability : mapping
        Construct -> reliability between 0 and 1.
    n_top : int, default=2
    n_draws : int, default=200
    random_state : int, RandomState instance or None

    Returns
    -------
    DataFrame
        One row per way: ``way, recall, precision, f1``.
    """
    cols = list(needs.columns)
    r = np.array([float(reliability[c]) for c in cols])
    if not ((r > 0) & (r <= 1)).all():
        raise ValueError(f"reliabilities should be in (0, 1]: {dict(zip(cols, r))}")
    z = needs.to_numpy(dtype=float)
    rng = check_random_state(random_state)
    acc = {w: ([], []) for w in plans}
    for _ in range(int(n_draws)):
        true = np.sqrt(r) * z + np.sqrt(1 - r) * rng.standard_normal(z.shape)
        top = _top_mask(true, n_top)
        for w, plan in plans.items():
            rec, prec = _scores(plan, top, cols, needs.index)
            acc[w][0].append(rec)
            acc[w][1].append(prec)
    return _frame(acc)


def realised_benefit(true_needs: pd.DataFrame, plans: Mapping[str, Mapping[str, frozenset]], *, n_top: int = 2) -> pd.DataFrame:
    """Recall and precision of each way's plans against known true needs (a simulation's latent truth)."""
    cols = list(true_needs.columns)
    top = _top_mask(true_needs.to_numpy(dtype=float), n_top)
    acc = {}
    for w, plan in plans.items():
        rec, prec = _scores(plan, top, cols, true_needs.index)
        acc[w] = ([rec], [prec])
    return _frame(acc)


def _frame(acc) -> pd.DataFrame:
    rows = []
    for w, (recs, precs) in acc.items():
        rec = float(np.nanmean(np.concatenate(recs))) if np.isfinite(np.concatenate(recs)).any() else np.nan
        prec = float(np.nanmean(np.concatenate(precs))) if np.isfinite(np.concatenate(precs)).any() else np.nan
        f1 = 2 * rec * prec / (rec + prec) if rec + prec > 0 else 0.0
        rows.append({"way": w, "recall": rec, "precision": prec, "f1": f1})
    return pd.DataFrame(rows)

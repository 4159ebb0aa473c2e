"""Reliability of the scales: Cronbach's alpha, McDonald's omega, item statistics, warnings in words.

Part of the scoring stage (see docs/interfaces.md). Every function takes the de-identified
``responses`` table and the codebook, reverse-keys the items as the codebook says, and returns a
DataFrame with one row per construct or per item.

The numbers follow R's psych package (Revelle), the reference software of the field, and are
checked against it in tests/scoring/test_reliability.py (psych 2.2.9; the R script is in
tests/r_reference/). There is no maintained Python port of psych, so alpha, the Feldt interval
and omega are written here by hand, following psych's code:

- ``alpha``, ``std_alpha``, ``mean_r``: ``psych::alpha(x)`` with its default ``use="pairwise"``:
  the item covariance matrix ``C`` uses every pair of answers both given (pairwise-complete),
  ``alpha = k/(k-1) (1 - tr C / sum C)``; ``R = cov2cor(C)``; ``std_alpha = k/(k-1) (1 - k/sum R)``;
  ``mean_r = (sum R - k) / (k (k-1))``.
- ``alpha_lower``, ``alpha_upper``: the analytic Feldt 95% interval psych prints as "Feldt"
  (``psych::alpha.ci``): ``1 - (1 - alpha) F_{1-p/2 or p/2}(n - 1, (n - 1)(k - 1))`` with n the
  students who answered at least one item of the scale (psych counts every row it is given).
- ``omega_total``: ``psych::omega(x, nfactors=1, fm="minres", flip=FALSE)$omega.tot``: a
  one-factor minres model (psych's ``fa``, its optimiser replicated) of the pairwise correlation
  matrix (R's ``cor(x, use="pairwise")``, which is not quite ``cov2cor(C)``),
  ``omega = (sum R - sum u2) / sum R`` with ``u2 = 1 - loading^2``.
- item ``r_drop`` and ``alpha_if_dropped``: psych::alpha's ``item.stats$r.drop`` (the item's
  covariance with the sum of the other items, over the product of their standard deviations, from
  ``C``) and ``alpha.drop$raw_alpha``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd
from scipy.special import fdtri  # quantile of the F distribution, as stats.f.ppf

from ..codebook import Codebook, Construct
from .scales import keyed_items, select_constructs

__all__ = [
    "ReliabilityWarning",
    "reliability",
    "item_statistics",
    "reliability_warnings",
    "ALPHA_THRESHOLD",
    "MIN_DISTINCT_ANSWERS",
]

#: Alpha below this value draws a warning.
ALPHA_THRESHOLD = 0.70
#: An item with fewer distinct answers among the students than this draws a warning.
MIN_DISTINCT_ANSWERS = 5

RELIABILITY_COLUMNS = ["construct", "n_items", "n", "alpha", "alpha_lower", "alpha_upper", "std_alpha", "omega_total", "mean_r"]
ITEM_COLUMNS = ["construct", "item", "reverse", "n", "mean", "sd", "missing", "r_drop", "alpha_if_dropped"]


class ReliabilityWarning(UserWarning):
    """A scale whose reliability is doubtful: low alpha, an item against the others, little spread."""


@dataclass
class _ScaleStats:
    construct: Construct
    row: dict
    items: pd.DataFrame
    messages: list[str] = field(default_factory=list)


def reliability(
    responses: pd.DataFrame,
    codebook: Codebook,
    *,
    constructs: str | Iterable[str] | None = None,
    warn: bool = True,
) -> pd.DataFrame:
    """Cronbach's alpha (with a 95% interval) and McDonald's omega of each scale.

    Parameters
    ----------
    responses : DataFrame
        The de-identified responses: one numeric column per item id (answers on the response
        scale, ``NaN`` when skipped).
    codebook : Codebook
        Items of each construct and which are reverse keyed.
    constructs : str or iterable of str, optional
        Only these constructs; all, in codebook order, when ``None``.
    warn : bool, default=True
        Issue a :class:`ReliabilityWarning` for each problem :func:`reliability_warnings` finds.

    Returns
    -------
    DataFrame
        One row per construct, columns ``construct``, ``n_items``, ``n`` (students who answered at
        least one of its items), ``alpha``, ``alpha_lower``, ``alpha_upper`` (Feldt's 95%
        interval), ``std_alpha``, ``omega_total``, ``mean_r`` (average inter-item correlation).
        Values a scale cannot have (alpha of one item) are ``NaN``.

    Raises
    ------
    ToolkitError
        Unknown construct, item missing from the responses, or non-numeric answers.

    Notes
    -----
    With ``C`` the pairwise-complete covariance matrix of the k reverse-keyed items and ``R`` its
    correlation matrix:

    .. math:: \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\operatorname{tr} C}{\\sum C}\\Big),\\quad
              \\omega_t = \\frac{\\sum R - \\sum_i (1 - \\lambda_i^2)}{\\sum R}

    where the loadings :math:`\\lambda` come from a one-factor minres model of ``R``. This is what
    ``psych::alpha`` and ``psych::omega(nfactors=1)`` compute; the tests match them to 1e-3.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika,
    16, 297-334. Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11, 93-103. McDonald, R. P. (1999). Test
    theory: A unified treatment. Revelle, W. psych (R package), functions alpha and omega.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import parse_codebook
    >>> cb = parse_codebook('''
    ... response_scale: {min: 1, max: 5}
    ... constructs:
    ...   grit: {items: {g1: "a", g2: "b", g3: "c"}}
    ... ''')
    >>> responses = pd.DataFrame({"g1": [1, 2, 3, 4, 5, 2], "g2": [1, 3, 3, 5, 4, 2],
    ...                           "g3": [2, 2, 4, 4, 5, 1]})
    >>> round(float(reliability(responses, cb, warn=False).loc[0, "alpha"]), 3)
    0.933
    """
    results = _analyse(responses, codebook, constructs)
    if warn:
        for res in results:
            for message in res.messages:
                warnings.warn(message, ReliabilityWarning, stacklevel=2)
    return pd.DataFrame([r.row for r in results], columns=RELIABILITY_COLUMNS)


def item_statistics(
    responses: pd.DataFrame,
    codebook: Codebook,
    *,
    constructs: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """How each item behaves within its scale.

    Parameters
    ----------
    responses : DataFrame
        The de-identified responses (one numeric column per item id).
    codebook : Codebook
        Items of each construct and which are reverse keyed.
    constructs : str or iterable of str, optional
        Only the items of these constructs; all when ``None``.

    Returns
    -------
    DataFrame
        One row per item: ``construct``, ``item``, ``reverse`` (reverse keyed in the codebook),
        ``n`` (answers), ``mean`` and ``sd`` (``ddof=1``) of the reverse-keyed answers,
        ``missing`` (share of students who skipped it), ``r_drop`` (corrected item-total
        correlation: with the sum of the other items of the scale, psych's ``r.drop``) and
        ``alpha_if_dropped`` (the scale's alpha without the item; ``NaN`` for scales of two items
        or fewer).

    Raises
    ------
    ToolkitError
        Unknown construct, item missing from the responses, or non-numeric answers.
    """
    results = _analyse(responses, codebook, constructs)
    frames = [r.items for r in results]
    return pd.concat(frames, ignore_index=True)[ITEM_COLUMNS]


def reliability_warnings(
    responses: pd.DataFrame,
    codebook: Codebook,
    *,
    constructs: str | Iterable[str] | None = None,
) -> list[str]:
    """The reliability problems of the scales, in words, for a report or a notebook.

    Three problems are looked for, scale by scale: alpha below .70; an item whose corrected
    item-total correlation is negative (it goes against the other items: often a forgotten
    reverse key); items with fewer than 5 distinct answers among the students (fewer than
    the scale's points on a scale of fewer than 5).

    Parameters
    ----------
    responses : DataFrame
        The de-identified responses.
    codebook : Codebook
        Items of each construct and which are reverse keyed.
    constructs : str or iterable of str, optional
        Only these constructs; all when ``None``.

    Returns
    -------
    list of str
        One sentence per problem; empty when there is none. :func:`reliability` issues the same
        sentences as :class:`ReliabilityWarning`.
    """
    return [m for r in _analyse(responses, codebook, constructs) for m in r.messages]


# --------------------------------------------------------------------------------------------
# The computations (hand-written after psych; see the module docstring).


def _analyse(responses, codebook, constructs) -> list[_ScaleStats]:
    cons = select_constructs(codebook, constructs)
    keyed = keyed_items(responses, codebook, [c.key for c in cons])
    n_students = len(keyed)
    return [_scale(c, keyed[list(c.item_ids)], n_students) for c in cons]


def _scale(construct: Construct, x: pd.DataFrame, n_students: int) -> _ScaleStats:
    k = x.shape[1]
    n = int(x.notna().any(axis=1).sum())
    C = x.cov(min_periods=2).to_numpy()  # pairwise-complete, ddof=1: R's cov(use="pairwise")
    alpha, std_alpha, mean_r = _alpha(C)
    lower, upper = _feldt(alpha, n, k)
    row = {
        "construct": construct.key,
        "n_items": k,
        "n": n,
        "alpha": alpha,
        "alpha_lower": lower,
        "alpha_upper": upper,
        "std_alpha": std_alpha,
        "omega_total": _omega_total(x.corr(min_periods=2).to_numpy()),
        "mean_r": mean_r,
    }
    counts = x.notna().sum()
    r_drop = np.full(k, np.nan)
    alpha_drop = np.full(k, np.nan)
    if k > 1:
        for i in range(k):
            rest = np.delete(np.arange(k), i)
            v_drop = C[np.ix_(rest, rest)].sum()
            c_drop = C[:, i].sum() - C[i, i]
            with np.errstate(invalid="ignore", divide="ignore"):
                r_drop[i] = c_drop / np.sqrt(C[i, i] * v_drop)
            if k > 2:
                alpha_drop[i] = _alpha(C[np.ix_(rest, rest)])[0]
    items = pd.DataFrame(
        {
            "construct": construct.key,
            "item": list(construct.item_ids),
            "reverse": [i.reverse for i in construct.items],
            "n": counts.to_numpy(dtype=int),
            "mean": x.mean().to_numpy(dtype=float),
            "sd": x.std(ddof=1).to_numpy(dtype=float),
            "missing": (1 - counts / n_students).to_numpy(dtype=float) if n_students else np.nan,
            "r_drop": r_drop,
            "alpha_if_dropped": alpha_drop,
        }
    )
    return _ScaleStats(construct, row, items, _messages(construct, x, row, items))


def _alpha(C: np.ndarray) -> tuple[float, float, float]:
    """Raw alpha, standardised alpha and average r from a covariance matrix (psych's alpha.1)."""
    k = C.shape[0]
    if k < 2 or not np.all(np.isfinite(C)) or np.any(np.diag(C) <= 0):
        return np.nan, np.nan, np.nan
    raw = (1 - np.trace(C) / C.sum()) * k / (k - 1)
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    sum_r = R.sum()
    std = (1 - k / sum_r) * k / (k - 1)
    mean_r = (sum_r - k) / (k * (k - 1))
    return float(raw), float(std), float(mean_r)


def _feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's interval for alpha (psych::alpha.ci, p.val = 1 - level)."""
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return np.nan, np.nan
    p = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * fdtri(df1, df2, 1 - p / 2)
    upper = 1 - (1 - alpha) * fdtri(df1, df2, p / 2)
    return float(lower), float(upper)


def _omega_total(R: np.ndarray) -> float:
    """McDonald's omega total from a one-factor minres model (psych::omega, nfactors=1, flip=FALSE).

    This replicates psych's ``fa(fm="minres")`` step by step rather than solving the least-squares
    problem exactly, because psych stops where its optimiser stops: L-BFGS-B (scipy's, the same
    algorithm as R's ``optim``) over the uniquenesses, started at ``1 - SMC``, bounded to
    ``[0.005, 1]``, ``parscale = 0.01``, at most 100 iterations, minimising the squared
    off-diagonal residuals with psych's gradient (``FAgr.minres``); the loadings are the first
    eigenvector of ``R`` with the communalities on its diagonal. ``R`` is the pairwise correlation
    matrix (R's ``cor(x, use="pairwise")``: each pair's own means and standard deviations, unlike
    ``cov2cor`` of the pairwise covariances that alpha uses). Omega is then
    ``(sum R - sum(1 - loading^2)) / sum R`` (psych's ``omegah``).
    """
    from scipy.optimize import minimize  # imported here: only omega needs it

    k = R.shape[0]
    if k < 2 or not np.all(np.isfinite(R)):
        return np.nan
    lower = np.tril_indices(k, -1)

    def loadings(psi):
        reduced = R - np.diag(psi)
        vals, vecs = np.linalg.eigh(reduced)
        return vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))

    def objective(psi):  # psych's fit.residuals, fm = "minres"
        lam = loadings(psi)
        return float(((R - np.outer(lam, lam))[lower] ** 2).sum())

    def gradient(psi):  # psych's FAgr.minres
        lam = loadings(psi)
        return lam**2 + psi - np.diag(R)

    smc = 1 - 1 / np.diag(np.linalg.pinv(R))  # squared multiple correlations (psych::smc)
    smc = np.clip(np.nan_to_num(smc, nan=1.0), 0.0, 1.0)
    scale = 0.01  # optim's parscale
    fit = minimize(
        lambda p: objective(p * scale),
        (1 - smc) / scale,
        jac=lambda p: gradient(p * scale) * scale,
        method="L-BFGS-B",
        bounds=[(0.005 / scale, max(smc.max(), 1.0) / scale)] * k,
        options={"maxcor": 5, "ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxiter": 100},
    )
    lam = loadings(fit.x * scale)
    vt = R.sum()
    return float((vt - (1 - lam**2).sum()) / vt)


def _messages(construct: Construct, x: pd.DataFrame, row: dict, items: pd.DataFrame) -> list[str]:
    label = construct.label
    lower = label[:1].lower() + label[1:]
    out = []
    alpha = row["alpha"]
    if np.isfinite(alpha) and alpha < ALPHA_THRESHOLD:
        out.append(
            f"{label}: alpha is {alpha:.2f}, under {ALPHA_THRESHOLD:.2f}: its {row['n_items']} items do not "
            f"agree well enough to be averaged into one score; look at the item statistics before using it."
        )
    for item, r in zip(items["item"], items["r_drop"]):
        if np.isfinite(r) and r < 0:
            keyed = construct.items[list(construct.item_ids).index(item)].reverse
            question = (
                "it is reverse keyed in the codebook: should it be?" if keyed else "is it reverse keyed?"
            )
            out.append(f"{item} correlates {r:.2f} with the other {lower} items: {question}")
    # An item cannot have more distinct answers than its scale has points: on a 4-point scale
    # every answer used is all there is, so the bar is the smaller of the two.
    distinct = x.nunique(dropna=True)
    bar = {item.id: min(MIN_DISTINCT_ANSWERS, len(item.scale.values)) for item in construct.items}
    few: dict[int, list[str]] = {}
    for i, v in distinct.items():
        if v < bar[i]:
            few.setdefault(bar[i], []).append(f"{i} ({int(v)})")
    for needed, listed in sorted(few.items(), reverse=True):
        out.append(
            f"{label}: items with fewer than {needed} distinct answers among the students: "
            f"{', '.join(listed)}; with so little spread its score separates students poorly."
        )
    return out

"""A grid of latent profile models, its fit table, one chosen solution and why.

:func:`fit_profiles` fits :class:`~toolkit.profiles.model.LatentProfileModel` for every
(model, K) of a grid, as tidyLPA's ``estimate_profiles`` does, and returns a
:class:`ProfileResults`: a fit table with every index a reviewer asks for
(``shared/DESIGN.md``, "Conventions the statistics follow"), the fitted solutions
(:class:`ProfileSolution`: assignments, posteriors, profile means with standard errors, names)
and :meth:`ProfileResults.recommend`, which chooses a solution and says why in sentences.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ..config import MIN_CELL
from ..errors import user_error
from ._criteria import information_criteria, relative_entropy
from .model import MODEL_NAMES, DegenerateSolutionWarning, LatentProfileModel, ReplicationWarning
from .naming import profile_names

__all__ = [
    "FIT_COLUMNS",
    "ProfileResults",
    "ProfileSolution",
    "Recommendation",
    "classification_indices",
    "fit_profiles",
    "recommend",
]

#: Columns of ``ProfileResults.fit_table`` (``blrt_p`` and ``vlmr_p`` are appended when asked).
FIT_COLUMNS = (
    "model",
    "n_profiles",
    "n_parameters",
    "log_lik",
    "aic",
    "bic",
    "sabic",
    "caic",
    "awe",
    "icl",
    "entropy",
    "prob_min",
    "prob_max",
    "n_min",
    "n_max",
    "replicated",
)
#: Smallest profile accepted by :meth:`ProfileResults.recommend`, as a share of the students.
MIN_SHARE = 0.05
#: Relative entropy from which classification is called clear (Clark & Muthen 2009 use 0.8).
ENTROPY_GOOD = 0.8
#: Relative entropy under which classification is called poor (a warning).
ENTROPY_POOR = 0.6
_Z95 = float(stats.norm.ppf(0.975))
#: A column with at most this many distinct values is warned about (a single Likert item).
FEW_VALUES = 5


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------
def _as_frame(data, columns=None, *, source=None):
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


def _check_grid(n_profiles, models):
    n_profiles = [n_profiles] if isinstance(n_profiles, numbers.Integral) else list(n_profiles)
    if any(not isinstance(k, numbers.Integral) or isinstance(k, bool) for k in n_profiles):
        raise user_error(
            "n_profiles should list whole numbers of profiles >= 1",
            value=n_profiles,
            fix="use e.g. range(1, 7)",
        )
    ks = sorted({int(k) for k in n_profiles})
    if not ks or ks[0] < 1:
        raise user_error(
            "n_profiles should list whole numbers of profiles >= 1",
            value=list(n_profiles),
            fix="use e.g. range(1, 7)",
        )
    models = [models] if isinstance(models, numbers.Integral) else list(models)
    ok = all(isinstance(m, numbers.Integral) and not isinstance(m, bool) for m in models)
    ms = sorted({int(m) for m in models}) if ok else []
    if not ms or any(m not in MODEL_NAMES for m in ms):
        raise user_error(
            "models should be tidyLPA model numbers 1..6",
            value=list(models),
            fix="use e.g. (1, 2, 3, 6)",
        )
    return ks, ms


# ---------------------------------------------------------------------------------------------
# Classification indices
# ---------------------------------------------------------------------------------------------
def classification_indices(posteriors):
    """Entropy and the diagnostics of modal assignment from a posterior matrix.

    Parameters
    ----------
    posteriors : array-like of shape (n_samples, n_profiles)

    Returns
    -------
    dict
        ``entropy`` (relative entropy, 1 when K = 1), ``prob_min``/``prob_max`` (smallest and
        largest over profiles of the mean posterior of the assigned profile among the students
        assigned to it: the diagonal of Mplus's "average latent class probabilities for most
        likely latent class membership"; profiles nobody is assigned to are skipped),
        ``n_min``/``n_max`` (smallest and largest share of students by modal assignment) and
        ``sum_log_max`` (:math:`\\sum_i \\log \\max_k z_{ik}`, the ICL correction).
    """
    z = np.asarray(posteriors, dtype=float)
    n, K = z.shape
    modal = z.argmax(axis=1)
    counts = np.bincount(modal, minlength=K)
    diag = np.array([z[modal == k, k].mean() if counts[k] else np.nan for k in range(K)])
    with np.errstate(divide="ignore"):
        slm = float(np.log(z.max(axis=1)).sum())
    return {
        "entropy": relative_entropy(z),
        "prob_min": float(np.nanmin(diag)),
        "prob_max": float(np.nanmax(diag)),
        "n_min": float(counts.min() / n),
        "n_max": float(counts.max() / n),
        "sum_log_max": slm,
    }


def _fit_row(model_number, k, lpm, X):
    n = X.shape[0]
    z = lpm.predict_proba(X)
    ci = classification_indices(z)
    ll = float(lpm.log_likelihood_)
    ic = information_criteria(ll, lpm.n_parameters_, n)
    return {
        "model": model_number,
        "n_profiles": k,
        "n_parameters": int(lpm.n_parameters_),
        "log_lik": ll,
        **ic,
        "icl": ic["bic"] - 2.0 * ci["sum_log_max"],
        "entropy": ci["entropy"],
        "prob_min": ci["prob_min"],
        "prob_max": ci["prob_max"],
        "n_min": ci["n_min"],
        "n_max": ci["n_max"],
        "replicated": bool(lpm.replicated_),
    }


def _cell_seed(base, model_number, k):
    """Seed of one (model, K) cell: independent of which other cells are in the grid."""
    return int(np.random.SeedSequence(base, spawn_key=(model_number, k)).generate_state(1)[0] >> 1)


def _fit_chain(X, columns, model_number, ks, base, n_starts, n_final):
    """Fit one model for K = 1..max(ks) in ascending order, each K split-started from the
    K - 1 fit of the chain (the grid's own), recording (not emitting) warnings; runs in a joblib
    worker. Returns ``{K: (model or None, caught)}`` for the K in ``ks``.

    Every K of the chain is fitted (also those not in ``ks``), so a cell's solution depends only
    on the base seed, the model and K, not on which other cells are in the grid.
    """
    from threadpoolctl import threadpool_limits

    opts = {}
    if n_starts is not None:
        opts["n_starts"] = n_starts
    if n_final is not None:
        opts["n_final"] = n_final
    Xdf = pd.DataFrame(X, columns=columns)
    out, parent = {}, None
    for k in range(1, max(ks) + 1):
        lpm = LatentProfileModel(k, model=model_number, random_state=_cell_seed(base, model_number, k),
                                 **opts)
        with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("always")
            try:
                lpm._fit(Xdf, None, parent=parent)
            except ValueError as exc:  # e.g. fewer students than profiles
                lpm = None
                caught = [("error", str(exc))]
        if lpm is not None:
            caught = [(w.category.__name__, str(w.message)) for w in caught]
        parent = lpm if lpm is not None and not lpm.degenerate_ else None
        if k in ks:
            out[k] = (lpm, caught)
    return out


# ---------------------------------------------------------------------------------------------
# Solutions
# ---------------------------------------------------------------------------------------------
class ProfileSolution:
    """One fitted solution: who is in which profile, and what the profiles look like.

    Build it with :meth:`ProfileResults.solution` (or :meth:`from_model`); other methods
    (k-means, Ward in :mod:`toolkit.profiles.clustering`) give the same shape.

    Attributes
    ----------
    model : LatentProfileModel or estimator
        The fitted model (``sklearn.cluster`` estimator for k-means/Ward).
    model_number : int or str
        tidyLPA model number 1..6 (``"kmeans"`` or ``"ward"`` for the clustering methods).
    n_profiles : int
    data : DataFrame
        The scores the solution was fitted on (rows with every value missing dropped).
    posteriors : ndarray of shape (n_students, n_profiles)
        Posterior profile probabilities (one-hot for k-means/Ward).
    assignments : DataFrame
        Index as ``data`` (named ``pseudonym`` when the scores were); columns ``profile``
        (int 1..K, the most likely profile), ``certainty`` (its posterior) and ``p1..pK``.
    means : DataFrame
        Profile means, index ``profile`` 1..K, columns the constructs.
    standard_errors : DataFrame
        Standard errors of ``means`` (see Notes).
    sizes : Series
        Students per profile by modal assignment, index ``profile`` 1..K.
    names : dict
        Profile -> plain-language name (:func:`toolkit.profiles.naming.profile_names`).
    profile_table : DataFrame
        Long table with columns ``profile, construct, mean, se, lower, upper, n, share, name``
        (95% normal intervals ``mean +/- 1.96 se``; ``n`` and ``share`` by modal assignment).

    Notes
    -----
    Standard error of the mean of construct j in profile k: the mean is the posterior-weighted
    mean of the students' values, so with the posteriors held fixed its variance is
    :math:`\\sigma^2_{kj} \\sum_i z_{ik}^2 / (\\sum_i z_{ik})^2 = \\sigma^2_{kj} / n^{eff}_{kj}`,
    where :math:`\\sigma^2_{kj}` is the profile's fitted variance of construct j and
    :math:`n^{eff}_{kj} = (\\sum_i z_{ik})^2 / \\sum_i z_{ik}^2` is Kish's effective sample size
    over the students with construct j observed. This ignores the uncertainty of the other
    parameters (it is the SE a complete-data classification would give) and is therefore a
    little smaller than the observed-information SE that Mplus prints when profiles overlap;
    :meth:`information_standard_errors` gives those (ML or the robust MLR sandwich).
    """

    def __init__(self, data, posteriors, means, variances, *, model=None, model_number=None, labels=None):
        self.data = data
        self.model = model
        self.model_number = model_number
        z = np.asarray(posteriors, dtype=float)
        n, K = z.shape
        self.n_profiles = K
        self.posteriors = z
        profiles = pd.Index(np.arange(1, K + 1), name="profile")
        modal = z.argmax(axis=1) + 1
        assign = pd.DataFrame(
            {"profile": modal.astype(int), "certainty": z.max(axis=1)}, index=data.index.copy()
        )
        for k in range(K):
            assign[f"p{k + 1}"] = z[:, k]
        self.assignments = assign
        self.means = pd.DataFrame(np.asarray(means, dtype=float), index=profiles, columns=data.columns)
        observed = data.notna().to_numpy(dtype=float)
        sum_z = z.T @ observed  # (K, d)
        sum_z2 = (z**2).T @ observed
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(sum_z2 > 0, sum_z**2 / sum_z2, np.nan)
            se = np.sqrt(np.asarray(variances, dtype=float) / n_eff)
        self.standard_errors = pd.DataFrame(se, index=profiles, columns=data.columns)
        self.sizes = pd.Series(np.bincount(modal - 1, minlength=K), index=profiles, name="n")
        self.names = profile_names(self.means, data, labels=labels)
        rows = []
        for k in profiles:
            for c in data.columns:
                m, s = float(self.means.at[k, c]), float(self.standard_errors.at[k, c])
                rows.append(
                    {
                        "profile": int(k),
                        "construct": c,
                        "mean": m,
                        "se": s,
                        "lower": m - _Z95 * s,
                        "upper": m + _Z95 * s,
                        "n": int(self.sizes[k]),
                        "share": float(self.sizes[k] / n),
                        "name": self.names[int(k)],
                    }
                )
        self.profile_table = pd.DataFrame(rows)

    def information_standard_errors(self, kind="mlr"):
        """Standard errors of the profile means from the observed information (as Mplus prints).

        Parameters
        ----------
        kind : {"mlr", "ml"}, default="mlr"
            ``"ml"``: square roots of the diagonal of the inverse observed information
            :math:`(-H)^{-1}`, H the Hessian of the FIML log-likelihood; ``"mlr"``: the robust
            sandwich :math:`H^{-1} B H^{-1}` with B the sum of the per-student score outer
            products (Mplus's default estimator for mixtures, MLR).

        Returns
        -------
        DataFrame
            Same shape as :attr:`means`.

        Notes
        -----
        Unlike :attr:`standard_errors`, these account for the uncertainty of every other
        parameter (weights, covariances, the classification itself). Scores are analytic; the
        Hessian is a central difference of the analytic scores.
        """
        if kind not in ("mlr", "ml"):
            raise ValueError(f"kind={kind!r} should be 'mlr' or 'ml'")
        if not isinstance(self.model, LatentProfileModel):
            raise ValueError("information standard errors need a fitted LatentProfileModel")
        from .lrt import _Mixture

        X = self.data.to_numpy(dtype=float)
        mix = _Mixture(self.model, X)
        _, S, H = mix.information(mix.theta)
        n = X.shape[0]
        H_inv = np.linalg.pinv(H * n)  # Hessian of the total log-likelihood
        cov = -H_inv if kind == "ml" else H_inv @ (S.T @ S) @ H_inv
        K, d = self.means.shape
        start = K - 1
        se = np.sqrt(np.clip(np.diag(cov)[start : start + K * d], 0.0, None)).reshape(K, d)
        return pd.DataFrame(se, index=self.means.index, columns=self.means.columns)

    @classmethod
    def from_model(cls, model, data, *, labels=None):
        """Solution of a fitted :class:`LatentProfileModel` on ``data`` (its training scores)."""
        z = model.predict_proba(data)
        variances = np.diagonal(model.covariances_, axis1=1, axis2=2)
        return cls(data, z, model.means_, variances, model=model, model_number=int(model.model), labels=labels)

    def __repr__(self):
        return (
            f"ProfileSolution(model={self.model_number!r}, n_profiles={self.n_profiles}, "
            f"n={len(self.data)}, sizes={self.sizes.tolist()})"
        )


# ---------------------------------------------------------------------------------------------
# Recommendation
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Recommendation:
    """The solution :meth:`ProfileResults.recommend` chooses, with its reasons.

    Attributes
    ----------
    model : int
        tidyLPA model number.
    n_profiles : int
    reasons : list of str
        Sentences: why this solution.
    warnings : list of str
        Sentences: what to be careful about.
    """

    model: int
    n_profiles: int
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def __str__(self):
        head = f"Recommended: model {self.model} ({MODEL_NAMES[self.model]}) with {self.n_profiles} profiles."
        parts = [head, *self.reasons]
        if self.warnings:
            parts.append("Be careful: " + " ".join(self.warnings))
        return " ".join(parts)


def _elbow(ks, values):
    """K at the elbow of a criterion plotted against K, or None with fewer than 3 points.

    The elbow is the point of the curve farthest below the chord from its first to its last
    point, both axes scaled to [0, 1] (the "Kneedle" rule of Satopaa et al. 2011): where the
    gains from more profiles level off.
    """
    ks = np.asarray(list(ks), dtype=float)
    v = np.asarray(values, dtype=float)
    if len(ks) < 3 or not np.isfinite(v).all() or np.ptp(v) == 0:
        return None
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (v - v.min()) / np.ptp(v)
    chord = y[0] + (y[-1] - y[0]) * x
    gap = chord - y
    j = int(np.argmax(gap))
    return int(ks[j]) if gap[j] > 0 else None


def recommend(fit_table, *, n, min_cell=MIN_CELL, min_share=MIN_SHARE, n_dropped=0, diagnostics=None):
    """Choose a solution from a fit table and say why.

    Parameters
    ----------
    fit_table : DataFrame
        ``ProfileResults.fit_table``.
    n : int
        Students the models were fitted on.
    min_cell : int, default=config.MIN_CELL
    min_share : float, default=0.05
    n_dropped : int, default=0
        Rows dropped before fitting (mentioned in the reasons).
    diagnostics : DataFrame, optional
        ``ProfileResults.diagnostics`` (convergence, rejected starts).

    Returns
    -------
    Recommendation

    Notes
    -----
    Rule: among the solutions whose smallest profile (by modal assignment) has at least
    ``max(min_share * n, min_cell)`` students, take the lowest BIC (Nylund, Asparouhov and
    Muthen 2007 found BIC the most reliable information criterion, and the BLRT the most
    reliable test). The sentences then report SABIC, the BIC elbow, the smallest profile,
    entropy (>= 0.8 clear, < 0.6 poor), BLRT/VLMR when computed, replication, and warn when
    the choice is at the edge of the grid. The elbow of a criterion is the K farthest below
    the chord of its curve (both axes scaled to [0, 1]; Satopaa et al. 2011).

    References
    ----------
    .. [1] Nylund, K. L., Asparouhov, T., & Muthen, B. O. (2007). Deciding on the number of
       classes in latent class analysis and growth mixture modeling: A Monte Carlo simulation
       study. Structural Equation Modeling, 14, 535-569.
    .. [2] Masyn, K. E. (2013). Latent class analysis and finite mixture modeling. In The Oxford
       Handbook of Quantitative Methods (Vol. 2, pp. 551-611).
    .. [3] Satopaa, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a
       haystack: Detecting knee points in system behavior. ICDCS Workshops, 166-171.
    """
    ft = fit_table.dropna(subset=["log_lik"]).reset_index(drop=True)
    if ft.empty:
        raise user_error("no solution of the grid could be fitted", fix="check the scores and the grid")
    floor = max(min_share * n, float(min_cell))
    smallest = np.floor(ft["n_min"].to_numpy() * n + 0.5)
    ok = smallest >= floor - 1e-9
    reasons, warns = [], []
    if n_dropped:
        reasons.append(
            f"{n_dropped} student(s) with every score missing were left out; {n} students were analysed."
        )
    if ok.any():
        cand = ft[ok]
    else:
        cand = ft
        warns.append(
            f"Every solution has a profile smaller than {floor:.0f} students "
            f"(max of {min_share:.0%} of {n} and the minimum cell {min_cell}); the choice below "
            "ignores that rule."
        )
    best = cand.loc[cand["bic"].idxmin()]
    m, K = int(best["model"]), int(best["n_profiles"])
    excluded = int((~ok).sum()) if ok.any() else 0
    reasons.append(
        f"Model {m} with {K} profile{'s' if K != 1 else ''} has the lowest BIC ({best['bic']:.1f})"
        + (
            f" of the {len(cand)} solutions whose smallest profile has at least {floor:.0f} students"
            f" ({excluded} solution{'s' if excluded != 1 else ''} with a smaller profile set aside)."
            if excluded
            else f" of the {len(cand)} solutions fitted."
        )
    )
    sab = cand.loc[cand["sabic"].idxmin()]
    if int(sab["model"]) == m and int(sab["n_profiles"]) == K:
        reasons.append(f"SABIC agrees ({best['sabic']:.1f}).")
    else:
        reasons.append(
            f"SABIC prefers model {int(sab['model'])} with {int(sab['n_profiles'])} profiles "
            f"({sab['sabic']:.1f} against {best['sabic']:.1f}); BIC is followed because it "
            "penalises extra parameters more and picks the number of profiles more reliably in "
            "simulations."
        )
    rows_m = ft[ft["model"] == m].sort_values("n_profiles")
    e_bic = _elbow(rows_m["n_profiles"], rows_m["bic"])
    e_sab = _elbow(rows_m["n_profiles"], rows_m["sabic"])
    if e_bic is not None:
        same = "agrees" if e_bic == K else "differs"
        txt = f"The elbow of BIC against the number of profiles (model {m}) is at {e_bic} profiles"
        if e_sab is not None:
            txt += f" and of SABIC at {e_sab}"
        reasons.append(txt + f"; the choice {same}" + ("." if same == "agrees" else f" ({K})."))
    n_small = int(round(float(best["n_min"]) * n))
    if K > 1:
        sentence = (
            f"The smallest profile has {n_small} students ({best['n_min']:.0%}), against a minimum of "
            f"{floor:.0f} (the larger of {min_share:.0%} of students and the minimum reporting cell of {min_cell})."
        )
        (reasons if n_small >= floor else warns).append(sentence)
        ent = float(best["entropy"])
        if ent >= ENTROPY_GOOD:
            reasons.append(f"Relative entropy is {ent:.2f}: students are classified clearly (>= {ENTROPY_GOOD}).")
        elif ent >= ENTROPY_POOR:
            reasons.append(
                f"Relative entropy is {ent:.2f}: classification is moderately certain "
                f"({ENTROPY_POOR}-{ENTROPY_GOOD}); read individual assignments with their certainty."
            )
        else:
            warns.append(
                f"Relative entropy is only {ent:.2f} (< {ENTROPY_POOR}): many students sit between "
                "profiles, so individual assignments are uncertain."
            )
    for col, label in (("blrt_p", "The bootstrap likelihood-ratio test (BLRT)"), ("vlmr_p", "The Vuong-Lo-Mendell-Rubin test")):
        if col not in ft.columns:
            continue
        row_k = ft[(ft["model"] == m) & (ft["n_profiles"] == K)]
        row_next = ft[(ft["model"] == m) & (ft["n_profiles"] == K + 1)]
        if K > 1 and len(row_k) and np.isfinite(row_k[col].iloc[0]):
            p = float(row_k[col].iloc[0])
            if p < 0.05:
                reasons.append(f"{label} finds {K} profiles fit better than {K - 1} (p = {p:.3g}).")
            else:
                warns.append(f"{label} does not find {K} profiles better than {K - 1} (p = {p:.3g}).")
        if len(row_next) and np.isfinite(row_next[col].iloc[0]):
            p = float(row_next[col].iloc[0])
            if p >= 0.05:
                reasons.append(f"{label} finds no gain from {K + 1} profiles (p = {p:.3g}).")
            else:
                warns.append(f"{label} still favours {K + 1} profiles over {K} (p = {p:.3g}).")
    if K > 1:
        if bool(best["replicated"]):
            reasons.append("The best log-likelihood was replicated by at least two random starts.")
        else:
            warns.append(
                "The best log-likelihood was reached by only one random start; it may be a local "
                "optimum: refit with more starts."
            )
    if diagnostics is not None:
        d = diagnostics[(diagnostics["model"] == m) & (diagnostics["n_profiles"] == K)]
        if len(d) and not bool(d["converged"].iloc[0]):
            warns.append("The chosen solution did not converge within the iteration limit.")
    ks_m = sorted(ft.loc[ft["model"] == m, "n_profiles"].astype(int))
    if K == ks_m[-1] and len(ks_m) > 1:
        warns.append(
            f"{K} profiles is the largest number fitted for model {m}: fit more profiles to check "
            "that the criteria do not keep improving."
        )
    elif K == ks_m[0] and K > 1:
        warns.append(f"{K} profiles is the smallest number fitted for model {m}: fit fewer to check.")
    return Recommendation(model=m, n_profiles=K, reasons=reasons, warnings=warns)


# ---------------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------------
class ProfileResults:
    """The result of :func:`fit_profiles`: a fit table and the fitted solutions.

    Attributes
    ----------
    fit_table : DataFrame
        One row per (model, K) with columns :data:`FIT_COLUMNS` (and ``blrt_p``, ``vlmr_p`` when
        asked); a cell that could not be fitted has NaN indices.
    diagnostics : DataFrame
        Per cell: ``model, n_profiles, converged, n_rejected_starts, n_iter, warnings`` (the
        estimator's warning messages, joined).
    models : dict
        ``(model, K) -> LatentProfileModel`` (fitted) for every cell that could be fitted.
    data : DataFrame
        The scores analysed (float columns; rows with every value missing dropped).
    n_dropped : int
        Rows dropped because every value was missing.
    dropped_index : Index
        Their index labels.
    min_cell : int
    lrt : DataFrame or None
        Details of the likelihood-ratio tests when asked (``statistic``, ``blrt_p``,
        ``vlmr_p``, ``lmr_p``, bootstrap counts).
    """

    def __init__(self, fit_table, models, data, *, n_dropped=0, dropped_index=None, min_cell=MIN_CELL,
                 diagnostics=None, labels=None, lrt=None):
        self.fit_table = fit_table
        self.models = models
        self.data = data
        self.n_dropped = int(n_dropped)
        self.dropped_index = dropped_index if dropped_index is not None else data.index[:0]
        self.min_cell = min_cell
        self.diagnostics = diagnostics
        self.labels = labels
        self.lrt = lrt
        self._solutions = {}

    def solution(self, model, n_profiles):
        """The :class:`ProfileSolution` of one cell of the grid.

        Parameters
        ----------
        model : int
            tidyLPA model number.
        n_profiles : int

        Returns
        -------
        ProfileSolution
        """
        key = (int(model), int(n_profiles))
        if key not in self.models:
            fitted = ", ".join(f"({m}, {k})" for m, k in sorted(self.models))
            raise user_error(
                f"model {key[0]} with {key[1]} profiles is not among the fitted solutions",
                fix=f"choose one of {fitted}",
            )
        if key not in self._solutions:
            self._solutions[key] = ProfileSolution.from_model(self.models[key], self.data, labels=self.labels)
        return self._solutions[key]

    def recommend(self, *, min_share=MIN_SHARE):
        """Choose a solution and say why (see :func:`recommend`).

        Returns
        -------
        Recommendation
        """
        return recommend(
            self.fit_table,
            n=len(self.data),
            min_cell=self.min_cell,
            min_share=min_share,
            n_dropped=self.n_dropped,
            diagnostics=self.diagnostics,
        )

    def best(self):
        """The :class:`ProfileSolution` that :meth:`recommend` chooses."""
        rec = self.recommend()
        return self.solution(rec.model, rec.n_profiles)

    def __repr__(self):
        return (
            f"ProfileResults(n={len(self.data)}, models={sorted({m for m, _ in self.models})}, "
            f"n_profiles={sorted({k for _, k in self.models})}, n_dropped={self.n_dropped})"
        )


def _progress(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc)


def fit_profiles(
    data,
    n_profiles=range(1, 7),
    models=(1, 2, 3, 6),
    *,
    n_starts=None,
    n_final=None,
    random_state=None,
    blrt=False,
    n_bootstrap=100,
    vlmr=False,
    min_cell=MIN_CELL,
    n_jobs=None,
    progress=False,
    labels=None,
    columns=None,
):
    """Fit latent profile models for a grid of covariance structures and numbers of profiles.

    Parameters
    ----------
    data : DataFrame or array-like of shape (n_students, n_constructs)
        Scale scores, one row per student (index ``pseudonym``), NaN where missing (handled by
        full-information maximum likelihood). Rows with every value missing are dropped before
        fitting and counted in ``n_dropped``.
    n_profiles : iterable of int or int, default=range(1, 7)
    models : iterable of int or int, default=(1, 2, 3, 6)
        tidyLPA model numbers (see :data:`~toolkit.profiles.model.MODEL_NAMES`).
    n_starts, n_final : int, optional
        Random starts and final starts of each fit (the estimator's defaults when None).
    random_state : int, RandomState instance or None, default=None
        One base seed; each cell's seed derives from it and the cell, so a cell gets the same
        solution whatever else is in the grid.
    blrt : bool, default=False
        Add ``blrt_p``: the bootstrap likelihood-ratio test of K-1 against K profiles
        (:func:`toolkit.profiles.lrt.bootstrap_lrt`) for every K > 1 of the grid.
    n_bootstrap : int, default=100
        Bootstrap samples of the BLRT.
    vlmr : bool, default=False
        Add ``vlmr_p``: the Vuong-Lo-Mendell-Rubin test of K-1 against K
        (:func:`toolkit.profiles.lrt.vlmr_test`).
    min_cell : int, default=config.MIN_CELL
        Minimum reporting cell, used by :meth:`ProfileResults.recommend`.
    n_jobs : int, optional
        Parallel workers (joblib) over the grid's cells and the bootstrap samples.
    progress : bool, default=False
        Show tqdm progress bars.
    labels : dict, optional
        Construct column -> readable label, for profile names.
    columns : list of str, optional
        Analyse only these columns.

    Returns
    -------
    ProfileResults

    Warns
    -----
    UserWarning
        When a column has 5 or fewer distinct values (a single Likert item rather than a scale
        score), and summarising cells that could not be fitted.
    ReplicationWarning, DegenerateSolutionWarning, ConvergenceWarning
        One summary each, naming the (model, K) cells concerned (details in ``diagnostics``).

    Notes
    -----
    Fit indices as in ``shared/DESIGN.md``: AIC = -2LL + 2k; BIC = -2LL + k ln n;
    SABIC = -2LL + k ln((n+2)/24); CAIC = -2LL + k(ln n + 1); AWE = -2LL + 2k(ln n + 1.5);
    ICL = BIC - 2 sum_i log max_k z_ik; relative entropy; prob_min/prob_max and n_min/n_max
    as in :func:`classification_indices`. n is the number of students analysed.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(3, 1, (40, 2))]),
    ...                  columns=["interest", "self_efficacy"])
    >>> res = fit_profiles(X, n_profiles=range(1, 4), models=(1,), random_state=0)
    >>> res.fit_table[["model", "n_profiles", "n_parameters"]].to_numpy().tolist()
    [[1, 1, 4], [1, 2, 7], [1, 3, 10]]
    >>> res.recommend().n_profiles
    2
    """
    ks, ms = _check_grid(n_profiles, models)
    frame = _as_frame(data, columns)
    empty = frame.isna().all(axis=1).to_numpy()
    dropped_index = frame.index[empty]
    frame = frame.loc[~empty]
    n = len(frame)
    if n < 2:
        raise user_error(
            f"only {n} student(s) have any score; profiles need many more",
            fix="check that the scores file holds the students' scale scores",
        )
    X = frame.to_numpy(dtype=float)
    cols = list(frame.columns)
    few = {}
    if n >= 4 * FEW_VALUES:  # with a handful of students every column has few values
        few = {c: int(frame[c].nunique()) for c in cols if frame[c].nunique() <= FEW_VALUES}
    if few:
        listed = ", ".join(f"{c} ({k} values)" for c, k in few.items())
        warnings.warn(
            f"{listed}: so few distinct values look like single Likert items, not scale scores; "
            "a Gaussian profile model treats them as continuous and can fit profiles that sit on "
            "one answer. Prefer scale scores (toolkit score).",
            UserWarning,
            stacklevel=2,
        )
    base = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    cells = [(m, k) for m in ms for k in ks]
    jobs = (delayed(_fit_chain)(X, cols, m, ks, base, n_starts, n_final) for m in ms)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    chains = dict(zip(ms, _progress(parallel(jobs), len(ms), progress, "profiles")))
    fitted = [chains[m][k] for m, k in cells]
    models_ = {}
    rows, diag = [], []
    not_replicated, degenerate, not_converged, failed = [], [], [], []
    for (m, k), (lpm, caught) in zip(cells, fitted):
        cats = {c for c, _ in caught}
        if lpm is None:
            failed.append(f"model {m} K={k} ({caught[0][1]})")
            rows.append({"model": m, "n_profiles": k, "n_parameters": np.nan, "replicated": False})
            diag.append({"model": m, "n_profiles": k, "converged": False, "n_rejected_starts": np.nan,
                         "n_iter": np.nan, "warnings": "; ".join(msg for _, msg in caught)})
            continue
        models_[(m, k)] = lpm
        rows.append(_fit_row(m, k, lpm, frame))
        diag.append({"model": m, "n_profiles": k, "converged": bool(lpm.converged_),
                     "n_rejected_starts": int(lpm.n_rejected_starts_), "n_iter": int(lpm.n_iter_),
                     "warnings": "; ".join(msg for _, msg in caught)})
        if "ReplicationWarning" in cats:
            not_replicated.append(f"{m}/{k}")
        if "DegenerateSolutionWarning" in cats:
            degenerate.append(f"{m}/{k}")
        if "ConvergenceWarning" in cats:
            not_converged.append(f"{m}/{k}")
    fit_table = pd.DataFrame(rows, columns=list(FIT_COLUMNS))
    fit_table["model"] = fit_table["model"].astype(int)
    fit_table["n_profiles"] = fit_table["n_profiles"].astype(int)
    fit_table["n_parameters"] = fit_table["n_parameters"].astype("Int64") if fit_table["n_parameters"].isna().any() else fit_table["n_parameters"].astype(int)
    fit_table["replicated"] = fit_table["replicated"].astype(bool)
    diagnostics = pd.DataFrame(diag)

    if failed:
        warnings.warn("could not fit " + "; ".join(failed), UserWarning, stacklevel=2)
    if degenerate:
        warnings.warn(
            "every start collapsed (degenerate solution) for model/K " + ", ".join(degenerate)
            + "; their rows are unreliable",
            DegenerateSolutionWarning,
            stacklevel=2,
        )
    if not_converged:
        warnings.warn("not converged: model/K " + ", ".join(not_converged), ConvergenceWarning, stacklevel=2)
    if not_replicated:
        warnings.warn(
            "best log-likelihood not replicated for model/K " + ", ".join(not_replicated)
            + " (see fit_table.replicated; the search was already widened automatically); "
            "increase n_starts (CLI option --n-starts)",
            ReplicationWarning,
            stacklevel=2,
        )

    lrt_table = None
    if blrt or vlmr:
        from .lrt import _grid_lrt

        lrt_table = _grid_lrt(
            frame, models_, cells, blrt=blrt, vlmr=vlmr, n_bootstrap=n_bootstrap, base_seed=base,
            n_jobs=n_jobs, progress=progress, n_starts=n_starts,
        )
        if blrt:
            fit_table["blrt_p"] = [lrt_table.get((m, k), {}).get("blrt_p", np.nan) for m, k in cells]
        if vlmr:
            fit_table["vlmr_p"] = [lrt_table.get((m, k), {}).get("vlmr_p", np.nan) for m, k in cells]
        lrt_table = pd.DataFrame(
            [{"model": m, "n_profiles": k, **v} for (m, k), v in lrt_table.items()]
        )
    return ProfileResults(
        fit_table,
        models_,
        frame,
        n_dropped=int(empty.sum()),
        dropped_index=dropped_index,
        min_cell=min_cell,
        diagnostics=diagnostics,
        labels=labels,
        lrt=lrt_table,
    )

"""A grid of latent profile models and its fit table.

:func:`fit_profiles` fits :class:`~toolkit.profiles.model.LatentProfileModel` for every
(model, K) of a grid, as tidyLPA's ``estimate_profiles`` does, and returns a
:class:`ProfileResults`: a fit table with every index a reviewer asks for
(``shared/DESIGN.md``, "Conventions the statistics follow"), the fitted models, their
solutions (:class:`~toolkit.profiles.solution.ProfileSolution`) and
:meth:`ProfileResults.recommend` (:mod:`toolkit.profiles.recommendation`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ..config import MIN_CELL
from ..errors import user_error
from ._criteria import classification_indices, information_criteria
from ._input import as_score_frame, check_grid
from ._threads import one_blas_thread
from .lrt import bootstrap_lrt, vlmr_test
from .model import DegenerateSolutionWarning, LatentProfileModel, ReplicationWarning
from .recommendation import MIN_SHARE, recommend
from .solution import ProfileSolution

__all__ = ["FIT_COLUMNS", "ProfileResults", "classification_indices", "fit_profiles"]

#: Columns of ``ProfileResults.fit_table`` (``blrt_p`` and ``vlmr_p`` are appended when asked).
#: Every information criterion (``aic`` to ``kic``) is lower-is-better, including ``icl``,
#: whose sign is the opposite of mclust's and tidyLPA's ICL; ``awe`` and ``clc`` are not
#: tidyLPA's formulas. The formulas, and how tidyLPA and mclust report each one, are in the
#: Notes of :func:`fit_profiles`.
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
    "clc",
    "kic",
    "entropy",
    "prob_min",
    "prob_max",
    "n_min",
    "n_max",
    "replicated",
)
#: The models by the time their chain of K = 1..6 takes, longest first (measured on the five
#: data sets of ``benchmarks/lpa_peers.py``: 4 and 5, whose M-step is Fisher scoring, take 2.5-8
#: times as long as 6 and 3, which take 1.5-4 times as long as 2 and 1).
CHAIN_COST_ORDER = (5, 4, 6, 3, 2, 1)
#: A column with at most this many distinct values is warned about (a single Likert item).
FEW_VALUES = 5


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
        "clc": -2.0 * ll + 2.0 * ci["classification_entropy"],
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
    worker. Returns ``{K: (model or None, caught)}`` for every K = 1..max(ks).

    Every K of the chain is fitted (also those not in ``ks``), so a cell's solution depends only
    on the base seed, the model and K, not on which other cells are in the grid.
    """
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
        with warnings.catch_warnings(record=True) as caught, one_blas_thread():
            warnings.simplefilter("always")
            try:
                lpm._fit(Xdf, None, parent=parent)
            except ValueError as exc:  # e.g. fewer students than profiles
                lpm = None
                caught = [("error", str(exc))]
        if lpm is not None:
            caught = [(w.category.__name__, str(w.message)) for w in caught]
        # a degenerate K - 1 fit is passed too: it gives no split starts, where fitting K - 1
        # again inside K (what a missing parent means) would spend a whole search on it
        parent = lpm
        out[k] = (lpm, caught)
    return out


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
        ``n_bootstrap``, ``vlmr_p``, ``lmr_p``, ``lmr_statistic``, and ``vlmr_log_p``,
        ``lmr_log_p``: the natural logs of the p-values, exact where the p-values underflow).
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
        Parallel workers (joblib) over the grid's models (None: one after the other) and over
        the bootstrap samples of the BLRT (None: every core). Results do not depend on it.
    progress : bool, default=False
        Show tqdm progress bars (the grid's models and each BLRT, with the time left).
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
    Fit indices as in ``shared/DESIGN.md``, with n the number of students analysed, k the free
    parameters (``n_parameters``, exact), LL the log-likelihood (``log_lik``), z the posterior
    matrix and EN = sum_i sum_k -z_ik ln z_ik its classification entropy. **Every information
    criterion is lower-is-better**, ICL too; LL, ``entropy``, ``prob_min`` and ``prob_max`` are
    higher-is-better. Beside each, how tidyLPA (``R/calc_functions.R``: ``make_fitvector``,
    ``icl_default``, ``calc_fitindices.Mclust``; github.com/data-edu/tidyLPA, commit 4df6e22 of
    2026-02-25) and R mclust (6.1.3, ``R/icl.R`` and ``bic`` in ``R/mclust.R``) report it:

    ==========  =============================  ==================================================
    column      formula (lower is better)      tidyLPA and mclust
    ==========  =============================  ==================================================
    ``aic``     -2LL + 2k                      tidyLPA: the same.
    ``bic``     -2LL + k ln n                  tidyLPA: the same formula, lower is better.
                                               mclust: 2LL - k ln n, higher is better (= -bic).
    ``sabic``   -2LL + k ln((n + 2) / 24)      tidyLPA: the same ("aBIC" in Mplus).
    ``caic``    -2LL + k (ln n + 1)            tidyLPA: the same.
    ``awe``     -2LL + 2k (ln n + 1.5)         Masyn's (2013) form; Mplus prints no AWE. tidyLPA:
                                               -2(LL + E) + 2k(3/2 + ln n) with E its relative
                                               entropy column, i.e. ``awe - 2 * entropy``, lower
                                               is better. Banfield and Raftery (1993) put the
                                               classification log-likelihood for LL, i.e.
                                               ``awe + 2 EN``. mclust: no AWE.
    ``icl``     BIC - 2 sum_i ln max_k z_ik    Biernacki, Celeux and Govaert's (2000) ICL with
                                               the modal assignment. mclust ``icl()``: its BIC +
                                               2 sum_i ln max_k z_ik = -icl, higher is better.
                                               tidyLPA: -BIC + 2 sum_i ln(max_k z_ik + 1e-12) =
                                               -icl, higher is better. Not the entropy form
                                               BIC + 2 EN (McLachlan and Peel 2000), which is
                                               ``clc + k ln n``.
    ``clc``     -2LL + 2 EN                    Biernacki and Govaert's (1997) classification
                                               likelihood criterion; EN = 0 (CLC = -2LL) at K = 1.
                                               tidyLPA: -2LL + 2E with E its relative entropy
                                               (between 0 and 1), not EN, so its CLC is within 2
                                               of -2LL; it equals ``-2 * log_lik + 2 * entropy``
                                               here. mclust: no CLC.
    ``kic``     -2LL + 3 (k + 1)               Cavanaugh's (1999) KIC; tidyLPA: the same.
                                               mclust: no KIC.
    ==========  =============================  ==================================================

    tidyLPA's mclust back end counts d(d - 1) covariance terms per covariance matrix, not
    d(d - 1)/2, so its k, and every criterion above that uses k, differ from the toolkit's for
    models 3 and 6; its Mplus back end takes Mplus's count, which is the toolkit's. ``entropy``
    is the relative entropy 1 - EN / (n ln K) (Mplus's and tidyLPA's "Entropy", 1 when K = 1);
    ``prob_min``/``prob_max`` and ``n_min``/``n_max`` as in :func:`classification_indices`.
    :meth:`ProfileResults.recommend` reads BIC and SABIC (and the BLRT and VLMR when
    computed), not AWE, ICL, CLC or KIC.

    References
    ----------
    .. [1] Biernacki, C., & Govaert, G. (1997). Using the classification likelihood to choose
       the number of clusters. Computing Science and Statistics, 29, 451-457.
    .. [2] Biernacki, C., Celeux, G., & Govaert, G. (2000). Assessing a mixture model for
       clustering with the integrated completed likelihood. IEEE TPAMI, 22, 719-725.
    .. [3] Cavanaugh, J. E. (1999). A large-sample model selection criterion based on
       Kullback's symmetric divergence. Statistics & Probability Letters, 42, 333-343.
    .. [4] Masyn, K. E. (2013). Latent class analysis and finite mixture modeling. In The Oxford
       Handbook of Quantitative Methods (Vol. 2, pp. 551-611).

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
    ks, ms = check_grid(n_profiles, models)
    frame = as_score_frame(data, columns)
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
    # the longest chains first, so that parallel workers finish together (longest processing
    # time first); the results do not depend on the order
    by_cost = sorted(ms, key=CHAIN_COST_ORDER.index)
    jobs = (delayed(_fit_chain)(X, cols, m, ks, base, n_starts, n_final) for m in by_cost)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    chains = dict(zip(by_cost, _progress(parallel(jobs), len(ms), progress, "profiles")))
    fitted = [chains[m][k] for m, k in cells]
    models_ = {}
    rows, diag = [], []
    not_replicated, degenerate, not_converged, failed = [], [], [], []
    for (m, k), (lpm, caught) in zip(cells, fitted):
        cats = {c for c, _ in caught}
        if lpm is None:
            failed.append(f"model {m} K={k} ({caught[0][1]})")
            rows.append({"model": m, "n_profiles": k, "n_parameters": np.nan, "replicated": False})
            diag.append({"model": m, "n_profiles": k, "converged": False, "degenerate": False, "n_rejected_starts": np.nan,
                         "n_iter": np.nan, "warnings": "; ".join(msg for _, msg in caught)})
            continue
        models_[(m, k)] = lpm
        rows.append(_fit_row(m, k, lpm, frame))
        diag.append({"model": m, "n_profiles": k, "converged": bool(lpm.converged_),
                     "degenerate": bool(lpm.degenerate_),
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
        chain_models = {(m, k): lpm for m in ms for k, (lpm, _) in chains[m].items() if lpm is not None}
        lrt_table = _grid_lrt(
            frame, models_, chain_models, cells, blrt=blrt, vlmr=vlmr, n_bootstrap=n_bootstrap,
            base_seed=base, n_jobs=n_jobs, progress=progress,
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


# ---------------------------------------------------------------------------------------------
# Likelihood-ratio tests over the grid
# ---------------------------------------------------------------------------------------------
def _grid_lrt(frame, models, chain_models, cells, *, blrt, vlmr, n_bootstrap, base_seed, n_jobs, progress):
    """Tests of K-1 vs K for every cell with K > 1 (the K - 1 fit from the cell's chain).

    The bootstrap runs on every core unless ``n_jobs`` says otherwise.
    """
    X = frame.to_numpy(dtype=float)
    out = {}
    for m, k in cells:
        if k < 2 or (m, k) not in models:
            continue
        null = chain_models.get((m, k - 1))  # the chain fits every K - 1, also those not asked for
        if null is None or null.degenerate_:
            continue
        alt = models[(m, k)]
        row = {"statistic": 2.0 * (alt.log_likelihood_ - null.log_likelihood_)}
        if blrt:
            seed = _cell_seed(base_seed + 1, m, k)
            res = bootstrap_lrt(X, null, alt, n_bootstrap=n_bootstrap, random_state=seed,
                                n_jobs=-1 if n_jobs is None else n_jobs, progress=progress)
            row["blrt_p"] = res.p_value
            row["n_bootstrap"] = n_bootstrap
        if vlmr:
            try:
                res = vlmr_test(X, null, alt)
                row["vlmr_p"] = res.p_value
                row["lmr_p"] = res.adjusted_p_value
                row["lmr_statistic"] = res.adjusted_statistic
                row["vlmr_log_p"] = res.log_p_value
                row["lmr_log_p"] = res.adjusted_log_p_value
            except np.linalg.LinAlgError:
                row["vlmr_p"] = row["lmr_p"] = row["lmr_statistic"] = np.nan
                row["vlmr_log_p"] = row["lmr_log_p"] = np.nan
        out[(m, k)] = row
    return out

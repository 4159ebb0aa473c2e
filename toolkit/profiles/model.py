"""The latent profile model: a Gaussian mixture with tidyLPA's six covariance structures,
fitted by full-information maximum likelihood with many random starts."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _em, _guard, _structure
from ._criteria import information_criteria
from ._search import (
    ACCELERATE,
    ORIGINS,
    SPLIT_STARTS,
    _MAX_BATCH_ELEMENTS,
    _replication_tol,
    _run_chunks,
    _top_two_origins,
    search,
)
from ._threads import one_blas_thread

__all__ = [
    "LatentProfileModel",
    "ReplicationWarning",
    "DegenerateSolutionWarning",
    "MODEL_NAMES",
]

#: tidyLPA's numbering of the covariance structures (mclust names where they exist).
MODEL_NAMES = {
    1: "equal variances, zero covariances (EEI)",
    2: "varying variances, zero covariances (VVI)",
    3: "equal variances, equal covariances (EEE)",
    4: "varying variances, equal covariances",
    5: "equal variances, varying covariances",
    6: "varying variances, varying covariances (VVV)",
}

# Degeneracy guard. A profile is "collapsed" when the smallest eigenvalue of its covariance,
# expressed in units of the data's variances (the covariance of the standardised variables),
# falls below EIG_TOL: on heaped Likert data a profile can sit on a few identical answers and
# drive the likelihood to +infinity. 1e-4 means a standard deviation of 1% of the variable's SD
# along some direction. On pisaUSA15 (n=488) model 6 with K=3 collapses (LL > +2600) without the
# guard and reaches Mplus's -1885.73 with it.
EIG_TOL = 1e-4
# Variance floor relative to the item scale: a profile in which a variable's variance is under
# VAR_FLOOR times its variance in the data is spurious (a profile sitting on a heap of equal
# answers). See Notes of LatentProfileModel for how the value was chosen.
VAR_FLOOR = 1e-2
# Very large data: the random starts (short EM and full convergence of the best n_final) run on
# a random subsample of SUBSAMPLE_SIZE rows; the best two of them (the best, and the
# best of another origin) are then converged on all rows. Above SUBSAMPLE_ABOVE rows only.
SUBSAMPLE_ABOVE = 200_000
SUBSAMPLE_SIZE = 50_000



class ReplicationWarning(UserWarning):
    """The best log-likelihood was reached by only one of the final starts."""


class DegenerateSolutionWarning(UserWarning):
    """Every start ended in a collapsed profile; the returned solution is degenerate."""


def _check_int(name, value, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{name}={value!r} should be an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value} should be >= {minimum}")


class LatentProfileModel(DensityMixin, BaseEstimator):
    """Latent profile analysis: a Gaussian mixture with tidyLPA's covariance structures.

    Missing values are handled by full-information maximum likelihood (FIML), as in Mplus:
    each case contributes the marginal density of its observed values. Estimation uses many
    random starts, a short EM on each and full convergence of the best few ("starts = 500 100"
    in Mplus), and rejects degenerate solutions (collapsed or empty profiles).

    Parameters
    ----------
    n_profiles : int, default=3
        Number of profiles K.
    model : {1, 2, 3, 4, 5, 6}, default=1
        Covariance structure, tidyLPA's numbering: 1 equal variances, zero covariances (EEI);
        2 varying variances, zero covariances (VVI); 3 equal variances, equal covariances (EEE);
        4 varying variances, equal covariances (each profile its own variances, covariances
        shared across profiles, as Mplus/tidyLPA); 5 equal variances, varying covariances
        (variances shared, covariances per profile); 6 varying variances and covariances (VVV).
    n_starts : int, default=50
        Number of random starts (half k-means++ seeds, half random partitions). With
        ``n_starts > 1`` and K >= 2, K - 1 split starts are added (see Notes).
    n_final : int, default=10
        Number of best starts run to full convergence.
    short_iter : int, default=20
        EM iterations per round of the start phase: every start gets ``short_iter``
        iterations, then the better half (best k-means++ and best random-partition starts
        alternately) another ``short_iter``, and so on while the better half is more than
        ``n_final`` starts (successive halving); the ``n_final`` best then run to convergence.
    max_iter : int, default=2000
        Maximum EM iterations of a final start.
    tol : float, default=1e-8
        Convergence when ``|LL_t - LL_{t-1}| <= tol * max(1, |LL_t|)``.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance matrix (numerical floor).
    random_state : int, RandomState instance or None, default=None
        Seed of the starts (and of :meth:`sample`).
    init_params : dict or None, default=None
        Optional warm start with keys ``"weights"`` (K,), ``"means"`` (K, d) and
        ``"covariances"`` (K, d, d); it is always one of the final starts (used, for example, by
        the bootstrap likelihood-ratio test).

    Attributes
    ----------
    weights_ : ndarray of shape (n_profiles,)
        Profile proportions, in decreasing order.
    means_ : ndarray of shape (n_profiles, n_features)
    covariances_ : ndarray of shape (n_profiles, n_features, n_features)
        Full matrices for every model (diagonal for models 1 and 2).
    log_likelihood_ : float
        Maximised (weighted) log-likelihood on the training data.
    n_parameters_ : int
        Exact number of free parameters (see Notes).
    n_iter_ : int
        EM iterations of the best start (short phase + final phase).
    converged_ : bool
    replicated_ : bool
        Whether the best log-likelihood was reached, after full convergence, by at least two
        starts of different kinds (:data:`ORIGINS`) within 0.01 (or within ``10 * tol * |LL|``
        when that is larger, i.e. on very large data). Always True with one profile.
    replicated_origins_ : tuple of str
        The kinds of start that reached the best log-likelihood.
    start_origins_ : tuple of str
        Kind of each converged start, in the order of ``start_log_likelihoods_``.
    n_starts_run_ : int
        Random starts drawn in all (``n_starts``, more when the search was widened; one with
        one profile, whose starts would all be the same partition).
    n_rejected_starts_ : int
        Starts rejected as spurious (collapsed covariance, a variance under the floor, or a
        profile smaller than its free parameters allow; see Notes).
    degenerate_ : bool
        True when every start was rejected: the solution returned (the best start at the
        moment it collapsed) is degenerate and should not be interpreted; a
        :class:`DegenerateSolutionWarning` is issued.
    start_log_likelihoods_ : ndarray
        Final log-likelihoods of the non-rejected final starts, in decreasing order.
    n_samples_fit_ : int
        Rows used in the fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X is a DataFrame with string column names.

    Notes
    -----
    The density is :math:`f(x) = \\sum_k \\pi_k \\phi(x; \\mu_k, \\Sigma_k)`. With missing
    values, a case with observed coordinates O contributes
    :math:`\\log \\sum_k \\pi_k \\phi(x_O; \\mu_{k,O}, \\Sigma_{k,OO})`.
    EM uses the expected complete-data sufficient statistics: the conditional mean
    :math:`\\mu_{k,M} + \\Sigma_{k,MO}\\Sigma_{k,OO}^{-1}(x_O - \\mu_{k,O})` and covariance
    :math:`\\Sigma_{k,MM} - \\Sigma_{k,MO}\\Sigma_{k,OO}^{-1}\\Sigma_{k,OM}` of the missing
    values. Models 4 and 5 use a generalised M-step (Fisher scoring for linear covariance
    structures with step halving), which never decreases the log-likelihood.

    Free parameters: :math:`(K-1) + Kd` plus, for the covariances, model 1: :math:`d`;
    2: :math:`Kd`; 3: :math:`d(d+1)/2`; 4: :math:`Kd + d(d-1)/2`;
    5: :math:`d + K d(d-1)/2`; 6: :math:`K d(d+1)/2`.

    The search. For K >= 2, besides the ``n_starts`` random starts (k-means++ seeds and random
    partitions, ranked by successive halving), these starts are always run to convergence:
    one-variable partitions (a one-dimensional k-means of each variable in turn), a Ward
    partition (Ward's hierarchical clustering of the standardised rows cut at K groups; grown
    on 2,000 of them above 2,000 rows) and split starts (the K - 1 solution, fitted here with
    the same settings or passed in by :func:`~toolkit.profiles.fit_profiles`, with each of its
    profiles in turn split along its principal axis in units of the variables' standard
    deviations; none when that solution is degenerate).
    When the best log-likelihood is not reached by two converged starts of different kinds,
    ``n_starts`` more random starts are run (at most twice) before a
    :class:`ReplicationWarning` is issued. On pisaUSA15 rows 1-500 (the Mplus table of
    ``shared/data/README.md``), every one of the 16 Mplus cells is reached with the defaults
    for every ``random_state`` 0..9 (160 of 160; 154 before these starts and the widening).

    Spurious solutions. A start is rejected when a profile's covariance has an eigenvalue below
    ``1e-4`` in units of the data's variances (a collapsed profile), when a variable's variance
    in a profile is below ``0.01`` times its variance in the data (its SD under a tenth of the
    variable's SD: a profile sitting on a heap of equal answers), or when a profile's expected
    count is below its own free parameters plus one (means and own covariance terms: ``d + 1``
    for models 1 and 3, ``2d + 1`` for 2 and 4, ``d + d(d-1)/2 + 1`` for 5,
    ``d + d(d+1)/2 + 1`` for 6). The floor was chosen on outside data: the Mplus solutions of
    pisaUSA15 have every variance ratio above 0.019, while on R's ``faithful`` data the VVV
    solutions with K = 3..6 put 7 to 35 eruptions on heaped values with variance ratios
    0.002-0.004.

    Above 200,000 rows the starts run on a random subsample of 50,000 rows and the two best
    are then converged on all rows (``replicated_`` then compares those two).

    Profiles are ordered by decreasing weight (ties by decreasing mean over variables), so the
    same data and seed give the same labels.

    References
    ----------
    .. [1] Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from
       incomplete data via the EM algorithm. JRSS B, 39, 1-38.
    .. [2] Little, R. J. A., & Rubin, D. B. (2002). Statistical Analysis with Missing Data.
    .. [3] Anderson, T. W. (1973). Asymptotically efficient estimation of covariance matrices
       with linear structure. Annals of Statistics, 1, 135-141.
    .. [4] Rosenberg, J. M., et al. (2018). tidyLPA: An R package to easily carry out latent
       profile analysis. Journal of Open Source Software, 3(30), 978.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(4, 1, (50, 2))])
    >>> X[0, 1] = np.nan
    >>> lpm = LatentProfileModel(n_profiles=2, model=1, random_state=0).fit(X)
    >>> lpm.means_.round(0) + 0.0
    array([[0., 0.],
           [4., 4.]])
    >>> lpm.weights_.round(2)
    array([0.67, 0.33])
    >>> lpm.predict_proba(X).shape
    (150, 2)
    >>> lpm.n_parameters_
    7
    """

    def __init__(
        self,
        n_profiles=3,
        *,
        model=1,
        n_starts=50,
        n_final=10,
        short_iter=20,
        max_iter=2000,
        tol=1e-8,
        reg_covar=1e-6,
        random_state=None,
        init_params=None,
    ):
        self.n_profiles = n_profiles
        self.model = model
        self.n_starts = n_starts
        self.n_final = n_final
        self.short_iter = short_iter
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.random_state = random_state
        self.init_params = init_params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------------------ checks
    def _check_parameters(self):
        _check_int("n_profiles", self.n_profiles, 1)
        if self.model not in (1, 2, 3, 4, 5, 6) or isinstance(self.model, bool):
            raise ValueError(f"model={self.model!r} should be one of 1, 2, 3, 4, 5, 6 (tidyLPA)")
        _check_int("n_starts", self.n_starts, 1)
        _check_int("n_final", self.n_final, 1)
        _check_int("short_iter", self.short_iter, 0)
        _check_int("max_iter", self.max_iter, 1)
        if not isinstance(self.tol, numbers.Real) or not self.tol > 0:
            raise ValueError(f"tol={self.tol!r} should be a number > 0")
        if not isinstance(self.reg_covar, numbers.Real) or not self.reg_covar >= 0:
            raise ValueError(f"reg_covar={self.reg_covar!r} should be a number >= 0")

    def _validate_X(self, X, reset):
        X = validate_data(
            self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan"
        )
        empty = np.flatnonzero(np.isnan(X).all(axis=1))
        if empty.size:
            shown = ", ".join(str(i) for i in empty[:10]) + (", ..." if empty.size > 10 else "")
            raise ValueError(
                f"{empty.size} row(s) have every value missing (row positions {shown}); "
                "they carry no information and cannot be scored: drop them before fitting "
                "(fit_profiles drops them and records them as excluded)"
            )
        return X

    # ------------------------------------------------------------------------------ fit
    def fit(self, X, y=None, sample_weight=None):
        """Estimate the model by FIML with many random starts.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            May contain NaN; rows with every value missing raise a ValueError.
        y : None
            Ignored (scikit-learn convention).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative case weights (frequency weights).

        Returns
        -------
        self : LatentProfileModel
        """
        # The products here are small (d columns, K*S components), for which one BLAS thread
        # is faster than several; it also avoids oversubscription when fits run in parallel.
        with one_blas_thread():
            return self._fit(X, sample_weight)

    def _fit(self, X, sample_weight, split_starts=None, parent=None):
        self._check_parameters()
        if split_starts is None:
            split_starts = SPLIT_STARTS
        X = self._validate_X(X, reset=True)
        n, d = X.shape
        K = self.n_profiles
        if n < K:
            raise ValueError(f"n_samples={n} should be >= n_profiles={K}")
        w = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if not w.sum() > 0:
            raise ValueError("sample_weight sums to 0; at least one case needs a positive weight")
        nobs = (~np.isnan(X) * (w[:, None] > 0)).sum(0)
        if (nobs == 0).any():
            j = int(np.flatnonzero(nobs == 0)[0])
            raise ValueError(f"column {j} has no observed values; drop it before fitting")
        rng = check_random_state(self.random_state)

        mask = ~np.isnan(X)
        wm = w[:, None] * mask
        center = (wm * np.where(mask, X, 0.0)).sum(0) / wm.sum(0)
        dev = np.where(mask, X - center, 0.0)
        scale = (wm * dev**2).sum(0) / wm.sum(0)
        scale = np.where(scale > 0, scale, 1.0)
        model = self.model
        if d == 1 and model in (4, 5):
            model = {4: 2, 5: 1}[model]  # no covariances: the same model
        diagonal = model in _em.DIAGONAL_MODELS
        min_count = _guard.min_profile_count(model, d)
        opts = dict(
            model=model,
            tol=float(self.tol),
            reg_covar=float(self.reg_covar),
            scale=scale,
            eig_tol=EIG_TOL,
            min_count=min_count,
            var_floor=VAR_FLOOR,
        )

        big = n > SUBSAMPLE_ABOVE
        if big:
            sub = np.sort(rng.choice(n, size=SUBSAMPLE_SIZE, replace=False))
            Xs, ws = X[sub], w[sub]
            opts_s = dict(opts, min_count=min_count * SUBSAMPLE_SIZE / n)
        else:
            Xs, ws, opts_s = X, w, opts
        data_s = _em.PreparedData(Xs, ws, center, diagonal)

        # ---- the search (see Notes): random starts by successive halving, the deterministic
        # starts always converged, widened while the best optimum is not replicated
        found = search(self, data_s, Xs, ws, center, scale, K, model, diagonal, rng, opts_s,
                       split_starts, parent)
        fw, fm, fc, fll, fit_iter, fconv, fdeg, forigin = found["final"]
        n_rejected = found["n_rejected"]
        if big:
            good = np.flatnonzero(~fdeg)
            pool = good if good.size else np.arange(fll.size)
            top = _top_two_origins(fll[pool], forigin[pool], pool)
            data = _em.PreparedData(X, w, center, diagonal)
            res = _run_chunks(
                data,
                (fw[top], fm[top], fc[top]),
                max(1, _MAX_BATCH_ELEMENTS // (n * K)),
                max_iter=self.max_iter,
                accelerate=ACCELERATE,
                **opts,
            )
            fw, fm, fc, fll, it2, fconv, fdeg2 = res
            fit_iter = fit_iter[top] + it2
            forigin = forigin[top]
            n_rejected += int(fdeg2.sum())
            fdeg = fdeg2

        good = np.flatnonzero(~fdeg)
        all_degenerate = good.size == 0
        if all_degenerate:
            good = np.arange(fll.size)
        best = good[np.argmax(fll[good])]
        best_ll = float(fll[best])
        by_ll = good[np.argsort(-fll[good], kind="stable")]
        finals = fll[by_ll]
        rep_tol = _replication_tol(best_ll, self.tol)
        at_best = by_ll[np.abs(fll[by_ll] - best_ll) <= rep_tol]
        origins_at_best = sorted({int(o) for o in forigin[at_best]})
        replicated = at_best.size >= 2 and len(origins_at_best) >= 2
        if K == 1:
            replicated = True  # one profile: a single maximum in closed form
        order = _profile_order(fw[best], fm[best])
        self.weights_ = fw[best][order].copy()
        self.means_ = fm[best][order] + center
        self.covariances_ = fc[best][order].copy()
        self.log_likelihood_ = best_ll
        self.n_parameters_ = _structure.n_parameters(self.model, K, d)
        self.n_iter_ = int(fit_iter[best])
        self.converged_ = bool(fconv[best])
        self.replicated_ = bool(replicated)
        self.n_rejected_starts_ = n_rejected
        self.degenerate_ = bool(all_degenerate)
        self.start_log_likelihoods_ = finals
        self.start_origins_ = tuple(ORIGINS[int(o)] for o in forigin[by_ll])
        self.replicated_origins_ = tuple(ORIGINS[o] for o in origins_at_best)
        self.n_starts_run_ = int(found["n_starts_run"])
        self.n_samples_fit_ = n
        S = int(found["n_starts_total"])

        if all_degenerate:
            warnings.warn(
                f"every start of model {self.model} with {K} profiles ended in a collapsed or "
                f"empty profile ({n_rejected} of {S} starts rejected); the solution returned is "
                "degenerate (degenerate_=True) and should not be interpreted. Use fewer profiles "
                "or a model with shared covariances.",
                DegenerateSolutionWarning,
                stacklevel=3,
            )
        if not self.converged_ and not all_degenerate:
            warnings.warn(
                f"the best start did not converge in max_iter={self.max_iter} iterations "
                f"(model {self.model}, {K} profiles); increase max_iter or tol",
                ConvergenceWarning,
                stacklevel=3,
            )
        if K > 1 and not self.replicated_ and not all_degenerate:
            n_at = int(at_best.size)
            warnings.warn(
                f"the best log-likelihood {best_ll:.3f} (model {self.model}, {K} profiles) was "
                f"reached by {n_at} of {finals.size} converged starts, from "
                f"{len(origins_at_best)} kind(s) of start ({', '.join(self.replicated_origins_)}), "
                f"after {self.n_starts_run_} random starts (the search was widened "
                f"{found['n_widened']} time(s)); a replicated optimum needs two starts of "
                "different kinds. It may be a local optimum: increase n_starts (CLI option "
                "--n-starts).",
                ReplicationWarning,
                stacklevel=3,
            )
        return self

    def _clone_for(self, K):
        """Same settings with K profiles, no warm start; the same seed when random_state is an
        int (so the parent is the fit a user gets with K profiles), else one drawn from it."""
        rs = check_random_state(self.random_state)
        seed = int(rs.randint(np.iinfo(np.int32).max)) if not isinstance(
            self.random_state, numbers.Integral) else self.random_state
        return LatentProfileModel(
            K, model=self.model, n_starts=self.n_starts, n_final=self.n_final,
            short_iter=self.short_iter, max_iter=self.max_iter, tol=self.tol,
            reg_covar=self.reg_covar, random_state=seed,
        )

    # ------------------------------------------------------------------------------ predict
    def _posterior(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        center = self.weights_ @ self.means_
        diagonal = self.model in _em.DIAGONAL_MODELS
        data = _em.PreparedData(X, np.ones(X.shape[0]), center, diagonal)
        resp, row_ll, _ = _em.e_step(
            data, self.weights_[None], (self.means_ - center)[None], self.covariances_[None]
        )
        return data.unsort(resp[:, 0, :].T), data.unsort(row_ll[0])

    def predict_proba(self, X):
        """Posterior profile probabilities from each row's observed values (FIML).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            May contain NaN (not in every column of a row).

        Returns
        -------
        ndarray of shape (n_samples, n_profiles)
            Rows sum to 1. This is the posterior matrix used for entropy, ICL and the
            classification diagnostics.
        """
        return self._posterior(X)[0]

    def predict(self, X):
        """Most likely profile (0-based, in the fitted order) of each row."""
        return self.predict_proba(X).argmax(axis=1)

    def score_samples(self, X):
        """Log-likelihood of each row's observed values, shape (n_samples,)."""
        return self._posterior(X)[1]

    def score(self, X, y=None):
        """Mean log-likelihood per row."""
        return float(self.score_samples(X).mean())

    def bic(self, X):
        """Bayesian information criterion on X: ``-2 LL + k ln n``."""
        ll = self.score_samples(X).sum()
        return information_criteria(ll, self.n_parameters_, len(X))["bic"]

    def aic(self, X):
        """Akaike information criterion on X: ``-2 LL + 2k``."""
        ll = self.score_samples(X).sum()
        return information_criteria(ll, self.n_parameters_, len(X))["aic"]

    def sample(self, n_samples=1):
        """Draw complete data from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            Profile (0-based) of each drawn row.
        """
        check_is_fitted(self)
        _check_int("n_samples", n_samples, 1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        X = np.vstack(
            [
                rng.multivariate_normal(m, c, int(k))
                for m, c, k in zip(self.means_, self.covariances_, counts)
            ]
        )
        labels = np.repeat(np.arange(self.n_profiles), counts)
        return X, labels


def _profile_order(weights, means):
    """Profiles by decreasing weight; ties (to 1e-10) by decreasing mean over variables."""
    return np.lexsort((-means.mean(axis=1), -np.round(weights, 10)))



"""Full-information maximum-likelihood EM for Gaussian mixtures with tidyLPA's six models.

Why hand-written numerics: no Python library fits Gaussian mixtures by full-information
maximum likelihood (missing values integrated out case by case), and none offers tidyLPA's
models 1 (EEI), 4 (varying variances, equal covariances) and 5 (equal variances, varying
covariances). scikit-learn's ``GaussianMixture`` needs complete data and has no EEI, 4 or 5;
StepMix has no 1, 4 or 5. This module therefore implements the E- and M-steps directly.

Design for speed
----------------
* Many random starts are fitted *at once*: the starts are stacked along a component axis of
  length ``K * S`` (K profiles, S starts), so one EM iteration for all starts is a handful of
  matrix products over the data, not a Python loop over starts or cases. Arrays over rows are
  component-major, ``(K, S, n)``, so the log-sum-exp over profiles combines long contiguous
  blocks.
* Each row is expanded once into a small "design" row: ``[upper triangle of x x^T, x, 1]``
  (zeros for missing values). The log-density of every row under every component is then a
  single product of this design matrix with a per-component coefficient matrix, and the
  M-step moments are a single product of the responsibilities with it.
* Rows are grouped by missingness pattern (sorted once, so each pattern is a contiguous
  block). For a pattern with observed set O, the inverses of Sigma_OO for all patterns and
  components come from one batched inversion, and the conditional means and covariances of
  the missing values (standard FIML EM, Little and Rubin 2002, ch. 8 and 11) are applied to
  the small per-component moment sums, never per case.
* The short EM that ranks random starts (successive halving) runs on a single-precision copy
  of the design (:meth:`PreparedData.single`): on 2,800 rows this halves its time, and the
  benchmark grids end at the same fits; every start that is kept is converged in double
  precision.
* Diagonal models (1, 2) use a masked design ``[x^2, x, observed indicator]``: with a diagonal
  covariance the marginal density of the observed values is a product over observed
  coordinates, so missing values need no pattern loop at all.

Models 4 and 5 have no closed-form M-step: their M-step is the Fisher-scoring update of
:func:`toolkit.profiles._structure.scoring_update` over the one covariance basis of the six
models (:func:`toolkit.profiles._structure.covariance_basis`). This is a generalised EM
(Dempster, Laird and Rubin 1977): each iteration never decreases the observed-data
log-likelihood.

References
----------
.. [1] Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
   data via the EM algorithm. JRSS B, 39, 1-38.
.. [2] Little, R. J. A., & Rubin, D. B. (2002). Statistical Analysis with Missing Data (2nd ed.).
.. [3] Anderson, T. W. (1973). Asymptotically efficient estimation of covariance matrices with
   linear structure. Annals of Statistics, 1, 135-141.
"""

from __future__ import annotations

import copy

import numpy as np

from ._guard import degenerate_starts
from ._structure import covariance_basis, scoring_update

LOG_2PI = float(np.log(2.0 * np.pi))

DIAGONAL_MODELS = (1, 2)
SHARED_COVARIANCE_MODELS = (1, 3)


class PreparedData:
    """Data laid out for the EM: centred, rows sorted by missingness pattern.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Data with NaN for missing values; no row may be entirely missing.
    sample_weight : ndarray of shape (n,)
    center : ndarray of shape (d,)
        Subtracted from X (the column means of the observed values), which improves the
        conditioning of the second moments and makes "NaN -> 0" a mean imputation.
    diagonal : bool
        Prepare the masked path of the diagonal models instead of the pattern path.
    """

    def __init__(self, X, sample_weight, center, diagonal):
        X = np.asarray(X, dtype=float)
        n, d = X.shape
        self.n, self.d = n, d
        self.diagonal = diagonal
        mask = ~np.isnan(X)
        # sort rows by pattern so every pattern is a contiguous slice
        codes = mask.astype(np.int64) @ (1 << np.arange(d, dtype=np.int64))
        self.order = np.argsort(-codes, kind="stable")
        X = X[self.order] - center
        mask = mask[self.order]
        codes = codes[self.order]
        self.w = np.asarray(sample_weight, dtype=float)[self.order]
        self.complete = bool(mask.all())
        self.unit_weights = bool(np.all(self.w == 1.0))
        X0 = np.where(mask, X, 0.0)
        # One "design" matrix per path, so that each E-step log-density and each set of
        # M-step moments is a single matrix product (see component_log_density).
        iu, ju = np.triu_indices(d)
        self.triu = (iu, ju)
        self.triu_weight = np.where(iu == ju, 1.0, 2.0)
        if diagonal:
            # [x0^2, x0, observed indicator]  (complete data: a single column of ones)
            last = np.ones((n, 1)) if self.complete else mask.astype(float)
            self.Z = np.hstack([X0 * X0, X0, last])
            self.slices = [slice(0, n)]
        else:
            # [upper triangle of x0 x0^T, x0, 1]
            self.Z = np.hstack([X0[:, iu] * X0[:, ju], X0, np.ones((n, 1))])
            bounds = np.flatnonzero(np.diff(codes)) + 1
            starts = np.concatenate([[0], bounds])
            stops = np.concatenate([bounds, [n]])
            self.slices = [slice(int(a), int(b)) for a, b in zip(starts, stops)]
            self.obs = mask[starts].astype(float)  # (P, d) observed-coordinate indicators
            self.n_obs = self.obs.sum(1)
        self.ZT = np.ascontiguousarray(self.Z.T)

    def single(self):
        """The same data with the design in single precision, for ranking starts.

        The E-step's products, exponentials and logarithms then run in float32 (about twice as
        fast on data of thousands of rows), the M-step's moments are summed in float32 and
        everything after them is float64. Log-likelihoods agree with double precision to
        1e-8 to 2e-7 relative (at most 5e-4 in all on the benchmark sets and the sample, from
        random partitions): enough to rank starts, whose differences that matter are 0.01 and
        more, not to decide convergence at ``tol=1e-8``, so only the short EM of successive
        halving uses it. Values too large for float32 (squares
        above 3e38) keep double precision.
        """
        with np.errstate(over="ignore"):
            Z = self.Z.astype(np.float32)
        if not np.isfinite(Z).all():
            return self
        out = copy.copy(self)
        out.Z = Z
        out.ZT = np.ascontiguousarray(Z.T)
        return out

    def unsort(self, rows):
        """Put the rows (first axis) back in the caller's order."""
        out = np.empty_like(rows)
        out[self.order] = rows
        return out


# ---------------------------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------------------------
def component_log_density(data, means, covs):
    """Log marginal density of each row's observed values under each component.

    Parameters
    ----------
    data : PreparedData
    means : ndarray of shape (C, d)
    covs : ndarray of shape (C, d, d)

    Returns
    -------
    ndarray of shape (C, n)
        Component-major, so that reductions over profiles combine long contiguous rows.
    """
    C = means.shape[0]
    if data.diagonal:
        var = np.diagonal(covs, axis1=1, axis2=2)
        prec = 1.0 / var
        const = means * means * prec + np.log(var) + LOG_2PI  # (C, d)
        last = const.sum(1, keepdims=True) if data.complete else const
        W = np.hstack([prec, -2.0 * means * prec, last])
        W *= -0.5
        return W.astype(data.ZT.dtype, copy=False) @ data.ZT
    pq = pattern_quantities(data, means, covs)
    iu, ju = data.triu
    # x^T Q x over the upper triangle: off-diagonal terms count twice
    Qs = pq["Q"][:, :, iu, ju] * data.triu_weight
    const = pq["muQmu"] + pq["logdet"] + data.n_obs[:, None] * LOG_2PI  # (P, C)
    W = np.concatenate([Qs, -2.0 * pq["Qmu"], const[:, :, None]], axis=2)
    W *= -0.5
    W = W.astype(data.ZT.dtype, copy=False)
    if len(data.slices) == 1:
        return W[0] @ data.ZT
    out = np.empty((C, data.n), dtype=data.ZT.dtype)
    for p, sl in enumerate(data.slices):
        out[:, sl] = W[p] @ data.ZT[:, sl]
    return out


def pattern_quantities(data, means, covs, conditional=False):
    """Per-pattern, per-component inverses of the observed blocks (batched over patterns).

    For pattern p with observed indicator m, ``A = Sigma * m m^T + diag(1 - m)`` is block
    diagonal (after permutation) with blocks Sigma_OO and I, so ``det A = det Sigma_OO`` and
    ``Q = A^{-1} * m m^T`` is Sigma_OO^{-1} embedded in a d x d matrix of zeros. This lets all
    patterns and components share one batched inversion instead of a loop over patterns.

    With ``conditional=True`` also returns, in full d-dimensional coordinates, the regression of
    the missing on the observed values ``x_hat = a + G x0`` (``G = diag(m) + B``,
    ``B = diag(1-m) Sigma Q``, ``a = diag(1-m) mu - B mu``) and the conditional covariance
    ``Ccond = diag(1-m) (Sigma - Sigma Q Sigma) diag(1-m)``.
    """
    m = data.obs  # (P, d)
    d = m.shape[1]
    mm = m[:, :, None] * m[:, None, :]  # (P, d, d)
    # complete data (one pattern, every value observed): A = Sigma and Q = Sigma^-1
    A = covs[None] if data.complete else covs[None] * mm[:, None] + ((1.0 - m)[:, :, None] * np.eye(d))[:, None]
    sign, logdet = np.linalg.slogdet(A)
    logdet = np.where(sign > 0, logdet, np.inf)  # not positive definite: density 0
    Q = np.linalg.inv(A) if data.complete else np.linalg.inv(A) * mm[:, None]
    Qmu = np.einsum("pcij,cj->pci", Q, means)
    out = {"Q": Q, "Qmu": Qmu, "muQmu": np.einsum("ci,pci->pc", means, Qmu), "logdet": logdet}
    if conditional:
        miss = 1.0 - m
        SQ = covs[None] @ Q  # (P, C, d, d)
        B = miss[:, None, :, None] * SQ
        out["G"] = B + (m[:, :, None] * np.eye(d))[:, None]
        out["a"] = miss[:, None, :] * means[None] - np.einsum("pcij,cj->pci", B, means)
        miss2 = (miss[:, :, None] * miss[:, None, :])[:, None]
        out["Ccond"] = miss2 * (covs[None] - SQ @ covs[None])
    return out


def e_step(data, weights, means, covs):
    """Posterior responsibilities and log-likelihood for S stacked starts.

    Parameters
    ----------
    weights : ndarray of shape (S, K)
    means : ndarray of shape (S, K, d)
    covs : ndarray of shape (S, K, d, d)

    Returns
    -------
    resp : ndarray of shape (K, S, n)
        Posterior probabilities (rows in the prepared, pattern-sorted order). Profiles come
        first so that the reductions over profiles combine long contiguous blocks.
    row_ll : ndarray of shape (S, n)
        Per-row log-likelihood (unweighted).
    ll : ndarray of shape (S,)
        Weighted log-likelihood of each start.
    """
    S, K = weights.shape
    lp = component_log_density(data, _flat(means), _flat(covs))
    lp = lp.reshape(K, S, data.n)
    with np.errstate(divide="ignore"):
        lp += np.log(weights).T[:, :, None].astype(lp.dtype, copy=False)
    mx = lp.max(axis=0)
    mx[~np.isfinite(mx)] = 0.0
    lp -= mx
    np.exp(lp, out=lp)
    tot = lp.sum(axis=0)
    lp /= tot
    with np.errstate(divide="ignore"):
        row_ll = np.log(tot)
    row_ll += mx
    ll = row_ll @ data.w
    return lp, row_ll, ll


def _flat(a):
    """(S, K, ...) -> (K*S, ...), profile-major: the component order of the E-step."""
    return a.swapaxes(0, 1).reshape((-1,) + a.shape[2:])


def _unflat(a, S, K):
    """(K*S, ...) -> (S, K, ...)."""
    return a.reshape((K, S) + a.shape[1:]).swapaxes(0, 1)


# ---------------------------------------------------------------------------------------------
# M-step
# ---------------------------------------------------------------------------------------------
def sufficient_statistics(data, resp, means, covs):
    """Expected sufficient statistics of the complete data given the observed data.

    For a row with observed set O and missing set M, under component c the missing values have
    conditional mean ``a_c + B_c x_O`` (``B_c = Sigma_MO Sigma_OO^{-1}``,
    ``a_c = mu_M - B_c mu_O``) and conditional covariance ``Sigma_MM - B_c Sigma_OM``. The sums
    over rows of the expected ``x`` and ``x x^T`` are therefore functions of the weighted sums of
    ``x_O`` and ``x_O x_O^T``, computed as matrix products over each pattern's rows.

    Parameters
    ----------
    resp : ndarray of shape (K, S, n)
    means, covs : ndarrays of shape (S, K, d) and (S, K, d, d) (covs may be None for
        complete data)

    Returns
    -------
    N : ndarray of shape (S, K)
        Expected (weighted) counts.
    T1 : ndarray of shape (S, K, d)
        Sums of expected x.
    T2 : ndarray of shape (S, K, d, d) or (S, K, d) for diagonal data
        Sums of expected x x^T (only the diagonal for the diagonal path).
    """
    N, T1, T2 = _sufficient_statistics_flat(
        data, resp, _flat(means), None if covs is None else _flat(covs)
    )
    K, S = resp.shape[0], resp.shape[1]
    return _unflat(N, S, K), _unflat(T1, S, K), _unflat(T2, S, K)


def _sufficient_statistics_flat(data, resp, means, covs):
    n, d = data.n, data.d
    C = resp.shape[0] * resp.shape[1]
    R = resp.reshape(C, n)
    if not data.unit_weights:
        R = R * data.w.astype(R.dtype, copy=False)
    if data.diagonal:
        mom = (R @ data.Z).astype(float, copy=False)  # (C, 3d) or (C, 2d + 1)
        T2 = mom[:, :d].copy()
        T1 = mom[:, d : 2 * d].copy()
        if data.complete:
            N = mom[:, 2 * d]
        else:
            N = R.sum(1)
            miss = N[:, None] - mom[:, 2 * d :]  # expected count with the value missing
            var = np.diagonal(covs, axis1=1, axis2=2)
            T1 += means * miss
            T2 += (means * means + var) * miss
        return N, T1, T2
    iu, ju = data.triu
    P = len(data.slices)
    q = data.Z.shape[1]
    mom = np.empty((P, C, q), dtype=data.Z.dtype)
    for p, sl in enumerate(data.slices):
        np.matmul(R[:, sl], data.Z[sl], out=mom[p])
    mom = mom.astype(float, copy=False)
    n_p = mom[:, :, -1]
    m1 = mom[:, :, -1 - d : -1]
    m2 = np.empty((P, C, d, d))
    m2[:, :, iu, ju] = mom[:, :, : iu.size]
    m2[:, :, ju, iu] = mom[:, :, : iu.size]
    N = n_p.sum(0)
    if data.complete:
        return N, m1[0], m2[0]
    pq = pattern_quantities(data, means, covs, conditional=True)
    G, a = pq["G"], pq["a"]
    Gm1 = np.einsum("pcij,pcj->pci", G, m1)
    T1 = (n_p[:, :, None] * a + Gm1).sum(0)
    aGm1 = a[..., :, None] * Gm1[..., None, :]
    T2 = (
        n_p[:, :, None, None] * (a[..., :, None] * a[..., None, :] + pq["Ccond"])
        + aGm1
        + aGm1.transpose(0, 1, 3, 2)
        + G @ m2 @ G.transpose(0, 1, 3, 2)
    ).sum(0)
    return N, T1, T2


def m_step(data, resp, weights, means, covs, model, reg_covar, basis=None, n_scoring=2):
    """One (generalised) M-step for S stacked starts; returns new (weights, means, covs)."""
    S, K, d = means.shape
    Nk, T1, T2 = sufficient_statistics(data, resp, means, covs)
    Nsafe = np.maximum(Nk, 10.0 * np.finfo(float).tiny)
    new_means = T1 / Nsafe[..., None]
    new_weights = Nk / np.maximum(Nk.sum(1, keepdims=True), np.finfo(float).tiny)
    eye = np.eye(d)
    if data.diagonal:
        var = T2 / Nsafe[..., None] - new_means**2
        var = np.maximum(var, 0.0)
        if model == 1:
            pooled = (Nk[:, :, None] * var).sum(1) / np.maximum(Nk.sum(1), 1e-300)[:, None]
            var = np.broadcast_to(pooled[:, None, :], (S, K, d))
        var = var + reg_covar
        new_covs = var[..., None] * eye
        return new_weights, new_means, new_covs
    scatter = T2 / Nsafe[..., None, None] - new_means[..., :, None] * new_means[..., None, :]
    scatter = 0.5 * (scatter + scatter.swapaxes(-1, -2))
    if model == 6:
        new_covs = scatter + reg_covar * eye
    elif model == 3:
        pooled = (Nk[:, :, None, None] * scatter).sum(1) / np.maximum(Nk.sum(1), 1e-300)[
            :, None, None
        ]
        new_covs = np.broadcast_to(pooled[:, None] + reg_covar * eye, (S, K, d, d)).copy()
    else:  # 4 and 5: generalised M-step by Fisher scoring
        new_covs = scoring_update(covs, scatter + reg_covar * eye, Nk, basis, n_steps=n_scoring)
    return new_weights, new_means, new_covs


# ---------------------------------------------------------------------------------------------
# The EM driver
# ---------------------------------------------------------------------------------------------
def run_em(
    data,
    weights,
    means,
    covs,
    *,
    model,
    max_iter,
    tol,
    reg_covar,
    scale,
    eig_tol,
    min_count,
    var_floor=0.0,
    ll_init=None,
    trace=None,
    abandon_margin=None,
    accelerate=False,
):
    """Run (G)EM on S stacked starts until each converges, degenerates or hits ``max_iter``.

    With ``accelerate=True`` (and neither ``trace`` nor ``abandon_margin``), the iterations are
    SQUAREM cycles (:func:`run_squarem`): the same fixed points, reached in fewer steps.

    Convergence: ``|LL_t - LL_{t-1}| <= tol * max(1, |LL_t|)``. The returned parameters are
    those whose log-likelihood is returned (the last M-step is not applied after convergence).

    With ``abandon_margin``, a start is stopped early (neither converged nor degenerate) when
    its Aitken-extrapolated limit (Bohning et al. 1994; McNicholas et al. 2010)
    ``LL_t + (LL_t - LL_{t-1}) / (1 - a_t)``, ``a_t`` the ratio of successive increments, is
    more than ``abandon_margin`` below the best log-likelihood of any start so far. The
    extrapolation is used only while the increments shrink (``0 < a_t < 0.99`` for two
    iterations in a row), so a start that is still accelerating is never stopped. This saves
    the long, slow tails of starts that are heading for a clearly inferior local optimum.

    Returns
    -------
    weights, means, covs : the updated arrays (S, ...)
    ll : ndarray of shape (S,)
    n_iter : ndarray of shape (S,) of int
    converged : ndarray of shape (S,) of bool
    degenerate : ndarray of shape (S,) of bool
    """
    if accelerate and trace is None and abandon_margin is None:
        return run_squarem(data, weights, means, covs, model=model, max_iter=max_iter, tol=tol,
                           reg_covar=reg_covar, scale=scale, eig_tol=eig_tol, min_count=min_count,
                           var_floor=var_floor, ll_init=ll_init)
    weights, means, covs = weights.copy(), means.copy(), covs.copy()
    S, K, d = means.shape
    basis = covariance_basis(model, K, d) if model in (4, 5) else None
    ll = np.full(S, -np.inf) if ll_init is None else np.asarray(ll_init, dtype=float).copy()
    n_iter = np.zeros(S, dtype=int)
    converged = np.zeros(S, dtype=bool)
    degenerate = np.zeros(S, dtype=bool)
    total_weight = float(data.w.sum())
    active = np.arange(S)
    # The parameters of the active starts, compacted: written back to weights, means, covs
    # only when a start stops (on small data the driver's indexing around the E- and M-steps
    # was a quarter of a step; gathering and scattering every start on every step was most of
    # it, and the grids got about 5% faster without it)
    wa, ma, ca = weights, means, covs
    inc = np.full(S, np.nan)  # last increment
    ratio_ok = np.zeros(S, dtype=int)  # consecutive iterations with a shrinking increment
    for it in range(max_iter + 1):
        if active.size == 0:
            break
        resp, _row_ll, ll_a = e_step(data, wa, ma, ca)
        prev = ll[active]
        with np.errstate(invalid="ignore"):
            done = np.abs(ll_a - prev) <= tol * np.maximum(1.0, np.abs(ll_a))
        ll[active] = ll_a
        if abandon_margin is not None and it >= 2:
            with np.errstate(invalid="ignore", divide="ignore"):
                new_inc = ll_a - prev
                a = new_inc / inc[active]
                shrinking = (a > 0) & (a < 0.99)
                ratio_ok[active] = np.where(shrinking, ratio_ok[active] + 1, 0)
                limit = ll_a + new_inc / (1.0 - a)
                ok = np.isfinite(ll) & ~degenerate
                best = np.max(ll[ok]) if ok.any() else -np.inf
                hopeless = (ratio_ok[active] >= 2) & (limit < best - abandon_margin)
            inc[active] = new_inc
        else:
            inc[active] = ll_a - prev
            hopeless = np.zeros_like(done)
        if trace is not None:
            trace.append((active.copy(), ll_a.copy()))
        converged[active[done]] = True
        done = done | hopeless
        if it == max_iter:
            break
        if done.any():
            gone, keep = active[done], ~done
            weights[gone], means[gone], covs[gone] = wa[done], ma[done], ca[done]
            active, wa, ma, ca, resp = active[keep], wa[keep], ma[keep], ca[keep], resp[:, keep]
            if active.size == 0:
                break
        wa, ma, ca = m_step(data, resp, wa, ma, ca, model, reg_covar, basis)
        n_iter[active] += 1
        bad = degenerate_starts(wa, ca, total_weight, scale, eig_tol, min_count, var_floor, data.diagonal)
        if bad.any():
            gone, keep = active[bad], ~bad
            weights[gone], means[gone], covs[gone] = wa[bad], ma[bad], ca[bad]
            degenerate[gone] = True
            active, wa, ma, ca = active[keep], wa[keep], ma[keep], ca[keep]
    weights[active], means[active], covs[active] = wa, ma, ca
    return weights, means, covs, ll, n_iter, converged, degenerate


def _flat_params(weights, means, covs):
    """One row of all parameters per start: (S, K + K d + K d d)."""
    S = weights.shape[0]
    return np.concatenate([weights, means.reshape(S, -1), covs.reshape(S, -1)], axis=1)


def _unflat_params(theta, K, d):
    w = theta[:, :K]
    m = theta[:, K : K + K * d].reshape(-1, K, d)
    c = theta[:, K + K * d :].reshape(-1, K, d, d)
    return w, m, 0.5 * (c + c.swapaxes(-1, -2))


def run_squarem(
    data,
    weights,
    means,
    covs,
    *,
    model,
    max_iter,
    tol,
    reg_covar,
    scale,
    eig_tol,
    min_count,
    var_floor=0.0,
    ll_init=None,
):
    """:func:`run_em` accelerated by SQUAREM (Varadhan and Roland 2008), globally monotone.

    One cycle from parameters theta0: two EM steps give theta1 and theta2; with
    ``r = theta1 - theta0``, ``v = theta2 - 2 theta1 + theta0`` and the steplength
    ``alpha = -|r| / |v|`` (at most -1), the extrapolation is
    ``theta' = theta0 - 2 alpha r + alpha^2 v`` (scheme S3). The weights of theta' still sum to 1
    (the coefficients sum to 1) and the covariance structure is kept (it is linear); theta' is
    accepted only when its weights are positive, it passes the degeneracy guard and its
    log-likelihood is at least that of theta1, else the cycle ends at theta2 (two plain EM
    steps). So the log-likelihood never decreases, and EM's fixed points (the local maxima)
    are the same. Convergence and degeneracy as in :func:`run_em`; ``n_iter`` counts EM steps
    (two per cycle).

    References
    ----------
    .. [1] Varadhan, R., & Roland, C. (2008). Simple and globally convergent methods for
       accelerating the convergence of any EM algorithm. Scand. J. Statist., 35, 335-353.
    """
    weights, means, covs = weights.copy(), means.copy(), covs.copy()
    S, K, d = means.shape
    basis = covariance_basis(model, K, d) if model in (4, 5) else None
    ll = np.full(S, -np.inf) if ll_init is None else np.asarray(ll_init, dtype=float).copy()
    n_iter = np.zeros(S, dtype=int)
    converged = np.zeros(S, dtype=bool)
    degenerate = np.zeros(S, dtype=bool)
    total_weight = float(data.w.sum())
    guard = dict(total_weight=total_weight, scale=scale, eig_tol=eig_tol, min_count=min_count,
                 var_floor=var_floor, diagonal=data.diagonal)

    def mstep(resp, w, m, c):
        return m_step(data, resp, w, m, c, model, reg_covar, basis)

    active = np.arange(S)
    # theta0 of the active starts, compacted (as in run_em): a start's parameters are written
    # back to weights, means, covs when it stops
    w0, m0, c0 = weights, means, covs
    resp0, _, ll0 = e_step(data, w0, m0, c0)
    while active.size:
        prev = ll[active]
        with np.errstate(invalid="ignore"):
            done = np.abs(ll0 - prev) <= tol * np.maximum(1.0, np.abs(ll0))
        ll[active] = ll0
        converged[active[done]] = True
        keep = ~done & (n_iter[active] < max_iter)
        if not keep.all():
            gone = active[~keep]
            weights[gone], means[gone], covs[gone] = w0[~keep], m0[~keep], c0[~keep]
            active, resp0, ll0 = active[keep], resp0[:, keep], ll0[keep]
            w0, m0, c0 = w0[keep], m0[keep], c0[keep]
        if not active.size:
            break
        # first EM step
        w1, m1, c1 = mstep(resp0, w0, m0, c0)
        n_iter[active] += 1
        bad = degenerate_starts(w1, c1, **guard)
        if bad.any():
            weights[active[bad]], means[active[bad]], covs[active[bad]] = w1[bad], m1[bad], c1[bad]
            degenerate[active[bad]] = True
            ok = ~bad
            active, w0, m0, c0, w1, m1, c1 = active[ok], w0[ok], m0[ok], c0[ok], w1[ok], m1[ok], c1[ok]
            ll0 = ll0[ok]
            if not active.size:
                break
        resp1, _, ll1 = e_step(data, w1, m1, c1)
        # a start at its iteration limit, or converged within this step, stops at theta1
        with np.errstate(invalid="ignore"):
            stop = (n_iter[active] >= max_iter) | (
                np.abs(ll1 - ll[active]) <= tol * np.maximum(1.0, np.abs(ll1)))
        if stop.any():
            i = active[stop]
            weights[i], means[i], covs[i], ll[i] = w1[stop], m1[stop], c1[stop], ll1[stop]
            converged[i] = np.abs(ll1[stop] - ll0[stop]) <= tol * np.maximum(1.0, np.abs(ll1[stop]))
            go = ~stop
            active, w0, m0, c0, w1, m1, c1 = active[go], w0[go], m0[go], c0[go], w1[go], m1[go], c1[go]
            resp1, ll1, ll0 = resp1[:, go], ll1[go], ll0[go]
            if not active.size:
                break
        # second EM step
        w2, m2, c2 = mstep(resp1, w1, m1, c1)
        n_iter[active] += 1
        bad = degenerate_starts(w2, c2, **guard)
        if bad.any():
            i = active[bad]
            weights[i], means[i], covs[i], ll[i] = w2[bad], m2[bad], c2[bad], ll1[bad]
            degenerate[i] = True
            ok = ~bad
            active, w0, m0, c0, w1, m1, c1, w2, m2, c2 = (
                active[ok], w0[ok], m0[ok], c0[ok], w1[ok], m1[ok], c1[ok], w2[ok], m2[ok], c2[ok])
            ll1 = ll1[ok]
            if not active.size:
                break
        # extrapolation
        t0, t1, t2 = _flat_params(w0, m0, c0), _flat_params(w1, m1, c1), _flat_params(w2, m2, c2)
        r = t1 - t0
        v = t2 - t1 - r
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = -np.sqrt((r * r).sum(1) / (v * v).sum(1))
        alpha = np.where(np.isfinite(alpha), np.minimum(alpha, -1.0), -1.0)
        tx = t0 - 2.0 * alpha[:, None] * r + (alpha * alpha)[:, None] * v
        wx, mx, cx = _unflat_params(tx, K, d)
        valid = (alpha < -1.0) & (wx > 0).all(1) & np.isfinite(tx).all(1)
        # the guard's eigenvalue floor (eig_tol > 0) also makes theta' positive definite
        if valid.any():
            valid[valid] &= ~degenerate_starts(wx[valid], cx[valid], **guard)
        llx = np.full(active.size, -np.inf)
        if valid.any():
            respx, _, llx[valid] = e_step(data, wx[valid], mx[valid], cx[valid])
        accept = valid & (llx >= ll1)
        # the next cycle starts from theta' where accepted, else from theta2
        wn, mn, cn = w2.copy(), m2.copy(), c2.copy()
        wn[accept], mn[accept], cn[accept] = wx[accept], mx[accept], cx[accept]
        w0, m0, c0 = wn, mn, cn
        ll_next = np.empty(active.size)
        resp_next = np.empty((K, active.size, data.n))
        if accept.any():
            sel = accept[valid]
            resp_next[:, accept] = respx[:, sel]
            ll_next[accept] = llx[accept]
        rest = ~accept
        if rest.any():
            rr, _, lr = e_step(data, w2[rest], m2[rest], c2[rest])
            resp_next[:, rest] = rr
            ll_next[rest] = lr
        # the convergence test of the next cycle compares with the LL of theta1 (one EM step
        # before theta2), so an accelerated start stops no earlier than plain EM would
        ll[active] = ll1
        resp0, ll0 = resp_next, ll_next
    return weights, means, covs, ll, n_iter, converged, degenerate

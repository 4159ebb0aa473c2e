"""Likelihood-ratio tests of K-1 against K profiles: the parametric bootstrap (BLRT) and the
Vuong-Lo-Mendell-Rubin test (VLMR) with the Lo-Mendell-Rubin adjustment (LMR).

The usual chi-square reference of a likelihood ratio does not hold for the number of mixture
components (the null sits on the boundary of the parameter space), so two remedies are
offered, as Mplus offers them (TECH14 and TECH11):

* :func:`bootstrap_lrt` draws data sets from the fitted K-1 model (McLachlan 1987; Nylund,
  Asparouhov and Muthen 2007), refits both models on each, warm-started from the parameters
  fitted on the real data (the K fit also from the sample's own K-1 fit with one profile split,
  as the grid does), and compares the observed statistic with the bootstrap ones:
  ``p = (1 + #{LRT_b >= LRT_obs}) / (B + 1)``. Bootstrap samples run in parallel (joblib).
* :func:`vlmr_test` uses Vuong's (1989) theorem as Lo, Mendell and Rubin (2001) do: the
  statistic ``2(LL_K - LL_{K-1})`` is referred to a weighted sum of chi-square(1) variables
  whose weights are the eigenvalues of Vuong's matrix W, built from the per-case scores and
  Hessians of both fitted models. The adjusted LMR statistic divides the LR by
  ``1 + 1 / ((p - q) ln n)`` (p, q free parameters), Lo et al.'s ad hoc small-sample correction
  written with the exact parameter counts. The tail probability of the weighted sum is
  computed in log space by saddle-point inversion of its characteristic function (Rice 1980),
  so p-values are exact down to far below 1e-300 and decrease with the statistic.

References
----------
.. [1] McLachlan, G. J. (1987). On bootstrapping the likelihood ratio test statistic for the
   number of components in a normal mixture. Applied Statistics, 36, 318-324.
.. [2] Vuong, Q. H. (1989). Likelihood ratio tests for model selection and non-nested
   hypotheses. Econometrica, 57, 307-333.
.. [3] Lo, Y., Mendell, N. R., & Rubin, D. B. (2001). Testing the number of components in a
   normal mixture. Biometrika, 88, 767-778.
.. [4] Rice, S. O. (1980). Distribution of quadratic forms in normal random variables:
   evaluation by numerical integration. SIAM J. Sci. Stat. Comput., 1, 438-448.
.. [5] Nylund, K. L., Asparouhov, T., & Muthen, B. O. (2007). Deciding on the number of
   classes in latent class analysis and growth mixture modeling. SEM, 14, 535-569.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import integrate, optimize, stats
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from ._information import MixtureInformation
from ._threads import one_blas_thread
from .model import LatentProfileModel

__all__ = [
    "BLRTResult",
    "VLMRResult",
    "bootstrap_lrt",
    "vlmr_test",
    "weighted_chi2_logsf",
    "weighted_chi2_sf",
]


@dataclass(frozen=True, eq=False)
class BLRTResult:
    """Result of :func:`bootstrap_lrt`.

    Attributes
    ----------
    statistic : float
        Observed ``2 (LL_K - LL_{K-1})``.
    p_value : float
        ``(1 + #{LRT_b >= statistic}) / (B + 1)``.
    bootstrap_statistics : ndarray of shape (B,)
        ``LRT_b``, never negative.
    n_bootstrap : int
    n_below_null : int
        Bootstrap samples whose K-profile refit, from every start including the split starts,
        still ended below the K-1 refit (a search failure; their ``LRT_b`` is 0, its lower bound,
        since K profiles nest K - 1). Expected to be 0.
    """

    statistic: float
    p_value: float
    bootstrap_statistics: np.ndarray
    n_bootstrap: int
    n_below_null: int = 0


@dataclass(frozen=True, eq=False)
class VLMRResult:
    """Result of :func:`vlmr_test`.

    Attributes
    ----------
    statistic : float
        ``2 (LL_K - LL_{K-1})``.
    p_value : float
        VLMR p: P(sum_j lambda_j chi2_1 >= statistic).
    adjusted_statistic : float
        ``statistic / (1 + 1 / ((p - q) ln n))``.
    adjusted_p_value : float
        LMR adjusted p from the same weighted chi-square.
    eigenvalues : ndarray
        The weights lambda_j (real parts of the eigenvalues of Vuong's W).
    log_p_value, adjusted_log_p_value : float
        Natural logs of the two p-values (:func:`weighted_chi2_logsf`): exact where the
        p-values themselves underflow to 0 (below about 1e-308).
    """

    statistic: float
    p_value: float
    adjusted_statistic: float
    adjusted_p_value: float
    eigenvalues: np.ndarray
    log_p_value: float = float("nan")
    adjusted_log_p_value: float = float("nan")


def _check_pair(null_model, alt_model):
    if null_model.model != alt_model.model:
        raise ValueError(
            f"null model={null_model.model} and alternative model={alt_model.model} should be the same covariance structure"
        )
    if alt_model.n_profiles != null_model.n_profiles + 1:
        raise ValueError(
            f"alternative n_profiles={alt_model.n_profiles} should be null n_profiles={null_model.n_profiles} + 1"
        )


def _params(lpm):
    return {
        "weights": np.asarray(lpm.weights_, dtype=float),
        "means": np.asarray(lpm.means_, dtype=float),
        "covariances": np.asarray(lpm.covariances_, dtype=float),
    }


def _draw(params, n, mask, rng):
    """n rows from a Gaussian mixture, rows shuffled, with the data's missingness imposed."""
    w, mu, cov = params["weights"], params["means"], params["covariances"]
    counts = rng.multinomial(n, w / w.sum())
    X = np.vstack([rng.multivariate_normal(m, c, int(k)) for m, c, k in zip(mu, cov, counts) if k])
    X = X[rng.permutation(n)]
    X[~mask] = np.nan
    return X


def _one_bootstrap(null_p, alt_p, mask, model, k0, n_starts, n_final, seed):
    """LRT_b of one bootstrap sample and whether its K refit stayed below its K - 1 refit."""
    rng = np.random.RandomState(seed)
    X = _draw(null_p, mask.shape[0], mask, rng)
    fits = []
    # The null model generated the sample, so its warm start (the generating parameters) is
    # already near the optimum and a third of the random starts suffice; the alternative has
    # to find where the extra profile goes, which needs the full number: with too few starts
    # its optimum is missed, the bootstrap LRTs come out too small and p too small.
    starts = ((k0, null_p, max(4, n_starts // 3), 2), (k0 + 1, alt_p, n_starts, n_final))
    for k, p, ns, nf in starts:
        lpm = LatentProfileModel(
            k, model=model, n_starts=ns, n_final=min(nf, ns + 1),
            random_state=int(rng.randint(np.iinfo(np.int32).max)), init_params=p,
        )
        # As the grid does, the K fit also starts from the K - 1 fit of this same sample with
        # each of its profiles split in two (the estimator's split starts, from the parent
        # passed), which is where the K optimum usually is; the warm start (the K parameters
        # fitted on the real data) and the random starts are kept. A split start ends at or
        # above the K - 1 optimum in practice, so the LRT is not negative. The split starts
        # draw nothing from rng: the sample and the random starts are those of before.
        with warnings.catch_warnings(), one_blas_thread():
            warnings.simplefilter("ignore")
            lpm._fit(X, None, parent=fits[0] if fits else None)
        fits.append(lpm)
    null_b, alt_b = fits
    ll0, ll1 = float(null_b.log_likelihood_), float(alt_b.log_likelihood_)
    # K profiles nest K - 1 (a profile of weight 0), so the K maximum is at least the K - 1 one:
    # a K refit still lower is a search failure, counted, and its LRT is its lower bound, 0.
    return 2.0 * max(0.0, ll1 - ll0), ll1 < ll0


def bootstrap_lrt(
    data,
    null_model,
    alt_model,
    *,
    n_bootstrap=100,
    n_starts=30,
    n_final=5,
    random_state=None,
    n_jobs=-1,
    progress=True,
):
    """Parametric bootstrap likelihood-ratio test (BLRT) of K-1 against K profiles.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n, d)
        The scores both models were fitted on (NaN allowed). Its missingness pattern is copied
        onto every bootstrap sample, so the bootstrap fits face the same FIML problem.
    null_model, alt_model : LatentProfileModel
        Fitted models with K-1 and K profiles and the same covariance structure.
    n_bootstrap : int, default=100
        Bootstrap samples B.
    n_starts, n_final : int, default=30, 5
        Random starts and final starts of each bootstrap fit of the K-profile model, in
        addition to the warm start from the parameters fitted on the real data (always one of
        the final starts) and the K - 1 split starts (below). The K-1 model, which generated
        the sample, is warm-started from the generating parameters with a third of the starts.
        On the sample (240 x 6, model 1, 4 vs 5 profiles), 30/5 reaches the optimum of 60/10
        starts in every bootstrap sample checked, while 6/2 missed it in a quarter of them
        (bootstrap LRTs too small, p too small).
    random_state : int, RandomState instance or None, default=None
    n_jobs : int or None, default=-1
        joblib workers over the bootstrap samples: -1 uses every core, None or 1 runs them one
        after the other. The result is the same for any n_jobs (each sample has its own seed).
    progress : bool, default=True
        Show a tqdm progress bar with the samples done, the rate and the time left.

    Returns
    -------
    BLRTResult

    Notes
    -----
    Each bootstrap sample has n rows drawn from the fitted K-1 mixture; the K-1 and K models are
    refitted on it and ``LRT_b = 2 (LL_K^b - LL_{K-1}^b)``;
    ``p = (1 + #{b: LRT_b >= LRT_obs}) / (B + 1)`` (Davison and Hinkley 1997, eq. 4.11), so p is
    never 0.

    The K refit of a sample is started, besides its random starts and the warm start, from the
    sample's own K-1 refit with each of its profiles in turn split in two along its principal
    axis, each converged (the split starts of :func:`~toolkit.profiles.fit_profiles`, which
    splits the grid's own K - 1 fit): the K - 1 solution plus one profile is where the K optimum
    usually is, and a K refit that stops below the K - 1 refit, which gave a negative LRT, is a
    search failure that these starts remove. A sample where it still happens is counted in
    ``n_below_null`` and its ``LRT_b`` is 0, its lower bound, so ``LRT_b`` is never negative.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (80, 2)), rng.normal(4, 1, (80, 2))])
    >>> m1 = LatentProfileModel(1, model=1, random_state=0).fit(X)
    >>> m2 = LatentProfileModel(2, model=1, random_state=0).fit(X)
    >>> bootstrap_lrt(X, m1, m2, n_bootstrap=19, random_state=0, progress=False).p_value
    0.05
    """
    _check_pair(null_model, alt_model)
    X = np.asarray(pd.DataFrame(data).to_numpy(dtype=float))
    mask = ~np.isnan(X)
    if n_bootstrap < 1:
        raise ValueError(f"n_bootstrap={n_bootstrap} should be >= 1")
    rng = check_random_state(random_state)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_bootstrap)
    null_p, alt_p = _params(null_model), _params(alt_model)
    stat = 2.0 * (alt_model.log_likelihood_ - null_model.log_likelihood_)
    jobs = (
        delayed(_one_bootstrap)(null_p, alt_p, mask, int(null_model.model), int(null_model.n_profiles),
                                n_starts, n_final, int(s))
        for s in seeds
    )
    out = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    if progress:
        out = tqdm(out, total=n_bootstrap, unit="sample",
                   desc=f"BLRT model {null_model.model}, {null_model.n_profiles} vs {alt_model.n_profiles} profiles")
    res = list(out)  # list() runs the bar to its end
    boot = np.array([r[0] for r in res], dtype=float)
    below = int(sum(bool(r[1]) for r in res))
    p = (1.0 + np.sum(boot >= stat)) / (n_bootstrap + 1.0)
    return BLRTResult(statistic=float(stat), p_value=float(p), bootstrap_statistics=boot, n_bootstrap=n_bootstrap,
                      n_below_null=below)


# ---------------------------------------------------------------------------------------------
# VLMR
# ---------------------------------------------------------------------------------------------
def weighted_chi2_logsf(x, weights):
    """Natural log of P(sum_j w_j chi2_1 >= x), exact far into the tail.

    Parameters
    ----------
    x : float
    weights : array-like
        Weights (may be negative); zeros are ignored.

    Returns
    -------
    float
        ``log P``; ``0.0`` when P = 1 and ``-inf`` when P = 0 (x above every value the sum can
        take). Finite and exact (to about 1e-9 relative in P) down to P far below 1e-300,
        where P itself underflows, and decreasing in x.

    Notes
    -----
    Gil-Pelaez inversion along a vertical line through the saddle point (Rice 1980): with the
    cumulant generating function :math:`K(s) = -\\tfrac12\\sum_j \\log(1 - 2 w_j s)`,

    .. math::

        P(Q > x) = \\frac{e^{K(c) - c x}}{\\pi} \\int_0^\\infty
        \\mathrm{Re}\\,\\frac{\\exp(K(c + it) - K(c) - itx)}{c + it}\\, dt

    for any c > 0 in the domain of K, and the same expression equals P - 1 for c < 0. c is the
    saddle point :math:`K'(c) = x` (within a standard deviation of the mean, the saddle point of
    the mean plus one standard deviation, away from the pole at 0). The factor
    :math:`e^{K(c) - cx}` carries the magnitude and is kept as a logarithm; the integral is of
    order one, so nothing cancels and nothing underflows, unlike Imhof's (1961) form
    ``1/2 + (1/pi) int ...``, whose result is lost below about 1e-8. The integral is split at 8
    standard deviations of the saddle-point Gaussian; the oscillating tail beyond is a Fourier
    integral (QUADPACK's QAWF). Equal positive weights are a scaled chi-square
    (``scipy.stats.chi2.logsf``).

    References
    ----------
    .. [1] Rice, S. O. (1980). Distribution of quadratic forms in normal random variables:
       evaluation by numerical integration. SIAM J. Sci. Stat. Comput., 1, 438-448.
    .. [2] Imhof, J. P. (1961). Computing the distribution of quadratic forms in normal
       variables. Biometrika, 48, 419-426.

    Examples
    --------
    >>> round(weighted_chi2_logsf(718.0, [1.0, 1.0, 0.5]), 3)  # P = exp(-357.5...), not 0
    -358.653
    """
    w = np.asarray(weights, dtype=float).ravel()
    w = w[np.abs(w) > 1e-10 * max(1.0, np.abs(w).max(initial=0.0))]
    x = float(x)
    if w.size == 0:
        return 0.0 if x < 0 else -math.inf
    if w.max() <= 0:  # Q <= 0: P(Q > x) = 1 - P(-Q > -x)
        if x >= 0:
            return -math.inf
        return math.log1p(-math.exp(weighted_chi2_logsf(-x, -w)))
    if w.min() > 0 and x <= 0:
        return 0.0
    if w.min() > 0 and np.ptp(w) <= 1e-12 * w.max():  # equal positive weights
        return float(stats.chi2.logsf(x / w[0], w.size))
    mean = float(w.sum())
    sd = math.sqrt(2.0 * float(np.sum(w * w)))
    if x >= mean - sd:
        c, a = _saddle_above(w, max(x, mean + sd))
        positive = True
    else:
        c, a = _saddle_below(w, x)
        positive = False
    sigma = 1.0 / math.sqrt(float(np.sum(2.0 * w * w / (a * a))))  # 1 / sqrt(K''(c))
    log_scale = -0.5 * float(np.sum(np.log(a))) - c * x  # K(c) - c x
    b = 2.0 * w / a

    def g(u):  # exp(K(c + it) - K(c)) / (c + it) at t = sigma u
        t = sigma * u
        return np.exp(-0.5 * np.sum(np.log1p(-1j * b * t))) / (c + 1j * t)

    def f(u):
        return (g(u) * np.exp(-1j * sigma * u * x)).real

    omega = sigma * x
    split = 8.0
    with warnings.catch_warnings():
        # QAWF may report slow convergence of its cycles while the sum is accurate far beyond
        # what a p-value needs (checked against scipy.stats.chi2 to 1e-9 in the tests)
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        val = integrate.quad(f, 0.0, split, limit=500, epsabs=0.0, epsrel=1e-12)[0]
        if omega != 0.0:  # Re(g e^{-i omega u}) = Re g cos(|omega| u) + sign(omega) Im g sin(|omega| u)
            om, sign = abs(omega), math.copysign(1.0, omega)
            val += integrate.quad(lambda u: g(u).real, split, np.inf, weight="cos", wvar=om, limlst=200)[0]
            val += sign * integrate.quad(lambda u: g(u).imag, split, np.inf, weight="sin", wvar=om, limlst=200)[0]
        else:
            val += integrate.quad(f, split, np.inf, limit=2000, epsabs=0.0, epsrel=1e-12)[0]
    val *= sigma / math.pi
    if positive:
        return log_scale + math.log(val) if val > 0 else -math.inf
    return math.log1p(max(-1.0, math.exp(log_scale) * val))


def _saddle_above(w, target):
    """Saddle point c > 0 with K'(c) = target > mean, and a_j = 1 - 2 w_j c (computed exactly).

    Parametrised by r = 1 - 2 w_max c in (0, 1), so a_j = (1 - w_j / w_max) + (w_j / w_max) r
    keeps its precision next to the pole c = 1 / (2 w_max) (far tails).
    """
    wmax = float(w.max())
    rho = w / wmax

    def a_of(log_r):
        return (1.0 - rho) + rho * math.exp(log_r)

    def excess(log_r):
        return float(np.sum(w / a_of(log_r))) - target

    lo = -1.0
    while excess(lo) < 0 and lo > -700:
        lo *= 2.0
    log_r = optimize.brentq(excess, lo, 0.0, xtol=1e-15, rtol=1e-15, maxiter=500)
    return (1.0 - math.exp(log_r)) / (2.0 * wmax), a_of(log_r)


def _saddle_below(w, target):
    """Saddle point c < 0 with K'(c) = target < mean, and a_j = 1 - 2 w_j c."""
    lo = 1.0 / (2.0 * float(w.min())) if w.min() < 0 else -math.inf

    def excess(c):
        with np.errstate(divide="ignore"):  # at the pole: -inf, which brackets the root
            return float(np.sum(w / (1.0 - 2.0 * w * c))) - target

    left = -1.0 / (2.0 * float(np.abs(w).max()))
    while excess(left) > 0:
        nxt = 2.0 * left
        left = nxt if nxt > lo else 0.5 * (left + lo)
    c = optimize.brentq(excess, left, 0.0, xtol=1e-300, rtol=1e-15, maxiter=500)
    return c, 1.0 - 2.0 * w * c


def weighted_chi2_sf(x, weights):
    """P(sum_j w_j chi2_1 >= x): ``exp`` of :func:`weighted_chi2_logsf`.

    Parameters
    ----------
    x : float
    weights : array-like
        Weights (may be negative); zeros are ignored.

    Returns
    -------
    float
        Underflows to 0 only below about 1e-308; use :func:`weighted_chi2_logsf` there.

    Examples
    --------
    >>> round(weighted_chi2_sf(3.841458820694124, [1.0]), 6)  # chi2(1) 95% point
    0.05
    """
    return float(math.exp(weighted_chi2_logsf(x, weights)))


def _vuong_weights(X, f_model, g_model):
    """Eigenvalues of Vuong's W for fitted models f and g on X, and their parameter counts."""
    n = X.shape[0]
    f = MixtureInformation(f_model, X)
    g = MixtureInformation(g_model, X)
    _, Sf, Hf = f.information(f.theta)
    _, Sg, Hg = g.information(g.theta)
    Bf = Sf.T @ Sf / n
    Bg = Sg.T @ Sg / n
    Bfg = Sf.T @ Sg / n
    Af_inv = np.linalg.pinv(Hf)
    Ag_inv = np.linalg.pinv(Hg)
    W = np.block([[-Bf @ Af_inv, -Bfg @ Ag_inv], [Bfg.T @ Af_inv, Bg @ Ag_inv]])
    lam = np.real(np.linalg.eigvals(W))
    return lam, f.n_parameters, g.n_parameters


def vlmr_test(data, null_model, alt_model):
    """Vuong-Lo-Mendell-Rubin likelihood-ratio test of K-1 against K profiles.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n, d)
        The scores both models were fitted on (NaN allowed: FIML scores).
    null_model, alt_model : LatentProfileModel
        Fitted models with K-1 and K profiles and the same covariance structure.

    Returns
    -------
    VLMRResult

    Notes
    -----
    With per-case scores :math:`s_i` and mean Hessians :math:`A` of the alternative f (K
    profiles, p parameters) and the null g (K-1, q parameters), :math:`B_f = \\bar{s_f s_f'}`,
    :math:`B_g`, :math:`B_{fg} = \\bar{s_f s_g'}`, Vuong's (1989, Theorem 3.3) matrix is

    .. math::

        W = \\begin{pmatrix} -B_f A_f^{-1} & -B_{fg} A_g^{-1} \\\\
                              B_{gf} A_f^{-1} & B_g A_g^{-1} \\end{pmatrix}

    and ``2 (LL_f - LL_g)`` is referred to :math:`\\sum_j \\lambda_j \\chi^2_1`, :math:`\\lambda`
    the eigenvalues of W (Lo, Mendell and Rubin 2001). Scores are analytic; the Hessians are
    central differences of the mean analytic score. The adjusted LMR statistic is
    ``LR / (1 + 1 / ((p - q) ln n))``. Like Mplus, the test is computed at the fitted
    parameters of both models, so it inherits their optimisation quality.
    """
    _check_pair(null_model, alt_model)
    X = np.asarray(pd.DataFrame(data).to_numpy(dtype=float))
    n = X.shape[0]
    lam, p_f, p_g = _vuong_weights(X, alt_model, null_model)
    stat = 2.0 * (alt_model.log_likelihood_ - null_model.log_likelihood_)
    log_p = weighted_chi2_logsf(stat, lam)
    dk = p_f - p_g
    adj = stat / (1.0 + 1.0 / (dk * math.log(n)))
    log_p_adj = weighted_chi2_logsf(adj, lam)
    return VLMRResult(
        statistic=float(stat), p_value=math.exp(log_p), adjusted_statistic=float(adj),
        adjusted_p_value=math.exp(log_p_adj), eigenvalues=np.sort(lam)[::-1], log_p_value=log_p,
        adjusted_log_p_value=log_p_adj,
    )

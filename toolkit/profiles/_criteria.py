"""Information criteria and classification indices for latent profile models.

The formulas follow the project's conventions (``shared/DESIGN.md``, "Conventions the
statistics follow"), which are those Mplus reports and tidyLPA tabulates. Every criterion here
is lower-is-better. Where tidyLPA or mclust report a criterion under the same name with another
sign or formula, :func:`toolkit.profiles.grid.fit_profiles` (Notes) says so beside it.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["classification_indices", "information_criteria", "relative_entropy"]


def information_criteria(ll, k, n):
    """Likelihood-based information criteria of a fitted model.

    Parameters
    ----------
    ll : float
        Maximised log-likelihood.
    k : int
        Number of free parameters.
    n : int or float
        Number of cases (rows used in the fit).

    Returns
    -------
    dict
        Keys ``"aic"``, ``"bic"``, ``"sabic"``, ``"caic"``, ``"awe"``, ``"kic"`` (all lower is
        better).

    Notes
    -----
    .. math::

        AIC &= -2LL + 2k \\\\
        BIC &= -2LL + k \\ln n \\\\
        SABIC &= -2LL + k \\ln((n + 2) / 24) \\\\
        CAIC &= -2LL + k(\\ln n + 1) \\\\
        AWE &= -2LL + 2k(\\ln n + 1.5) \\\\
        KIC &= -2LL + 3(k + 1)

    SABIC is Sclove's (1987) sample-size-adjusted BIC ("aBIC" in Mplus); AWE is Banfield and
    Raftery's (1993) approximate weight of evidence in the form of Masyn (2013), with the
    log-likelihood where Banfield and Raftery have the classification log-likelihood. Mplus
    prints no AWE; the AWE column of the Mplus reference table (``shared/data/README.md``) is
    this formula on Mplus's log-likelihood. tidyLPA's AWE differs (see
    :func:`~toolkit.profiles.grid.fit_profiles`, Notes).
    KIC is Cavanaugh's (1999) Kullback information criterion, written as tidyLPA writes it
    (``R/calc_functions.R``, ``make_fitvector``: ``KIC = -2*ll + (3*(parameters + 1))``).

    References
    ----------
    .. [1] Sclove, S. L. (1987). Application of model-selection criteria to some problems in
       multivariate analysis. Psychometrika, 52, 333-343.
    .. [2] Banfield, J. D., & Raftery, A. E. (1993). Model-based Gaussian and non-Gaussian
       clustering. Biometrics, 49, 803-821.
    .. [3] Cavanaugh, J. E. (1999). A large-sample model selection criterion based on Kullback's
       symmetric divergence. Statistics & Probability Letters, 42, 333-343.

    Examples
    --------
    >>> ic = information_criteria(-2088.66, 8, 488)
    >>> round(ic["bic"], 2)
    4226.84
    >>> round(ic["kic"], 2)  # -2 * -2088.66 + 3 * (8 + 1)
    4204.32
    """
    ll = float(ll)
    k = float(k)
    n = float(n)
    if n <= 0:
        raise ValueError(f"n={n} should be > 0")
    dev = -2.0 * ll
    ln_n = math.log(n)
    return {
        "aic": dev + 2.0 * k,
        "bic": dev + k * ln_n,
        "sabic": dev + k * math.log((n + 2.0) / 24.0),
        "caic": dev + k * (ln_n + 1.0),
        "awe": dev + 2.0 * k * (ln_n + 1.5),
        "kic": dev + 3.0 * (k + 1.0),
    }


def relative_entropy(posteriors, sample_weight=None):
    """Relative entropy (classification certainty) of a posterior matrix.

    Parameters
    ----------
    posteriors : array-like of shape (n_samples, n_profiles)
        Posterior profile probabilities, rows summing to 1 (``LatentProfileModel.predict_proba``).
    sample_weight : array-like of shape (n_samples,), default=None
        Case weights; ``n`` is then their sum.

    Returns
    -------
    float
        :math:`1 - \\sum_{ik} -z_{ik} \\ln z_{ik} / (n \\ln K)`, in [0, 1]; 1 when ``K == 1``.

    Examples
    --------
    >>> relative_entropy([[1.0, 0.0], [0.0, 1.0]])
    1.0
    """
    z = np.asarray(posteriors, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"posteriors should be 2-d, got shape {z.shape}")
    n, n_profiles = z.shape
    if n_profiles == 1:
        return 1.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(z > 0, z * np.log(z), 0.0)
    ent = -(w[:, None] * plogp).sum()
    return float(1.0 - ent / (w.sum() * math.log(n_profiles)))


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
        ``n_min``/``n_max`` (smallest and largest share of students by modal assignment),
        ``sum_log_max`` (:math:`\\sum_i \\log \\max_k z_{ik}`, the ICL correction) and
        ``classification_entropy`` (:math:`EN = \\sum_i \\sum_k -z_{ik} \\log z_{ik}`, with
        :math:`0 \\log 0 = 0`: the CLC correction, 0 when K = 1; the relative entropy is
        :math:`1 - EN / (n \\ln K)`).

    Examples
    --------
    >>> ci = classification_indices([[1.0, 0.0], [0.5, 0.5]])
    >>> round(ci["classification_entropy"], 4)  # 0 for the certain row, ln 2 for the other
    0.6931
    """
    z = np.asarray(posteriors, dtype=float)
    n, K = z.shape
    modal = z.argmax(axis=1)
    counts = np.bincount(modal, minlength=K)
    diag = np.array([z[modal == k, k].mean() if counts[k] else np.nan for k in range(K)])
    with np.errstate(divide="ignore"):
        slm = float(np.log(z.max(axis=1)).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        en = float(-np.where(z > 0, z * np.log(z), 0.0).sum())
    return {
        "entropy": relative_entropy(z),
        "prob_min": float(np.nanmin(diag)),
        "prob_max": float(np.nanmax(diag)),
        "n_min": float(counts.min() / n),
        "n_max": float(counts.max() / n),
        "sum_log_max": slm,
        "classification_entropy": en,
    }

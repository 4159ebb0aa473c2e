"""One fitted solution: who is in which profile, and what the profiles look like.

A :class:`ProfileSolution` holds the assignments (most likely profile, certainty, posteriors),
the profile means with standard errors, the sizes and plain-language names, and a long
profile table ready to save. :meth:`~toolkit.profiles.grid.ProfileResults.solution` builds one
from a cell of the grid; k-means and Ward (:mod:`toolkit.profiles.clustering`) give the same
shape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._information import MixtureInformation
from .model import LatentProfileModel
from .naming import profile_names

__all__ = ["ProfileSolution"]

_Z95 = float(stats.norm.ppf(0.975))


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
        X = self.data.to_numpy(dtype=float)
        mix = MixtureInformation(self.model, X)
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

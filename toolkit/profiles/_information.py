"""Per-case scores and the observed information of a fitted latent profile model.

One parameterisation serves the whole stage: the free parameters are the K - 1 first weights,
the means and the covariance terms of :func:`toolkit.profiles._structure.covariance_basis`, the basis
the EM maximises over. The Vuong-Lo-Mendell-Rubin test (:mod:`toolkit.profiles.lrt`) and the
information standard errors (:meth:`toolkit.profiles.solution.ProfileSolution.information_standard_errors`)
both differentiate the FIML log-likelihood with respect to it, so neither can drift from what
the EM fitted.
"""

from __future__ import annotations

import math

import numpy as np

from . import _structure

__all__ = ["MixtureInformation"]


class MixtureInformation:
    """Per-case log-likelihood, scores and Hessian of a fitted mixture in its free parameters.

    Parameters
    ----------
    lpm : LatentProfileModel
        A fitted model.
    X : ndarray of shape (n, d)
        The data it was fitted on (NaN allowed).

    Attributes
    ----------
    theta : ndarray of shape (P,)
        The free parameters at the fit: K - 1 weights (the last is one minus their sum), the
        K x d means row by row, then the covariance terms in the order of
        :func:`~toolkit.profiles._structure.covariance_basis`.
    basis : ndarray of shape (P_cov, K, d, d)
        That basis, the one the EM maximises over.
    """

    def __init__(self, lpm, X):
        self.model = int(lpm.model)
        self.K, self.d = lpm.means_.shape
        self.basis = _structure.covariance_basis(self.model, self.K, self.d)  # (P, K, d, d)
        self.theta = np.concatenate(
            [lpm.weights_[:-1], lpm.means_.ravel(), _structure.structure_parameters(lpm.covariances_, self.basis)]
        )
        self.X = X
        mask = ~np.isnan(X)
        codes = mask.astype(np.int64) @ (1 << np.arange(self.d, dtype=np.int64))
        self.patterns = [np.flatnonzero(codes == c) for c in np.unique(codes)]
        self.obs = [np.flatnonzero(mask[rows[0]]) for rows in self.patterns]

    @property
    def n_parameters(self):
        return self.theta.size

    def unpack(self, theta):
        K, d = self.K, self.d
        w = np.append(theta[: K - 1], 1.0 - theta[: K - 1].sum())
        mu = theta[K - 1 : K - 1 + K * d].reshape(K, d)
        cov = np.tensordot(theta[K - 1 + K * d :], self.basis, axes=1)
        return w, mu, cov

    def scores(self, theta):
        """Per-case log-likelihood (n,) and score matrix (n, P)."""
        K, d = self.K, self.d
        w, mu, cov = self.unpack(theta)
        n = self.X.shape[0]
        P = theta.size
        S = np.zeros((n, P))
        ll = np.empty(n)
        n_cov = self.basis.shape[0]
        for rows, obs in zip(self.patterns, self.obs):
            x = self.X[np.ix_(rows, obs)]
            o = obs.size
            logp = np.empty((rows.size, K))
            prs, rs, precs = [], [], []
            for k in range(K):
                c = cov[k][np.ix_(obs, obs)]
                prec = np.linalg.inv(c)
                _, logdet = np.linalg.slogdet(c)
                r = x - mu[k, obs]
                pr = r @ prec
                logp[:, k] = np.log(w[k]) - 0.5 * (np.einsum("ij,ij->i", pr, r) + logdet + o * math.log(2 * math.pi))
                prs.append(pr)
                rs.append(r)
                precs.append(prec)
            mx = logp.max(1, keepdims=True)
            tot = np.exp(logp - mx).sum(1, keepdims=True)
            ll[rows] = (mx + np.log(tot))[:, 0]
            z = np.exp(logp - mx) / tot
            g = np.zeros((rows.size, P))
            g[:, : K - 1] = z[:, : K - 1] / w[: K - 1] - z[:, [K - 1]] / w[K - 1]
            for k in range(K):
                cols = K - 1 + k * d + obs
                g[:, cols] = z[:, [k]] * prs[k]
                # d log phi / d Sigma_OO = 0.5 (P r r' P - P), contracted with each basis matrix
                G = 0.5 * (prs[k][:, :, None] * prs[k][:, None, :] - precs[k][None]) * z[:, k, None, None]
                Bk = self.basis[:, k][:, obs][:, :, obs].reshape(n_cov, o * o)
                g[:, K - 1 + K * d :] += G.reshape(rows.size, o * o) @ Bk.T
            S[rows] = g
        return ll, S

    def information(self, theta):
        """Per-case scores at theta, and the mean Hessian by central differences of the mean score."""
        ll, S = self.scores(theta)
        n, P = S.shape
        H = np.empty((P, P))
        for a in range(P):
            h = 1e-5 * max(1.0, abs(theta[a]))
            tp, tm = theta.copy(), theta.copy()
            tp[a] += h
            tm[a] -= h
            H[:, a] = (self.scores(tp)[1].mean(0) - self.scores(tm)[1].mean(0)) / (2 * h)
        H = 0.5 * (H + H.T)
        return ll, S, H

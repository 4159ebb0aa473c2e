"""The covariance structures of tidyLPA's six models: parameter counts, one basis, and the
generalised M-step of the two structures without a closed form.

* :func:`n_parameters`: the exact free-parameter count of a model (weights, means, covariance
  terms; a full matrix has d(d+1)/2 terms, not d^2).
* :func:`covariance_basis`: the one parameterisation of the covariances, used by the EM
  (:mod:`toolkit.profiles._em`), the likelihood-ratio tests and the information standard
  errors (:mod:`toolkit.profiles._information`).
* :func:`scoring_update`: models 4 and 5 have covariance matrices *linear* in their free
  parameters (Sigma_k = sum_a theta_a B_ak) and no closed-form M-step; it maximises the
  expected complete-data log-likelihood over theta by Fisher scoring for linear covariance
  structures (Anderson 1973), with step halving until every Sigma_k is positive definite and the
  objective has not decreased (a generalised EM step, Dempster, Laird and Rubin 1977).

References
----------
.. [1] Anderson, T. W. (1973). Asymptotically efficient estimation of covariance matrices with
   linear structure. Annals of Statistics, 1, 135-141.
"""

from __future__ import annotations

import numpy as np

__all__ = ["covariance_basis", "n_parameters", "project_to_structure", "scoring_update",
           "structure_parameters"]


def n_parameters(model, n_profiles, n_features):
    """Exact number of free parameters: (K-1) weights + K*d means + covariance terms."""
    k, d = n_profiles, n_features
    cov = {
        1: d,
        2: k * d,
        3: d * (d + 1) // 2,
        4: k * d + d * (d - 1) // 2,
        5: d + k * d * (d - 1) // 2,
        6: k * d * (d + 1) // 2,
    }[model]
    return (k - 1) + k * d + cov


def covariance_basis(model, n_profiles, n_features):
    """The covariance parameterisation of a model: basis matrices B with
    ``Sigma_k = sum_a theta_a B[a, k]``, of shape (P, K, d, d), P the free covariance terms.

    This is the one basis of the six tidyLPA models: the EM maximises over it (the generalised
    M-step of models 4 and 5 is Fisher scoring in theta), and the likelihood-ratio tests and the
    information standard errors differentiate the log-likelihood with respect to the same theta
    (:mod:`toolkit.profiles._information`). Each B[a] has ones at the entries that parameter a
    sets (both triangles) and zeros elsewhere, so the matrices are orthogonal and theta_a is the
    value of any of its entries. Order: variances before covariances; shared terms in the order
    of the upper triangle; per-profile terms profile by profile.

    * 1 (EEI): d variances shared by all profiles.
    * 2 (VVI): d variances per profile.
    * 3 (EEE): the d(d+1)/2 terms of one matrix shared by all profiles.
    * 4: d variances per profile, d(d-1)/2 covariances shared by all profiles.
    * 5: d variances shared, d(d-1)/2 covariances per profile.
    * 6 (VVV): the d(d+1)/2 terms of each profile's own matrix.

    P therefore equals the covariance part of :func:`n_parameters`.
    """
    K, d = n_profiles, n_features
    diag = [(j, j) for j in range(d)]
    off = [(i, j) for i in range(d) for j in range(i + 1, d)]
    upper = [(i, j) for i in range(d) for j in range(i, d)]
    every = range(K)
    mats = []

    def add(profiles, entries):
        for i, j in entries:
            b = np.zeros((K, d, d))
            for k in profiles:
                b[k, i, j] = b[k, j, i] = 1.0
            mats.append(b)

    if model == 1:
        add(every, diag)
    elif model == 2:
        for k in every:
            add([k], diag)
    elif model == 3:
        add(every, upper)
    elif model == 4:
        for k in every:
            add([k], diag)
        add(every, off)
    elif model == 5:
        add(every, diag)
        for k in every:
            add([k], off)
    elif model == 6:
        for k in every:
            add([k], upper)
    else:
        raise ValueError(f"model={model!r} should be one of 1, 2, 3, 4, 5, 6 (tidyLPA)")
    return np.stack(mats)


def structure_parameters(covs, basis):
    """theta of covariances that satisfy the structure: the value at each parameter's entries.

    Parameters
    ----------
    covs : ndarray of shape (..., K, d, d)
    basis : ndarray of shape (P, K, d, d)

    Returns
    -------
    ndarray of shape (..., P)
        The least-squares coordinates (exact for covariances in the span of the basis).
    """
    P = basis.shape[0]
    Bf = basis.reshape(P, -1)
    lead = covs.shape[:-3]
    flat = covs.reshape(lead + (-1,))
    return flat @ Bf.T / (Bf * Bf).sum(1)


def project_to_structure(covs, basis):
    """Least-squares projection of covariances onto the structure (the bases are orthogonal)."""
    theta = structure_parameters(covs, basis)
    return np.einsum("...p,pkij->...kij", theta, basis)


def _expected_objective(covs, scatter, Nk):
    """-1/2 sum_k N_k (log det Sigma_k + tr(Sigma_k^-1 S_k)); -inf where not positive definite."""
    eig = np.linalg.eigvalsh(covs)
    pd = (eig.min(-1) > 0).all(-1)
    safe = np.where(pd[:, None, None, None], covs, np.eye(covs.shape[-1]))
    logdet = np.log(np.abs(np.linalg.eigvalsh(safe))).sum(-1)
    tr = np.trace(np.linalg.solve(safe, scatter), axis1=-2, axis2=-1)
    q = -0.5 * (Nk * (logdet + tr)).sum(-1)
    return np.where(pd, q, -np.inf)


def scoring_update(covs, scatter, Nk, basis, n_steps=2):
    """Increase the expected complete-data log-likelihood over a linear covariance structure.

    Fisher scoring (Anderson 1973) from the current, feasible covariances; each step is halved
    until every Sigma_k is positive definite and the objective did not decrease, so the update
    is a valid generalised-EM M-step. A start whose step cannot be accepted keeps its old
    covariances (no decrease).

    Parameters
    ----------
    covs : ndarray of shape (S, K, d, d)
        Current covariances (satisfying the structure).
    scatter : ndarray of shape (S, K, d, d)
        Per-profile scatter matrices around the new means.
    Nk : ndarray of shape (S, K)
        Expected counts.
    basis : ndarray of shape (P, K, d, d)
    """
    S, K, d, _ = covs.shape
    P = basis.shape[0]
    Bf = basis.reshape(P, K, d * d)
    norms = (basis.reshape(P, -1) ** 2).sum(1)
    theta = np.einsum("skx,pkx->sp", covs.reshape(S, K, d * d), Bf) / norms
    current = np.einsum("sp,pkij->skij", theta, basis)
    q_old = _expected_objective(current, scatter, Nk)
    for _ in range(n_steps):
        W = np.linalg.inv(current)
        A = W @ scatter @ W - W
        g = 0.5 * np.einsum("sk,skx,pkx->sp", Nk, A.reshape(S, K, d * d), Bf)
        # F[s, a, b] = 1/2 sum_k N_k tr(W_k B_ak W_k B_bk)
        WB = np.einsum("skij,pkjl->spkil", W, basis)
        Y = (WB * Nk[:, None, :, None, None]).reshape(S, P, -1)
        Z = WB.transpose(0, 1, 2, 4, 3).reshape(S, P, -1)
        F = 0.5 * (Y @ Z.transpose(0, 2, 1))
        F += 1e-12 * np.trace(F, axis1=1, axis2=2)[:, None, None] * np.eye(P)
        try:
            delta = np.linalg.solve(F, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            delta = np.linalg.lstsq(F.reshape(-1, P), g.reshape(-1), rcond=None)[0] if S == 1 else g
        step = np.ones(S)
        accepted = np.zeros(S, dtype=bool)
        best = current.copy()
        best_q = q_old.copy()
        for _half in range(30):
            todo = ~accepted
            if not todo.any():
                break
            cand_theta = theta[todo] + step[todo, None] * delta[todo]
            cand = np.einsum("sp,pkij->skij", cand_theta, basis)
            q = _expected_objective(cand, scatter[todo], Nk[todo])
            ok = q >= q_old[todo]
            idx = np.flatnonzero(todo)
            best[idx[ok]] = cand[ok]
            best_q[idx[ok]] = q[ok]
            theta[idx[ok]] = cand_theta[ok]
            accepted[idx[ok]] = True
            step[idx[~ok]] *= 0.5
        improvement = best_q - q_old
        current, q_old = best, best_q
        if np.all(improvement <= 1e-12 * np.maximum(1.0, np.abs(q_old))):
            break
    return current

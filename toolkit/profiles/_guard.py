"""The degeneracy guard: which starts hold a spurious profile.

On heaped Likert data a profile can sit on a few identical answers and drive the likelihood to
+infinity; the EM (:mod:`toolkit.profiles._em`) rejects such a start after every M-step. A
profile is spurious when its covariance collapsed, when a variable's variance in it is under a
floor relative to the item scale, or when it holds fewer cases than its own free parameters
plus one (the thresholds and why: :class:`~toolkit.profiles.model.LatentProfileModel`, Notes).
"""

from __future__ import annotations

import numpy as np


def profile_parameters(model, n_features):
    """Free parameters that belong to one profile alone: its means and its own covariance terms.

    Model 1 and 3 (shared covariance): d; 2 and 4 (own variances): 2d; 5 (own covariances):
    d + d(d-1)/2; 6 (own matrix): d + d(d+1)/2. The weight is not counted (it is shared through
    the constraint that the weights sum to 1).
    """
    d = n_features
    own_cov = {1: 0, 2: d, 3: 0, 4: d, 5: d * (d - 1) // 2, 6: d * (d + 1) // 2}[model]
    return d + own_cov


def min_profile_count(model, n_features):
    """Smallest expected count a profile may have: its own free parameters plus one."""
    return float(profile_parameters(model, n_features) + 1)


def eigenvalues_above(A, floor):
    """Whether every eigenvalue of each symmetric matrix in ``A`` (..., d, d) exceeds ``floor``.

    A Cholesky factorisation of ``A - floor I`` exists exactly when it does. The guard runs after
    every M-step, and on the stacked 3 x 3 to 6 x 6 matrices of a grid numpy's batched Cholesky
    takes a fifth to a tenth of the time of ``eigvalsh`` (measured: 28 against 159 us for
    300 matrices of 3 x 3). numpy raises for the whole batch when one matrix fails, and lets NaN
    through, so non-finite matrices, and a batch with a failure, are decided by ``eigvalsh``.
    Returns a boolean array of shape ``A.shape[:-2]`` (False for a non-finite matrix).
    """
    finite = np.isfinite(A).all((-2, -1))
    eye = np.eye(A.shape[-1])
    if finite.all():
        try:
            np.linalg.cholesky(A - floor * eye)
            return np.ones(A.shape[:-2], dtype=bool)
        except np.linalg.LinAlgError:
            pass
    eig_min = np.linalg.eigvalsh(np.where(finite[..., None, None], A, eye))[..., 0]
    return finite & (eig_min > floor)


def degenerate_starts(weights, covs, total_weight, scale, eig_tol, min_count, var_floor=0.0, diagonal=False):
    """Boolean (S,): a start with a spurious profile.

    A profile is spurious when its covariance collapsed (smallest eigenvalue of the covariance
    in units of the data's variances under ``eig_tol``), when the variance of a variable in it
    is under ``var_floor`` times that variable's variance in the data (a profile sitting on a
    heap of identical answers), or when its expected count is under ``min_count``. With
    ``diagonal=True`` (models 1 and 2) the eigenvalues are the variances themselves, and the
    guard, which runs after every M-step, reads them off the diagonal; the other models' are
    tested by :func:`eigenvalues_above`.
    """
    inv_sd = 1.0 / np.sqrt(scale)
    if diagonal:
        var = np.diagonal(covs, axis1=-2, axis2=-1) * (inv_sd * inv_sd)
        eig_min = var.min(-1)  # (S, K)
        collapsed = ~(eig_min >= eig_tol)  # NaN counts as collapsed
    else:
        std = covs * inv_sd[:, None] * inv_sd[None, :]
        collapsed = ~eigenvalues_above(std, eig_tol)
    counts = weights * total_weight
    bad = collapsed.any(1) | (counts < min_count).any(1)
    if var_floor > 0:
        var = var if diagonal else np.diagonal(std, axis1=-2, axis2=-1)
        bad |= (var < var_floor).any((1, 2))
    return bad

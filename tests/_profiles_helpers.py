"""Shared helpers for the profile tests: scale scores of the bundled sample, computed by hand.

The scores come from tests/_sample_data.py (not through ``toolkit.scoring``), so the profile tests
do not depend on another stage.
"""

from __future__ import annotations

from _sample_data import sample_codebook, sample_scale_scores, sample_true_profile


def sample_scores():
    """Return ``(scores, true_profile, codebook)`` for wave 1 of the bundled sample (copies)."""
    scores = sample_scale_scores()
    return scores, sample_true_profile(scores.index), sample_codebook()


def continue_from(fit, X, model, k):
    """The engine's EM continued from a stored mclust solution ``fit`` (its ``pro``, ``mean`` and
    ``sigma``, as ``tests/r_reference/mclust_r_data.R`` and ``benchmarks/lpa_peers.py`` write
    them): a warm start with no other starts, fitted to ``X``."""
    import warnings

    import numpy as np

    from toolkit.profiles import LatentProfileModel

    d = np.shape(X)[1]
    start = {"weights": np.atleast_1d(np.asarray(fit["pro"], dtype=float)),
             "means": np.asarray(fit["mean"], dtype=float).reshape(k, d),
             "covariances": np.asarray(fit["sigma"], dtype=float).reshape(k, d, d)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LatentProfileModel(k, model=model, n_starts=1, init_params=start).fit(X)

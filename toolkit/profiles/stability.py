"""Do the profiles hold? Matching profiles between solutions, and bootstrap stability.

* :func:`align_profiles` matches the profiles of two solutions one to one (Hungarian matching,
  :func:`scipy.optimize.linear_sum_assignment`, on the Euclidean distance between profile
  means), so that "profile 2 of wave 1" can be found in wave 2 or in another class.
* :func:`profile_stability` refits the chosen model on bootstrap resamples of the students
  and measures how much the classification of the original students changes: the adjusted
  Rand index between the original and the bootstrap classification (label-free), and, per
  profile, the Jaccard similarity of its members with the most similar bootstrap profile
  (Hennig 2007). Hennig's reading: a mean Jaccard under 0.5 is a "dissolved" profile, 0.6-0.75
  a pattern worth noting, 0.75 or more a stable profile.

References
----------
.. [1] Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational
   Statistics & Data Analysis, 52, 258-271.
.. [2] Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2,
   193-218.
.. [3] Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research
   Logistics Quarterly, 2, 83-97.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from .model import LatentProfileModel

__all__ = ["StabilityResult", "align_profiles", "profile_stability"]

#: Mean Jaccard under which Hennig (2007) calls a profile dissolved.
DISSOLVED = 0.5
#: Mean Jaccard from which Hennig (2007) calls a profile stable.
STABLE = 0.75


def _means_of(obj):
    """Profile means as a DataFrame (index profile 1..K) from a solution, a model or a table."""
    if isinstance(obj, pd.DataFrame):
        return obj.astype(float)
    if hasattr(obj, "means") and isinstance(getattr(obj, "means"), pd.DataFrame):  # ProfileSolution
        return obj.means.astype(float)
    if hasattr(obj, "means_"):
        m = np.asarray(obj.means_, dtype=float)
        cols = list(getattr(obj, "feature_names_in_", [f"x{j + 1}" for j in range(m.shape[1])]))
        return pd.DataFrame(m, index=pd.Index(range(1, m.shape[0] + 1), name="profile"), columns=cols)
    m = np.asarray(obj, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"profile means should be 2-d (profiles x constructs), got shape {m.shape}")
    return pd.DataFrame(m, index=pd.Index(range(1, m.shape[0] + 1), name="profile"))


def align_profiles(a, b, *, unmatched="drop"):
    """Match the profiles of solution ``b`` to those of solution ``a``.

    The one profile-alignment rule of the toolkit: wherever profiles of two fits are compared
    (two waves, a held-out group and the rest, two cycles of plans), they are matched by this
    function.

    Parameters
    ----------
    a, b : ProfileSolution, LatentProfileModel, DataFrame or array of shape (K, d)
        Two solutions on the same constructs (columns matched by name when both have names).
        They may have different numbers of profiles; then only min(K_a, K_b) pairs are made.
        Missing means (NaN) are allowed: a distance uses the constructs known in both.
    unmatched : {"drop", "nearest"}, default="drop"
        What happens to profiles of ``a`` left without a partner when ``a`` has more profiles
        than ``b``: left out, or paired with their nearest profile of ``b`` (a column
        ``matched`` then says which rows are one-to-one pairs).

    Returns
    -------
    DataFrame
        One row per pair, sorted by ``profile_a``: ``profile_a``, ``profile_b`` and
        ``distance`` (Euclidean distance between the two profiles' means over the constructs
        known in both; infinite when there is none); with ``unmatched="nearest"`` also
        ``matched``. The one-to-one pairing minimises the total distance (Hungarian matching).

    Examples
    --------
    >>> align_profiles([[0.0, 0.0], [3.0, 3.0]], [[3.1, 2.9], [0.2, 0.0]])[["profile_a", "profile_b"]].to_numpy().tolist()
    [[1, 2], [2, 1]]
    >>> align_profiles([[0.0], [1.0], [9.0]], [[0.1], [8.8]], unmatched="nearest")["profile_b"].tolist()
    [1, 1, 2]
    """
    if unmatched not in ("drop", "nearest"):
        raise ValueError(f"unmatched={unmatched!r} should be 'drop' or 'nearest'")
    ma, mb = _means_of(a), _means_of(b)
    if ma.shape[1] != mb.shape[1]:
        raise ValueError(f"a has {ma.shape[1]} constructs and b has {mb.shape[1]}; they should be the same")
    if set(map(str, ma.columns)) == set(map(str, mb.columns)):
        mb = mb[list(ma.columns)]
    diff = ma.to_numpy()[:, None, :] - mb.to_numpy()[None, :, :]
    known = np.isfinite(diff).any(-1)
    dist = np.where(known, np.sqrt(np.nansum(diff**2, axis=-1)), np.inf)
    finite = np.where(np.isfinite(dist), dist, 1e300)  # linear_sum_assignment needs finite costs
    rows, cols = linear_sum_assignment(finite)
    pairs = {"profile_a": list(rows), "profile_b": list(cols)}
    matched = [True] * len(rows)
    if unmatched == "nearest":
        for i in sorted(set(range(len(ma))) - set(rows)):
            pairs["profile_a"].append(i)
            pairs["profile_b"].append(int(np.argmin(finite[i])))
            matched.append(False)
    ia, ib = np.asarray(pairs["profile_a"], dtype=int), np.asarray(pairs["profile_b"], dtype=int)
    out = pd.DataFrame(
        {
            "profile_a": np.asarray(ma.index)[ia].astype(int),
            "profile_b": np.asarray(mb.index)[ib].astype(int),
            "distance": dist[ia, ib],
        }
    )
    if unmatched == "nearest":
        out["matched"] = matched
    return out.sort_values("profile_a", kind="stable").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class StabilityResult:
    """Result of :func:`profile_stability`.

    Attributes
    ----------
    ari : Series
        Adjusted Rand index between the original classification and each bootstrap model's
        classification of the same students (one value per bootstrap sample).
    jaccard : DataFrame
        One row per bootstrap sample, one column per original profile: the largest Jaccard
        similarity between the profile's members and a bootstrap profile's members.
    summary : DataFrame
        One row per profile: ``profile``, ``n``, ``mean_jaccard``, ``dissolved`` (share of
        bootstrap samples with Jaccard < 0.5), ``stable`` (mean Jaccard >= 0.75).
    mean_ari : float
    """

    ari: pd.Series
    jaccard: pd.DataFrame
    summary: pd.DataFrame
    mean_ari: float


def _one_fit(X, idx, model, k, seed, n_starts, init):
    lpm = LatentProfileModel(k, model=model, n_starts=n_starts, random_state=seed, init_params=init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lpm.fit(X[idx])
    return lpm.predict(X)


def profile_stability(
    data,
    model=1,
    n_profiles=None,
    *,
    solution=None,
    n_bootstrap=50,
    n_starts=20,
    random_state=None,
    n_jobs=None,
    progress=False,
):
    """Bootstrap stability of a latent profile solution: ARI and per-profile Jaccard.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n, d)
        The scores (NaN allowed); rows with every value missing are dropped.
    model : int, default=1
        tidyLPA model number.
    n_profiles : int
        Number of profiles (taken from ``solution`` when given).
    solution : ProfileSolution or LatentProfileModel, optional
        The reference solution; fitted on ``data`` when not given.
    n_bootstrap : int, default=50
    n_starts : int, default=20
        Random starts of each bootstrap fit (plus a warm start from the reference).
    random_state : int, RandomState instance or None
    n_jobs : int, optional
        joblib workers over the bootstrap samples.
    progress : bool, default=False
        Show a tqdm progress bar.

    Returns
    -------
    StabilityResult

    Notes
    -----
    For each bootstrap sample (students drawn with replacement), the model is refitted and
    classifies all original students; the ARI compares that classification with the
    reference one (Hubert and Arabie 1985), and for each reference profile the Jaccard index
    ``|A ∩ B| / |A ∪ B|`` with the best-matching bootstrap profile B is recorded (Hennig 2007).
    """
    X = pd.DataFrame(data).to_numpy(dtype=float)
    X = X[~np.isnan(X).all(axis=1)]
    ref_model = getattr(solution, "model", solution) if solution is not None else None
    if ref_model is not None:
        model = int(ref_model.model)
        n_profiles = int(ref_model.n_profiles)
    if n_profiles is None:
        raise ValueError("give n_profiles or a solution")
    rng = check_random_state(random_state)
    if ref_model is None:
        ref_model = LatentProfileModel(n_profiles, model=model, random_state=rng.randint(np.iinfo(np.int32).max))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref_model.fit(X)
    ref = ref_model.predict(X)
    init = {"weights": ref_model.weights_, "means": ref_model.means_, "covariances": ref_model.covariances_}
    n = X.shape[0]
    draws = [(rng.randint(0, n, size=n), int(rng.randint(np.iinfo(np.int32).max))) for _ in range(n_bootstrap)]
    jobs = (delayed(_one_fit)(X, idx, model, n_profiles, seed, n_starts, init) for idx, seed in draws)
    out = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    if progress:
        from tqdm.auto import tqdm

        out = tqdm(out, total=n_bootstrap, desc="stability")
    aris, jac = [], []
    ref_sets = [ref == k for k in range(n_profiles)]
    for labels in out:
        aris.append(adjusted_rand_score(ref, labels))
        row = []
        for a in ref_sets:
            best = 0.0
            for j in np.unique(labels):
                b = labels == j
                union = np.sum(a | b)
                if union:
                    best = max(best, np.sum(a & b) / union)
            row.append(best)
        jac.append(row)
    profiles = pd.Index(range(1, n_profiles + 1), name="profile")
    jaccard = pd.DataFrame(jac, columns=profiles)
    summary = pd.DataFrame(
        {
            "profile": list(profiles),
            "n": [int(s.sum()) for s in ref_sets],
            "mean_jaccard": jaccard.mean(axis=0).to_numpy(),
            "dissolved": (jaccard < DISSOLVED).mean(axis=0).to_numpy(),
        }
    )
    summary["stable"] = summary["mean_jaccard"] >= STABLE
    ari = pd.Series(aris, name="ari")
    return StabilityResult(ari=ari, jaccard=jaccard, summary=summary, mean_ari=float(ari.mean()))

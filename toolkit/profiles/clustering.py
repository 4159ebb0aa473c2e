"""K-means and Ward clustering for workshops, in the same shape as the latent profile results.

Teachers often meet "profiles" first as k-means or hierarchical clusters. :func:`fit_clusters`
runs scikit-learn's :class:`~sklearn.cluster.KMeans` and Ward's
:class:`~sklearn.cluster.AgglomerativeClustering` over a range of K and returns a
:class:`ClusterResults` whose ``.fit_table`` has the silhouette and the Calinski-Harabasz index
in place of the likelihood indices, and whose ``.solution(method, k)`` is a
:class:`~toolkit.profiles.solution.ProfileSolution` (posteriors are 0/1, certainty is 1), so
plans, plots and names work the same way.

Neither method handles missing values: a missing score is replaced by the mean of that
construct over the students who have it (a :class:`MissingValueWarning` says how many), which
is the usual workshop simplification; use :func:`~toolkit.profiles.grid.fit_profiles` (FIML)
for analysis. Clusters are numbered 1..K by decreasing size (ties by decreasing mean over
constructs), as profiles are.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from sklearn.utils import check_random_state

from ..config import MIN_CELL
from ..errors import user_error
from ._input import as_score_frame
from .solution import ProfileSolution

__all__ = ["CLUSTER_COLUMNS", "ClusterResults", "MissingValueWarning", "fit_clusters"]

#: Columns of ``ClusterResults.fit_table``.
CLUSTER_COLUMNS = ("method", "n_profiles", "silhouette", "calinski_harabasz", "within_ss", "n_min", "n_max")
_METHODS = ("kmeans", "ward")


class MissingValueWarning(UserWarning):
    """Missing scores were replaced by construct means before clustering."""


def _ordered(labels, X, K):
    """Relabel 0..K-1 by decreasing size, ties by decreasing mean over constructs."""
    sizes = np.bincount(labels, minlength=K)
    means = np.array([X[labels == k].mean() if sizes[k] else -np.inf for k in range(K)])
    order = np.lexsort((-means, -sizes))
    new = np.empty(K, dtype=int)
    new[order] = np.arange(K)
    return new[labels]


class ClusterResults:
    """The result of :func:`fit_clusters`.

    Attributes
    ----------
    fit_table : DataFrame
        One row per (method, K): :data:`CLUSTER_COLUMNS`. Silhouette (higher is better, -1..1;
        Rousseeuw 1987) and Calinski-Harabasz (higher is better; Calinski and Harabasz 1974)
        are NaN for K = 1. ``within_ss`` is the within-cluster sum of squares.
    data : DataFrame
        The scores clustered (missing values imputed).
    labels : dict
        ``(method, K) -> ndarray`` of 0-based cluster labels in the ordered numbering.
    estimators : dict
        ``(method, K) -> fitted scikit-learn estimator``.
    n_imputed : int
        Missing values replaced by construct means.
    """

    def __init__(self, fit_table, data, labels, estimators, *, n_imputed=0, construct_labels=None, original=None):
        self.fit_table = fit_table
        self.data = data
        self.labels = labels
        self.estimators = estimators
        self.n_imputed = n_imputed
        self._construct_labels = construct_labels
        self._original = original if original is not None else data

    def solution(self, method, n_profiles):
        """A :class:`ProfileSolution` of one (method, K): one-hot posteriors, cluster means.

        The profile means and their standard errors (SD / sqrt(n) within the cluster) are
        computed on the observed (not imputed) scores.
        """
        key = (str(method), int(n_profiles))
        if key not in self.labels:
            raise user_error(f"{method} with {n_profiles} clusters was not fitted",
                             fix=f"choose one of {sorted(self.labels)}")
        lab = self.labels[key]
        K = key[1]
        z = np.eye(K)[lab]
        obs = self._original
        means = np.vstack([obs[lab == k].mean(axis=0, skipna=True).to_numpy() for k in range(K)])
        var = np.vstack([obs[lab == k].var(axis=0, ddof=1, skipna=True).to_numpy() for k in range(K)])
        return ProfileSolution(obs, z, means, np.nan_to_num(var, nan=0.0), model=self.estimators[key],
                               model_number=key[0], labels=self._construct_labels)


def fit_clusters(
    data,
    n_profiles=range(1, 7),
    methods=_METHODS,
    *,
    random_state=None,
    n_init=10,
    standardize=False,
    labels=None,
    columns=None,
    min_cell=MIN_CELL,
):
    """K-means and Ward clustering over a range of K, with silhouette and Calinski-Harabasz.

    Parameters
    ----------
    data : DataFrame or array-like of shape (n_students, n_constructs)
    n_profiles : iterable of int, default=range(1, 7)
    methods : iterable of {"kmeans", "ward"}, default=("kmeans", "ward")
    random_state : int, RandomState instance or None
        Seeds k-means (Ward is deterministic).
    n_init : int, default=10
        k-means restarts.
    standardize : bool, default=False
        Cluster z-scores of the constructs instead of the raw scores.
    labels : dict, optional
        Construct -> readable label, for profile names.
    columns : list of str, optional
    min_cell : int, default=config.MIN_CELL
        Kept for symmetry with :func:`fit_profiles`; stored on the result.

    Returns
    -------
    ClusterResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(5, 1, (30, 2))]), columns=["a", "b"])
    >>> res = fit_clusters(X, n_profiles=[2, 3], random_state=0)
    >>> res.solution("kmeans", 2).sizes.tolist()
    [50, 30]
    """
    frame = as_score_frame(data, columns)
    frame = frame.loc[~frame.isna().all(axis=1)]
    methods = [str(m) for m in ([methods] if isinstance(methods, str) else methods)]
    for m in methods:
        if m not in _METHODS:
            raise user_error("unknown clustering method", value=m, fix="use 'kmeans' or 'ward'")
    ks = sorted({int(k) for k in ([n_profiles] if np.isscalar(n_profiles) else n_profiles)})
    if not ks or ks[0] < 1:
        raise user_error("n_profiles should be whole numbers >= 1", value=ks, fix="use e.g. range(1, 7)")
    n = len(frame)
    if ks[-1] > n:
        raise user_error(f"{ks[-1]} clusters need at least as many students; there are {n}",
                         fix="ask for fewer clusters")
    n_missing = int(frame.isna().sum().sum())
    filled = frame.fillna(frame.mean(axis=0))
    if n_missing:
        warnings.warn(
            f"{n_missing} missing score(s) were replaced by their construct's mean before clustering; "
            "use fit_profiles (FIML) to analyse incomplete data properly",
            MissingValueWarning,
            stacklevel=2,
        )
    X = filled.to_numpy(dtype=float)
    if standardize:
        sd = X.std(axis=0, ddof=1)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    rows, lab_out, est_out = [], {}, {}
    for m in methods:
        for k in ks:
            if m == "kmeans":
                est = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
                raw = est.labels_
                wss = float(est.inertia_)
            else:
                if k == 1:
                    est = None
                    raw = np.zeros(n, dtype=int)
                else:
                    est = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X)
                    raw = est.labels_
            lab = _ordered(raw, X, k)
            wss = float(sum(((X[lab == j] - X[lab == j].mean(axis=0)) ** 2).sum() for j in range(k)))
            counts = np.bincount(lab, minlength=k)
            sil = ch = np.nan
            if 1 < k < n:
                sil = float(silhouette_score(X, lab))
                ch = float(calinski_harabasz_score(X, lab))
            rows.append({"method": m, "n_profiles": k, "silhouette": sil, "calinski_harabasz": ch, "within_ss": wss,
                         "n_min": counts.min() / n, "n_max": counts.max() / n})
            lab_out[(m, k)] = lab
            est_out[(m, k)] = est
    table = pd.DataFrame(rows, columns=list(CLUSTER_COLUMNS))
    res = ClusterResults(table, filled, lab_out, est_out, n_imputed=n_missing, construct_labels=labels, original=frame)
    res.min_cell = min_cell
    return res

"""The search reaches the global optimum reliably and says so honestly (issue 12).

Reference numbers and their sources:

* pisaUSA15 rows 1-500 (n = 488, FIML): Mplus 8 through tidyLPA, 500 random starts and 100
  final, as tabulated in ../shared/data/README.md.
* R's datasets::faithful, mclust::diabetes and mclust::banknote (tests/data/profiles/, see its
  README), against two references. (1) mclust 6.0.0's own fits, computed with R from Debian's
  packages by tests/r_reference/mclust_r_data.R and stored in mclust_r_data.json (no R needed
  here); the published diabetes VVV, G = 3 number (BIC -4751.316, "A quick tour of mclust") is
  checked against it. mclust has no minimum profile size and no variance floor, so cells where
  its solution keeps a spurious profile are not compared, nor the one cell where EM continued
  from its solution ends in one (see _mclust_cells). (2) The best log-likelihood of a very
  wide search of this engine (200 random starts, 40 final, random_state=0, under the guard),
  which is not independent of it: the default search, for every seed, should do as well as a
  search four times as wide.
"""

from __future__ import annotations

import functools
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit.profiles import LatentProfileModel, fit_profiles
from toolkit.profiles import _guard
from toolkit.profiles.model import EIG_TOL, VAR_FLOOR

from _profiles_helpers import continue_from
from conftest import R_REFERENCE, TEST_DATA

DATA = TEST_DATA / "profiles"

# (model, K, LL) from the Mplus table (../shared/data/README.md)
MPLUS = [
    (1, 1, -2088.66), (1, 2, -1996.51), (1, 3, -1952.98), (1, 4, -1889.43), (1, 5, -1870.91),
    (2, 2, -1988.99), (2, 3, -1877.96), (3, 1, -1968.35), (3, 2, -1950.11), (3, 3, -1930.36),
    (3, 4, -1840.85), (4, 2, -1930.96), (4, 3, -1859.47), (5, 2, -1927.10), (6, 2, -1918.84),
    (6, 3, -1885.73),
]


# 160 fits (16 cells x seeds 0..9), about 50 s of CPU: parametrised so pytest-xdist spreads them.
@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("row", MPLUS, ids=[f"model{m}-K{k}" for m, k, _ in MPLUS])
def test_every_mplus_cell_is_reached_for_every_seed(pisa488, row, seed):
    model, K, ll = row
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lpm = LatentProfileModel(K, model=model, random_state=seed).fit(pisa488)
    assert lpm.log_likelihood_ >= ll - 0.015, (lpm.log_likelihood_, ll)
    assert not lpm.degenerate_
    # the guard: no profile smaller than its free parameters allow
    assert lpm.weights_.min() * 488 >= _guard.min_profile_count(model, 4) - 1e-9
    if K > 1 and lpm.replicated_:
        assert len(lpm.replicated_origins_) >= 2


def test_replicated_means_two_kinds_of_start_at_the_best(pisa488):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lpm = LatentProfileModel(4, model=3, random_state=2).fit(pisa488)
    best = lpm.log_likelihood_
    at_best = [o for ll, o in zip(lpm.start_log_likelihoods_, lpm.start_origins_)
               if abs(ll - best) <= 0.01]
    assert lpm.replicated_ == (len(at_best) >= 2 and len(set(at_best)) >= 2)
    assert set(lpm.replicated_origins_) == set(at_best)
    assert lpm.n_starts_run_ >= lpm.n_starts


def _load(name, standardise):
    df = pd.read_csv(DATA / f"{name}.csv").select_dtypes("number")
    if standardise:
        df = (df - df.mean()) / df.std()
    return df


# Best LL of a wide search (see the module docstring), raw data, K = 2..4 of models 1, 2, 3, 6.
# diabetes model 6 K = 3 equals mclust 6.0.0's published -2303.496.
REFERENCE = {
    "faithful": {1: (-1157.68, -1133.46, -1125.36), 2: (-1147.81, -1127.01, -1114.07),
                 3: (-1140.19, -1126.32, -1120.83), 6: (-1130.26, -1119.21, -1112.84)},
    "diabetes": {1: (-2559.82, -2464.38, -2424.02), 2: (-2445.31, -2364.14, -2332.13),
                 3: (-2473.14, -2417.34, -2380.18), 6: (-2354.65, -2303.49, -2285.52)},
    "banknote": {1: (-932.07, -880.13, -824.83), 2: (-903.49, -825.39, -784.15),
                 3: (-793.64, -698.12, -676.49), 6: (-718.40, -665.94, -622.17)},
}
MCLUST_DIABETES_VVV3 = -2303.496


# Grid subset, to keep the runtime modest: raw data (standardising changes every LL by the
# same constant, so it tests nothing new for the search), K = 1..4 (beyond 4 the VVV cells of
# these small data sets are mostly rejected by the guard), seeds 0..5: 18 grids of 16 cells.
# A cell reaches the reference when its fit is not collapsed (every start rejected by the
# guard: the LL of a collapsed fit is that of a spurious solution, often higher than the
# reference) and its LL is within 0.015 of it. Known misses, by cell (measured 2026-12-06; every
# other cell must pass for every seed, and test_known_r_data_misses asserts these, strictly
# xfailed, so that the mark goes when the search reaches them):
_R_CELL_MISSES = {
    ("faithful", 2, 4): "VVI K = 4: collapsed for every seed (the starts end at -1114.02 with a profile "
                        "whose variance is just under the floor; converging all 50 random starts reaches "
                        "only -1121.91 or -1126.87); the wide search reached -1114.07",
    ("diabetes", 6, 4): "VVV K = 4: -2289.35 for every seed against the wide search's -2285.52",
    ("banknote", 6, 3): "VVV K = 3: -679.81 for every seed against the wide search's -665.94 (a landscape "
                        "of many local optima: 27 parameters per profile, 200 rows)",
    ("banknote", 6, 4): "VVV K = 4: collapsed for seeds 0-3, -741.70 and -732.63 for seeds 4 and 5, against "
                        "the wide search's -622.17",
}


def _reaches(lpm, ref):
    return not lpm.degenerate_ and lpm.log_likelihood_ >= ref - 0.01 - 0.005


@functools.lru_cache(maxsize=None)
def _grid(name, standardise, seed):
    """The default search's grid (models 1, 2, 3, 6 by K = 1..4): (model, K) -> fitted model.

    Fitted once per process; the tests of one data set share an xdist group (``make test`` runs
    ``--dist loadgroup``), so one worker fits each data set's grids once for all three tests."""
    X = _load(name, standardise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_profiles(X, n_profiles=range(1, 5), models=(1, 2, 3, 6), random_state=seed).models


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xdist_group(n))
                                  for n in ("faithful", "diabetes", "banknote")])
def test_r_data_sets_reach_the_reference_for_every_seed(name, seed):
    X = _load(name, standardise=False)
    models = _grid(name, False, seed)
    for (m, k), lpm in models.items():
        if k == 1 or (name, m, k) in _R_CELL_MISSES:
            continue
        ref = REFERENCE[name][m][k - 2]
        assert _reaches(lpm, ref), (name, m, k, lpm.log_likelihood_, lpm.degenerate_, ref)
        assert lpm.weights_.min() * len(X) >= _guard.min_profile_count(m, X.shape[1]) - 1e-9
    if name == "diabetes":
        assert models[(6, 3)].log_likelihood_ == pytest.approx(MCLUST_DIABETES_VVV3, abs=0.01)


@pytest.mark.parametrize("name,m,k", [
    pytest.param(*cell, id=f"{cell[0]}-model{cell[1]}-K{cell[2]}",
                 marks=[pytest.mark.xdist_group(cell[0]), pytest.mark.xfail(reason=why, strict=True)])
    for cell, why in _R_CELL_MISSES.items()
])
def test_known_r_data_misses(name, m, k):
    """The known misses of the test above, each asserted for every seed (strict xfail)."""
    ref = REFERENCE[name][m][k - 2]
    missed = [(seed, round(_grid(name, False, seed)[(m, k)].log_likelihood_, 3))
              for seed in range(6) if not _reaches(_grid(name, False, seed)[(m, k)], ref)]
    assert not missed, missed


# Known cells where a fit is flagged replicated although another seed's default search found a
# higher log-likelihood (measured 2026-12-03): a local optimum reached from two kinds of start.
# Strict: when the search improves, the mark has to go (diabetes, standardised, VVI K = 4, where
# seeds 0-4 flagged -198.89 replicated and seed 5 reached -197.73, went with the Ward start of
# 2026-12-06, which reaches -197.73 for every seed; faithful, raw, VVV K = 4, where seeds 2 and 3
# flagged -1114.69 replicated, went with the split axis in SD units of the same day).
_FLAGGED_BELOW_BEST = {
    ("banknote", True): "EEI K = 3: seed 1 flags -1404.83 replicated; the other seeds reach -1402.45",
}


@pytest.mark.parametrize("name,standardise", [
    pytest.param(name, std, id=f"{name}-{'standardised' if std else 'raw'}",
                 marks=[pytest.mark.xdist_group(name)] + ([pytest.mark.xfail(reason=_FLAGGED_BELOW_BEST[(name, std)],
                                                                              strict=True)]
                                                          if (name, std) in _FLAGGED_BELOW_BEST else []))
    for name in ("faithful", "diabetes", "banknote") for std in (False, True)
])
def test_no_fit_is_flagged_replicated_below_the_best_seen_in_any_seed(name, standardise):
    """Issue 12: over seeds 0..5, no fit flagged replicated is more than 0.01 below the best
    log-likelihood any seed reached in its cell, and no profile is smaller than the guard allows."""
    X = _load(name, standardise)
    grids = [_grid(name, standardise, seed) for seed in range(6)]
    best = {cell: max(g[cell].log_likelihood_ for g in grids if not g[cell].degenerate_)
            for cell in grids[0] if any(not g[cell].degenerate_ for g in grids)}
    flagged_low = [(seed, cell, round(g[cell].log_likelihood_, 3), round(best[cell], 3))
                   for seed, g in enumerate(grids) for cell in best
                   if g[cell].replicated_ and not g[cell].degenerate_ and g[cell].log_likelihood_ < best[cell] - 0.01]
    assert not flagged_low, flagged_low
    small = [(seed, cell) for seed, g in enumerate(grids) for cell, lpm in g.items() if not lpm.degenerate_
             and lpm.weights_.min() * len(X) < _guard.min_profile_count(cell[0], X.shape[1]) - 1e-9]
    assert not small, small


# mclust 6.0.0 (R 4.2.2, Debian 12) on the same data: tests/r_reference/mclust_r_data.R wrote
# mclust_r_data.json (log-likelihood, weights, means and covariances of Mclust(X, G, modelNames) for
# EEI, VVI, EEE, VVV and G = 1..6). mclust starts EM once, from model-based hierarchical
# clustering, and keeps solutions the engine's guard rejects; those cells are not compared.
MCLUST = json.loads((R_REFERENCE / "mclust_r_data.json").read_text(encoding="utf-8"))
_MCLUST_MODEL = {"EEI": 1, "VVI": 2, "EEE": 3, "VVV": 6}
# mclust stops its EM when the log-likelihood changes by less than 1e-5 of itself in an
# iteration (its default tol), which on these data can be units short of a maximum: the engine's
# EM continued from mclust's solution (a warm start, n_starts=1) gains up to 5.5 (faithful EEE
# K = 4: -1126.37 -> -1120.83). A cell is compared when mclust's solution passes the guard and
# that continuation does not collapse, and the bar is the continuation's LL (mclust's or
# higher: the maximum mclust's start leads to). The continuation leaves out one cell: faithful VVI K = 4
# (raw, and the same cell standardised), where mclust's -1118.49 is a point on the way to a
# spurious solution, not a maximum: continued, EM climbs to -1114.16 and a profile's variance
# falls under the floor (test_mclust_faithful_vvi_4_continues_to_a_spurious_solution), and the
# engine's fit of that cell collapses for every seed, as it should.


def _guard_rejects(weights, covs, X, model):
    """Whether the engine's spurious-solution guard rejects a solution (see LatentProfileModel)."""
    n, d = X.shape
    var = X.var(0)
    std = covs / np.sqrt(np.outer(var, var))
    return bool(weights.min() * n < _guard.min_profile_count(model, d) - 1e-9
                or np.linalg.eigvalsh(std).min() < EIG_TOL
                or (np.diagonal(std, axis1=-2, axis2=-1) < VAR_FLOOR).any())


def _mclust_fit(name, standardise, mname, k):
    return MCLUST["fits"][f"{name}/{'standardised' if standardise else 'raw'}/{mname}/{k}"]


@functools.lru_cache(maxsize=None)
def _continue_mclust(name, standardise, mname, k):
    """The engine's EM continued from mclust's solution: the fitted LatentProfileModel."""
    return continue_from(_mclust_fit(name, standardise, mname, k), _load(name, standardise),
                         _MCLUST_MODEL[mname], k)


@functools.lru_cache(maxsize=None)
def _mclust_cells(name, standardise):
    """(model, K) -> the log-likelihood of the engine's EM continued from mclust's solution
    (at least mclust's), for K = 1..4, where mclust's solution passes the guard and the
    continuation does not collapse."""
    X = _load(name, standardise).to_numpy(float)
    d = X.shape[1]
    out = {}
    for mname, model in _MCLUST_MODEL.items():
        for k in range(1, 5):
            fit = _mclust_fit(name, standardise, mname, k)
            if fit["loglik"] is None:
                continue
            w = np.atleast_1d(np.asarray(fit["pro"], dtype=float))
            covs = np.asarray(fit["sigma"], dtype=float).reshape(k, d, d)
            cont = _continue_mclust(name, standardise, mname, k)
            if not _guard_rejects(w, covs, X, model) and not cont.degenerate_:
                assert cont.log_likelihood_ >= fit["loglik"] - 1e-6  # EM never goes down
                out[(model, k)] = cont.log_likelihood_
    return out


def test_mclust_reference_is_what_mclust_published():
    """The stored mclust fit reproduces the published diabetes VVV, G = 3 number."""
    assert MCLUST["mclust"] == "6.0.0"
    fit = MCLUST["fits"]["diabetes/raw/VVV/3"]
    assert fit["loglik"] == pytest.approx(MCLUST_DIABETES_VVV3, abs=0.001)
    assert fit["bic"] == pytest.approx(-4751.316, abs=0.001)
    # the stored weights, means and covariances are that solution's: the mixture density at
    # them (scipy) gives mclust's log-likelihood (0.003 higher: mclust reports the LL of the
    # E-step before its last M-step)
    from scipy.stats import multivariate_normal

    X = _load("diabetes", False).to_numpy(float)
    means, covs = np.asarray(fit["mean"]).reshape(3, 3), np.asarray(fit["sigma"]).reshape(3, 3, 3)
    dens = sum(p * multivariate_normal(m, c).pdf(X) for p, m, c in zip(fit["pro"], means, covs))
    assert np.log(dens).sum() == pytest.approx(MCLUST_DIABETES_VVV3, abs=0.01)


@pytest.mark.parametrize("standardise", [False, True])
def test_mclust_faithful_vvi_4_continues_to_a_spurious_solution(standardise):
    """mclust's faithful VVI K = 4 passes the guard, but EM from it climbs on into a solution the
    guard rejects: it is no maximum, so it is not compared (see _mclust_cells)."""
    X = _load("faithful", standardise).to_numpy(float)
    fit = _mclust_fit("faithful", standardise, "VVI", 4)
    assert not _guard_rejects(np.asarray(fit["pro"]), np.asarray(fit["sigma"]).reshape(4, 2, 2), X, 2)
    cont = _continue_mclust("faithful", standardise, "VVI", 4)
    assert cont.degenerate_ and cont.log_likelihood_ > fit["loglik"] + 4
    assert (2, 4) not in _mclust_cells("faithful", standardise)


@pytest.mark.parametrize("name,standardise", [
    pytest.param(name, std, id=f"{name}-{'standardised' if std else 'raw'}", marks=pytest.mark.xdist_group(name))
    for name in ("faithful", "diabetes", "banknote") for std in (False, True)
])
def test_no_cell_is_below_mclust_for_any_seed(name, standardise):
    """Issue 12: for seeds 0..5, no cell more than 0.01 below mclust's log-likelihood, nor below
    the maximum EM reaches from mclust's solution (a collapsed fit counts as below: mclust's
    solutions compared are ones the guard accepts)."""
    ref = _mclust_cells(name, standardise)
    assert len(ref) >= 12  # most of the 16 cells have a valid mclust solution to compare with
    below = [(seed, cell, round(fit.log_likelihood_, 3), "collapsed" if fit.degenerate_ else "", round(ll, 3))
             for seed in range(6) for cell, ll in ref.items()
             for fit in [_grid(name, standardise, seed)[cell]]
             if fit.degenerate_ or fit.log_likelihood_ < ll - 0.01]
    assert not below, below


# ---------------------------------------------------------------------------------------------
# The random starts: the seeds' k-means++ centres are computed together (speed), with the draws
# of scikit-learn's kmeans_plusplus and the engine's order of draws unchanged.
# ---------------------------------------------------------------------------------------------
def _sequential_random_starts(Xf, w, K, rng, n_random):
    """The starts' partitions drawn one start at a time, centres from scikit-learn."""
    from sklearn.cluster import kmeans_plusplus

    from toolkit.profiles._search import _is_kpp, _random_partition

    labels, n_fallback = [], 0
    for s in range(n_random):
        if _is_kpp(s):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            centers = kmeans_plusplus(Xf, K, sample_weight=w, random_state=seed)[0]
            lab = ((Xf[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
            if np.bincount(lab, minlength=K).min() == 0:
                lab = _random_partition(rng, len(Xf), K)
                n_fallback += 1
        else:
            lab = _random_partition(rng, len(Xf), K)
        labels.append(lab)
    return labels, n_fallback


def test_kmeans_plusplus_centres_are_scikit_learns_for_every_seed(pisa488):
    from sklearn.cluster import kmeans_plusplus

    from toolkit.profiles._search import _kmeans_plusplus

    X = pisa488.dropna().to_numpy(float)
    X = X - X.mean(0)
    w = np.random.RandomState(3).uniform(0.5, 2.0, len(X))  # case weights change the draws
    seeds = [0, 1, 7, 2**20, 123456789]
    for K in (2, 4, 6):
        ours = _kmeans_plusplus(X, K, w, seeds)
        for seed, centers in zip(seeds, ours):
            theirs = kmeans_plusplus(X, K, sample_weight=w, random_state=seed)[0]
            np.testing.assert_array_equal(centers, theirs)


@pytest.mark.parametrize("heaped", [False, True])
def test_random_starts_draw_what_one_start_at_a_time_draws(heaped):
    from toolkit.profiles._search import random_starts

    rs = np.random.RandomState(5)
    if heaped:
        # 40 rows on 3 distinct points and K = 6: k-means++ leaves profiles empty, so fallback
        # partitions are drawn in between (the replayed path)
        Xf = rs.randint(0, 3, size=(40, 1)).astype(float) @ np.ones((1, 2))
    else:
        Xf = rs.normal(size=(60, 3))
    K, n_random = 6 if heaped else 3, 12
    w = np.ones(len(Xf))
    ref = np.random.RandomState(11)
    expected, n_fallback = _sequential_random_starts(Xf, w, K, ref, n_random)
    assert (n_fallback > 0) == heaped
    rng = np.random.RandomState(11)
    (wts, means, _covs), kinds = random_starts(Xf, w, K, 2, True, rng, n_random, 1e-6)
    assert rng.get_state()[1].tolist() == ref.get_state()[1].tolist()  # the same draws in all
    assert kinds.tolist() == [bool(int((s + 1) * 0.5) > int(s * 0.5)) for s in range(n_random)]
    for s, lab in enumerate(expected):
        counts = np.bincount(lab, minlength=K)
        np.testing.assert_allclose(wts[s], counts / len(Xf))
        for k in np.flatnonzero(counts):
            np.testing.assert_allclose(means[s, k], Xf[lab == k].mean(0), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# The Ward start: one tree per set of rows, cut at each K; a subset above _WARD_MAX_ROWS.
# ---------------------------------------------------------------------------------------------
def _blobs(n_per, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 1.0], [0.0, 6.0, -1.0]])
    X = np.concatenate([c + rng.normal(size=(n_per, 3)) for c in centres])
    return X, np.repeat(np.arange(3), n_per)


def test_ward_start_finds_separated_groups_from_one_tree_per_set_of_rows(monkeypatch):
    from sklearn.metrics import adjusted_rand_score

    from toolkit.profiles import _search

    X, truth = _blobs(40)
    X[5, 1] = np.nan  # a missing value sits at the mean
    Xc = X - np.nanmean(X, 0)
    Xc[np.isnan(Xc)] = 0.0
    scale = np.nanvar(X, 0)
    calls = []
    real = _search.linkage
    monkeypatch.setattr(_search, "linkage", lambda Y, method: calls.append(len(Y)) or real(Y, method=method))
    _search._ward_tree.clear()
    lab3 = _search._ward_partition(Xc, scale, 3)
    lab2 = _search._ward_partition(Xc, scale, 2)
    assert calls == [120]  # the tree of these rows is grown once and cut at K = 3 and K = 2
    assert adjusted_rand_score(truth, lab3) == 1.0
    assert np.unique(lab2).size == 2
    _search._ward_partition(Xc[:-1], scale, 3)  # other rows, another tree
    assert calls == [120, 119]
    # fewer distinct rows than K: no start
    assert _search._ward_partition(np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0), np.ones(2), 3) is None


def test_ward_start_above_the_row_limit_uses_a_subset_and_labels_every_row(monkeypatch):
    from sklearn.metrics import adjusted_rand_score

    from toolkit.profiles import _search

    X, truth = _blobs(100, seed=1)
    Xc = X - X.mean(0)
    monkeypatch.setattr(_search, "_WARD_MAX_ROWS", 60)
    calls = []
    real = _search.linkage
    monkeypatch.setattr(_search, "linkage", lambda Y, method: calls.append(len(Y)) or real(Y, method=method))
    _search._ward_tree.clear()
    lab = _search._ward_partition(Xc, X.var(0), 3)
    assert calls == [60] and lab.shape == (300,)
    assert adjusted_rand_score(truth, lab) > 0.95
    _search._ward_tree.clear()
    np.testing.assert_array_equal(_search._ward_partition(Xc, X.var(0), 3), lab)  # no random_state


def test_ward_start_is_one_of_the_converged_starts():
    X, _ = _blobs(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lpm = LatentProfileModel(3, model=2, random_state=0).fit(X)
    assert "Ward clustering" in lpm.start_origins_
    assert lpm.replicated_

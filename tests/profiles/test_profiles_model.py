"""Tests of the latent profile estimator (toolkit.profiles.model) and its numerics (_em)."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from toolkit.profiles import (
    DegenerateSolutionWarning,
    LatentProfileModel,
    ReplicationWarning,
    information_criteria,
    relative_entropy,
)
from toolkit.profiles import _em, _guard, _search, _structure, model as model_module


COLUMNS = ["broad_interest", "enjoyment", "instrumental_mot", "self_efficacy"]


def _quiet_fit(estimator, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, **kwargs)


@pytest.fixture(scope="module")
def pisa_complete(pisa_all):
    """Complete cases (5,358), standardised."""
    X = pisa_all.dropna().to_numpy(float)
    assert X.shape == (5358, 4)
    return (X - X.mean(0)) / X.std(0, ddof=1)


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(7)
    means = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -2.0], [-2.0, 3.0, 1.0]])
    labels = rng.choice(3, size=900, p=[0.5, 0.3, 0.2])
    A = rng.normal(size=(3, 3, 3)) * 0.4 + np.eye(3)
    X = means[labels] + np.einsum("nij,nj->ni", A[labels], rng.standard_normal((900, 3)))
    return X, labels


# --------------------------------------------------------------------------------------------
# Mplus reference fits.
# Source: Mplus 8 through tidyLPA (500 random starts, 100 final), as tabulated in
# ../shared/data/README.md: pisaUSA15, first 500 rows, n = 488, raw scale, FIML.
# (model, K, k, LL, BIC, aBIC, CAIC, AWE)
# --------------------------------------------------------------------------------------------
MPLUS = [
    (1, 1, 8, -2088.66, 4226.84, 4201.45, 4234.84, 4300.36),
    (1, 2, 13, -1996.51, 4073.50, 4032.24, 4086.50, 4192.97),
    (1, 3, 18, -1952.98, 4017.38, 3960.25, 4035.38, 4182.81),
    (1, 4, 23, -1889.43, 3921.23, 3848.23, 3944.23, 4132.61),
    (1, 5, 28, -1870.91, 3915.16, 3826.28, 3943.15, 4172.48),
    (2, 2, 17, -1988.99, 4083.22, 4029.26, 4100.22, 4239.45),
    (2, 3, 26, -1877.96, 3916.88, 3834.35, 3942.88, 4155.83),
    (3, 1, 14, -1968.35, 4023.36, 3978.93, 4037.36, 4152.02),
    (3, 2, 19, -1950.11, 4017.84, 3957.53, 4036.84, 4192.45),
    (3, 3, 24, -1930.36, 4009.29, 3933.12, 4033.29, 4229.86),
    (3, 4, 29, -1840.85, 3861.23, 3769.18, 3890.23, 4127.75),
    (4, 2, 23, -1930.96, 4004.30, 3931.30, 4027.30, 4215.67),
    (4, 3, 32, -1859.47, 3917.02, 3815.45, 3949.02, 4211.11),
    (5, 2, 25, -1927.10, 4008.95, 3929.60, 4033.95, 4238.71),
    (6, 2, 29, -1918.84, 4017.19, 3925.15, 4046.19, 4283.71),
    (6, 3, 44, -1885.73, 4043.84, 3904.18, 4087.83, 4448.21),
]
# The equal-covariance model (3) has many local optima on these heaped Likert scores; its
# global optimum is reached by fewer starts, so it gets more (and more final) starts.
STARTS = {(3, 2): (60, 30), (3, 3): (60, 30), (3, 4): (60, 30)}


@pytest.mark.parametrize("row", MPLUS, ids=[f"model{r[0]}-K{r[1]}" for r in MPLUS])
def test_mplus_table_is_reproduced(pisa488, row):
    model, K, k, ll, bic, abic, caic, awe = row
    n_starts, n_final = STARTS.get((model, K), (40, 8))
    lpm = _quiet_fit(
        LatentProfileModel(
            K, model=model, n_starts=n_starts, n_final=n_final, random_state=2026
        ),
        pisa488,
    )
    assert lpm.n_parameters_ == k
    # within 0.01 of Mplus, or a better optimum, but never the absurd LL of a collapsed profile
    assert lpm.log_likelihood_ >= ll - 0.01
    assert lpm.log_likelihood_ <= ll + 1.0
    assert lpm.converged_
    ic = information_criteria(lpm.log_likelihood_, lpm.n_parameters_, 488)
    pairs = [(ic["bic"], bic), (ic["sabic"], abic), (ic["caic"], caic), (ic["awe"], awe)]
    for ours, theirs in pairs:
        if lpm.log_likelihood_ <= ll + 0.01:  # the same optimum: the same indices
            assert ours == pytest.approx(theirs, abs=0.01)
        else:  # a better optimum lowers every index
            assert ours < theirs


@pytest.mark.parametrize("row", MPLUS, ids=[f"model{r[0]}-K{r[1]}" for r in MPLUS])
def test_mplus_criteria_follow_from_ll_and_k(row):
    # The table's indices follow from its own LL and k by the DESIGN.md formulas. The table's
    # LL is rounded to 0.01 (so -2LL is off by up to 0.01) and each index by 0.005: 0.016.
    model, K, k, ll, bic, abic, caic, awe = row
    ic = information_criteria(ll, k, 488)
    assert ic["bic"] == pytest.approx(bic, abs=0.016)
    assert ic["sabic"] == pytest.approx(abic, abs=0.016)
    assert ic["caic"] == pytest.approx(caic, abs=0.016)
    assert ic["awe"] == pytest.approx(awe, abs=0.016)


def test_information_criteria_hand_computed():
    # LL = -10, k = 2, n = 22: -2LL = 20, ln 22 = 3.0910425, ln(24/24) = 0
    ic = information_criteria(-10.0, 2, 22)
    ln22 = math.log(22)
    assert ic["aic"] == pytest.approx(24.0)
    assert ic["bic"] == pytest.approx(20 + 2 * ln22)
    assert ic["sabic"] == pytest.approx(20.0)
    assert ic["caic"] == pytest.approx(20 + 2 * (ln22 + 1))
    assert ic["awe"] == pytest.approx(20 + 4 * (ln22 + 1.5))
    with pytest.raises(ValueError, match="n=0.0 should be > 0"):
        information_criteria(-1.0, 1, 0)


def test_relative_entropy_hand_computed():
    z = np.array([[0.5, 0.5], [1.0, 0.0]])
    # entropy = 2 * 0.5 ln 2 = ln 2; 1 - ln 2 / (2 ln 2) = 0.5
    assert relative_entropy(z) == pytest.approx(0.5)
    assert relative_entropy(np.ones((3, 1))) == 1.0


@pytest.mark.parametrize(
    "model,K,expected",
    [(1, 1, 8), (4, 2, 23), (5, 2, 25), (6, 3, 44), (2, 3, 26), (3, 4, 29)],
)
def test_parameter_counts_are_exact(model, K, expected):
    assert _structure.n_parameters(model, K, 4) == expected


# --------------------------------------------------------------------------------------------
# Against scikit-learn on complete data
# --------------------------------------------------------------------------------------------
SK_TYPE = {2: "diag", 3: "tied", 6: "full"}


def _sklearn_fit(X, model, K):
    gm = GaussianMixture(
        K, covariance_type=SK_TYPE[model], tol=1e-8, n_init=10, max_iter=500, random_state=0
    )
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    covs = gm.covariances_
    if SK_TYPE[model] == "diag":
        covs = covs[..., None] * np.eye(X.shape[1])
    elif SK_TYPE[model] == "tied":
        covs = np.broadcast_to(covs, (K,) + covs.shape)
    return gm, covs


def _collapsed(covs, X):
    """The engine's degeneracy rule: an eigenvalue < 1e-4 in units of the data's variances."""
    sd = X.std(0)
    return np.linalg.eigvalsh(covs / np.outer(sd, sd)).min() < model_module.EIG_TOL


@pytest.mark.parametrize("model,K", [(2, 3), (3, 3), (6, 2)])
def test_ll_at_least_sklearn_on_pisa_complete_cases(pisa_complete, model, K):
    # (model 6 with K=3 is not compared: scikit-learn's best there puts a profile on heaped
    # answers, an eigenvalue at its reg_covar and LL -25993.9, a spike the engine rejects.)
    X = pisa_complete
    gm, sk_covs = _sklearn_fit(X, model, K)
    sk_ll = gm.score(X) * len(X)
    lpm = _quiet_fit(LatentProfileModel(K, model=model, random_state=0), X)
    assert not _collapsed(lpm.covariances_, X)
    assert not _collapsed(sk_covs, X)
    assert lpm.log_likelihood_ >= sk_ll - 0.01
    if abs(lpm.log_likelihood_ - sk_ll) < 0.01:  # same optimum: same clustering
        assert adjusted_rand_score(gm.predict(X), lpm.predict(X)) > 0.99


def test_split_starts_reach_the_eee_k5_optimum(pisa_complete):
    # benchmarks/lpa_grid.py, model 3 (EEE), K=5: StepMix reached -27140.30; the random starts
    # alone (successive halving) stop at -27253.93 with seed 2026, since the few that get there
    # look the worst for ~40 iterations. The split starts (the K=4 solution with one profile
    # split) reach it with the defaults.
    X = pisa_complete
    lpm = _quiet_fit(LatentProfileModel(5, model=3, random_state=2026), X)
    assert lpm.log_likelihood_ == pytest.approx(-27140.297, abs=0.01)
    assert not _collapsed(lpm.covariances_, X)
    no_split = LatentProfileModel(5, model=3, random_state=2026)
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        no_split._fit(X, None, split_starts=False)
    assert no_split.log_likelihood_ < -27200  # what the split starts fix


@pytest.mark.parametrize("model", [2, 3, 6])
def test_ll_at_least_sklearn_on_synthetic_data(synthetic, model):
    X, labels = synthetic
    gm, _ = _sklearn_fit(X, model, 3)
    lpm = _quiet_fit(LatentProfileModel(3, model=model, n_starts=20, random_state=0), X)
    assert lpm.log_likelihood_ >= gm.score(X) * len(X) - 0.01
    assert adjusted_rand_score(gm.predict(X), lpm.predict(X)) > 0.95
    if model == 6:  # the generating model: the planted profiles are recovered
        assert adjusted_rand_score(labels, lpm.predict(X)) > 0.85
    assert lpm.score(X) == pytest.approx(lpm.log_likelihood_ / len(X))


# --------------------------------------------------------------------------------------------
# FIML numerics
# --------------------------------------------------------------------------------------------
def _mixture_density(X, lpm):
    """Log marginal density of each row's observed values, computed with scipy row by row."""
    out = []
    for x in X:
        o = ~np.isnan(x)
        dens = sum(
            w * multivariate_normal(m[o], c[np.ix_(o, o)]).pdf(x[o])
            for w, m, c in zip(lpm.weights_, lpm.means_, lpm.covariances_)
        )
        out.append(math.log(dens))
    return np.array(out)


@pytest.mark.parametrize("model", [1, 2, 3, 4, 5, 6])
def test_fiml_likelihood_is_the_marginal_density_of_observed_values(pisa488, model):
    X = pisa488.to_numpy(float)
    lpm = _quiet_fit(LatentProfileModel(2, model=model, n_starts=6, n_final=2, random_state=0), X)
    ref = _mixture_density(X, lpm)
    np.testing.assert_allclose(lpm.score_samples(X), ref, rtol=1e-9, atol=1e-9)
    assert lpm.log_likelihood_ == pytest.approx(ref.sum(), abs=1e-6)
    proba = lpm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert np.isfinite(proba).all()


@pytest.mark.parametrize("model", [1, 3, 6])
def test_fiml_equals_complete_data_likelihood_when_nothing_is_missing(synthetic, model):
    X, _ = synthetic
    lpm = _quiet_fit(LatentProfileModel(3, model=model, n_starts=10, random_state=1), X)
    covtype = {1: "diag", 3: "tied", 6: "full"}[model]
    # scikit-learn's complete-data density with the same parameters
    gm = GaussianMixture(3, covariance_type=covtype)
    gm.weights_, gm.means_ = lpm.weights_, lpm.means_
    if covtype == "diag":
        gm.covariances_ = np.diagonal(lpm.covariances_, axis1=1, axis2=2)
    elif covtype == "tied":
        gm.covariances_ = lpm.covariances_[0]
    else:
        gm.covariances_ = lpm.covariances_
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    gm.precisions_cholesky_ = _compute_precision_cholesky(gm.covariances_, covtype)
    np.testing.assert_allclose(lpm.score_samples(X), gm.score_samples(X), rtol=1e-10)
    assert lpm.log_likelihood_ == pytest.approx(gm.score_samples(X).sum(), abs=1e-6)


@pytest.mark.parametrize("model", [4, 5])
def test_generalised_em_never_decreases_the_likelihood(pisa488, model):
    X = pisa488.to_numpy(float)
    center = np.nanmean(X, 0)
    scale = np.nanvar(X, 0)
    data = _em.PreparedData(X, np.ones(len(X)), center, diagonal=False)
    lpm = LatentProfileModel(3, model=model, n_starts=8, random_state=3)
    rng = np.random.RandomState(3)
    Xf = np.where(np.isnan(X), 0.0, X - center)
    params = _search.random_starts(Xf, np.ones(len(X)), 3, model, False, rng, lpm.n_starts, lpm.reg_covar)[0]
    trace = []
    _em.run_em(
        data, *params, model=model, max_iter=150, tol=1e-12, reg_covar=1e-6, scale=scale,
        eig_tol=1e-4, min_count=5.0, trace=trace,
    )
    last = {}
    steps = 0
    for active, ll in trace:
        for s, v in zip(active, ll):
            if s in last:
                assert v >= last[s] - 1e-7 * abs(v), (s, last[s], v)
                steps += 1
            last[s] = v
    assert steps > 100


def test_degenerate_starts_are_rejected_and_counted(pisa488):
    # model 6, K=3: without the guard a profile collapses onto a few heaped answers (LL > +2600)
    lpm = _quiet_fit(
        LatentProfileModel(3, model=6, n_starts=40, n_final=8, random_state=2026), pisa488
    )
    assert lpm.n_rejected_starts_ > 0
    assert lpm.log_likelihood_ < -1800
    eig = np.linalg.eigvalsh(lpm.covariances_).min()
    assert eig > 1e-3


def test_all_starts_degenerate_warns_and_flags_the_solution():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[:15] = [3.0, 3.0]  # 15 identical answers: a model-6 profile there has LL -> +infinity
    msg = r"every start .* collapsed or empty profile \(\d+ of \d+ starts rejected\)"
    with pytest.warns(DegenerateSolutionWarning, match=msg) as caught:
        lpm = LatentProfileModel(2, model=6, n_starts=30, random_state=0).fit(X)
    assert lpm.degenerate_
    # every start that reached the final phase collapsed (the n_final random ones at least);
    # the warning counts what the attribute counts
    assert lpm.n_rejected_starts_ >= lpm.n_final
    said = re.search(r"\((\d+) of (\d+) starts", str(caught[0].message))
    assert int(said[1]) == lpm.n_rejected_starts_ and int(said[2]) >= 30
    # the shared-covariance model has no such spike
    ok = _quiet_fit(LatentProfileModel(2, model=3, n_starts=10, random_state=0), X)
    assert not ok.degenerate_ and ok.n_rejected_starts_ == 0

@pytest.mark.parametrize("d", [1, 3, 6])
def test_the_guards_eigenvalue_test_agrees_with_eigvalsh(d):
    # eigenvalues_above decides by a Cholesky factorisation, and by eigvalsh when a matrix of
    # the batch fails it or is not finite; the verdict must be eigvalsh's in every case
    rng = np.random.default_rng(d)
    A = rng.normal(size=(40, 5, d, d))
    S = A @ A.swapaxes(-1, -2) / d
    floor = float(np.quantile(np.linalg.eigvalsh(S)[..., 0], 0.3))  # 30% of matrices fail
    expected = np.linalg.eigvalsh(S)[..., 0] > floor
    assert 0 < expected.sum() < expected.size
    np.testing.assert_array_equal(_guard.eigenvalues_above(S, floor), expected)
    passing = S[expected][:, None]  # a batch where every matrix passes: the Cholesky path
    assert _guard.eigenvalues_above(passing, floor).all()
    S[3, 2] = np.nan  # a non-finite matrix fails, and the others keep their verdict
    got = _guard.eigenvalues_above(S, floor)
    assert not got[3, 2]
    got[3, 2] = expected[3, 2]
    np.testing.assert_array_equal(got, expected)
    assert not _guard.eigenvalues_above(np.full((2, d, d), np.nan), floor).any()



# --------------------------------------------------------------------------------------------
# Estimator behaviour
# --------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_results(pisa488):
    a = _quiet_fit(LatentProfileModel(3, model=2, n_starts=12, random_state=5), pisa488)
    b = _quiet_fit(LatentProfileModel(3, model=2, n_starts=12, random_state=5), pisa488)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.covariances_, b.covariances_)
    np.testing.assert_array_equal(a.predict_proba(pisa488), b.predict_proba(pisa488))
    assert a.log_likelihood_ == b.log_likelihood_


def test_profiles_are_ordered_by_size(pisa488):
    lpm = _quiet_fit(LatentProfileModel(4, model=1, n_starts=20, random_state=0), pisa488)
    assert np.all(np.diff(lpm.weights_) <= 0)
    labels = lpm.predict(pisa488)
    assert labels.min() == 0 and labels.max() <= 3


def test_fitted_attributes_and_dataframe_names(pisa488):
    lpm = _quiet_fit(LatentProfileModel(2, model=4, n_starts=10, random_state=0), pisa488)
    assert list(lpm.feature_names_in_) == COLUMNS
    assert lpm.n_features_in_ == 4
    assert lpm.means_.shape == (2, 4) and lpm.covariances_.shape == (2, 4, 4)
    assert lpm.weights_.sum() == pytest.approx(1.0)
    # model 4: covariances shared, variances per profile
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose(lpm.covariances_[0][off], lpm.covariances_[1][off], atol=1e-12)
    assert not np.allclose(np.diag(lpm.covariances_[0]), np.diag(lpm.covariances_[1]))
    assert lpm.start_log_likelihoods_[0] == lpm.log_likelihood_
    assert isinstance(lpm.n_rejected_starts_, int)
    assert lpm.n_samples_fit_ == 488


def test_model5_shares_variances_and_varies_covariances(pisa488):
    lpm = _quiet_fit(LatentProfileModel(2, model=5, n_starts=10, random_state=0), pisa488)
    np.testing.assert_allclose(
        np.diag(lpm.covariances_[0]), np.diag(lpm.covariances_[1]), atol=1e-12
    )
    off = ~np.eye(4, dtype=bool)
    assert not np.allclose(lpm.covariances_[0][off], lpm.covariances_[1][off])


def test_bic_aic_and_sample(synthetic):
    X, _ = synthetic
    lpm = _quiet_fit(LatentProfileModel(3, model=2, n_starts=10, random_state=0), X)
    ic = information_criteria(lpm.log_likelihood_, lpm.n_parameters_, len(X))
    assert lpm.bic(X) == pytest.approx(ic["bic"])
    assert lpm.aic(X) == pytest.approx(ic["aic"])
    Xs, labels = lpm.sample(500)
    assert Xs.shape == (500, 3) and labels.shape == (500,)
    assert set(np.unique(labels)) <= {0, 1, 2}


def test_sample_weight_equals_repeated_rows(synthetic):
    X, _ = synthetic
    X = X[:300]
    w = np.where(np.arange(300) % 3 == 0, 2.0, 1.0)
    Xr = np.repeat(X, w.astype(int), axis=0)
    a = _quiet_fit(LatentProfileModel(2, model=6, n_starts=10, random_state=0), X, sample_weight=w)
    b = _quiet_fit(LatentProfileModel(2, model=6, n_starts=10, random_state=0), Xr)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, abs=1e-4)
    assert a.log_likelihood_ == pytest.approx((w * a.score_samples(X)).sum(), abs=1e-6)


def test_warm_start_from_init_params(pisa488):
    ref = _quiet_fit(LatentProfileModel(2, model=6, n_starts=20, random_state=0), pisa488)
    init = {"weights": ref.weights_, "means": ref.means_, "covariances": ref.covariances_}
    warm = _quiet_fit(
        LatentProfileModel(2, model=6, n_starts=1, n_final=1, init_params=init), pisa488
    )
    assert warm.log_likelihood_ == pytest.approx(ref.log_likelihood_, abs=1e-4)
    assert warm.n_iter_ < 20


def test_large_data_path_uses_a_subsample(monkeypatch, synthetic):
    X, labels = synthetic
    monkeypatch.setattr(model_module, "SUBSAMPLE_ABOVE", 500)
    monkeypatch.setattr(model_module, "SUBSAMPLE_SIZE", 300)
    lpm = _quiet_fit(LatentProfileModel(3, model=2, n_starts=10, random_state=0), X)
    full = _quiet_fit(LatentProfileModel(3, model=2, n_starts=10, random_state=0), X)
    monkeypatch.undo()
    assert lpm.log_likelihood_ == pytest.approx(full.log_likelihood_, abs=0.01)
    assert lpm.n_samples_fit_ == len(X)


def test_replication_and_convergence_warnings(pisa488):
    msg = r"reached by 1 of 1 converged starts.*increase n_starts \(CLI option --n-starts\)"
    with pytest.warns(ReplicationWarning, match=msg):
        LatentProfileModel(3, model=1, n_starts=1, n_final=1, random_state=0).fit(pisa488)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=2"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReplicationWarning)
            LatentProfileModel(3, model=1, n_starts=2, max_iter=2, random_state=0).fit(pisa488)


# --------------------------------------------------------------------------------------------
# Errors a user can make
# --------------------------------------------------------------------------------------------
def test_clear_errors(pisa488):
    X = pisa488.to_numpy(float)
    with pytest.raises(ValueError, match=r"n_samples=3 should be >= n_profiles=4"):
        LatentProfileModel(4).fit(X[:3])
    with pytest.raises(ValueError, match=r"model=7 should be one of 1, 2, 3, 4, 5, 6"):
        LatentProfileModel(2, model=7).fit(X)
    with pytest.raises(ValueError, match=r"n_starts=0 should be >= 1"):
        LatentProfileModel(2, n_starts=0).fit(X)
    with pytest.raises(ValueError, match=r"n_profiles=2.5 should be an integer"):
        LatentProfileModel(2.5).fit(X)
    with pytest.raises(ValueError, match=r"tol=-1 should be a number > 0"):
        LatentProfileModel(2, tol=-1).fit(X)
    bad = X.copy()
    bad[[4, 9]] = np.nan
    msg = r"2 row\(s\) have every value missing \(row positions 4, 9\).*drop"
    with pytest.raises(ValueError, match=msg):
        LatentProfileModel(2).fit(bad)
    col = X[~np.isnan(X[:, [0, 1, 3]]).all(1)].copy()
    col[:, 2] = np.nan
    with pytest.raises(ValueError, match="column 2 has no observed values"):
        LatentProfileModel(2).fit(col)
    inf = X.copy()
    inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        LatentProfileModel(2).fit(inf)
    with pytest.raises(ValueError, match="init_params should be a dict"):
        LatentProfileModel(2, init_params={"weights": [1, 1]}).fit(X)
    lpm = _quiet_fit(LatentProfileModel(2, n_starts=2, random_state=0), X)
    with pytest.raises(ValueError, match="every value missing"):
        lpm.predict_proba(bad)
    with pytest.raises(ValueError, match="4 features"):
        lpm.predict(X[:, :3])


# --------------------------------------------------------------------------------------------
# scikit-learn's estimator checks
# --------------------------------------------------------------------------------------------
# Expected failures, explained:
EXPECTED_FAILED_CHECKS = {
    # Frequency weights give the same likelihood as repeated rows (tested above), but the
    # random starts are drawn from the rows, so repeated rows change which starts are drawn.
    "check_sample_weight_equivalence_on_dense_data": "starts drawn from rows differ",
}


@parametrize_with_checks(
    [LatentProfileModel(3, n_starts=4, n_final=2, max_iter=200, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReplicationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DegenerateSolutionWarning)
        check(estimator)


@pytest.mark.parametrize("model", [4, 5])
def test_scoring_m_step_reaches_the_constrained_maximum(model):
    # The generalised M-step of models 4 and 5, iterated, must reach the maximiser of the
    # expected complete-data log-likelihood over the structure: compare with scipy's L-BFGS
    # on the free parameters (a generic optimiser, slow but independent).
    from scipy.optimize import minimize

    rng = np.random.default_rng(11)
    K, d = 3, 3
    scatter = np.stack([np.cov(rng.normal(size=(40, d)) @ rng.normal(size=(d, d)), rowvar=False)
                        for _ in range(K)])[None]
    Nk = np.array([[40.0, 25.0, 35.0]])
    basis = _structure.covariance_basis(model, K, d)
    pooled = (Nk[0, :, None, None] * scatter[0]).sum(0) / Nk.sum()
    start = np.broadcast_to(pooled, (1, K, d, d)).copy()
    covs = start
    for _ in range(60):
        covs = _structure.scoring_update(covs, scatter, Nk, basis, n_steps=5)
    ours = _structure._expected_objective(covs, scatter, Nk)[0]

    norms = (basis.reshape(basis.shape[0], -1) ** 2).sum(1)
    theta0 = np.einsum("kx,pkx->p", start[0].reshape(K, -1), basis.reshape(-1, K, d * d)) / norms

    def negative(theta):
        sig = np.einsum("p,pkij->kij", theta, basis)[None]
        q = _structure._expected_objective(sig, scatter, Nk)[0]
        return -q if np.isfinite(q) else 1e10

    theta_ours = np.einsum("kx,pkx->p", covs[0].reshape(K, -1), basis.reshape(-1, K, d * d)) / norms
    opts = {"maxiter": 200000, "maxfev": 200000, "xtol": 1e-10, "ftol": 1e-14}
    from_start = minimize(negative, theta0, method="Powell", options=opts)
    from_ours = minimize(negative, theta_ours, method="Powell", options=opts)
    assert ours >= -from_start.fun - 1e-6  # at least as high as scipy from the same start
    assert -from_ours.fun <= ours + 1e-6  # and scipy cannot improve on it: a maximum
    assert ours > _structure._expected_objective(start, scatter, Nk)[0] + 1.0
    # model 4: shared covariances; model 5: shared variances
    if model == 4:
        off = ~np.eye(d, dtype=bool)
        np.testing.assert_allclose(covs[0, 0][off], covs[0, 2][off])
    else:
        np.testing.assert_allclose(np.diag(covs[0, 0]), np.diag(covs[0, 1]))


@pytest.mark.parametrize("model", [1, 3, 4, 6])
def test_squarem_ends_at_fixed_points_of_em_in_fewer_steps(model):
    # SQUAREM (Varadhan and Roland 2008) only accelerates: it ends at fixed points of EM (local
    # maxima), never below where it started, with fewer EM steps in all
    from _profiles_helpers import sample_scores

    scores, _, _ = sample_scores()
    X = scores.to_numpy()  # with missing values: the FIML path
    K, d = 4, X.shape[1]
    lpm = LatentProfileModel(K, model=model, n_starts=6, random_state=0)
    rng = np.random.RandomState(0)
    mask = ~np.isnan(X)
    center = np.nanmean(X, axis=0)
    scale = np.nanvar(X, axis=0)
    diagonal = model in _em.DIAGONAL_MODELS
    data = _em.PreparedData(X, np.ones(len(X)), center, diagonal)
    Xf = np.where(mask, X - center, 0.0)
    labels = [rng.randint(K, size=len(X)) for _ in range(6)]
    start = _search.params_from_labels(Xf, np.ones(len(X)), labels, K, model, diagonal, lpm.reg_covar)
    ll_start = _em.e_step(data, *start)[2]
    opts = dict(model=model, max_iter=3000, tol=1e-10, reg_covar=1e-6, scale=scale, eig_tol=1e-4,
                min_count=_guard.min_profile_count(model, d), var_floor=0.01)
    plain = _em.run_em(data, *start, **opts)
    fast = _em.run_em(data, *start, accelerate=True, **opts)
    ok = ~plain[6] & ~fast[6] & plain[5] & fast[5]  # neither degenerate, both converged
    assert ok.sum() >= 3
    assert (fast[3][ok] >= ll_start[ok]).all()
    assert fast[4][ok].sum() < plain[4][ok].sum()
    # the returned parameters are those of the returned log-likelihood ...
    np.testing.assert_allclose(_em.e_step(data, *fast[:3])[2][ok], fast[3][ok], rtol=1e-12)
    # ... and a fixed point of EM: 50 more plain steps gain (almost) nothing. From a random
    # partition the extrapolation may end in another basin than plain EM (a better or a worse
    # local maximum; the search's many starts are there for that), so the LLs are not compared.
    more = _em.run_em(data, *(a[ok] for a in fast[:3]), **dict(opts, max_iter=50, tol=1e-14))
    assert (more[3] - fast[3][ok] < 1e-3).all()

    # from a start near a maximum both end at the same one
    near = _em.run_em(data, *start, **dict(opts, max_iter=40))
    plain = _em.run_em(data, *near[:3], **opts)
    fast = _em.run_em(data, *near[:3], accelerate=True, **opts)
    ok = ~plain[6] & ~fast[6] & plain[5] & fast[5]
    same = np.abs(fast[3] - plain[3]) <= 1e-3
    assert same[ok].mean() >= 0.5


@pytest.mark.parametrize("model", [1, 2, 3, 6])
def test_single_precision_ranking_agrees_with_double(model):
    # successive halving ranks starts in float32 (PreparedData.single); the log-likelihoods,
    # responsibilities and M-step must agree with double precision far below what ranks starts
    # (differences of 0.01 and more), on missing data and case weights (the FIML paths)
    from _profiles_helpers import sample_scores

    scores, _, _ = sample_scores()
    X = scores.to_numpy()
    K, d = 3, X.shape[1]
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    center = np.nanmean(X, axis=0)
    diagonal = model in _em.DIAGONAL_MODELS
    data = _em.PreparedData(X, w, center, diagonal)
    single = data.single()
    assert single.Z.dtype == np.float32 and data.Z.dtype == np.float64
    assert not data.complete
    assert diagonal or len(data.slices) > 1  # the pattern path of the full models
    Xf = np.where(np.isnan(X), 0.0, X - center)
    rng = np.random.RandomState(0)
    labels = [rng.randint(K, size=len(X)) for _ in range(5)]
    start = _search.params_from_labels(Xf, w, labels, K, model, diagonal, 1e-6)
    resp64, _, ll64 = _em.e_step(data, *start)
    resp32, _, ll32 = _em.e_step(single, *start)
    assert resp32.dtype == np.float32 and ll32.dtype == np.float64
    np.testing.assert_allclose(ll32, ll64, rtol=1e-6)
    assert np.abs(resp32 - resp64).max() < 1e-4
    new64 = _em.m_step(data, resp64, *start, model, 1e-6)
    new32 = _em.m_step(single, resp32, *start, model, 1e-6)
    for a, b in zip(new32, new64):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    # 20 steps (one round of halving) end at the same log-likelihoods
    opts = dict(model=model, max_iter=20, tol=1e-8, reg_covar=1e-6, scale=np.nanvar(X, 0),
                eig_tol=1e-4, min_count=_guard.min_profile_count(model, d), var_floor=0.01)
    run64 = _em.run_em(data, *start, **opts)
    run32 = _em.run_em(single, *start, **opts)
    np.testing.assert_array_equal(run32[6], run64[6])
    np.testing.assert_allclose(run32[3], run64[3], rtol=1e-6)


def test_single_precision_keeps_double_when_squares_overflow():
    X = np.array([[0.0, 1.0], [3e19, 2.0], [-3e19, 3.0], [1e19, np.nan]])
    data = _em.PreparedData(X, np.ones(4), np.zeros(2), diagonal=False)
    assert data.single() is data
    small = _em.PreparedData(X / 1e18, np.ones(4), np.zeros(2), diagonal=False)
    assert small.single().Z.dtype == np.float32

"""BLRT and VLMR/LMR likelihood-ratio tests of K-1 against K profiles."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from _profiles_helpers import sample_scores
from toolkit.profiles import LatentProfileModel
from scipy import integrate, special

from toolkit.profiles import _structure
from toolkit.profiles._information import MixtureInformation
from toolkit.profiles.lrt import bootstrap_lrt, vlmr_test, weighted_chi2_logsf, weighted_chi2_sf
from toolkit.profiles.grid import fit_profiles


def _fit(X, k, model=1, seed=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LatentProfileModel(k, model=model, random_state=seed).fit(X)


@pytest.fixture(scope="module")
def sample_pair():
    scores, _, _ = sample_scores()
    X = scores.to_numpy()
    return X, _fit(X, 3), _fit(X, 4)


@pytest.fixture(scope="module")
def one_population():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 3)) @ np.diag([1.0, 0.7, 1.3])
    return X, _fit(X, 1), _fit(X, 2)


def test_blrt_p_is_small_for_four_against_three_profiles_on_the_sample(sample_pair):
    X, m3, m4 = sample_pair
    res = bootstrap_lrt(X, m3, m4, n_bootstrap=100, random_state=0)  # about 9 s of CPU (benchmarks/)
    assert res.p_value == pytest.approx(1 / 101)  # no bootstrap LRT reaches the observed one
    assert res.statistic == pytest.approx(2 * (m4.log_likelihood_ - m3.log_likelihood_))
    assert res.bootstrap_statistics.shape == (100,)
    assert res.n_below_null == 0 and (res.bootstrap_statistics >= 0).all()


@pytest.fixture(scope="module")
def one_population_blrt(one_population):
    X, m1, m2 = one_population
    return bootstrap_lrt(X, m1, m2, n_bootstrap=19, random_state=1)


def test_blrt_p_is_large_when_there_is_one_population(one_population_blrt):
    assert one_population_blrt.p_value > 0.1
    assert one_population_blrt.n_below_null == 0


def test_blrt_p_follows_its_definition_and_the_seed(one_population, one_population_blrt):
    res = one_population_blrt
    assert res.p_value == (1 + np.sum(res.bootstrap_statistics >= res.statistic)) / 20
    X, m1, m2 = one_population
    again = bootstrap_lrt(X, m1, m2, n_bootstrap=3, random_state=1)
    np.testing.assert_array_equal(again.bootstrap_statistics, res.bootstrap_statistics[:3])


def test_blrt_keeps_the_missingness_of_the_data():
    scores, _, _ = sample_scores()
    X = scores.to_numpy()[:120]
    assert np.isnan(X).any()
    m1, m2 = _fit(X, 1), _fit(X, 2)
    res = bootstrap_lrt(X, m1, m2, n_bootstrap=9, random_state=0)
    assert np.isfinite(res.bootstrap_statistics).all()


def test_weighted_chi_square_tail_matches_scipy_chi2():
    # equal unit weights: a chi-square with as many degrees of freedom (scipy.stats.chi2)
    for df, x in ((1, 3.841458820694124), (3, 2.5), (7, 14.2)):
        assert weighted_chi2_sf(x, np.ones(df)) == pytest.approx(stats.chi2.sf(x, df), abs=1e-7)
    # a weight of 2 scales the variable: P(2 chi2_1 > x) = P(chi2_1 > x / 2)
    assert weighted_chi2_sf(5.0, [2.0]) == pytest.approx(stats.chi2.sf(2.5, 1), abs=1e-7)
    # the integral itself (unequal weights close to a known answer): 1 + 1 + 1.000001 ~ chi2_3
    assert weighted_chi2_sf(6.0, [1.0, 1.0, 1.000001]) == pytest.approx(stats.chi2.sf(6.0, 3), abs=1e-5)
    # chi2_2 - chi2_2 is symmetric around 0
    assert weighted_chi2_sf(0.0, [1.0, 1.0, -1.0, -1.0]) == pytest.approx(0.5, abs=1e-6)
    # a mixture of weights against a large Monte Carlo draw
    rng = np.random.default_rng(0)
    w = np.array([1.5, 0.7, 0.2, -0.3])
    q = (rng.chisquare(1, size=(400_000, 4)) * w).sum(axis=1)
    assert weighted_chi2_sf(3.0, w) == pytest.approx(np.mean(q >= 3.0), abs=3e-3)


def test_vlmr_p_is_small_on_the_sample_and_large_for_one_population(sample_pair, one_population):
    X, m3, m4 = sample_pair
    res = vlmr_test(X, m3, m4)
    assert res.p_value < 0.01 and res.adjusted_p_value < 0.01
    dk = m4.n_parameters_ - m3.n_parameters_
    assert res.adjusted_statistic == pytest.approx(res.statistic / (1 + 1 / (dk * np.log(len(X)))))
    assert res.eigenvalues.size == m3.n_parameters_ + m4.n_parameters_
    X1, m1, m2 = one_population
    res1 = vlmr_test(X1, m1, m2)
    assert res1.p_value > 0.05
    assert res1.adjusted_p_value >= res1.p_value


def test_scores_of_the_vlmr_are_the_gradient_of_the_fiml_log_likelihood():
    scores, _, _ = sample_scores()
    X = scores.to_numpy()[:150]
    for model in (1, 4, 6):
        lpm = _fit(X, 2, model=model)
        mix = MixtureInformation(lpm, X)
        ll, S = mix.scores(mix.theta)
        np.testing.assert_allclose(ll, lpm.score_samples(X), rtol=1e-10)
        for a in range(0, mix.theta.size, 5):
            tp, tm = mix.theta.copy(), mix.theta.copy()
            tp[a] += 1e-6
            tm[a] -= 1e-6
            num = (mix.scores(tp)[0] - mix.scores(tm)[0]) / 2e-6
            np.testing.assert_allclose(S[:, a], num, atol=1e-5)


def test_checks_that_the_models_are_nested(sample_pair):
    X, m3, m4 = sample_pair
    with pytest.raises(ValueError, match="n_profiles"):
        bootstrap_lrt(X, m4, m3)
    with pytest.raises(ValueError, match="same covariance structure"):
        vlmr_test(X, m3, _fit(X, 4, model=2))


def test_fit_profiles_adds_blrt_and_vlmr_columns():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(0, 1, (70, 2)), rng.normal(3.5, 1, (50, 2))])
    res = fit_profiles(X, n_profiles=[1, 2, 3], models=(1,), random_state=0, blrt=True, n_bootstrap=19, vlmr=True)
    ft = res.fit_table
    assert list(ft.columns[-2:]) == ["blrt_p", "vlmr_p"]
    assert np.isnan(ft.loc[0, "blrt_p"]) and np.isnan(ft.loc[0, "vlmr_p"])
    assert ft.loc[1, "blrt_p"] == pytest.approx(0.05) and ft.loc[1, "vlmr_p"] < 0.01
    assert ft.loc[2, "blrt_p"] > 0.05
    assert {"lmr_p", "lmr_statistic"} <= set(res.lrt.columns)
    assert "bootstrap likelihood-ratio test" in str(res.recommend())


def test_vuong_weights_reduce_to_wilks_chi_square_for_nested_regular_models():
    # Vuong (1989), Theorem 3.3: for nested, correctly specified models W has p - q unit
    # eigenvalues and the others 0, so the weighted chi-square is Wilks' chi2(p - q).
    from toolkit.profiles.lrt import _vuong_weights

    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 3)) * [1.0, 2.0, 0.5] + [1.0, 2.0, 3.0]
    g = LatentProfileModel(1, model=1).fit(X)  # independent normals: 6 parameters
    f = LatentProfileModel(1, model=3).fit(X)  # full covariance: 9 parameters
    lam, p_f, p_g = _vuong_weights(X, f, g)
    lam = np.sort(lam)[::-1]
    assert (p_f, p_g) == (9, 6)
    np.testing.assert_allclose(lam[:3], 1.0, atol=0.15)
    np.testing.assert_allclose(lam[3:], 0.0, atol=0.05)
    lr = 2 * (f.log_likelihood_ - g.log_likelihood_)
    assert weighted_chi2_sf(lr, lam) == pytest.approx(stats.chi2.sf(lr, 3), abs=0.03)


# ---------------------------------------------------------------------------------------------
# p-values in log space (issue 12, item 4)
# ---------------------------------------------------------------------------------------------
def _log_tail_difference_of_two_chi2(x):
    """log P(Z1^2 - Z2^2 > x): the density is K0(|q|/2) / (2 pi) (a product of two normals)."""
    tail = integrate.quad(lambda u: special.k0e((x + u) / 2) * math.exp(-u / 2), 0, np.inf,
                          epsrel=1e-13, epsabs=0)[0]
    return -x / 2 + math.log(tail / (2 * math.pi))


def _log_tail_two_weights(x, a, b):
    """log P(a Z1^2 + b Z2^2 > x): density exp(-q (a+b)/(4ab)) I0(q (a-b)/(4ab)) / (2 sqrt(ab))."""
    al, be = (a + b) / (4 * a * b), (a - b) / (4 * a * b)
    tail = integrate.quad(lambda q: special.ive(0, be * q) * math.exp(-(al - be) * (q - x)), x, np.inf,
                          epsrel=1e-13, epsabs=0, limit=200)[0]
    return -(al - be) * x + math.log(tail / (2 * math.sqrt(a * b)))


@pytest.mark.parametrize("x", [0.5, 3.0, 40.0, 718.0, 5000.0])
def test_weighted_chi_square_log_tail_is_exact_far_below_1e_300(x):
    # closed forms computed independently by scipy.special Bessel functions (not Imhof)
    assert weighted_chi2_logsf(x, [1.0, -1.0]) == pytest.approx(_log_tail_difference_of_two_chi2(x), abs=1e-9)
    assert weighted_chi2_logsf(x, [2.0, 1.0]) == pytest.approx(_log_tail_two_weights(x, 2.0, 1.0), abs=1e-9)
    # chi2(3) with nearly equal weights (the equal-weight shortcut not taken), in closed form:
    # P = 2 Phi(-sqrt x) + sqrt(2x/pi) exp(-x/2) (scipy.stats.chi2.logsf is -inf at x = 5000)
    chi2_3 = np.logaddexp(math.log(2) + special.log_ndtr(-math.sqrt(x)), 0.5 * math.log(2 * x / math.pi) - x / 2)
    assert weighted_chi2_logsf(x, [1.0, 1.0, 1.0 + 1e-11]) == pytest.approx(chi2_3, abs=1e-7)


def test_lr_718_has_a_p_value_above_zero_and_its_log():
    # issue 12: LR = 718 gave p = 1e-9 (clipped Imhof); the true tail is about exp(-355)
    lam = np.array([1.0, 0.9, 0.7, 0.4, 0.2, -0.1])
    log_p = weighted_chi2_logsf(718.0, lam)
    assert -400 < log_p < -300
    assert weighted_chi2_sf(718.0, lam) == pytest.approx(math.exp(log_p), rel=1e-12)
    assert weighted_chi2_sf(718.0, lam) > 0


def test_weighted_chi_square_log_tail_decreases_with_the_statistic():
    rng = np.random.default_rng(0)
    lam = np.r_[rng.uniform(0.2, 3, 12), rng.uniform(-0.5, 0.0, 8), np.zeros(5)]
    xs = np.r_[np.linspace(-5, 60, 66), np.linspace(61, 3000, 60)]
    logs = np.array([weighted_chi2_logsf(x, lam) for x in xs])
    assert np.isfinite(logs).all()
    assert np.all(np.diff(logs) < 0)
    assert logs[-1] < -500  # p far below 1e-200, still a number


def test_weighted_chi_square_log_tail_edges():
    assert weighted_chi2_logsf(-1.0, [1.0, 2.0]) == 0.0  # a positive form is above -1
    assert weighted_chi2_logsf(1.0, [-1.0, -2.0]) == -math.inf  # a negative form is never above 1
    # P(-Q > -x) for a negative form: 1 - P(Q' > x) with Q' the positive form
    assert weighted_chi2_logsf(-2.0, [-1.0, -0.5]) == pytest.approx(
        math.log1p(-math.exp(weighted_chi2_logsf(2.0, [1.0, 0.5]))), abs=1e-10)
    assert weighted_chi2_logsf(0.0, [1.0, 1.0, -1.0, -1.0]) == pytest.approx(math.log(0.5), abs=1e-9)


def test_vlmr_reports_log_p_values_that_fall_with_the_statistic(sample_pair):
    X, m3, m4 = sample_pair
    res = vlmr_test(X, m3, m4)
    assert res.p_value == pytest.approx(math.exp(res.log_p_value), rel=1e-12)
    assert res.adjusted_p_value == pytest.approx(math.exp(res.adjusted_log_p_value), rel=1e-12)
    assert res.adjusted_log_p_value >= res.log_p_value  # the adjustment shrinks the statistic
    logs = [weighted_chi2_logsf(x, res.eigenvalues) for x in np.linspace(1, 2000, 40)]
    assert np.all(np.diff(logs) < 0) and np.isfinite(logs).all()


# ---------------------------------------------------------------------------------------------
# One covariance basis for the EM, the VLMR and the standard errors (issue 11, item 4)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [1, 2, 3, 4, 5, 6])
def test_em_vlmr_and_standard_errors_share_one_covariance_basis(model):
    scores, _, _ = sample_scores()
    X = scores.to_numpy()[:150]  # with missing values: the FIML path
    lpm = _fit(X, 2, model=model)
    K, d = lpm.means_.shape
    basis = _structure.covariance_basis(model, K, d)
    mix = MixtureInformation(lpm, X)
    # the same free parameters: the exact count, and the basis is the one the EM uses
    assert mix.n_parameters == lpm.n_parameters_ == _structure.n_parameters(model, K, d)
    np.testing.assert_array_equal(mix.basis, basis)
    assert (K - 1) + K * d + basis.shape[0] == lpm.n_parameters_
    # the EM's covariances lie in the span of the basis (rebuilt exactly from theta) ...
    _, _, cov = mix.unpack(mix.theta)
    np.testing.assert_allclose(cov, lpm.covariances_, atol=1e-12)
    # ... and maximise the likelihood over it: the score of every basis direction is ~0 at the
    # EM's optimum, which a larger or smaller structure than the EM's would not give
    ll, S = mix.scores(mix.theta)
    assert ll.sum() == pytest.approx(lpm.log_likelihood_, abs=1e-8)
    g = S.sum(axis=0)
    assert np.abs(g).max() < 0.05
    assert np.abs(g).max() < 1e-3 * np.abs(S).sum(axis=0).max()


def test_basis_matrices_are_orthogonal_indicators_for_every_model():
    for model in range(1, 7):
        B = _structure.covariance_basis(model, 3, 4).reshape(-1, 3 * 16)
        gram = B @ B.T
        np.testing.assert_array_equal(gram, np.diag(np.diag(gram)))
        assert set(np.unique(B)) <= {0.0, 1.0}


# ---------------------------------------------------------------------------------------------
# BLRT: parallel and with a progress bar by default (issue 12, item 5)
# ---------------------------------------------------------------------------------------------
def test_blrt_runs_on_every_core_with_a_progress_bar_by_default():
    defaults = inspect.signature(bootstrap_lrt).parameters
    assert defaults["n_jobs"].default == -1
    assert defaults["progress"].default is True


def test_blrt_gives_the_same_result_in_parallel_and_shows_progress(one_population, capsys):
    X, m1, m2 = one_population
    serial = bootstrap_lrt(X, m1, m2, n_bootstrap=4, random_state=3, n_jobs=1, progress=False)
    assert capsys.readouterr().err == ""
    parallel = bootstrap_lrt(X, m1, m2, n_bootstrap=4, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(serial.bootstrap_statistics, parallel.bootstrap_statistics)
    err = capsys.readouterr().err
    assert "BLRT model 1, 1 vs 2 profiles" in err and "4/4" in err
    assert (serial.bootstrap_statistics >= 0).all()


# ---------------------------------------------------------------------------------------------
# BLRT: the K refit of a bootstrap sample also starts from that sample's K - 1 fit, split
# (issue 12, item 4)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pisa_model3(pisa500):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(pisa500, n_profiles=[3, 4, 5], models=(3,), random_state=2026)
    X = res.data.to_numpy(dtype=float)
    return X, {k: res.models[(3, k)] for k in (3, 4, 5)}


@pytest.mark.parametrize("k0, seed", [(3, 66553671), (4, 1043700372)])
def test_bootstrap_lrt_is_not_negative_where_the_refit_used_to_stop_below_the_null(pisa_model3, k0, seed):
    # pisaUSA15 rows 1-500 (n = 488, FIML), model 3, the grid's fits with random_state=2026 and
    # the bootstrap seeds of its BLRT (replicates 81 of 3 vs 4 and 47 of 4 vs 5 profiles): before
    # the split starts, the K refit stopped 3.98 and 96.65 log-likelihood units below the K - 1
    # refit of the same sample (LRT -7.95 and -193.30, reported as 0); 8 of 500 replicates of
    # model 3, K = 2..6 did so. Started also from the sample's K - 1 fit split, the K refit ends
    # above it (LRT 7.18 and 5.06).
    from toolkit.profiles.lrt import _one_bootstrap, _params

    X, fits = pisa_model3
    mask = ~np.isnan(X)
    stat, below = _one_bootstrap(_params(fits[k0]), _params(fits[k0 + 1]), mask, 3, k0, 30, 5, seed)
    assert not below
    assert stat > 1.0


def test_a_warm_started_fit_given_its_k_minus_1_fit_also_runs_its_split_starts():
    # What each bootstrap K refit does: warm-started, and given the sample's own K - 1 fit as
    # parent, the estimator also converges that fit's split starts, so it ends at least where the
    # best split start alone ends (LatentProfileModel warm-started from it), above the K - 1 fit.
    # Without the parent a warm-started fit runs no split starts. Missing values: FIML.
    from toolkit.profiles import _em
    from toolkit.profiles._search import split_params

    scores, _, _ = sample_scores()
    X = scores.to_numpy()[:160]
    assert np.isnan(X).any()
    for model in (1, 4, 6):
        parent = _fit(X, 2, model=model)
        center = np.nanmean(X, axis=0)
        sp = split_params(LatentProfileModel(3, model=model), X, np.ones(len(X)), center,
                          np.nanvar(X, axis=0), 3, model, model in _em.DIAGONAL_MODELS, parent=parent)
        alone = []
        for w, mu, cov in zip(*sp):
            one = LatentProfileModel(3, model=model, n_starts=1, n_final=1, random_state=0,
                                     init_params={"weights": w, "means": mu + center, "covariances": cov})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                one.fit(X)
            if not one.degenerate_:
                alone.append(one.log_likelihood_)
        assert len(alone) >= 1
        assert max(alone) >= parent.log_likelihood_ - 1e-6  # the split starts end above K - 1
        warm = {"weights": parent.weights_[[0, 0, 1]] / parent.weights_[[0, 0, 1]].sum(),
                "means": parent.means_[[0, 0, 1]], "covariances": parent.covariances_[[0, 0, 1]]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            given = LatentProfileModel(3, model=model, n_starts=4, n_final=2, random_state=0,
                                       init_params=warm)._fit(X, None, parent=parent)
            plain = LatentProfileModel(3, model=model, n_starts=4, n_final=2, random_state=0,
                                       init_params=warm).fit(X)
        assert "split" in given.start_origins_ and "split" not in plain.start_origins_
        assert given.log_likelihood_ >= max(alone) - 1e-6

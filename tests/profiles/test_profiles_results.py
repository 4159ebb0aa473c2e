"""fit_profiles, ProfileResults, ProfileSolution and recommend."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from _profiles_helpers import sample_scores
from toolkit.errors import ToolkitError
from toolkit.profiles.grid import FIT_COLUMNS, classification_indices, fit_profiles
from toolkit.profiles.recommendation import Recommendation, recommend
from toolkit.profiles.solution import ProfileSolution


@pytest.fixture(scope="module")
def sample_results():
    scores, truth, cb = sample_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(scores, random_state=0, labels={c.key: c.label for c in cb.constructs})
    return res, scores, truth


def _toy(seed=0, n=(60, 40)):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (n[0], 3)), rng.normal(3, 1, (n[1], 3))])
    return pd.DataFrame(X, columns=["a", "b", "c"], index=pd.Index([f"S{i:03d}" for i in range(len(X))], name="pseudonym"))


def test_fit_indices_equal_their_formulas_for_one_profile_closed_form():
    X = _toy()
    n, d = X.shape
    res = fit_profiles(X, n_profiles=[1], models=(1, 3), random_state=0)
    ft = res.fit_table.set_index("model")
    # Model 1, K=1: independent normals with ML variances: LL = -n/2 * sum_j (ln(2 pi s_j^2) + 1)
    s2 = X.var(ddof=0).to_numpy()
    ll1 = -0.5 * n * np.sum(np.log(2 * np.pi * s2) + 1)
    # Model 3, K=1: one multivariate normal: LL = -n/2 (d ln 2pi + ln|S| + d)
    S = np.cov(X.to_numpy().T, ddof=0)
    ll3 = -0.5 * n * (d * np.log(2 * np.pi) + np.linalg.slogdet(S)[1] + d)
    for m, ll, k in ((1, ll1, 2 * d), (3, ll3, d + d * (d + 1) // 2)):
        row = ft.loc[m]
        assert row["n_parameters"] == k
        assert row["log_lik"] == pytest.approx(ll, abs=1e-4)
        LL = row["log_lik"]
        assert row["aic"] == pytest.approx(-2 * LL + 2 * k)
        assert row["bic"] == pytest.approx(-2 * LL + k * math.log(n))
        assert row["sabic"] == pytest.approx(-2 * LL + k * math.log((n + 2) / 24))
        assert row["caic"] == pytest.approx(-2 * LL + k * (math.log(n) + 1))
        assert row["awe"] == pytest.approx(-2 * LL + 2 * k * (math.log(n) + 1.5))
        assert row["icl"] == pytest.approx(row["bic"])  # every posterior is 1
        assert row["clc"] == pytest.approx(-2 * LL)  # no classification entropy with one profile
        assert row["kic"] == pytest.approx(-2 * LL + 3 * (k + 1))
        assert (row["entropy"], row["prob_min"], row["prob_max"], row["n_min"], row["n_max"]) == (1, 1, 1, 1, 1)


def test_fit_table_has_exactly_the_contract_columns_and_exact_parameter_counts():
    X = _toy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model 6 with 3 profiles on 100 students is shaky
        res = fit_profiles(X, n_profiles=[2, 3], models=(1, 2, 3, 6), random_state=0)
    assert list(res.fit_table.columns) == list(FIT_COLUMNS)
    d = 3
    counts = {(m, k): n for m, k, n in res.fit_table[["model", "n_profiles", "n_parameters"]].to_numpy()}
    for k in (2, 3):
        base = (k - 1) + k * d
        assert counts[(1, k)] == base + d
        assert counts[(2, k)] == base + k * d
        assert counts[(3, k)] == base + d * (d + 1) // 2
        assert counts[(6, k)] == base + k * d * (d + 1) // 2  # d(d+1)/2 per profile, not d^2


def test_classification_indices_on_a_hand_computed_posterior_matrix():
    z = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    ci = classification_indices(z)
    ent = -(z * np.log(z)).sum()
    assert ci["entropy"] == pytest.approx(1 - ent / (3 * math.log(2)))
    assert ci["prob_min"] == pytest.approx(0.7)  # profile 2: one student at 0.7
    assert ci["prob_max"] == pytest.approx(0.85)  # profile 1: mean of 0.9 and 0.8
    assert ci["n_min"] == pytest.approx(1 / 3)
    assert ci["n_max"] == pytest.approx(2 / 3)
    assert ci["sum_log_max"] == pytest.approx(math.log(0.9) + math.log(0.8) + math.log(0.7))
    assert ci["classification_entropy"] == pytest.approx(ent)
    # 0 log 0 = 0: a certain row adds nothing
    assert classification_indices(np.array([[1.0, 0.0], [0.5, 0.5]]))["classification_entropy"] == pytest.approx(math.log(2))


def test_clc_and_kic_equal_their_formulas_from_an_independent_entropy():
    # EN from scipy.stats.entropy (natural log, rows normalised), not the toolkit's own code:
    # CLC = -2LL + 2 EN (Biernacki and Govaert 1997), KIC = -2LL + 3 (k + 1) (Cavanaugh 1999;
    # tidyLPA R/calc_functions.R, make_fitvector: KIC = -2*ll + (3*(parameters + 1)))
    X = _toy(seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(X, n_profiles=[1, 2, 3], models=(1, 2), random_state=0)
    for row in res.fit_table.itertuples():
        z = res.solution(row.model, row.n_profiles).posteriors
        en = float(stats.entropy(np.asarray(z), axis=1).sum())
        assert row.clc == pytest.approx(-2 * row.log_lik + 2 * en, rel=1e-12, abs=1e-9)
        assert row.kic == pytest.approx(-2 * row.log_lik + 3 * (row.n_parameters + 1), rel=1e-12)
        # the entropy form of ICL (McLachlan and Peel) is BIC + 2 EN = CLC + k ln n; the modal
        # ICL of the table is at most that, since sum_i ln max_k z_ik >= sum_ik z_ik ln z_ik
        assert row.clc + row.n_parameters * math.log(len(X)) == pytest.approx(row.bic + 2 * en)
        assert row.icl <= row.bic + 2 * en + 1e-9


def _tidylpa_fitvector(ll, parameters, n, post_prob):
    """tidyLPA's make_fitvector and icl_default, transcribed line by line from R/calc_functions.R
    (github.com/data-edu/tidyLPA, commit 4df6e22), with the relative entropy of
    calc_fitindices.Mclust as its ``fits[1]``."""
    z = np.asarray(post_prob)
    entropy = 1.0 if z.shape[1] == 1 else 1 + (1 / (z.shape[0] * math.log(z.shape[1]))) * np.sum(z * np.log(z + 1e-12))
    BIC = -2 * ll + parameters * math.log(n)
    C = z == z.max(axis=1, keepdims=True)
    return {
        "AWE": -2 * (ll + entropy) + 2 * parameters * (3 / 2 + math.log(n)),
        "BIC": BIC,
        "CLC": -2 * ll + (2 * entropy),
        "KIC": -2 * ll + (3 * (parameters + 1)),
        "ICL": (-1 * BIC) + 2 * np.sum(C * np.log(z.max(axis=1, keepdims=True) + 1e-12)),
    }


def test_fit_table_conventions_beside_tidylpa_are_as_documented():
    # fit_profiles, Notes: tidyLPA's CLC = -2 log_lik + 2 entropy, its AWE = awe - 2 entropy,
    # its ICL = -icl (higher is better), its KIC and BIC = ours (with the same k)
    X = _toy(seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(X, n_profiles=[1, 2, 3], models=(1,), random_state=0)
    for row in res.fit_table.itertuples():
        z = res.solution(row.model, row.n_profiles).posteriors
        t = _tidylpa_fitvector(row.log_lik, row.n_parameters, len(X), z)
        assert t["CLC"] == pytest.approx(-2 * row.log_lik + 2 * row.entropy, abs=1e-6)
        assert t["AWE"] == pytest.approx(row.awe - 2 * row.entropy, abs=1e-6)
        assert t["ICL"] == pytest.approx(-row.icl, abs=1e-6)
        assert (t["KIC"], t["BIC"]) == (pytest.approx(row.kic), pytest.approx(row.bic))


def test_recommend_does_not_read_awe_icl_clc_or_kic(sample_results):
    res = sample_results[0]
    ft = res.fit_table.copy()
    rng = np.random.default_rng(0)
    for col in ("awe", "icl", "clc", "kic"):
        ft[col] = -rng.permutation(ft[col].to_numpy())  # any other ranking
    kwargs = dict(n=len(res.data), min_cell=res.min_cell, diagnostics=res.diagnostics)
    before, after = recommend(res.fit_table, **kwargs), recommend(ft, **kwargs)
    assert (after.model, after.n_profiles, after.reasons, after.warnings) == (
        before.model, before.n_profiles, before.reasons, before.warnings)
    assert not any(w in str(after) for w in ("AWE", "ICL", "CLC", "KIC"))


def test_icl_is_bic_minus_twice_the_log_of_the_largest_posteriors():
    X = _toy()
    res = fit_profiles(X, n_profiles=[2], models=(1,), random_state=0)
    row = res.fit_table.iloc[0]
    z = res.solution(1, 2).posteriors
    assert row["icl"] == pytest.approx(row["bic"] - 2 * np.log(z.max(axis=1)).sum())


def test_recommend_picks_four_profiles_on_the_sample_and_recovers_the_truth(sample_results):
    res, scores, truth = sample_results
    rec = res.recommend()
    assert isinstance(rec, Recommendation)
    assert rec.n_profiles == 4
    text = str(rec)
    for word in ("BIC", "SABIC", "elbow", "smallest profile", "entropy", "replicated"):
        assert word in text
    sol = res.solution(rec.model, rec.n_profiles)
    ari = adjusted_rand_score(truth.loc[sol.assignments.index], sol.assignments["profile"])
    assert ari >= 0.6
    # names follow the planted profiles (see data/sample/README.md)
    names = " | ".join(sol.names.values()).lower()
    assert "high self-efficacy" in names and "high test anxiety" in names


def test_solution_has_the_contract_shapes(sample_results):
    res, scores, _ = sample_results
    sol = res.solution(1, 4)
    a = sol.assignments
    assert a.index.name == "pseudonym" and a.index.equals(scores.index)
    assert list(a.columns) == ["profile", "certainty", "p1", "p2", "p3", "p4"]
    assert set(a["profile"]) <= {1, 2, 3, 4} and a["profile"].dtype.kind == "i"
    np.testing.assert_allclose(a["certainty"], a[["p1", "p2", "p3", "p4"]].max(axis=1))
    np.testing.assert_allclose(a[["p1", "p2", "p3", "p4"]].sum(axis=1), 1.0)
    assert sol.posteriors.shape == (len(scores), 4)
    assert list(sol.means.index) == [1, 2, 3, 4] and list(sol.means.columns) == list(scores.columns)
    assert sol.standard_errors.shape == sol.means.shape and (sol.standard_errors > 0).all().all()
    assert sol.sizes.sum() == len(scores) and list(sol.sizes.index) == [1, 2, 3, 4]
    assert list(sol.profile_table.columns) == ["profile", "construct", "mean", "se", "lower", "upper", "n", "share", "name"]
    assert len(sol.profile_table) == 4 * scores.shape[1]
    assert sol.n_profiles == 4 and sol.model_number == 1 and sol.model.n_profiles == 4
    assert len(set(sol.names.values())) == 4


def test_standard_errors_reduce_to_sd_over_root_n_for_certain_classification():
    data = pd.DataFrame({"a": [1.0, 2, 3, 10, 11, 12, np.nan], "b": [0.0, 1, 2, 5, 5, 5, 6]})
    z = np.array([[1.0, 0]] * 3 + [[0, 1.0]] * 4)
    var = np.array([[4.0, 9.0], [1.0, 16.0]])
    sol = ProfileSolution(data, z, [[2.0, 1.0], [11.0, 5.25]], var)
    # profile 2 has 3 observed values of a and 4 of b
    expected = np.array([[2 / np.sqrt(3), 3 / np.sqrt(3)], [1 / np.sqrt(3), 4 / np.sqrt(4)]])
    np.testing.assert_allclose(sol.standard_errors.to_numpy(), expected)
    t = sol.profile_table.set_index(["profile", "construct"])
    assert t.loc[(1, "a"), "lower"] == pytest.approx(2.0 - 1.959964 * 2 / np.sqrt(3), abs=1e-5)


def test_rows_with_every_value_missing_are_dropped_and_counted():
    X = _toy()
    X.iloc[[0, 5]] = np.nan
    X.iloc[7, 1] = np.nan  # one missing value stays (FIML)
    res = fit_profiles(X, n_profiles=[1, 2], models=(1,), random_state=0)
    assert res.n_dropped == 2
    assert list(res.dropped_index) == ["S000", "S005"]
    assert len(res.solution(1, 2).assignments) == len(X) - 2
    assert "S007" in res.solution(1, 2).assignments.index
    assert "2 student(s) with every score missing" in str(res.recommend())


def test_same_seed_gives_the_same_table_and_labels():
    X = _toy(1)
    a = fit_profiles(X, n_profiles=[2, 3], models=(1, 2), random_state=7)
    b = fit_profiles(X, n_profiles=[2, 3], models=(1, 2), random_state=7)
    pd.testing.assert_frame_equal(a.fit_table, b.fit_table)
    pd.testing.assert_frame_equal(a.solution(2, 3).assignments, b.solution(2, 3).assignments)


def test_profiles_are_ordered_by_size():
    X = _toy(2, n=(30, 70))
    sol = fit_profiles(X, n_profiles=[2], models=(1,), random_state=0).solution(1, 2)
    assert sol.sizes[1] > sol.sizes[2]
    assert sol.means.loc[1, "a"] > 2  # the larger group is the one centred at 3


def test_text_in_a_score_column_raises_naming_the_column_and_value():
    X = _toy().astype(object)
    X.iloc[3, 1] = "n/a?"
    with pytest.raises(ToolkitError, match=r"row S003, column 'b', value 'n/a\?'.*not a number"):
        fit_profiles(X, n_profiles=[1], models=(1,))


def test_bad_grid_raises():
    with pytest.raises(ToolkitError, match="tidyLPA model numbers"):
        fit_profiles(_toy(), models=(7,))
    with pytest.raises(ToolkitError, match="n_profiles"):
        fit_profiles(_toy(), n_profiles=[0, 1])


def test_unknown_solution_raises_with_the_fitted_choices():
    res = fit_profiles(_toy(), n_profiles=[1, 2], models=(1,), random_state=0)
    with pytest.raises(ToolkitError, match=r"model 2 with 2 profiles is not among.*\(1, 2\)"):
        res.solution(2, 2)


def _table(rows):
    cols = ["model", "n_profiles", "log_lik", "bic", "sabic", "entropy", "n_min", "replicated"]
    return pd.DataFrame(rows, columns=cols)


def test_recommend_sets_aside_solutions_with_a_too_small_profile():
    ft = _table([
        (1, 1, -1000, 2100, 2090, 1.0, 1.0, True),
        (1, 2, -900, 1950, 1930, 0.85, 0.40, True),
        (1, 3, -850, 1900, 1870, 0.82, 0.03, True),  # best BIC but smallest profile 3% of 200 = 6
        (1, 4, -845, 1920, 1880, 0.80, 0.02, True),
    ])
    rec = recommend(ft, n=200, min_cell=10)
    assert (rec.model, rec.n_profiles) == (1, 2)
    assert "set aside" in " ".join(rec.reasons)


def test_recommend_warns_at_the_edge_of_the_grid_and_on_poor_entropy_and_no_replication():
    ft = _table([
        (2, 1, -1000, 2100, 2090, 1.0, 1.0, True),
        (2, 2, -900, 1950, 1930, 0.5, 0.40, False),
    ])
    rec = recommend(ft, n=200)
    assert rec.n_profiles == 2
    text = " ".join(rec.warnings)
    assert "largest number fitted" in text
    assert "entropy is only 0.50" in text
    assert "not replicated (not reached from two kinds of start" in text and "--n-starts" in text


def test_fit_table_reproduces_mplus_on_pisa_with_all_missing_rows_dropped(pisa500):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(pisa500, n_profiles=[1, 2, 3], models=(1,), random_state=0)
    assert res.n_dropped == 12 and len(res.data) == 488
    ft = res.fit_table.set_index("n_profiles")
    # Mplus 8 via tidyLPA, FIML, 500 random starts / 100 final (../shared/data/README.md)
    mplus = {
        1: (8, -2088.66, 4226.84, 4201.45, 4234.84, 4300.36),
        2: (13, -1996.51, 4073.50, 4032.24, 4086.50, 4192.97),
        3: (18, -1952.98, 4017.38, 3960.25, 4035.38, 4182.81),
    }
    for k, (npar, ll, bic, sabic, caic, awe) in mplus.items():
        row = ft.loc[k]
        assert row["n_parameters"] == npar
        assert row["log_lik"] == pytest.approx(ll, abs=0.01)
        # Mplus prints LL to 2 decimals, so the criteria agree to 2 * 0.005 plus their rounding
        for col, ref in (("bic", bic), ("sabic", sabic), ("caic", caic), ("awe", awe)):
            assert row[col] == pytest.approx(ref, abs=0.02), col
    # relative entropy of model 1, K=2 and 3 from an independent numpy FIML EM (same README)
    assert ft.loc[2, "entropy"] == pytest.approx(0.711, abs=0.001)
    assert ft.loc[3, "entropy"] == pytest.approx(0.837, abs=0.001)


def test_columns_with_few_distinct_values_are_warned_about():
    X = _toy()
    X["item"] = np.resize([1.0, 2.0, 3.0, 4.0, 5.0], len(X))
    with pytest.warns(UserWarning, match=r"item \(5 values\).*single Likert items"):
        fit_profiles(X, n_profiles=[1], models=(1,))


# R mclust 6.0.0 on the complete cases of the sample's scores (tests/r_reference/mclust_profiles.R):
# (model, K) -> (loglik, df, bic, icl), mclust's signs (2LL - k ln n).
_MCLUST = {
    (1, 1): (-1938.4027, 12, -3942.3714, -3942.3714),
    (1, 2): (-1809.2593, 19, -3722.3315, -3745.3687),
    (1, 3): (-1747.1445, 26, -3636.3486, -3675.0878),
    (1, 4): (-1669.2159, 33, -3518.7382, -3547.1520),
    (1, 5): (-1665.4856, 40, -3549.5245, -3608.8718),
    (2, 2): (-1789.0589, 25, -3714.7135, -3732.1501),
    (2, 3): (-1707.1276, 38, -3621.8809, -3645.6898),
    (2, 4): (-1640.9782, 51, -3560.6117, -3595.9783),
    (3, 1): (-1782.9407, 27, -3713.4049, -3713.4049),
    (3, 2): (-1749.3717, 34, -3684.5138, -3703.0378),
    (3, 4): (-1661.0760, 48, -3584.4160, -3609.2586),
}


def test_fit_table_agrees_with_r_mclust_on_complete_data():
    scores, _, _ = sample_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(scores.dropna(), n_profiles=range(1, 6), models=(1, 2, 3), random_state=0)
    ft = res.fit_table.set_index(["model", "n_profiles"])
    same_optimum = []
    for key, (ll, df, bic, icl) in _MCLUST.items():
        row = ft.loc[key]
        assert row["n_parameters"] == df, key
        # mclust starts EM once (hierarchical initialisation) and stops at a looser tolerance, so
        # the engine reaches at least its likelihood: equal at K=1, higher at mclust's local optima
        assert row["log_lik"] >= ll - 0.01, key
        if abs(row["log_lik"] - ll) < 0.01:  # the same optimum: the same criteria
            same_optimum.append(key)
            assert row["bic"] == pytest.approx(-bic, abs=0.03), key
            assert row["icl"] == pytest.approx(-icl, abs=0.05), key
    assert {(1, 1), (3, 1)} <= set(same_optimum)  # one profile has one optimum: the criteria were compared
    # (1, 5) and (3, 2): mclust stopped in a worse local optimum
    assert ft.loc[(1, 5), "log_lik"] > _MCLUST[(1, 5)][0] + 5
    assert ft.loc[(3, 2), "log_lik"] > _MCLUST[(3, 2)][0] + 5


def test_information_standard_errors_reduce_to_sd_over_root_n_for_one_profile(sample_results):
    res, scores, _ = sample_results
    sol1 = res.solution(1, 1)
    ml = sol1.information_standard_errors("ml")
    # one profile, independent normals: SE of a mean = ML SD / sqrt(students who answered)
    expected = np.sqrt(scores.var(ddof=0) / scores.notna().sum())
    np.testing.assert_allclose(ml.loc[1].to_numpy(), expected.to_numpy(), rtol=1e-4)
    sol4 = res.solution(1, 4)
    for kind in ("ml", "mlr"):
        se = sol4.information_standard_errors(kind)
        assert se.shape == sol4.means.shape and (se > 0).all().all()
    # uncertainty of the classification makes the information SEs larger than the posterior ones
    assert (sol4.information_standard_errors("ml") >= sol4.standard_errors * 0.99).all().all()


def test_a_collapsed_solution_is_never_recommended_and_an_all_collapsed_grid_is_refused():
    """Issue 16: on 3 students every start of K >= 2 collapses; the recommendation sets those aside,
    and with nothing left it refuses with one message instead of recommending a degenerate fit."""
    import warnings

    X = pd.DataFrame({"a": [1.0, 3.0, 2.0], "b": [2.0, 4.0, 5.0]}, index=["P1", "P2", "P3"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(X, n_profiles=[1, 2, 3], models=(1,), random_state=0)
        assert res.diagnostics.set_index("n_profiles")["degenerate"].to_dict() == {1: False, 2: True, 3: True}
        rec = res.recommend()
        assert rec.n_profiles == 1 and "2 solution(s) set aside because every start collapsed" in str(rec)
        only_collapsed = fit_profiles(X, n_profiles=[2, 3], models=(1,), random_state=0)
    with pytest.raises(ToolkitError, match="every solution of the grid collapsed .* none can be recommended"):
        only_collapsed.recommend()

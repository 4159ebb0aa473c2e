"""Profile names, k-means/Ward clustering, plots and JSON persistence."""

from __future__ import annotations

import json
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, silhouette_score  # noqa: E402

from _profiles_helpers import sample_scores  # noqa: E402
from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.profiles.clustering import MissingValueWarning, fit_clusters  # noqa: E402
from toolkit.profiles.naming import profile_names, standardised_means  # noqa: E402
from toolkit.profiles.persist import assign_profiles, load_model, model_to_json, save_model  # noqa: E402
from toolkit.profiles.plots import plot_certainty, plot_fit_indices, plot_profile_means  # noqa: E402
from toolkit.profiles.grid import fit_profiles  # noqa: E402


@pytest.fixture(scope="module")
def sample_fit():
    scores, truth, cb = sample_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(scores, n_profiles=[1, 2, 3, 4], models=(1, 2), random_state=0,
                           labels={c.key: c.label for c in cb.constructs})
    return res, scores, truth, cb


# ------------------------------------------------------------------------------------ naming
def _ref():
    # sample mean 0 and SD 1 in both columns, so profile means are z-scores
    v = np.array([-1.5, -0.5, 0.5, 1.5])
    v = v / v.std(ddof=1)
    return pd.DataFrame({"interest": v, "self_efficacy": v[::-1]})


def test_names_use_the_documented_thresholds():
    means = pd.DataFrame(
        {"interest": [0.5, 0.49, 1.0, -0.2], "self_efficacy": [-0.5, 0.0, -1.2, 0.3]}, index=[1, 2, 3, 4]
    )
    names = profile_names(means, _ref(), labels={"interest": "Interest", "self_efficacy": "Self-efficacy"})
    assert names[1] == "High interest, low self-efficacy"  # |z| >= 0.5 counts
    assert names[3] == "Very low self-efficacy, very high interest"  # |z| >= 1, most extreme first
    assert names[2] == "Average on all constructs (profile 2)"  # |z| < 0.5 everywhere, and a tie
    assert names[4] == "Average on all constructs (profile 4)"
    assert len(set(names.values())) == 4  # ties broken


def test_names_are_relative_to_the_whole_sample_and_use_labels():
    data = pd.DataFrame({"a_b": [1.0, 2.0, 3.0, 4.0, 5.0], "c": [2.0, 2.0, 2.0, 2.0, 2.0]})
    means = pd.DataFrame({"a_b": [4.5], "c": [2.0]}, index=[1])
    z = standardised_means(means, data)
    assert z.loc[1, "a_b"] == pytest.approx((4.5 - 3.0) / np.std([1, 2, 3, 4, 5], ddof=1))
    assert z.loc[1, "c"] == 0.0  # no spread: no z
    assert profile_names(means, data) == {1: "High a b"}
    assert profile_names(means, data, labels={"a_b": "Interest"}) == {1: "High interest"}


def test_identical_names_get_a_distinguishing_construct_or_number():
    data = pd.DataFrame({"x": [0.0, 1, 2, 3], "y": [0.0, 1, 2, 3], "w": [0.0, 1, 2, 3]})
    sd = data["x"].std(ddof=1)
    means = pd.DataFrame({"x": [1.5 + 2 * sd, 1.5 + 2 * sd], "y": [1.5 + 1.2 * sd, 1.5 + 1.2 * sd], "w": [1.5 + 0.6 * sd, 1.5 - 0.6 * sd]}, index=[1, 2])
    names = profile_names(means, data)
    assert names[1] == "Very high x, very high y, high w"
    assert names[2] == "Very high x, very high y, low w"


# -------------------------------------------------------------------------------- clustering
def test_kmeans_finds_the_sample_profiles_and_gives_the_same_shape():
    scores, truth, cb = sample_scores()
    with pytest.warns(MissingValueWarning, match="missing score"):
        res = fit_clusters(scores, n_profiles=range(1, 6), random_state=0)
    ft = res.fit_table
    assert list(ft.columns) == ["method", "n_profiles", "silhouette", "calinski_harabasz", "within_ss", "n_min", "n_max"]
    assert set(ft["method"]) == {"kmeans", "ward"}
    assert np.isnan(ft.loc[ft["n_profiles"] == 1, "silhouette"]).all()
    sol = res.solution("kmeans", 4)
    assert adjusted_rand_score(truth, sol.assignments["profile"]) >= 0.6
    assert list(sol.profile_table.columns) == ["profile", "construct", "mean", "se", "lower", "upper", "n", "share", "name"]
    assert (sol.assignments["certainty"] == 1.0).all()
    assert sol.sizes.is_monotonic_decreasing
    # indices are scikit-learn's on the imputed data and the ordered labels
    lab = res.labels[("kmeans", 4)]
    row = ft[(ft["method"] == "kmeans") & (ft["n_profiles"] == 4)].iloc[0]
    assert row["silhouette"] == pytest.approx(silhouette_score(res.data, lab))
    assert row["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(res.data, lab))
    ward = res.solution("ward", 4)
    assert adjusted_rand_score(truth, ward.assignments["profile"]) >= 0.5


def test_cluster_means_and_se_use_the_observed_scores():
    X = pd.DataFrame({"a": [0.0, 0.2, np.nan, 10.0, 10.4, 10.2], "b": [0.0, 1.0, 0.5, 9.0, 9.0, 9.3]})
    with pytest.warns(MissingValueWarning, match=r"^1 missing score\(s\) were replaced by their construct.s mean"):
        sol = fit_clusters(X, n_profiles=[2], methods=["kmeans"], random_state=0).solution("kmeans", 2)
    # two clusters of 3: the tie is broken by the mean, so the high cluster is profile 1
    assert sol.means.loc[1, "a"] == pytest.approx(10.2)
    assert sol.means.loc[2, "a"] == pytest.approx(0.1)  # the missing value is not averaged in
    assert sol.standard_errors.loc[2, "a"] == pytest.approx(np.std([0.0, 0.2], ddof=1) / np.sqrt(2))


def test_unknown_cluster_method_raises():
    with pytest.raises(ToolkitError, match="value 'dbscan': unknown clustering method"):
        fit_clusters(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), methods=["dbscan"])


# ------------------------------------------------------------------------------------- plots
def test_plots_draw_on_the_given_axes_and_return_it(sample_fit):
    res, *_ = sample_fit
    sol = res.solution(1, 4)
    fig, axes = plt.subplots(1, 4)
    assert plot_profile_means(sol, ax=axes[0]) is axes[0]
    assert len(axes[0].get_legend().get_texts()) == 4
    assert plot_profile_means(sol, ax=axes[1], standardized=True) is axes[1]
    assert plot_fit_indices(res, ax=axes[2], index="bic") is axes[2]
    assert len(axes[2].get_lines()) == 2  # one line per model
    np.testing.assert_allclose(axes[2].get_lines()[0].get_ydata(), res.fit_table.query("model == 1")["bic"])
    assert plot_certainty(sol, ax=axes[3]) is axes[3]
    plt.close(fig)
    ax = plot_fit_indices(res.fit_table, index="entropy")
    assert ax.get_ylabel() == "entropy"
    plt.close(ax.figure)


def test_plot_of_an_unknown_index_raises(sample_fit):
    res, *_ = sample_fit
    with pytest.raises(ToolkitError, match="value 'bick': unknown fit index"):
        plot_fit_indices(res, index="bick")


# ---------------------------------------------------------------------------------- persist
def test_json_round_trip_gives_identical_predictions(sample_fit, tmp_path):
    res, scores, _, cb = sample_fit
    sol = res.solution(2, 4)
    path = save_model(sol, tmp_path / "model.json", codebook_sha256=cb.sha256)
    doc = json.loads(path.read_text())
    assert doc["format"] == "toolkit.latent_profile_model" and doc["codebook_sha256"] == cb.sha256
    assert doc["names"] == {str(k): v for k, v in sol.names.items()}
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(scores), sol.model.predict_proba(scores))
    np.testing.assert_array_equal(loaded.score_samples(scores), sol.model.score_samples(scores))
    assert model_to_json(loaded, codebook_sha256=cb.sha256, names=loaded.names_) == path.read_text()
    out = assign_profiles(path, scores, codebook=cb)
    pd.testing.assert_frame_equal(out.drop(columns="name"), sol.assignments, check_dtype=False)
    assert out["name"].iloc[0] == sol.names[int(out["profile"].iloc[0])]


def test_assign_profiles_checks_the_codebook_and_the_columns(sample_fit, tmp_path):
    res, scores, _, cb = sample_fit
    text = model_to_json(res.solution(1, 3), codebook_sha256=cb.sha256)
    with pytest.raises(ToolkitError, match="different codebook"):
        assign_profiles(text, scores, codebook="0" * 64)
    with pytest.raises(ToolkitError, match="column 'test_anxiety'.*lack a column"):
        assign_profiles(text, scores.drop(columns="test_anxiety"), source="wave2.csv")
    wave2 = scores.iloc[:5].copy()
    wave2.iloc[0] = np.nan  # nothing to assign with
    out = assign_profiles(text, wave2, codebook=cb)
    assert out["profile"].iloc[0] == 0 and np.isnan(out["certainty"].iloc[0])
    assert (out["profile"].iloc[1:] >= 1).all()


def test_loading_something_else_raises(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"format": "pickle"}')
    with pytest.raises(ToolkitError, match="not a toolkit profile model"):
        load_model(bad)
    bad.write_text("{not json")
    with pytest.raises(ToolkitError, match="not valid JSON"):
        load_model(bad)
    with pytest.raises(ToolkitError, match="does not exist"):
        load_model(tmp_path / "missing.json")

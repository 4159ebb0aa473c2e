"""align_profiles (Hungarian matching) and profile_stability (bootstrap ARI and Jaccard)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from _profiles_helpers import sample_scores
from toolkit.profiles import LatentProfileModel
from toolkit.profiles.grid import fit_profiles
from toolkit.profiles.stability import align_profiles, profile_stability


def test_align_profiles_recovers_a_permutation_of_the_profiles():
    rng = np.random.default_rng(0)
    a = pd.DataFrame(rng.normal(size=(5, 4)), index=pd.Index(range(1, 6), name="profile"), columns=list("wxyz"))
    perm = [3, 5, 1, 2, 4]  # b's profile j is a's profile perm[j-1]
    b = a.loc[perm].reset_index(drop=True) + rng.normal(scale=0.01, size=(5, 4))
    b.index = pd.Index(range(1, 6), name="profile")
    out = align_profiles(a, b)
    assert list(out.columns) == ["profile_a", "profile_b", "distance"]
    mapping = dict(zip(out["profile_b"], out["profile_a"]))
    assert [mapping[j] for j in range(1, 6)] == perm
    assert (out["distance"] < 0.05).all()


def test_align_profiles_beats_greedy_matching():
    # greedy nearest-first would pair b1 with a2 (distance 0.9) and leave b2 with a1 (distance 5);
    # the Hungarian optimum pairs b1-a1 (1.1) and b2-a2 (1.0): total 2.1 against 5.9
    a = [[0.0], [2.0]]
    b = [[1.1], [3.0]]
    out = align_profiles(a, b)
    assert out[["profile_a", "profile_b"]].to_numpy().tolist() == [[1, 1], [2, 2]]
    assert out["distance"].sum() == pytest.approx(2.1)


def test_align_profiles_with_different_numbers_of_profiles_and_column_order():
    a = pd.DataFrame({"p": [0.0, 5.0, 10.0], "q": [0.0, 5.0, 10.0]}, index=[1, 2, 3])
    b = pd.DataFrame({"q": [10.2, 0.1], "p": [9.9, -0.1]}, index=[1, 2])
    out = align_profiles(a, b)
    assert out[["profile_a", "profile_b"]].to_numpy().tolist() == [[1, 2], [3, 1]]


def test_align_profiles_accepts_solutions_and_matches_two_seeds():
    scores, _, _ = sample_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_profiles(scores, n_profiles=[4], models=(1,), random_state=1).solution(1, 4)
        b = LatentProfileModel(4, model=1, random_state=2).fit(scores)
    out = align_profiles(a, b)
    assert len(out) == 4 and (out["distance"] < 0.2).all()


@pytest.fixture(scope="module")
def stability():
    scores, truth, _ = sample_scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = fit_profiles(scores, n_profiles=[4], models=(1,), random_state=0).solution(1, 4)
        res = profile_stability(scores, solution=sol, n_bootstrap=12, random_state=0)
    return res, sol


def test_profile_stability_on_the_sample_is_high(stability):
    res, sol = stability
    assert res.ari.shape == (12,)
    assert res.mean_ari > 0.6
    assert list(res.jaccard.columns) == [1, 2, 3, 4]
    assert list(res.summary.columns) == ["profile", "n", "mean_jaccard", "dissolved", "stable"]
    assert res.summary["n"].tolist() == sol.sizes.tolist()
    assert ((res.jaccard >= 0) & (res.jaccard <= 1)).all().all()
    assert (res.summary["mean_jaccard"] > 0.6).all()


def test_profile_stability_is_reproducible_and_low_for_structureless_data():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 3))
    a = profile_stability(X, model=1, n_profiles=3, n_bootstrap=6, random_state=5, n_starts=5)
    b = profile_stability(X, model=1, n_profiles=3, n_bootstrap=6, random_state=5, n_starts=5)
    pd.testing.assert_series_equal(a.ari, b.ari)
    # three "profiles" cut out of one normal cloud move around (the sample's four: ARI ~0.93)
    assert a.mean_ari < 0.8
    assert not a.summary["stable"].all()


def test_profile_stability_needs_a_number_of_profiles():
    with pytest.raises(ValueError, match="n_profiles"):
        profile_stability(np.zeros((10, 2)))



def test_align_profiles_pairs_leftovers_with_their_nearest_when_asked():
    a = [[0.0, 0.0], [1.0, 1.0], [9.0, 9.0]]
    b = [[0.1, 0.0], [8.8, 9.1]]
    out = align_profiles(a, b, unmatched="nearest")
    assert out[["profile_a", "profile_b", "matched"]].to_numpy().tolist() == [[1, 1, True], [2, 1, False], [3, 2, True]]
    assert len(align_profiles(a, b)) == 2  # the default leaves the leftover out
    with pytest.raises(ValueError, match="unmatched"):
        align_profiles(a, b, unmatched="all")


def test_align_profiles_uses_the_constructs_known_in_both():
    # a missing mean (a construct nobody in the profile answered) is left out of that distance
    a = pd.DataFrame({"p": [0.0, 5.0], "q": [np.nan, 5.0]}, index=[1, 2])
    b = pd.DataFrame({"p": [5.1, 0.2], "q": [4.9, 7.0]}, index=[1, 2])
    out = align_profiles(a, b)
    assert out[["profile_a", "profile_b"]].to_numpy().tolist() == [[1, 2], [2, 1]]
    assert out["distance"].iloc[0] == pytest.approx(0.2)

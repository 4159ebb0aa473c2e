"""Tests of the scaling study on the bundled sample and on synthetic populations.

Scores are computed here from data/sample directly, so these tests do not depend on the io,
privacy or scoring stages: labels -> 1..5 through the codebook, reverse-keyed items min+max-x,
the mean of the answered items per construct, a duplicated Student ID keeps its last submission.
"""

from __future__ import annotations

import functools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

from _sample_data import sample_codebook, sample_scale_scores  # noqa: E402
from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.plans.needs import need_scores  # noqa: E402
from toolkit.scaling.study import (
    ProfileFit,
    ScalingStudy,
    find_knee,
    plan_fidelity,
    scaling_study,
    transfer_table,
    transition_table,
)
from toolkit.scaling.workload import load_workload  # noqa: E402


@functools.lru_cache(maxsize=1)
def _sample():
    return (sample_codebook(), sample_scale_scores(1, groups=True), sample_scale_scores(2, groups=True))


def sample_scores():
    """``(codebook, wave-1 scores, wave-2 scores)`` of the bundled sample (copies)."""
    cb, s1, s2 = _sample()
    return cb, s1.copy(), s2.copy()


@pytest.fixture(scope="module")
def study():
    cb, s1, s2 = sample_scores()
    # K=4, the number of profiles the profiles stage chooses on the sample (the sample has four).
    return scaling_study(s1, wave2_scores=s2, codebook=cb, random_state=0, n_draws=500, k=4)


class _GMMStandIn:
    """A scikit-learn GaussianMixture behind the solution interface (NaN filled by column means)."""

    def __init__(self, gm, fill):
        self.gm, self.fill = gm, fill
        self.means_ = gm.means_

    def _x(self, data):
        return data.fillna(self.fill).to_numpy(dtype=float)

    def predict_proba(self, data):
        return self.gm.predict_proba(self._x(data))

    def score_samples(self, data):
        return self.gm.score_samples(self._x(data))


def gmm_fit(data, n_profiles, *, model=1, random_state=None):
    """A stand-in for the profile engine: diagonal GaussianMixture, 3 inits."""
    fill = data.mean()
    gm = GaussianMixture(n_profiles, covariance_type="diag", n_init=3, random_state=random_state)
    gm.fit(data.fillna(fill).to_numpy(dtype=float))
    return ProfileFit.from_model(_GMMStandIn(gm, fill), data)


# ------------------------------------------------------------------------------------ fidelity
def test_plan_fidelity_follows_its_definition_on_a_hand_case():
    # Four constructs; two profiles. Student needs (already standardised):
    needs = pd.DataFrame(
        {"a": [2.0, 1.0, -1.0, -1.0], "b": [1.0, 2.0, -1.0, -1.0], "c": [-1.0, -1.0, 1.0, 0.5],
         "d": [-2.0, -2.0, 1.0, 1.5]},
        index=list("wxyz"),
    )
    asg = pd.DataFrame({"profile": [1, 1, 2, 2], "certainty": [0.95, 0.9, 0.9, 0.5]}, index=list("wxyz"))
    f = plan_fidelity(needs, asg).set_index("way")
    # Profile 1 focus (mean needs a 1.5, b 1.5) = {a, b}: covers w's {a, b} and x's {b, a}.
    # Profile 2 focus (c 0.75, d 1.25) = {d, c}: covers y's {c, d} and z's {d, c}.
    assert f.loc["templated", "fidelity"] == 1.0
    assert f.loc["templated", "coverage_template"] == 1.0
    # Distance to the profile's mean need vector: w is (0.5, -0.5, 0, 0) away.
    d_w = np.hypot(0.5, 0.5)
    d_y = np.sqrt(0.25 ** 2 + 0.25 ** 2)
    assert f.loc["templated", "distance"] == pytest.approx((2 * d_w + 2 * d_y) / 4)
    # z is flagged (certainty 0.5 < 0.7): the hybrid gives it an individual plan (distance 0).
    assert f.loc["hybrid", "n_flagged"] == 1 and f.loc["hybrid", "flagged_share"] == 0.25
    assert f.loc["hybrid", "distance"] == pytest.approx((2 * d_w + d_y) / 4)
    assert f.loc["individual", "fidelity"] == 1.0 and f.loc["individual", "distance"] == 0.0
    assert f.loc["none", "fidelity"] == 0.0


def test_personal_layer_adds_one_growth_area_the_template_misses():
    # One profile whose focus is {a}; student s has growth areas (b, c): the template covers none,
    # the personal layer adds b, so the plan covers 1 of 2.
    needs = pd.DataFrame({"a": [3.0, 3.0, -1.0], "b": [-2.0, -2.0, 2.0], "c": [-2.0, -2.0, 1.0]}, index=["p", "q", "s"])
    asg = pd.DataFrame({"profile": [1, 1, 1], "certainty": [1.0, 1.0, 1.0]}, index=needs.index)
    f = plan_fidelity(needs, asg).set_index("way")
    # p and q: growth area (a) only, covered; s: 0 of 2 by the template, 1 of 2 with the layer.
    assert f.loc["templated", "coverage_template"] == pytest.approx((1 + 1 + 0) / 3)
    assert f.loc["templated", "fidelity"] == pytest.approx((1 + 1 + 0.5) / 3)


def test_individual_plans_are_the_reference_and_no_plans_the_floor(study):
    f = study.fidelity
    assert (f.loc[f["way"] == "individual", "fidelity"] == 1.0).all()
    assert (f.loc[f["way"] == "individual", "distance"] == 0.0).all()
    assert (f.loc[f["way"] == "none", "fidelity"] == 0.0).all()
    prof = f[f["way"].isin(["templated", "hybrid"])]
    assert prof["fidelity"].between(0, 1).all()
    assert (f["n"] == 240).all()


def test_fidelity_grows_with_the_number_of_profiles(study):
    t = study.fidelity[study.fidelity["way"] == "templated"].set_index("n_profiles")
    for col in ("fidelity", "coverage_template"):
        steps = np.diff(t[col].to_numpy())
        assert steps.mean() > 0, col  # non-decreasing on average
        assert t[col].iloc[-1] > t[col].iloc[0] + 0.2
        assert t[col].corr(pd.Series(t.index, index=t.index), method="spearman") > 0.7
    # and the distance to the plan's focus shrinks
    assert t["distance"].iloc[-1] < t["distance"].iloc[0]


def test_hybrid_is_at_least_as_faithful_as_templated_and_costs_more(study):
    f = study.fidelity.pivot(index="n_profiles", columns="way", values="fidelity")
    assert (f["hybrid"] >= f["templated"] - 1e-12).all()
    t = study.tradeoff.pivot(index="n_profiles", columns="way", values="hours_per_week_p50")
    assert (t["hybrid"] >= t["templated"] - 1e-9).all()
    # the co-written way is in the trade-off too, and costs the owner less than the templated one
    assert (t["cowritten"] < t["templated"]).all()


def test_one_profile_has_no_template_focus_and_flags_only_atypical_students(study):
    one = study.fidelity[(study.fidelity["n_profiles"] == 1) & (study.fidelity["way"] == "templated")].iloc[0]
    assert one["coverage_template"] == 0.0  # K=1: every mean need is 0, no focus area
    # Certainty is 1 for everyone, so only the plans' second flag (a need over 2 SD from the mean) is left.
    cb, s1, _ = sample_scores()
    needs = need_scores(s1, cb)
    assert one["flagged_share"] == pytest.approx((needs.abs().max(axis=1) > 2.0).mean())


# ---------------------------------------------------------------------------------- trade-off
def test_find_knee_is_the_point_farthest_above_the_chord():
    assert find_knee([1, 2, 3, 4, 5], [0.0, 0.8, 0.9, 0.95, 1.0]) == 1
    assert find_knee([0, 1, 2, 3], [0.0, 0.3, 0.9, 1.0]) == 2
    assert find_knee([1, 2, 3], [0.0, 0.5, 1.0]) is None  # a straight line has no knee
    assert find_knee([1, 2, 3], [0.0, 0.1, 1.0]) is None  # convex: everything below the chord
    assert find_knee([1, 2], [0.0, 1.0]) is None
    # Only where it is one: fidelity falling at the farthest point, or a point barely above its neighbours.
    assert find_knee([0, 1, 2, 1.9, 4], [0.0, 0.5, 0.8, 0.79, 1.0]) is None  # farthest point, but fidelity fell
    assert find_knee([0, 1, 2, 3, 4], [0.0, 0.6, 0.855, 0.9, 1.0]) is None  # beats K=1 by 0.005 only
    assert find_knee([0, 1, 2, 3, 4], [0.0, 0.6, 0.855, 0.9, 1.0], margin=0.0) == 2


def test_tradeoff_marks_a_knee_only_where_there_is_one(study):
    t = study.tradeoff
    for way, grp in t.groupby("way"):
        assert grp["knee"].sum() == (0 if study.knee[way] is None else 1)
        assert list(grp["n_profiles"]) == list(range(1, 9))
    assert set(t["way"]) == {"templated", "hybrid", "cowritten"}
    if all(v is None for v in study.knee.values()):
        assert any(s.startswith("There is no clear knee") for s in study.statements)
    else:
        way = next(w for w in ("hybrid", "templated", "cowritten") if study.knee[w] is not None)
        text = next(s for s in study.statements if s.startswith("The knee"))
        assert f"K={study.knee[way]}" in text and "Kneedle" in text and "minutes a week for one advisor" in text


def test_tradeoff_at_the_chosen_k_is_the_costs_table(study):
    # One cost model and one denominator: the trade-off's row at K is the costs' row for the same way.
    t = study.tradeoff[study.tradeoff["n_profiles"] == study.k].set_index("way")
    c = study.costs.set_index("way")
    for way in ("templated", "hybrid", "cowritten"):
        for col in ("hours_per_week_p05", "hours_per_week_p50", "hours_per_week_p95", "hours_per_week_mode"):
            assert t.loc[way, col] == pytest.approx(c.loc[way, col]), (way, col)


def test_costs_are_one_owners_week_recomputed_from_the_workload(study):
    from toolkit.scaling.owners import owner_year_minutes

    v = dict(load_workload().values)
    s = study.owner_settings
    v["students_per_owner"] = s["students_per_owner"]
    v["transition_rate"] = 79 / 228  # measured between the waves on the sample at K=4
    c = study.costs.set_index("way")
    weeks = v["cycles_per_year"] * v["weeks_per_term"]
    for way in ("individual", "templated", "hybrid", "cowritten"):
        m = owner_year_minutes(v, way=way, k=study.k, mix=s["mix"], caseload=18.6, scope="school")
        assert c.loc[way, "hours_per_week_mode"] == pytest.approx(float(m["out_of_class"]) / 60 / weeks)
    # the group's owners in fractional FTE, never rounded up
    assert np.allclose(c["n_owners"], 240 / 18.6)
    assert (c["n_students"] == 240).all()
    # medians with 90% intervals, and the owner table is the same
    assert (c["hours_per_week_p05"] < c["hours_per_week_p50"]).all() and (c["hours_per_week_p50"] < c["hours_per_week_p95"]).all()
    o = study.owner.set_index("way")
    assert np.allclose(o["hours_per_week_p50"], c.loc[o.index, "hours_per_week_p50"])


def test_flagged_share_is_what_the_plans_flag(study):
    # 17 of the sample's 240 students are flagged by the plans (certainty < 0.7 or a need 2 SD off).
    from toolkit.plans.drafting import draft_plans
    from toolkit.scaling.study import fit_lpa

    c = study.costs.set_index("way")
    f = study.fidelity.set_index(["n_profiles", "way"]).loc[(study.k, "templated")]
    assert c.loc["templated", "flagged_share"] == pytest.approx(f["flagged_share"])
    assert study.owner_settings["mix"]["flagged"] == pytest.approx(f["flagged_share"])
    cb, s1, _ = sample_scores()
    sol = fit_lpa(s1[list(cb.construct_keys)], 4, random_state=0)
    plans = draft_plans(s1, sol, cb)
    assert plan_fidelity(need_scores(s1, cb), sol.assignments).set_index("way").loc["hybrid", "n_flagged"] == sum(
        p.flagged for p in plans.plans)


# --------------------------------------------------------------------------------- projection
def test_projection_is_one_owners_week_from_the_surveyed_group_up(study):
    p = study.projection
    assert sorted(p["n_students"].unique()) == [240, 1500, 20000]
    assert set(p["way"]) == {"individual", "templated", "hybrid", "cowritten"}
    for way in ("individual", "templated", "hybrid", "cowritten"):
        h = p[p["way"] == way].sort_values("n_students")
        assert h["hours_per_year_in_all_p50"].is_monotonic_increasing
        assert np.allclose(h["n_owners"], h["n_students"] / 18.6)
    # the surveyed group's row is the costs table
    row = p[(p["n_students"] == 240)].set_index("way")
    c = study.costs.set_index("way")
    assert np.allclose(row.loc[c.index, "hours_per_week_p50"], c["hours_per_week_p50"])
    assert np.allclose(row.loc[c.index, "hours_per_year_in_all_p50"], c["hours_per_year_in_all_p50"])


def test_a_small_class_is_not_projected_to_a_district():
    from toolkit.scaling.projection import projection_sizes

    cb, s1, _ = sample_scores()
    st = scaling_study(s1.iloc[:59], codebook=cb, k_range=range(1, 3), groups=(), fit=gmm_fit, n_draws=50,
                       random_state=0)
    assert sorted(st.projection["n_students"].unique()) == [59, 1500]
    assert any("20,000" in n and "100 times" in n for n in st.notes)
    assert any("No projection beyond" in s for s in st.statements)
    assert projection_sizes(30, 1500, sizes=(30, 150, 20000))[0] == [30, 150]


def test_monte_carlo_bands_are_ordered_and_bracket_the_median(study):
    p = study.projection
    for m in ("hours_per_week", "hours_per_year_in_all"):
        assert (p[f"{m}_p05"] < p[f"{m}_p50"]).all() and (p[f"{m}_p50"] < p[f"{m}_p95"]).all()


def test_monte_carlo_is_seeded_and_reproducible():
    cb, s1, _ = sample_scores()
    kw = dict(codebook=cb, k_range=range(1, 4), groups=(), n_draws=300)
    a = scaling_study(s1, random_state=3, **kw)
    b = scaling_study(s1, random_state=3, **kw)
    c = scaling_study(s1, random_state=4, **kw)
    pd.testing.assert_frame_equal(a.projection, b.projection)
    pd.testing.assert_frame_equal(a.costs, b.costs)
    pd.testing.assert_frame_equal(a.fidelity, b.fidelity)
    assert a.statements == b.statements
    assert not np.allclose(a.projection["hours_per_week_p95"], c.projection["hours_per_week_p95"])


def test_statements_quote_one_owners_median_interval_and_mode(study):
    c = study.costs.set_index("way")
    best = study.owner_settings["best_way"]
    s = next(x for x in study.statements if x.startswith("For the 240 students surveyed"))
    b, i = c.loc[best], c.loc["individual"]
    m = re.search(r"take one advisor a median of (\d+) minutes a week outside lessons \(90% interval (\d+)-(\d+); "
                  r"(\d+) at the mode\), against (\d+)", s)
    assert m, s
    got = [int(g) for g in m.groups()]
    assert got == [round(60 * b["hours_per_week_p50"]), round(60 * b["hours_per_week_p05"]),
                   round(60 * b["hours_per_week_p95"]), round(60 * b["hours_per_week_mode"]),
                   round(60 * i["hours_per_week_p50"])]
    assert "co-written" in s and "per teacher" not in " ".join(study.statements).lower()
    # every size's sentence speaks of one advisor's time a week
    assert all("minutes a week" in x for x in study.statements if x.startswith("At "))


def test_break_even_caseload_is_computed_from_the_owner_model(study):
    from toolkit.scaling.projection import breakeven_caseload

    s = study.owner_settings
    wl = load_workload().with_values(students_per_owner=s["students_per_owner"], transition_rate=79 / 228)
    be = breakeven_caseload(wl.values, way=s["best_way"], k=study.k, mix=s["mix"], scope="school")
    assert 0 <= be["caseload"] < 19 and be["saving_per_student"] > 0
    assert any("less time than fully individual plans" in x for x in study.statements)


def test_district_scope_shares_templates_more_widely_than_the_school():
    cb, s1, _ = sample_scores()
    kw = dict(codebook=cb, k_range=range(1, 4), k=3, groups=(), n_draws=100, random_state=0)
    owner = scaling_study(s1, template_scope="owner", **kw).costs.set_index("way")
    school = scaling_study(s1, template_scope="school", **kw).costs.set_index("way")
    district = scaling_study(s1, template_scope="district", **kw)
    d = district.costs.set_index("way")
    assert (district.costs["template_scope"] == "district").all()  # no fallback to the school
    assert (district.projection["template_scope"] == "district").all()
    assert d.loc["templated", "hours_per_week_mode"] < school.loc["templated", "hours_per_week_mode"]
    assert school.loc["templated", "hours_per_week_mode"] < owner.loc["templated", "hours_per_week_mode"]
    assert d.loc["individual", "hours_per_week_mode"] == pytest.approx(school.loc["individual", "hours_per_week_mode"])


# ------------------------------------------------------------------------------- sensitivity
def test_sensitivity_is_for_the_surveyed_group_and_the_stated_caseload(study):
    s = study.sensitivity
    assert (s["n_students"] == 240).all() and (s["students_per_owner"] == 18.6).all()
    assert not set(s["assumption"]) & {"students_per_owner", "students_per_teacher", "students_per_counsellor"}
    for (way, metric), grp in s.groupby(["way", "metric"]):
        assert grp["swing"].is_monotonic_decreasing
    mins = s[(s["way"] == "templated") & (s["metric"] == "minutes_per_week")].set_index("assumption")
    c = study.costs.set_index("way")
    assert mins["base"].iloc[0] == pytest.approx(60 * c.loc["templated", "hours_per_week_mode"])
    assert mins.loc["personalise_minutes", "at_high"] > mins.loc["personalise_minutes", "base"]
    # the planning time moves the share of planning time, not the minutes
    share = s[(s["way"] == "templated") & (s["metric"] == "share_of_planning")].set_index("assumption")
    assert share.loc["planning_minutes_per_week", "swing"] > 0
    assert mins.loc["planning_minutes_per_week", "swing"] == 0
    # a stated caseload gives the sensitivity for that caseload
    cb, s1, _ = sample_scores()
    st = scaling_study(s1, codebook=cb, k_range=[3], k=3, groups=(), n_draws=50, random_state=0, students_per_owner=25)
    assert (st.sensitivity["students_per_owner"] == 25).all()


# ---------------------------------------------------------------------------------- transfer
def test_transfer_between_sections_of_one_population_is_high(study):
    t = study.transfer
    sections = t[t["grouping"] == "Section"]
    grades = t[t["grouping"] == "Grade"]
    assert len(sections) == 8 and len(grades) == 3
    assert sections["ari"].mean() > 0.5
    assert grades["ari"].mean() > 0.5
    assert (t["ll_gap"].dropna() > -1).all()  # a group's own fit is about as good or better


def _two_populations(seed=0, n=150):
    """Two populations whose three profiles differ: A's spread along x, B's along y."""
    rng = np.random.default_rng(seed)
    means_a = np.array([[-3, 0, 0], [0, 0, 0], [3, 0, 0]], dtype=float)
    means_b = np.array([[0, -3, 0], [0, 0, 0], [0, 3, 0]], dtype=float)
    la, lb = rng.integers(0, 3, n), rng.integers(0, 3, n)
    xa = means_a[la] + rng.normal(0, 0.6, (n, 3))
    xb = means_b[lb] + rng.normal(0, 0.6, (n, 3))
    df = pd.DataFrame(np.vstack([xa, xb]), columns=["u", "v", "w"],
                      index=pd.Index([f"s{i}" for i in range(2 * n)], name="pseudonym"))
    df["Population"] = ["A"] * n + ["B"] * n
    return df


@pytest.mark.filterwarnings("ignore:best log-likelihood not replicated")
@pytest.mark.parametrize("fit", ["engine", "stand-in"])
def test_transfer_between_different_populations_is_low(fit):
    from functools import partial

    from toolkit.scaling.study import fit_lpa

    df = _two_populations()
    f = partial(fit_lpa, model=1) if fit == "engine" else partial(gmm_fit, model=1)
    t = transfer_table(df, ["u", "v", "w"], "Population", 3, fit=f, random_state=0).set_index("group")
    assert (t["ari"] < 0.2).all()
    assert (t["mean_distance"] > 1.5).all()
    # ...while the same populations split at random transfer well
    df["Half"] = np.where(np.arange(len(df)) % 2 == 0, "even", "odd")
    same = df[df["Population"] == "A"]
    t2 = transfer_table(same, ["u", "v", "w"], "Half", 3, fit=f, random_state=0)
    assert (t2["ari"] > 0.8).all() and (t2["mean_distance"] < 0.5).all()


def test_small_groups_are_not_fitted_and_their_counts_hidden():
    cb, s1, _ = sample_scores()
    s1 = s1.copy()
    s1.iloc[:6, s1.columns.get_loc("Section")] = "tiny"  # a section of 6 students
    st = scaling_study(s1, codebook=cb, k_range=range(1, 4), groups=("Section",), random_state=0, n_draws=100, k=3)
    row = st.transfer.set_index("group").loc["tiny"]
    assert row["n"] == "hidden"
    assert np.isnan(row["ari"]) and np.isnan(row["ll_transfer"])
    # The notes say a group was left out, without naming it or giving its size (issue 16).
    assert any("1 group(s) with fewer than" in n for n in st.notes)
    text = " ".join(st.notes + st.statements)
    assert "tiny" not in text and "6 students" not in text
    big = st.transfer[st.transfer["group"] != "tiny"]
    assert big["ari"].notna().all()


def test_min_cell_one_hides_no_count(study):
    cb, s1, s2 = sample_scores()
    st = scaling_study(s1, wave2_scores=s2, codebook=cb, k_range=range(1, 4), groups=("Grade",), random_state=0,
                       n_draws=100, k=3, min_cell=1)
    assert not (st.transitions.astype(str) == "hidden").to_numpy().any()
    assert not (st.transfer.astype(str) == "hidden").to_numpy().any()


# ------------------------------------------------------------------------------------- waves
def test_transition_table_counts_the_joined_students():
    w1 = pd.Series([1, 1, 2, 2, 2], index=list("abcde"))
    w2 = pd.Series([1, 2, 2, 2, 1, 1], index=list("abcdfz"))  # e left, f and z new
    t = transition_table(w1, w2, 2).set_index("wave1_profile")
    assert t.loc["all", "n"] == 4
    assert (t.loc["1", "to_1"], t.loc["1", "to_2"], t.loc["2", "to_1"], t.loc["2", "to_2"]) == (1, 1, 0, 2)
    assert t.loc["all", "changed"] == 1 and t.loc["1", "share_changed"] == 0.5


def test_wave_transitions_on_the_sample_are_mostly_stable_and_suppressed(study):
    t = study.transitions.set_index("wave1_profile")
    k = study.k
    cells = [f"to_{j}" for j in range(1, k + 1)]
    # Every shown count is >= 10 or 0; small ones read "hidden".
    shown = t[cells + ["n"]].to_numpy().ravel()
    assert all(v == "hidden" or int(v) == 0 or int(v) >= 10 for v in shown)
    assert (t[cells] == "hidden").to_numpy().any()
    cb, s1, s2 = sample_scores()
    keys = list(cb.construct_keys)
    both = s1.index[s1[keys].notna().any(axis=1)].intersection(s2.index[s2[keys].notna().any(axis=1)])
    assert int(t.loc["all", "n"]) == len(both) == 228  # students in both waves (5% skipped wave 2)
    # Most students keep their profile (TRANSITIONS has 0.78-0.85 on its diagonal).
    assert int(t.loc["all", "stayed"]) > int(t.loc["all", "changed"])
    assert int(t.loc["all", "stayed"]) + int(t.loc["all", "changed"]) == len(both)
    s = next(x for x in study.statements if x.startswith("Between the waves"))
    assert f"{int(t.loc['all', 'changed'])} of {len(both)} students" in s


def test_wave_two_without_common_pseudonyms_is_a_clear_error():
    cb, s1, s2 = sample_scores()
    s2.index = "other-" + s2.index.astype(str)
    with pytest.raises(ToolkitError, match=r"only 0 of 228 wave-2 students \(0%\) match.*different key files.*--key"):
        scaling_study(s1, wave2_scores=s2, codebook=cb, k_range=range(1, 3), groups=(), fit=gmm_fit, n_draws=10)


def test_a_mostly_unmatched_wave_two_is_an_error_naming_the_counts():
    # check_wave_link (toolkit.privacy): under half of wave 2 linked means another key file.
    cb, s1, s2 = sample_scores()
    ids = s2.index.astype(str).to_numpy().copy()
    ids[:200] = ["new-" + x for x in ids[:200]]
    s2.index = ids
    with pytest.raises(ToolkitError, match=r"only 28 of 228 wave-2 students \(12%\).*deidentify on wave 2"):
        scaling_study(s1, wave2_scores=s2, codebook=cb, k_range=range(1, 3), groups=(), fit=gmm_fit, n_draws=10)


def test_a_partly_linked_wave_two_warns_and_says_so_in_a_share():
    from toolkit.privacy import WaveLinkWarning

    cb, s1, s2 = sample_scores()
    ids = s2.index.astype(str).to_numpy().copy()
    ids[:60] = ["new-" + x for x in ids[:60]]
    s2.index = ids
    with pytest.warns(WaveLinkWarning, match="168 of 228"):
        st = scaling_study(s1, wave2_scores=s2, codebook=cb, k_range=range(1, 3), k=2, groups=(), fit=gmm_fit,
                           n_draws=10, random_state=0)
    assert any(n.startswith("waves: 74% of the wave-2 students are linked") for n in st.notes)


# ------------------------------------------------------------------------------------- errors
def test_missing_construct_column_is_named():
    cb, s1, _ = sample_scores()
    with pytest.raises(ToolkitError, match=r"column 'test_anxiety'.*no column for construct\(s\) test_anxiety"):
        scaling_study(s1.drop(columns="test_anxiety"), codebook=cb, fit=gmm_fit)


def test_duplicate_pseudonyms_are_refused():
    cb, s1, _ = sample_scores()
    dup = pd.concat([s1, s1.iloc[[3]]])
    with pytest.raises(ToolkitError, match=rf"row {s1.index[3]}.*same pseudonym on more than one row"):
        scaling_study(dup, codebook=cb, fit=gmm_fit)


def test_non_numeric_scores_name_row_column_and_value():
    cb, s1, _ = sample_scores()
    s1 = s1.astype({"interest": object})
    s1.iloc[5, s1.columns.get_loc("interest")] = "high"
    with pytest.raises(ToolkitError, match=rf"row {s1.index[5]}, column 'interest', value 'high'.*not a number"):
        scaling_study(s1, codebook=cb, fit=gmm_fit)


def test_too_few_students_for_the_largest_k():
    cb, s1, _ = sample_scores()
    with pytest.raises(ToolkitError, match="has 6 students, too few for 8 profiles"):
        scaling_study(s1.iloc[:6], codebook=cb, fit=gmm_fit)


def test_bad_k_range_is_refused():
    cb, s1, _ = sample_scores()
    with pytest.raises(ToolkitError, match="k_range"):
        scaling_study(s1, codebook=cb, k_range=[0, 1], fit=gmm_fit)


def test_without_a_codebook_a_warning_says_how_constructs_are_read():
    cb, s1, _ = sample_scores()
    with pytest.warns(UserWarning, match="no codebook given.*test anxiety"):
        st = scaling_study(s1, k_range=range(1, 3), groups=(), fit=gmm_fit, n_draws=10, random_state=0)
    assert isinstance(st, ScalingStudy)


def test_missing_group_column_is_noted_not_fatal():
    cb, s1, _ = sample_scores()
    st = scaling_study(s1, codebook=cb, k_range=range(1, 3), groups=("Campus",), fit=gmm_fit, n_draws=10,
                       random_state=0)
    assert st.transfer.empty
    assert any("Campus" in n for n in st.notes)


# ------------------------------------------------------------------------------------- engine
def test_default_fit_is_the_profile_engine_and_a_stand_in_can_replace_it(study, monkeypatch):
    import toolkit.scaling.study as scaling
    from toolkit.profiles import LatentProfileModel

    # Without fit=, every solution comes from fit_lpa, the profile engine.
    engine, models = scaling.fit_lpa, []

    def spy(*args, **kwargs):
        sol = engine(*args, **kwargs)
        models.append(sol.model)
        return sol

    monkeypatch.setattr(scaling, "fit_lpa", spy)
    cb, s1, _ = sample_scores()
    scaling_study(s1, codebook=cb, k_range=range(1, 3), groups=(), n_draws=10, random_state=0)
    assert models and all(isinstance(m, LatentProfileModel) for m in models)
    monkeypatch.undo()
    st = scaling_study(s1, codebook=cb, k_range=range(1, 5), groups=(), fit=gmm_fit, n_draws=10, random_state=0, k=4)
    assert isinstance(st.fidelity, pd.DataFrame) and st.k == 4
    # The two fits find similar profiles: fidelity of K=4 templated within 0.1.
    a = study.fidelity.set_index(["n_profiles", "way"]).loc[(4, "templated"), "fidelity"]
    b = st.fidelity.set_index(["n_profiles", "way"]).loc[(4, "templated"), "fidelity"]
    assert abs(a - b) < 0.1


def test_needs_come_from_toolkit_needs(study):
    # The study's K=1 "none" distance is the mean norm of need_scores: one definition for plans
    # and scaling.
    cb, s1, _ = sample_scores()
    needs = need_scores(s1, cb)
    expected = np.sqrt(np.nansum(needs.to_numpy() ** 2, axis=1)).mean()
    got = study.fidelity[(study.fidelity["way"] == "none")]["distance"].iloc[0]
    assert got == pytest.approx(expected)


# -------------------------------------------------------------------------------------- plots
@pytest.mark.parametrize("name", ["plot_costs", "plot_tradeoff", "plot_projection", "plot_sensitivity"])
def test_plots_draw_on_the_given_axes_and_return_it(study, name):
    fig, ax = plt.subplots()
    try:
        out = getattr(study, name)(ax=ax)
        assert out is ax
        assert ax.has_data()
        assert ax.get_title()
    finally:
        plt.close(fig)


def test_tornado_lists_the_largest_swing_first(study):
    fig, ax = plt.subplots()
    try:
        study.plot_sensitivity(ax=ax)
        labels = [t.get_text() for t in ax.get_yticklabels()]
        s = study.sensitivity
        way = study.owner_settings["best_way"]
        top = s[(s["way"] == way) & (s["metric"] == "minutes_per_week")].iloc[0]["assumption"]
        assert labels[0].startswith(top)
    finally:
        plt.close(fig)


def test_tradeoff_plot_marks_the_knee_when_there_is_one(study):
    t = study.tradeoff.copy()
    fig, ax = plt.subplots()
    try:
        study.plot_tradeoff(ax=ax)
        legend = [x.get_text() for x in ax.get_legend().get_texts()]
        assert any(x.startswith("knee") for x in legend) == any(v is not None for v in study.knee.values())
        ax.clear()
        t.loc[(t["way"] == "templated") & (t["n_profiles"] == 3), "knee"] = True
        from toolkit.scaling.plots import plot_tradeoff

        plot_tradeoff(t, ax=ax)
        legend = [x.get_text() for x in ax.get_legend().get_texts()]
        assert any(x.startswith("knee") and "K=3" in x for x in legend)
        assert "minutes a week" in ax.get_xlabel() and "18.6 students" in ax.get_xlabel()
    finally:
        plt.close(fig)


def test_fidelity_uses_the_plans_stage_definitions_of_focus_personal_layer_and_flags():
    # Draft real plans for one solution and recompute the templated fidelity from them: template
    # focus plus the first personal growth area of each plan, against growth_areas(n=2).
    from types import SimpleNamespace

    from toolkit.plans.needs import growth_areas
    from toolkit.plans.drafting import draft_plans
    from toolkit.scaling.study import fit_lpa

    cb, s1, _ = sample_scores()
    sol = fit_lpa(s1[list(cb.construct_keys)], 4, random_state=0)
    plans = draft_plans(s1, SimpleNamespace(assignments=sol.assignments, means=sol.means,
                                            names={k: f"Profile {k}" for k in range(1, 5)}), cb)
    focus = {t.profile: set(t.focus) for t in plans.templates}
    frame = plans.to_frame()
    from toolkit.scaling.fidelity import planning_needs

    planning = planning_needs(need_scores(s1, cb), cb)  # the plans' own needs (preferences masked, if they mask)
    growth = growth_areas(planning, n=2)
    cover = []
    for pid, g in growth.items():
        if not g:
            continue
        row = frame.loc[pid]
        own = [a for a in str(row["personal_growth_areas"]).split(";") if a and a != "nan"]
        addressed = focus[int(row["profile"])] | set(own[:1])
        cover.append(len(addressed.intersection(g)) / len(g))
    f = plan_fidelity(need_scores(s1, cb), sol.assignments, atypical_z=2.0, planning_needs=planning).set_index("way")
    assert f.loc["templated", "fidelity"] == pytest.approx(np.mean(cover))
    # With atypical_z=2.0 the flags are the plans' flags (certainty < 0.7 or a need 2 SD off).
    assert f.loc["hybrid", "n_flagged"] == int(frame["flagged"].sum())


def test_the_engines_solution_shape_is_what_the_study_reads():
    from toolkit.profiles import LatentProfileModel, ProfileSolution
    from toolkit.scaling.study import fit_lpa

    cb, s1, _ = sample_scores()
    sol = fit_lpa(s1[list(cb.construct_keys)], 3, random_state=0)
    assert isinstance(sol, ProfileSolution) and isinstance(sol.model, LatentProfileModel)
    assert list(sol.assignments.columns[:3]) == ["profile", "certainty", "p1"]
    assert sol.assignments.index.equals(s1.index)
    assert list(sol.means.index) == [1, 2, 3]


@pytest.mark.filterwarnings("ignore:best log-likelihood not replicated")
def test_a_group_too_small_for_its_own_k_profile_fit_is_left_blank():
    from functools import partial

    from toolkit.scaling.study import fit_lpa

    df = _two_populations(n=60)
    df["Club"] = ["chess"] * 11 + ["drama"] * (len(df) - 11)  # 11 >= min_cell but < 3 per profile x 4
    notes = []
    t = transfer_table(df, ["u", "v", "w"], "Club", 4, fit=partial(fit_lpa, model=1), random_state=0,
                       notes=notes).set_index("group")
    assert np.isnan(t.loc["chess", "ari"]) and not np.isnan(t.loc["drama", "ari"])
    assert notes == ["Club: 1 group(s) with fewer than the 12 students needed to fit a group's own 4 profiles "
                     "(min_cell=10, 3 per profile) not fitted"]


@pytest.mark.parametrize("kw, match", [({"n_students": (0, 30)}, "n_students"), ({"flag_threshold": 1.5}, "flag_threshold"),
                                       ({"template_scope": "planet"}, "template_scope"), ({"min_cell": -1}, "min_cell")])
def test_bad_study_options_are_refused(kw, match):
    cb, s1, _ = sample_scores()
    with pytest.raises(ToolkitError, match=match):
        scaling_study(s1, codebook=cb, fit=gmm_fit, **kw)


@pytest.mark.parametrize("n_both, n_changed", [(30, 3), (30, 7), (60, 4), (240, 6), (240, 37)])
def test_a_hidden_number_of_changes_cannot_be_worked_out_from_the_rounded_share(n_both, n_changed):
    from toolkit.scaling.statements import transition_statement

    ids = [f"P-{i:03d}" for i in range(n_both)]
    w1 = pd.Series(1, index=ids)

    def say(c):
        w2 = pd.Series([2] * c + [1] * (n_both - c), index=ids)
        return transition_statement(transition_table(w1, w2, 2), min_cell=10, changed_hidden=True)

    text = say(n_changed)
    share = int(re.search(r"roughly (\d+)% of the ([\d,]+) students", text).group(1))
    # the counts of changed students that round to the same share: a step spans min_cell students,
    # so even the 0% and 100% ends (half a step) leave at least min_cell / 2 possible counts
    consistent = [c for c in range(n_both + 1) if text == say(c)]
    assert n_changed in consistent and len(consistent) >= 5, (share, consistent)


def test_a_few_students_missing_from_wave_two_are_not_given_away_by_the_total():
    from toolkit.scaling.statements import transition_statement

    ids = [f"P-{i:03d}" for i in range(100)]
    w1 = pd.Series(1, index=ids)
    w2 = pd.Series([2] * 30 + [1] * 66, index=ids[:96])  # 4 of 100 missing from wave 2
    text = transition_statement(transition_table(w1, w2, 2), min_cell=10, n_wave1=100)
    assert "96" not in text and "4 " not in text and "roughly" in text


def test_without_a_clear_knee_k_is_the_smallest_within_reach_of_the_best_fidelity_and_said():
    cb, s1, _ = sample_scores()
    st = scaling_study(s1, codebook=cb, random_state=0, n_draws=50, groups=())
    if st.knee["hybrid"] is None and st.knee["templated"] is None:
        assert any("no knee" in n and f"K={st.k}" in n for n in st.notes)
    elif st.knee["hybrid"] is None:
        assert st.k == st.knee["templated"] and any("no clear knee" in n and f"K={st.k}" in n for n in st.notes)
    else:
        assert st.k == st.knee["hybrid"]


# -------------------------------------------------------------------------- labels and counts
def test_group_labels_name_groups_in_sentences_never_raw_headers():
    from types import SimpleNamespace

    from toolkit.scaling.statements import group_label

    assert group_label(None, "which maths class are you in?") == "Which maths class are you in"
    assert group_label(SimpleNamespace(group_labels={"Q7": "Maths class"}), "Q7") == "Maths class"
    cb, s1, _ = sample_scores()
    s1 = s1.rename(columns={"Section": "which maths class are you in?"})
    st = scaling_study(s1, codebook=cb, k_range=[2], k=2, groups=("which maths class are you in?",), fit=gmm_fit,
                       n_draws=20, random_state=0)
    text = next(s for s in st.statements if s.startswith("Profiles fitted"))
    assert "\u201cWhich maths class are you in\u201d" in text and "in?s" not in text


def test_groups_default_to_the_codebooks_group_columns():
    cb, s1, _ = sample_scores()
    st = scaling_study(s1, codebook=cb, k_range=[2], k=2, fit=gmm_fit, n_draws=20, random_state=0)
    assert list(st.transfer["grouping"].unique()) == list(cb.group_columns)
    with pytest.warns(UserWarning, match="no codebook given"):
        assert scaling_study(s1, k_range=[2], k=2, fit=gmm_fit, n_draws=20, random_state=0).transfer.empty


def test_statements_never_give_a_small_groups_label_or_count():
    cb, s1, _ = sample_scores()
    s1 = s1.copy()
    s1.iloc[:4, s1.columns.get_loc("Gender")] = "Prefer not to say"
    st = scaling_study(s1, codebook=cb, k_range=[2], k=2, groups=("Gender",), fit=gmm_fit, n_draws=20,
                       random_state=0)
    text = " ".join(st.statements + st.notes)
    assert "Prefer not to say" not in text and " 4 students" not in text


def test_unsourced_assumptions_are_said_in_words_and_local_timings_named(tmp_path):
    from toolkit.scaling import apply_time_log

    log = tmp_path / "my_log.csv"
    log.write_text("date,task,minutes,students\n2026-09-14,personalise_minutes,90,6\n"
                   "2026-09-15,personalise_minutes,60,6\n", encoding="utf-8")
    w, _ = apply_time_log(load_workload(), log)
    cb, s1, _ = sample_scores()
    st = scaling_study(s1, codebook=cb, k_range=[2], k=2, groups=(), fit=gmm_fit, n_draws=20, random_state=0,
                       workload=w)
    unsourced = next(s for s in st.statements if s.startswith("These figures rest on assumptions with no public source"))
    assert "writing one profile plan template" in unsourced
    assert load_workload()["personalise_minutes"].description.rstrip(".") not in unsourced  # now local
    local = next(s for s in st.statements if s.startswith("Your own figures replace"))
    assert "personalise_minutes" in local and "my_log.csv" in local
    assert "my_log.csv" in st.answer and "Your own timings replace these assumptions" in st.answer
    assert "writing one profile plan template" in st.answer  # in words, not only keys

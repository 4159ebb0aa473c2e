"""The owner model of the scaling study (issue 13): one cost model shared with the drafted plans,
fractional staff, a year of cycles, co-written plans, Monte Carlo medians, the budget and the answer."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pytest

from _plans_sample import sample_inputs, true_solution
from toolkit.errors import ToolkitError
from toolkit.plans import draft_plans
from toolkit.plans.costs import plan_set_minutes
from toolkit.scaling import load_workload
from toolkit.scaling.owners import (budget_table, default_mix, mix_from_plans, owner_capacity, owner_table,
                                    owner_year_minutes)
from toolkit.scaling.study import scaling_study


def _true_fit(profile):
    def fit(data, n_profiles, *, model=1, random_state=None):
        return true_solution(data, profile)
    return fit


@functools.lru_cache(maxsize=1)
def _study_and_plans():
    scores, profile, _voice, cb = sample_inputs()
    study = scaling_study(scores, codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile),
                          random_state=0, n_draws=400, n_students=(150,))
    plans = draft_plans(scores, true_solution(scores, profile), cb)
    return study, plans


def test_drafted_plans_and_the_study_agree_within_one_percent():
    study, plans = _study_and_plans()
    frame = plans.to_frame()
    drafted = float((frame["minutes"] + frame["template_minutes_share"]).sum())
    per_student = study.owner_settings["cycle_minutes"]["templated"]
    projected = len(frame) * sum(per_student.values())
    assert abs(projected - drafted) / drafted < 0.01
    # And by kind: the drafted plans' own split (the shared cost model) gives the same planning and meeting minutes.
    kinds = plan_set_minutes(plans)
    assert kinds["total"].sum() == pytest.approx(frame["minutes"].sum())
    assert len(frame) * per_student["planning"] == pytest.approx(kinds["planning"].sum(), rel=0.01)
    assert len(frame) * per_student["meeting"] == pytest.approx(kinds["meeting"].sum(), rel=0.01)
    # The flag rule is the plans' rule, not the study's certainty-only share.
    assert study.owner_settings["mix"]["flagged"] == pytest.approx(frame["flagged"].mean())


def test_check_in_cadence_comes_from_each_template():
    _study, plans = _study_and_plans()
    mix = mix_from_plans(plans)
    by_profile = {t.profile: t.check_ins_per_term for t in plans.templates}
    expected = np.mean([by_profile[p.profile] for p in plans.plans])
    assert mix["check_ins"] == pytest.approx(expected)
    assert len(set(by_profile.values())) > 1  # the templates prescribe different rhythms


def test_owner_year_follows_its_formula_by_hand():
    v = load_workload().values
    mix = {"check_ins": 6.0, "added_minutes_per_week": 0.0, "flagged": 0.0, "template_class_share": 0.0}
    m = owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0, scope="school")
    later = v["cycles_per_year"] - 1
    planning = (19 * v["personalise_minutes"]
                + later * 19 * (v["resurvey_minutes"] + v["transition_rate"] * v["personalise_minutes"]
                                + (1 - v["transition_rate"]) * v["update_minutes"])
                + 4 * v["template_minutes"] * 19 / v["students_per_school"] + 4 * v["adapt_template_minutes"])
    assert float(m["planning"]) == pytest.approx(planning)
    assert float(m["class"]) == pytest.approx(v["cycles_per_year"] * 19 * 6 * v["checkin_minutes"])
    assert float(m["student"]) == 0.0


def test_cowritten_plans_cost_student_time_and_a_conference_not_owner_writing():
    v = load_workload().values
    mix = default_mix(v, 0.0)
    t = owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0)
    c = owner_year_minutes(v, way="cowritten", k=4, mix=mix, caseload=19.0)
    first_cycle_student = v["cowrite_lesson_minutes"]
    assert float(c["student"]) == pytest.approx(first_cycle_student * (1 + (v["cycles_per_year"] - 1) * v["transition_rate"]))
    assert float(c["meeting"]) > float(t["meeting"])
    assert float(c["planning"]) < float(t["planning"])


def test_template_scope_shares_the_writing_but_charges_adapting():
    v = load_workload().values
    mix = default_mix(v, 0.1)
    own = owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0, scope="owner")["planning"]
    school = owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0, scope="school")["planning"]
    district = owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0, scope="district")["planning"]
    assert own - school == pytest.approx(4 * v["template_minutes"] * (1 - 19 / v["students_per_school"])
                                         - 4 * v["adapt_template_minutes"])
    assert district < school < own
    with pytest.raises(ToolkitError, match="template scope"):
        owner_year_minutes(v, way="templated", k=4, mix=mix, caseload=19.0, scope="teacher")


def test_owner_caseload_default_is_the_sourced_figure_and_staff_are_fractional():
    w = load_workload()
    a = w["students_per_owner"]
    assert a.value == pytest.approx(18.6) and "208.10" in a.source and a.confidence == "medium"
    assert w["students_per_counsellor"].value == 385 and w["students_per_counsellor"].low == 250
    study, _ = _study_and_plans()
    assert study.owner["students_per_owner"].eq(18.6).all()  # never ceil'd to whole staff


def test_headlines_are_medians_with_intervals_and_the_mode_is_labelled():
    study, _ = _study_and_plans()
    o = study.owner.set_index("way")
    assert (o["hours_per_week_p05"] <= o["hours_per_week_p50"]).all()
    assert (o["hours_per_week_p50"] <= o["hours_per_week_p95"]).all()
    text = study.answer
    best = o.drop(index="individual")["hours_per_week_p50"].idxmin()
    assert f"about {60 * o.loc[best, 'hours_per_week_p50']:.0f} minutes a week" in text
    assert f"{60 * o.loc[best, 'hours_per_week_p05']:.0f}-{60 * o.loc[best, 'hours_per_week_p95']:.0f}" in text
    assert "the mode" in text
    assert f"{100 * o.loc[best, 'p_cheaper_than_individual']:.0f}% of the 400 simulated" in text
    assert "no public source" in text and "template_minutes" in text
    # One denominator: share of planning = hours a week for one owner / planning time.
    planning_h = load_workload()["planning_minutes_per_week"].value / 60
    assert o["share_of_planning_mode"].to_numpy() == pytest.approx(o["hours_per_week_mode"].to_numpy() / planning_h)


def test_probability_cheaper_is_the_share_of_draws():
    w = load_workload()
    draws = {k: np.asarray(x) for k, x in w.draw(300, random_state=1).items()}
    mix = default_mix(w.values, 0.1)
    t = owner_table(w, k=4, mix=mix, caseload=19.0, draws=draws).set_index("way")
    ind = owner_year_minutes(draws, way="individual", k=4, mix=mix, caseload=19.0)["out_of_class"]
    hyb = owner_year_minutes(draws, way="hybrid", k=4, mix=mix, caseload=19.0)["out_of_class"]
    assert t.loc["hybrid", "p_cheaper_than_individual"] == pytest.approx(np.mean(hyb < ind))
    assert np.isnan(t.loc["individual", "p_cheaper_than_individual"])


def test_budget_fits_and_capacity_inverts_the_cost():
    w = load_workload()
    draws = {k: np.asarray(x) for k, x in w.draw(300, random_state=2).items()}
    mix = default_mix(w.values, 0.1)
    b = budget_table(w, k=4, mix=mix, caseload=19.0, budget_minutes=30, draws=draws,
                     fidelity={"individual": 1.0, "templated": 0.8, "hybrid": 0.82})
    assert (b["fits"] == (b["minutes_per_week_p50"] <= 30)).all()
    assert b["recommended"].sum() == (1 if b["fits"].any() else 0)
    cap = owner_capacity(w.values, way="templated", k=4, mix=mix, scope="school", budget_minutes=30)
    at_cap = owner_year_minutes(w.values, way="templated", k=4, mix=mix, caseload=cap, scope="school")
    weeks = w.values["cycles_per_year"] * w.values["weeks_per_term"]
    assert float(at_cap["out_of_class"]) / weeks == pytest.approx(30)
    none = budget_table(w, k=4, mix=mix, caseload=19.0, budget_minutes=0, draws=draws, fidelity={})
    assert not none["recommended"].any()


def test_study_options_change_the_owner_model():
    scores, profile, _voice, cb = sample_inputs()
    kw = dict(codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile), random_state=0, n_draws=200,
              n_students=(150,))
    small = scaling_study(scores, students_per_owner=10, owner_scope="owner", budget_minutes=20, **kw)
    counsellor = scaling_study(scores, owner_kind="counsellor", **kw)
    assert small.owner["students_per_owner"].eq(10).all() and small.owner["template_scope"].eq("owner").all()
    assert small.budget["budget_minutes_per_week"].eq(20).all()
    assert counsellor.owner["students_per_owner"].eq(385).all()
    assert (counsellor.owner["hours_per_week_p50"] > small.owner["hours_per_week_p50"]).all()
    assert "counsellors of about 385" in counsellor.answer
    for bad in ({"owner_scope": "planet"}, {"students_per_owner": 0}, {"owner_kind": "janitor"}, {"budget_minutes": -5}):
        with pytest.raises(ToolkitError):
            scaling_study(scores, **bad, **kw)


def test_statements_count_owners_as_people_and_use_the_reports_words_for_the_ways():
    """A leader reads whole people (ceil of students / caseload: 240 / 18.6 = 12.9 -> 13, 150 -> 9),
    not "12.9 advisors in full-time equivalents"; the ways are named as the report names them."""
    import math

    from toolkit.scaling.owners import WAY_WORDS

    study, _ = _study_and_plans()
    text = " ".join(study.statements)
    assert "full-time" not in text
    n = int(study.costs["n_students"].iloc[0])
    assert f"{math.ceil(n / 18.6)} advisors, each a teacher giving part of their week" in text
    assert f"At 150 students, {math.ceil(150 / 18.6)} advisors, each a teacher giving part of their week" in text
    assert WAY_WORDS["cowritten"] in text
    # the leaders' table counts them the same way
    from toolkit.report.answer import owner_projection_overview

    table = owner_projection_overview(study)
    assert table.loc["150", "plan owners"] == str(math.ceil(150 / 18.6))

def test_owner_projection_counts_fractional_owners_and_keeps_one_owner_time():
    study, _ = _study_and_plans()
    proj = study.owner_settings["projection"]
    assert set(proj["way"]) == {"individual", "templated", "hybrid", "cowritten"}
    row = proj.set_index(["n_students", "way"]).loc[(150, "templated")]
    assert row["n_owners"] == pytest.approx(150 / 18.6)  # fractional FTE, never ceil
    o = study.owner.set_index("way")
    # The same draws: one owner's median time a week is the owner table's.
    assert row["owner_hours_per_week_p50"] == pytest.approx(o.loc["templated", "hours_per_week_p50"])
    assert row["hours_per_year_p05"] <= row["hours_per_year_p50"] <= row["hours_per_year_p95"]


def test_owner_plot_shows_every_way_including_the_cowritten_one():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    study, _ = _study_and_plans()
    fig, ax = plt.subplots()
    try:
        assert study.plot_owner(ax=ax) is ax
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert any(lbl.startswith("Co-written") for lbl in labels) and len(labels) == 4
        assert "18.6 students" in ax.get_xlabel()
    finally:
        plt.close(fig)


def test_with_reliabilities_the_owner_model_uses_the_non_circular_benefit():
    scores, profile, _voice, cb = sample_inputs()
    rel = {c: 0.8 for c in cb.construct_keys}
    st = scaling_study(scores, codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile), random_state=0,
                       n_draws=200, n_students=(150,), reliability=rel)
    o = st.owner.set_index("way")
    assert 0.5 < o.loc["individual", "benefit_recall"] < 0.95  # not 1 by definition
    assert (o["fidelity"] == o["benefit_recall"]).all()  # the budget ranks by the benefit
    assert "true top two needs" in st.answer and "100% by definition" not in st.answer
    with pytest.raises(ToolkitError, match="no reliability"):
        scaling_study(scores, codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile), random_state=0,
                      n_draws=50, n_students=(150,), reliability={"interest": 0.8})


def test_a_construct_without_reliability_gives_a_note_not_an_error():
    scores, profile, _voice, cb = sample_inputs()
    rel = {c: 0.8 for c in cb.construct_keys}
    rel[cb.construct_keys[0]] = float("nan")  # a one-item scale has no alpha
    st = scaling_study(scores, codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile), random_state=0,
                       n_draws=50, n_students=(150,), reliability=rel)
    assert "benefit_recall" not in st.owner.columns
    assert any(f"no reliability for {cb.construct_keys[0]}" in n for n in st.notes)


def test_the_default_budget_is_said_as_an_upper_bound_not_a_second_recommendation():
    # With no budget set, the budget is all of an owner's planning time: the answer must not name a
    # different way as "the design that fits" after its verdict named the cheapest one.
    study, _ = _study_and_plans()
    text = study.answer
    assert "the design that fits" not in text
    assert re.search(r"If all 266 minutes of an advisor's weekly planning time went to plans, fully individual plans "
                     r"with no templates would fit too .* co-written plans leave about \d+ of those minutes", text)
    assert "toolkit scaling --budget-minutes" in text
    scores, profile, _voice, cb = sample_inputs()
    given = scaling_study(scores, codebook=cb, k_range=[4], k=4, groups=(), fit=_true_fit(profile), random_state=0,
                          n_draws=200, n_students=(150,), budget_minutes=30)
    assert "With 30 minutes a week per advisor, the design that fits" in given.answer

"""Tests of the workload assumptions: sourced defaults, draws, validation of a user's file.

The cost arithmetic is the owner model's (tests/scaling/test_scaling_owners.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import ToolkitError
from toolkit.scaling.workload import REQUIRED, load_workload


@pytest.fixture(scope="module")
def workload():
    return load_workload()


def write(tmp_path, text, name="workload.yml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------- the defaults
def test_every_default_has_a_range_unit_source_confidence_and_kind(workload):
    table = workload.to_frame()
    assert set(REQUIRED) <= set(table["assumption"])
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    assert table["unit"].str.len().gt(0).all()
    assert table["source"].str.len().gt(20).all()
    assert table["kind"].isin(["public", "assumption"]).all()
    assert table["confidence"].isin(["high", "medium-high", "medium", "low-medium", "low", "none"]).all()


def test_defaults_without_a_public_source_are_marked_as_assumptions(workload):
    # WORKLOAD_EVIDENCE.md: no source for template drafting or personalisation.
    for key in ("template_minutes", "personalise_minutes", "individual_plan_minutes"):
        assert workload[key].kind == "assumption"
    assert "None" in workload["personalise_minutes"].source


def test_public_defaults_match_the_evidence_table(workload):
    # NCES School Pulse Panel (Dec 2023): 266 planning minutes a week; Texas contract 225.
    assert workload["planning_minutes_per_week"].value == 266
    assert workload["planning_minutes_per_week"].low == 225
    assert "NCES" in workload["planning_minutes_per_week"].source
    # 120-150 students per secondary teacher (NTPS inferred), city examples up to 170.
    assert (workload["students_per_teacher"].low, workload["students_per_teacher"].high) == (120, 170)
    assert workload["students_per_teacher"].kind == "public"


# ------------------------------------------------------------------------------- the draws
def test_draws_are_seeded_reproducible_and_within_the_ranges(workload):
    a = workload.draw(500, random_state=7)
    b = workload.draw(500, random_state=7)
    c = workload.draw(500, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    t = workload.to_frame().set_index("assumption")
    for key in a.columns:
        assert a[key].between(t.loc[key, "low"], t.loc[key, "high"]).all()


def test_triangular_draws_peak_at_the_default(workload):
    d = workload.draw(4000, random_state=0)["planning_minutes_per_week"]
    a = workload["planning_minutes_per_week"]
    # Mean of a triangular distribution is (low + mode + high) / 3.
    assert d.mean() == pytest.approx((a.low + a.value + a.high) / 3, rel=0.01)


def test_uniform_draws_and_a_bad_distribution(workload):
    d = workload.draw(4000, distribution="uniform", random_state=0)["weeks_per_term"]
    assert d.mean() == pytest.approx(12, rel=0.02)
    with pytest.raises(ValueError, match="distribution"):
        workload.draw(10, distribution="normal")


# ------------------------------------------------------------------------------- a user's file
def test_a_users_file_changes_only_what_it_names(tmp_path, workload):
    p = write(tmp_path, "students_per_teacher: 130\npersonalise_minutes:\n  value: 15\n  source: timed in our school, 2026\n")
    w = load_workload(p)
    spt = w["students_per_teacher"]
    assert (spt.value, spt.low, spt.high, spt.kind) == (130, 130, 130, "local")
    assert w["personalise_minutes"].value == 15
    assert w["personalise_minutes"].source == "timed in our school, 2026"
    assert w["personalise_minutes"].low == workload["personalise_minutes"].low  # range kept
    named = {"students_per_teacher", "personalise_minutes"}
    assert set(w.values) == set(workload.values)
    for key in set(workload.values) - named:  # every assumption the file does not name is the default
        assert w[key] == workload[key], key
    assert w.path == p


def test_a_changed_value_without_a_source_is_marked_local(tmp_path):
    w = load_workload(write(tmp_path, "checkin_minutes:\n  value: 3\n"))
    assert w["checkin_minutes"].kind == "local"
    assert "workload.yml" in w["checkin_minutes"].source


def test_with_values_widens_the_range(workload):
    w = workload.with_values(template_minutes=400)
    assert w["template_minutes"].value == 400 and w["template_minutes"].high == 400
    assert workload["template_minutes"].value == 90  # frozen original unchanged


@pytest.mark.parametrize(
    "text, match",
    [
        ("template_minuts: 30\n", r"key 'template_minuts'.*unknown workload assumption.*template_minutes"),
        ("template_minutes: thirty\n", r"template_minutes.*value 'thirty'.*expected a number"),
        ("template_minutes:\n  value: 500\n", r"template_minutes.*range must hold the value.*Give low and high"),
        ("template_minutes:\n  value: -5\n  low: -10\n", r"template_minutes\.value.*cannot be negative"),
        ("students_per_teacher: 0\n", r"students_per_teacher\.low.*must be above zero"),
        ("template_minutes:\n  minutes: 30\n", r"unknown field 'minutes'"),
        ("template_minutes:\n  kind: guess\n", r"template_minutes\.kind.*expected one of public, assumption, local"),
        ("template_minutes:\n  confidence: very\n", r"template_minutes\.confidence.*expected one of"),
        ("template_minutes: [1, 2]\n", r"template_minutes.*expected a number, or a mapping"),
        ("- 1\n- 2\n", r"expected a mapping of assumption keys"),
        ("template_minutes: {value: 3\n", r"not valid YAML"),
        ("template_minutes: true\n", r"template_minutes.*expected a number, or a mapping"),
    ],
)
def test_a_broken_workload_file_names_the_file_key_and_value(tmp_path, text, match):
    p = write(tmp_path, text)
    with pytest.raises(ToolkitError, match=match) as info:
        load_workload(p)
    assert "workload.yml" in str(info.value)


def test_a_missing_workload_file_is_a_clear_error(tmp_path):
    with pytest.raises(ToolkitError, match=r"nope\.yml.*workload file not found.*Give the path"):
        load_workload(tmp_path / "nope.yml")


def test_an_empty_file_means_the_defaults(tmp_path, workload):
    w = load_workload(write(tmp_path, "# nothing changed\n"))
    assert w.values == workload.values


def test_unknown_assumption_lookup_lists_the_known_ones(workload):
    with pytest.raises(ToolkitError, match="unknown workload assumption 'coffee'.*template_minutes"):
        workload["coffee"]


def test_writer_speed_assumptions_are_drawn_together_and_keep_their_ranges():
    from scipy.stats import spearmanr

    from toolkit.scaling.workload import WRITER_SPEED

    w = load_workload()
    d = w.draw(3000, random_state=4)
    for key in WRITER_SPEED[1:]:
        assert spearmanr(d[WRITER_SPEED[0]], d[key]).statistic == pytest.approx(1.0)
        a = w[key]
        assert d[key].between(a.low, a.high).all()
        # Still triangular with its peak at the value: the median sits where the triangle puts it.
        cut = (a.value - a.low) / (a.high - a.low)
        expected = (a.low + (0.5 * (a.high - a.low) * (a.value - a.low)) ** 0.5 if cut >= 0.5
                    else a.high - (0.5 * (a.high - a.low) * (a.high - a.value)) ** 0.5)
        assert d[key].median() == pytest.approx(expected, rel=0.05)
    assert abs(spearmanr(d["individual_plan_minutes"], d["checkin_minutes"]).statistic) < 0.1
    free = w.draw(3000, random_state=4, shared=())
    assert abs(spearmanr(free["individual_plan_minutes"], free["template_minutes"]).statistic) < 0.1

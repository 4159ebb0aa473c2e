"""The synthetic sample: deterministic, committed as generated, realistic, with a known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from _sample_data import responses_from_export, scale_scores
from toolkit import generate_sample, load_codebook, parse_codebook
from toolkit.sample import CONSTRUCTS, ITEMS, LABELS, PROFILES, SAMPLE_CODEBOOK, write_sample


@pytest.fixture(scope="module")
def sample():
    return generate_sample()


def _true_scale_scores(export: pd.DataFrame, codebook) -> pd.DataFrame:
    """Scale scores computed directly from the export (labels -> 1..5, reverse keyed, mean)."""
    return scale_scores(responses_from_export(export, codebook), codebook)


def test_same_seed_gives_identical_data_and_other_seed_differs():
    a, b, c = generate_sample(60, seed=7), generate_sample(60, seed=7), generate_sample(60, seed=8)
    pd.testing.assert_frame_equal(a.export, b.export)
    pd.testing.assert_frame_equal(a.export_wave2, b.export_wave2)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert a.canaries == b.canaries
    assert not a.export.equals(c.export)


def test_committed_sample_equals_regeneration(tmp_path, sample_dir):
    write_sample(tmp_path / "fresh")
    committed = sorted(p.name for p in sample_dir.iterdir())
    assert committed == ["README.md", "codebook.yml", "survey_export.csv", "survey_export_wave2.csv", "truth.csv"]
    for name in committed:
        assert (tmp_path / "fresh" / name).read_bytes() == (sample_dir / name).read_bytes(), (
            f"data/sample/{name} differs from what the generator makes: run `make sample` and commit"
        )


def test_layout_looks_like_a_google_forms_export(sample, sample_dir):
    cb = load_codebook(sample_dir / "codebook.yml")
    ex = sample.export
    assert list(ex.columns[:7]) == ["Timestamp", "Email Address", "Your name", "Student ID", "Grade", "Section", "Gender"]
    assert ex["Timestamp"].str.fullmatch(r"\d{4}/\d\d/\d\d \d{1,2}:\d\d:\d\d (AM|PM) GMT-4").all()
    assert set(cb.named_columns) == set(ex.columns) - {"Timestamp", "Email Address"}
    answers = ex[[i.column for i in cb.items]].to_numpy().ravel()
    assert set(answers) <= set(LABELS) | {""}
    assert ex["Email Address"].str.endswith("@example.org").all()
    assert ex["Student ID"].str.fullmatch(r"FAKE-\d+").all()


def test_default_sample_has_240_students_in_8_sections_over_grades_9_to_11(sample):
    t = sample.truth
    assert len(t) == 240 and t["student_id"].is_unique
    assert t["section"].nunique() == 8
    assert sorted(t["grade"].unique()) == [9, 10, 11]
    assert t.groupby("section")["student_id"].count().between(15, 45).all()
    assert sorted(t["profile"].unique()) == [1, 2, 3, 4]


def test_every_construct_has_four_items_and_a_reverse_keyed_one():
    cb = parse_codebook(SAMPLE_CODEBOOK)
    assert len(cb.constructs) == 6
    for c in cb.constructs:
        assert len(c.items) == 4
        assert any(i.reverse for i in c.items)


def test_planted_quirks_are_in_the_raw_export(sample):
    ex, t = sample.export, sample.truth
    items = [q for k in CONSTRUCTS for _, q, _ in ITEMS[k]]
    blank = ex[items].eq("")
    share_missing = blank.to_numpy().mean()
    assert 0.025 < share_missing < 0.06  # about 3% skipped, plus those who stopped half-way
    dup_ids = set(t.loc[t["quirk"] == "duplicate", "student_id"])
    counts = ex["Student ID"].value_counts()
    assert set(counts[counts > 1].index) == dup_ids and len(dup_ids) >= 2
    stopped = ex["Student ID"].isin(t.loc[t["quirk"] == "stopped_halfway", "student_id"])
    assert blank.loc[stopped, items[12:]].all().all()
    straight = ex["Student ID"].isin(t.loc[t["quirk"] == "straight_liner", "student_id"])
    assert (ex.loc[straight, items] == "Agree").all().all() and straight.sum() >= 2


def test_planted_fake_identifiers_are_present_in_the_free_text(sample):
    ex = sample.export
    text = " ".join(ex["What helps you learn best?"]) + " " + " ".join(ex["One goal I have for this term"])
    planted = [c for c in sample.canaries if c in text]
    assert any("@example.org" in c for c in planted), "an email in the free text"
    assert any(c.startswith("555-") for c in planted), "a 555 phone number in the free text"
    assert any(c in set(ex["Your name"]) for c in planted), "a classmate's name in the free text"
    # every identifying column's values are canaries, so leak tests can search for them
    assert set(ex["Email Address"]) | set(ex["Student ID"]) | set(ex["Your name"]) <= set(sample.canaries)


def test_gaussian_mixture_on_true_scale_scores_recovers_the_truth(sample):
    cb = parse_codebook(SAMPLE_CODEBOOK)
    scores = _true_scale_scores(sample.export, cb).dropna()
    truth = sample.truth.set_index("student_id").loc[scores.index, "profile"]
    gm = GaussianMixture(4, covariance_type="diag", n_init=10, random_state=0).fit(scores)
    ari = adjusted_rand_score(truth, gm.predict(scores))
    # realistic overlap: recoverable, but not perfectly
    assert 0.6 <= ari < 0.95, ari


def test_profiles_have_the_documented_mean_patterns(sample):
    cb = parse_codebook(SAMPLE_CODEBOOK)
    scores = _true_scale_scores(sample.export, cb)
    truth = sample.truth.set_index("student_id").loc[scores.index, "profile"]
    z = (scores - scores.mean()) / scores.std()
    means = z.groupby(truth).mean()
    expected = pd.DataFrame({k: v[2] for k, v in PROFILES.items()}, index=list(CONSTRUCTS)).T
    # signs of the clearly-high and clearly-low traits survive the ordinal cut and the noise
    clear = expected.abs() >= 0.5
    assert (np.sign(means[clear]) == np.sign(expected[clear])).sum().sum() == clear.sum().sum()


def test_wave2_has_the_same_students_with_some_profile_changes(sample):
    t = sample.truth
    w2 = sample.export_wave2
    assert set(w2["Student ID"]) <= set(t["student_id"])
    assert 0.85 < len(w2) / len(t) < 1.0
    answered = t[t["responded_wave2"]]
    changed = (answered["profile"] != answered["profile_wave2"]).mean()
    assert 0.05 < changed < 0.4


def test_scales_to_many_students_vectorised():
    s = generate_sample(3000, seed=3)
    assert len(s.truth) == 3000
    assert s.truth["section"].nunique() == 100
    assert s.truth["student_id"].is_unique


def test_too_few_students_is_refused():
    with pytest.raises(ValueError, match="n_students=5 should be a whole number >= 20"):
        generate_sample(5)


# ---------------------------------------------------------------- the second example (Microsoft Forms)


def test_forms_example_same_seed_same_cells_other_seed_differs():
    from toolkit.example_forms import generate_forms_example

    a, b, c = generate_forms_example(seed=7), generate_forms_example(seed=7), generate_forms_example(seed=8)
    pd.testing.assert_frame_equal(a.export, b.export)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert a.canaries == b.canaries and not a.export.equals(c.export)


def test_committed_forms_example_equals_regeneration(tmp_path):
    from toolkit.example_forms import FORMS_EXAMPLE_DIR, write_forms_example

    write_forms_example(tmp_path / "fresh")
    assert sorted(p.name for p in FORMS_EXAMPLE_DIR.iterdir()) == ["README.md", "codebook.yml", "maths_survey.xlsx"]
    for name in ("README.md", "codebook.yml"):
        assert (tmp_path / "fresh" / name).read_bytes() == (FORMS_EXAMPLE_DIR / name).read_bytes(), name
    # the workbook's zip container holds the time it was written: compare its cells
    fresh = pd.read_excel(tmp_path / "fresh" / "maths_survey.xlsx", dtype=str)
    committed = pd.read_excel(FORMS_EXAMPLE_DIR / "maths_survey.xlsx", dtype=str)
    pd.testing.assert_frame_equal(fresh, committed)


def test_forms_example_is_unlike_the_sample():
    from toolkit.example_forms import FORMS_ITEMS, FORMS_LABELS, generate_forms_example

    ex = generate_forms_example()
    cb = parse_codebook(ex.codebook_yaml)
    assert len(ex.export) == 60 and list(ex.export.columns[:6]) == [
        "ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    assert (cb.response_scale.min, cb.response_scale.max) == (1, 7) and cb.response_scale.labels == FORMS_LABELS
    assert [len(c.items) for c in cb.constructs] == [5, 4, 3]
    assert [c.key for c in cb.constructs if not c.higher_is_better] == ["maths_anxiety"]
    assert all(sum(i.reverse for i in c.items) == 1 for c in cb.constructs)
    assert cb.group_columns == ("Year", "Maths class") and len(cb.voice_columns) == 1
    assert not set(cb.construct_keys) & set(CONSTRUCTS)  # none of the sample's scales
    answers = pd.Series(ex.export[[q for items in FORMS_ITEMS.values() for _, q, _ in items]].to_numpy().ravel()).dropna()
    assert set(answers) == set(FORMS_LABELS)
    assert ex.export["Email"].str.endswith("@students.example.org").all()
    assert ex.export["Student number"].str.fullmatch(r"FAKE-M\d{3}").all()
    assert ex.truth.groupby("maths_class").size().between(15, 25).all()
    # the planted identifiers are in the free text, for the privacy stage to remove
    helps = " ".join(ex.export["What would help you most in maths lessons?"].dropna())
    assert "@students.example.org" in helps and sum(name in helps for name in ex.export["Name"]) >= 1

"""Scale scores (toolkit.scoring) and the scoring stage's plots (toolkit.plotting).

Reference scores come from R: psych::scoreItems(keys, items, totals=FALSE, impute="none", min=1,
max=5) in psych 2.2.9 (tests/r_reference/psych_reference.R). impute="none" scores the mean of the
answered items and gives NA only when no item is answered, which is score_scales(min_items=1).
"""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _scoring_sample import SAMPLE_CODEBOOK_PATH, sample_responses  # noqa: E402

from conftest import PISA, R_REFERENCE  # noqa: E402
from toolkit import (  # noqa: E402
    ToolkitError,
    load_codebook,
    parse_codebook,
    plot_item_distributions,
    plot_scale_scores,
    score_scales,
)

R_REF = R_REFERENCE

PISA_CODEBOOK = """
response_scale: {min: 1, max: 5}
constructs:
  pisa:
    items:
      broad_interest: broad_interest
      enjoyment: {column: enjoyment, scale: {min: 1, max: 4}}
      instrumental_mot: {column: instrumental_mot, scale: {min: 1, max: 4}}
      self_efficacy: {column: self_efficacy, scale: {min: 1, max: 4}}
  pisa_keyed:
    items:
      bi: {column: bi, scale: {min: 1, max: 5}}
      en: {column: en, scale: {min: 1, max: 4}}
      im: {column: im, scale: {min: 1, max: 4}, reverse: true}
      se: {column: se, scale: {min: 1, max: 4}, reverse: true}
"""

SMALL_CODEBOOK = """
response_scale: {min: 1, max: 5, labels: [SD, D, N, A, SA]}
group_columns: [Section]
constructs:
  grit:
    label: Grit
    items:
      g1: "I finish what I start."
      g2: "I keep going."
      g3: "I work hard."
      g4: {column: "I give up easily.", reverse: true}
  calm:
    label: Calm
    items:
      c1: "I stay calm."
      c2: "I relax easily."
"""


@pytest.fixture(scope="module")
def cb():
    return load_codebook(SAMPLE_CODEBOOK_PATH)


@pytest.fixture(scope="module")
def responses(cb):
    return sample_responses(cb)


@pytest.fixture
def small():
    cb = parse_codebook(SMALL_CODEBOOK)
    r = pd.DataFrame(
        {
            "Section": ["A", "A", "B", "B"],
            "g1": [5, 4, np.nan, np.nan],
            "g2": [4, np.nan, np.nan, 2],
            "g3": [3, np.nan, np.nan, np.nan],
            "g4": [1, 2, np.nan, np.nan],
            "c1": [1, 2, 3, np.nan],
            "c2": [3, 4, 5, np.nan],
        },
        index=pd.Index(["p1", "p2", "p3", "p4"], name="pseudonym"),
    )
    return cb, r


# ---------------------------------------------------------------------------------------------
# Agreement with R


def test_mean_scores_match_psych_scoreItems_on_the_sample_with_missing_answers(cb, responses):
    assert responses[list(cb.item_ids)].isna().to_numpy().sum() > 100  # missing answers present
    ours = score_scales(responses, cb, min_items=1)
    ref = pd.read_csv(R_REF / "psych_scores_sample.csv", index_col="pseudonym")
    assert list(ours.index) == list(ref.index)
    assert list(ours.columns) == list(ref.columns)
    assert (ours.isna() == ref.isna()).all().all()
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), atol=1e-3)
    # Pinned from the R output: psych::scoreItems(..., impute="none")$scores
    # FAKE-10002 skipped int1: its interest score is the mean of the other three, 3.666667.
    assert ours.loc["FAKE-10002", "interest"] == pytest.approx(3.666667, abs=1e-3)
    assert ours.loc["FAKE-10001", "self_efficacy"] == pytest.approx(4.75, abs=1e-3)
    # colMeans(sc$scores, na.rm=TRUE) in R
    np.testing.assert_allclose(
        ours.mean().to_numpy(),
        [3.404166667, 3.309375000, 3.462847222, 3.337923729, 3.430084746, 3.347104520],
        atol=1e-3,
    )


@pytest.mark.skipif(not PISA.is_file(), reason="../shared/data/pisaUSA15.csv not present")
def test_mean_scores_match_psych_scoreItems_on_pisa_with_item_scales_and_reverse_keys():
    cb = parse_codebook(PISA_CODEBOOK)
    p = pd.read_csv(PISA)
    p[["bi", "en", "im", "se"]] = p[["broad_interest", "enjoyment", "instrumental_mot", "self_efficacy"]].to_numpy()
    ours = score_scales(p, cb, min_items=1)
    # R: psych::scoreItems(list(pisa=colnames(p)), p, impute="none"), and the same on the data
    # with instrumental_mot and self_efficacy reversed as 5 - x (their 1..4 range).
    ref = pd.read_csv(R_REF / "psych_scores_pisa.csv")
    for col in ("pisa", "pisa_keyed"):
        assert (ours[col].isna().to_numpy() == ref[col].isna().to_numpy()).all()
        np.testing.assert_allclose(ours[col].to_numpy(), ref[col].to_numpy(), atol=1e-3)
    assert ours["pisa"].isna().sum() == 161  # rows with all four indices missing
    assert ours["pisa"].mean() == pytest.approx(2.414969936, abs=1e-3)  # R: mean(psc$scores)


# ---------------------------------------------------------------------------------------------
# Behaviour


def test_scores_have_one_row_per_student_and_one_float_column_per_construct(cb, responses):
    scores = score_scales(responses, cb)
    assert scores.index.equals(responses.index)
    assert scores.index.name == "pseudonym"
    assert list(scores.columns) == list(cb.construct_keys)
    assert all(dtype == np.float64 for dtype in scores.dtypes)


def test_reverse_keyed_item_is_scored_min_plus_max_minus_answer(small):
    cb, r = small
    scores = score_scales(r, cb, min_items=1)
    # p1: g1=5, g2=4, g3=3, g4=1 reversed to 5 -> mean 17/4
    assert scores.loc["p1", "grit"] == pytest.approx(4.25)
    # p2: g1=4, g4=2 reversed to 4 -> 4
    assert scores.loc["p2", "grit"] == pytest.approx(4.0)


def test_min_items_as_share_or_count_decides_when_a_score_is_missing(small):
    cb, r = small
    # p4 answered one grit item of four (g2 = 2), p2 two, p1 four.
    half = score_scales(r, cb)  # default 0.5: at least 2 of 4 items
    assert np.isnan(half.loc["p4", "grit"]) and not np.isnan(half.loc["p2", "grit"])
    one = score_scales(r, cb, min_items=1)
    assert one.loc["p4", "grit"] == pytest.approx(2.0)
    three = score_scales(r, cb, min_items=3)
    assert three["grit"].notna().tolist() == [True, False, False, False]
    all_items = score_scales(r, cb, min_items=1.0)  # a share: every item
    assert all_items["calm"].notna().tolist() == [True, True, True, False]
    assert all_items["grit"].notna().tolist() == [True, False, False, False]
    assert np.isnan(one.loc["p3", "grit"])  # nothing answered: missing whatever min_items is


def test_poms_method_rescales_the_mean_to_zero_one(small):
    cb, r = small
    mean = score_scales(r, cb, min_items=1)
    poms = score_scales(r, cb, min_items=1, method="poms")
    np.testing.assert_allclose(poms.to_numpy(), ((mean - 1) / 4).to_numpy(), equal_nan=True)


def test_poms_uses_each_items_own_scale():
    cb = parse_codebook(
        "response_scale: {min: 1, max: 5}\n"
        "constructs:\n  x:\n    items:\n      a: a\n      b: {column: b, scale: {min: 1, max: 3}}\n"
    )
    r = pd.DataFrame({"a": [5.0, 1.0], "b": [3.0, 2.0]})
    np.testing.assert_allclose(score_scales(r, cb, method="poms")["x"], [1.0, 0.25])


def test_z_method_standardises_by_sample_mean_and_sd_ddof_1(cb, responses):
    mean = score_scales(responses, cb)
    z = score_scales(responses, cb, method="z")
    expected = (mean - mean.mean()) / mean.std(ddof=1)
    np.testing.assert_allclose(z.to_numpy(), expected.to_numpy(), equal_nan=True)
    np.testing.assert_allclose(z.std(ddof=1), 1.0)


def test_constructs_argument_scores_only_those_in_the_order_asked(cb, responses):
    scores = score_scales(responses, cb, constructs=["test_anxiety", "interest"])
    assert list(scores.columns) == ["test_anxiety", "interest"]
    assert list(score_scales(responses, cb, constructs="interest").columns) == ["interest"]


def test_numbers_written_as_text_are_read_and_blank_text_is_a_skipped_answer(small):
    cb, r = small
    text = r.copy()
    text["c1"] = pd.array(["1", " 2 ", "", None], dtype="str")
    scores = score_scales(text, cb, min_items=1)
    np.testing.assert_allclose(scores["calm"], [2.0, 3.0, 5.0, np.nan])


def test_scoring_does_not_change_the_responses(small):
    cb, r = small
    before = r.copy()
    score_scales(r, cb, method="z")
    pd.testing.assert_frame_equal(r, before)


# ---------------------------------------------------------------------------------------------
# User mistakes


def test_unknown_construct_is_named_with_the_closest_known_ones(cb, responses):
    with pytest.raises(ToolkitError, match=r"unknown construct 'self_eficacy'.*did you mean 'self_efficacy'"):
        score_scales(responses, cb, constructs=["self_eficacy"])


def test_item_missing_from_responses_names_the_item_and_the_closest_columns(cb, responses):
    r = responses.rename(columns={"se3": "se_3"})
    with pytest.raises(ToolkitError, match=r"item 'se3' of construct 'self_efficacy' is not a column.*closest columns are 'se_3'"):
        score_scales(r, cb)


def test_item_columns_still_named_by_their_question_point_to_deidentify(cb, responses):
    r = responses.rename(columns={"int1": "I find what we learn in this class interesting."})
    with pytest.raises(ToolkitError, match=r"item 'int1'.*toolkit deidentify"):
        score_scales(r, cb)


def test_non_numeric_answer_names_the_column_the_first_row_and_the_value(small):
    cb, r = small
    r = r.astype({"g2": object})
    r.loc["p2", "g2"] = "Agree"
    r.loc["p4", "g2"] = "Disagree"
    with pytest.raises(ToolkitError, match=r"row 2 \(pseudonym p2\), column 'g2', value 'Agree': answer is not a number"):
        score_scales(r, cb)


def test_answer_outside_the_response_scale_is_an_error(small):
    cb, r = small
    r.loc["p3", "c2"] = 7
    with pytest.raises(ToolkitError, match=r"row 3 \(pseudonym p3\), column 'c2', value 7: answer outside the response scale 1..5"):
        score_scales(r, cb)


@pytest.mark.parametrize("bad", [0, 1.5, -0.5, "half", True])
def test_bad_min_items_is_explained(small, bad):
    cb, r = small
    with pytest.raises(ToolkitError, match=r"min_items"):
        score_scales(r, cb, min_items=bad)


def test_unknown_method_lists_the_methods(small):
    cb, r = small
    with pytest.raises(ToolkitError, match=r"unknown scoring method 'median'.*'mean', 'poms', 'z'"):
        score_scales(r, cb, method="median")


def test_responses_that_are_not_a_dataframe_are_refused(small):
    cb, r = small
    with pytest.raises(ToolkitError, match=r"responses must be a pandas DataFrame, got dict"):
        score_scales(r.to_dict(), cb)


# ---------------------------------------------------------------------------------------------
# Plots (toolkit.plotting holds the scoring stage's plots)


def test_item_distribution_plot_draws_one_diverging_bar_per_item_on_the_given_axes(cb, responses):
    fig, ax = plt.subplots()
    out = plot_item_distributions(responses, cb, ax=ax)
    assert out is ax
    assert len(ax.patches) == len(cb.items) * 5  # five answer segments per item
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:4] == ["int1", "int2", "int3", "int4 (R)"]
    # each bar's segments add up to 100% of the students who answered, and straddle zero
    widths = np.array([p.get_width() for p in ax.patches]).reshape(len(cb.items), 5)
    np.testing.assert_allclose(widths.sum(axis=1), 1.0)
    first = ax.patches[0]
    assert first.get_x() < 0 < first.get_x() + widths[0].sum()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(cb.response_scale.labels)
    plt.close(fig)


def test_item_distribution_plot_makes_its_own_axes_and_validates_answers(small):
    cb, r = small
    ax = plot_item_distributions(r, cb, constructs="calm")
    assert len(ax.patches) == 2 * 5
    plt.close(ax.figure)
    r.loc["p1", "c1"] = 9
    with pytest.raises(ToolkitError, match=r"column 'c1', value 9"):
        plot_item_distributions(r, cb)


def test_scale_score_plot_draws_one_box_per_construct_and_returns_the_axes(cb, responses):
    scores = score_scales(responses, cb)
    fig, ax = plt.subplots()
    assert plot_scale_scores(scores, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == list(cb.construct_keys)
    assert len(ax.collections) == len(cb.construct_keys)  # the students' dots
    plt.close(fig)
    ax = plot_scale_scores(scores)  # no axes given: it makes its own and draws the same
    assert [t.get_text() for t in ax.get_yticklabels()] == list(cb.construct_keys)
    assert len(ax.collections) == len(cb.construct_keys)
    plt.close(ax.figure)


@pytest.mark.parametrize("module", ["toolkit.scoring.scales", "toolkit.scoring.reliability"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_scale_score_plot_without_numeric_columns_is_an_error():
    with pytest.raises(ToolkitError, match=r"no numeric column to plot"):
        plot_scale_scores(pd.DataFrame({"a": ["x", "y"]}))

"""Reliability (toolkit.reliability) against R's psych package, and its warnings in words.

Every pinned number below came from tests/r_reference/psych_reference.R, run once with psych 2.2.9,
GPArotation 2022.10-2, R 4.2.2 (Debian 12), on the item matrix the tests build (sample answers
1..5 with NA, the fourth item of each scale reversed as 6 - x; rows with every item of the scale
missing dropped). The R calls:

    a  <- psych::alpha(x)            # use = "pairwise" (its default)
    a$total$raw_alpha, a$total$std.alpha, a$total$average_r
    a$feldt$lower.ci, a$feldt$upper.ci            # the analytic Feldt 95% interval psych prints
    a$item.stats$n, $mean, $sd, $r.drop; a$alpha.drop$raw_alpha
    psych::omega(x, nfactors = 1, fm = "minres", flip = FALSE)$omega.tot
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _scoring_sample import SAMPLE_CODEBOOK_PATH, sample_codebook_text, sample_responses

from conftest import PISA
from toolkit import (
    ReliabilityWarning,
    ToolkitError,
    item_statistics,
    load_codebook,
    parse_codebook,
    reliability,
    reliability_warnings,
)

TOL = 1e-3

SE4_REVERSED = 'se4: {column: "I doubt I can master the skills taught in this class.", reverse: true}'
SE4_FORGOTTEN = 'se4: "I doubt I can master the skills taught in this class."'


@pytest.fixture(scope="module")
def cb():
    return load_codebook(SAMPLE_CODEBOOK_PATH)


@pytest.fixture(scope="module")
def responses(cb):
    return sample_responses(cb)


@pytest.fixture(scope="module")
def forgotten_cb():
    text = sample_codebook_text()
    assert SE4_REVERSED in text
    return parse_codebook(text.replace(SE4_REVERSED, SE4_FORGOTTEN))


# psych::alpha / psych::omega on the sample:
# construct: n, raw_alpha, feldt lower, feldt upper, std.alpha, omega.tot, average_r
SAMPLE_R = {
    "interest": (240, 0.841137, 0.805581, 0.871596, 0.841991, 0.842173, 0.571219),
    "self_efficacy": (240, 0.840138, 0.804358, 0.870789, 0.840639, 0.841434, 0.568735),
    "effort_regulation": (240, 0.855305, 0.822920, 0.883048, 0.857454, 0.859596, 0.600609),
    "help_seeking": (236, 0.814991, 0.773204, 0.850741, 0.814766, 0.816089, 0.523728),
    "collaboration": (236, 0.804299, 0.760097, 0.842115, 0.804895, 0.803812, 0.507718),
    "test_anxiety": (236, 0.834988, 0.797718, 0.866874, 0.835073, 0.836069, 0.558658),
}
NUMBERS = ["alpha", "alpha_lower", "alpha_upper", "std_alpha", "omega_total", "mean_r"]


def test_reliability_matches_psych_alpha_and_omega_on_the_sample_with_missing_answers(cb, responses):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReliabilityWarning)  # the sample's scales are fine
        table = reliability(responses, cb)
    assert list(table.columns) == ["construct", "n_items", "n", *NUMBERS]
    assert table["construct"].tolist() == list(SAMPLE_R)
    for _, row in table.iterrows():
        n, *expected = SAMPLE_R[row["construct"]]
        assert row["n_items"] == 4
        assert row["n"] == n
        np.testing.assert_allclose(row[NUMBERS].to_numpy(dtype=float), expected, atol=TOL, err_msg=row["construct"])


def test_item_statistics_match_psych_alpha_item_stats(cb, responses):
    items = item_statistics(responses, cb, constructs=["self_efficacy", "effort_regulation"])
    assert list(items.columns) == ["construct", "item", "reverse", "n", "mean", "sd", "missing", "r_drop", "alpha_if_dropped"]
    # psych::alpha(x)$item.stats[, c("n", "mean", "sd", "r.drop")], $alpha.drop$raw_alpha
    expected = pd.DataFrame(
        [
            ("se1", 226, 3.694690, 1.095310, 0.659249, 0.804246),
            ("se2", 231, 3.575758, 1.213017, 0.677941, 0.795740),
            ("se3", 229, 3.572052, 1.166155, 0.694828, 0.788036),
            ("se4", 227, 2.361233, 1.201730, 0.663565, 0.802068),
            ("er1", 228, 3.719298, 1.227503, 0.687493, 0.820641),
            ("er2", 237, 3.713080, 1.252945, 0.670662, 0.828646),
            ("er3", 235, 3.923404, 1.102874, 0.779622, 0.784707),
            ("er4", 234, 2.534188, 1.157596, 0.664193, 0.829628),
        ],
        columns=["item", "n", "mean", "sd", "r_drop", "alpha_if_dropped"],
    )
    assert items["item"].tolist() == expected["item"].tolist()
    assert items["n"].tolist() == expected["n"].tolist()
    cols = ["mean", "sd", "r_drop", "alpha_if_dropped"]
    np.testing.assert_allclose(items[cols].to_numpy(dtype=float), expected[cols].to_numpy(dtype=float), atol=TOL)
    assert items["reverse"].tolist() == [False, False, False, True] * 2
    np.testing.assert_allclose(items["missing"].iloc[0], 1 - 226 / 240)


def test_forgotten_reverse_key_is_caught_in_words_and_matches_psych(responses, forgotten_cb):
    with pytest.warns(ReliabilityWarning) as record:
        table = reliability(responses, forgotten_cb, constructs="self_efficacy")
    messages = [str(w.message) for w in record]
    assert "se4 correlates -0.66 with the other self-efficacy items: is it reverse keyed?" in messages
    assert any(m.startswith("Self-efficacy: alpha is -0.02, under 0.70") for m in messages)
    assert all(w.filename == __file__ for w in record)  # stacklevel=2 points at the caller
    # psych::alpha / omega(flip = FALSE) with se4 left as answered:
    row = table.iloc[0]
    np.testing.assert_allclose(
        row[NUMBERS].to_numpy(dtype=float),
        [-0.015216, -0.242437, 0.179436, 0.029056, 0.580353, 0.007426],
        atol=TOL,
    )
    items = item_statistics(responses, forgotten_cb, constructs="self_efficacy")
    np.testing.assert_allclose(items["r_drop"], [0.468734, 0.407937, 0.365129, -0.663565], atol=TOL)
    np.testing.assert_allclose(items["alpha_if_dropped"], [-0.997194, -0.995416, -0.817474, 0.802068], atol=TOL)
    np.testing.assert_allclose(items["mean"].iloc[3], 3.638767, atol=TOL)


def test_reliability_warnings_lists_the_same_sentences_without_warning(responses, forgotten_cb):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        listed = reliability_warnings(responses, forgotten_cb)
        quiet = reliability(responses, forgotten_cb, warn=False)
    assert len(quiet) == 6
    assert listed == [
        "Self-efficacy: alpha is -0.02, under 0.70: its 4 items do not agree well enough to be averaged "
        "into one score; look at the item statistics before using it.",
        "se4 correlates -0.66 with the other self-efficacy items: is it reverse keyed?",
    ]


def test_an_item_reverse_keyed_by_mistake_asks_whether_it_should_be(responses):
    text = sample_codebook_text().replace(
        'se1: "I am confident I can do well in this class."',
        'se1: {column: "I am confident I can do well in this class.", reverse: true}',
    )
    messages = reliability_warnings(responses, parse_codebook(text), constructs="self_efficacy")
    assert any(m.startswith("se1 correlates -0.") and m.endswith("it is reverse keyed in the codebook: should it be?") for m in messages)


def test_items_with_few_distinct_answers_are_warned_about():
    cb = parse_codebook("response_scale: {min: 1, max: 5}\nconstructs:\n  calm:\n    items: {c1: a, c2: b, c3: c}\n")
    r = pd.DataFrame({"c1": [4, 5, 4, 5, 3, 4], "c2": [4, 5, 5, 5, 3, 4], "c3": [3, 5, 4, 5, 1, 2]})
    assert reliability_warnings(r, cb) == [
        "Calm: items with fewer than 5 distinct answers among the students: c1 (3), c2 (3); "
        "with so little spread its score separates students poorly."
    ]
    with pytest.warns(ReliabilityWarning, match=r"Calm: items with fewer than 5 distinct answers"):
        reliability(r, cb)


def test_a_four_point_scale_is_not_warned_about_for_using_all_four_points():
    """An item can have no more distinct answers than its scale has points (a teacher's 4-point
    Never/Sometimes/Often/Always scale drew this warning on every item)."""
    cb = parse_codebook("response_scale: {min: 1, max: 4}\nconstructs:\n  calm:\n    items: {c1: a, c2: b, c3: c}\n")
    r = pd.DataFrame({"c1": [1, 2, 3, 4, 3, 4], "c2": [2, 2, 3, 4, 1, 4], "c3": [3, 4, 4, 3, 3, 4]})
    assert [m for m in reliability_warnings(r, cb) if "distinct" in m] == [
        "Calm: items with fewer than 4 distinct answers among the students: c3 (2); "
        "with so little spread its score separates students poorly."
    ]


@pytest.mark.skipif(not PISA.is_file(), reason="../shared/data/pisaUSA15.csv not present")
def test_reliability_matches_psych_on_pisa_as_one_four_item_scale():
    p = pd.read_csv(PISA)
    cb = parse_codebook(
        "response_scale: {min: 1, max: 5}\nconstructs:\n  motivation:\n    items:\n"
        "      broad_interest: broad_interest\n"
        "      enjoyment: {column: enjoyment, scale: {min: 1, max: 4}}\n"
        "      instrumental_mot: {column: instrumental_mot, scale: {min: 1, max: 4}, reverse: true}\n"
        "      self_efficacy: {column: self_efficacy, scale: {min: 1, max: 4}, reverse: true}\n"
    )
    # R: psych::alpha / omega on the four indices, instrumental_mot and self_efficacy as 5 - x
    # (they run the other way in this file), 5551 rows with at least one index.
    with pytest.warns(ReliabilityWarning, match=r"Motivation: alpha is 0.66, under 0.70"):
        row = reliability(p, cb).iloc[0]
    assert row["n"] == 5551
    np.testing.assert_allclose(
        row[NUMBERS].to_numpy(dtype=float),
        [0.664761, 0.650125, 0.678934, 0.663168, 0.680468, 0.329853],
        atol=TOL,
    )
    items = item_statistics(p, cb)
    np.testing.assert_allclose(items["r_drop"], [0.490763, 0.578198, 0.348851, 0.376576], atol=TOL)
    np.testing.assert_allclose(items["alpha_if_dropped"], [0.565688, 0.502508, 0.661842, 0.640634], atol=TOL)
    np.testing.assert_allclose(items["mean"], [2.652246, 2.780263, 2.928622, 2.863570], atol=TOL)

    # Unkeyed, as in the file: psych::alpha gives raw_alpha -0.292754 and three negative r.drop.
    unkeyed = parse_codebook(
        "response_scale: {min: 1, max: 5}\nconstructs:\n  motivation:\n    items:\n"
        "      broad_interest: broad_interest\n      enjoyment: enjoyment\n"
        "      instrumental_mot: instrumental_mot\n      self_efficacy: self_efficacy\n"
    )
    with pytest.warns(ReliabilityWarning) as record:
        row = reliability(p, unkeyed).iloc[0]
    np.testing.assert_allclose(
        row[NUMBERS].to_numpy(dtype=float),
        [-0.292754, -0.349193, -0.238097, -0.323105, 0.209853, -0.065020],
        atol=TOL,
    )
    assert "self_efficacy correlates -0.22 with the other motivation items: is it reverse keyed?" in [
        str(w.message) for w in record
    ]


def test_scales_of_one_or_two_items_give_what_they_can():
    cb = parse_codebook(
        "response_scale: {min: 1, max: 5}\nconstructs:\n  one:\n    items: {a: a}\n  two:\n    items: {b: b, c: c}\n"
    )
    r = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [2, 2, 3, 5, 4]})
    table = reliability(r, cb, warn=False).set_index("construct")
    assert np.isnan(table.loc["one", "alpha"]) and np.isnan(table.loc["one", "omega_total"])
    assert table.loc["two", "n_items"] == 2
    c = np.cov(r[["b", "c"]].to_numpy().T)
    assert table.loc["two", "alpha"] == pytest.approx(2 * (1 - np.trace(c) / c.sum()))
    items = item_statistics(r, cb).set_index("item")
    assert np.isnan(items.loc["b", "alpha_if_dropped"])
    assert items.loc["b", "r_drop"] == pytest.approx(np.corrcoef(r["b"], r["c"])[0, 1])


def test_unknown_construct_item_missing_and_non_numeric_answers_are_explained(cb, responses):
    with pytest.raises(ToolkitError, match=r"unknown construct 'anxiety' \(did you mean 'test_anxiety'\?\)\. Use one of the codebook's constructs"):
        reliability(responses, cb, constructs="anxiety")
    with pytest.raises(ToolkitError, match=r"item 'ta2' of construct 'test_anxiety' is not a column.*closest columns are"):
        item_statistics(responses.drop(columns="ta2"), cb)
    bad = responses.astype({"hs1": object})
    bad.iloc[5, bad.columns.get_loc("hs1")] = "often"
    with pytest.raises(ToolkitError, match=r"row 6 \(pseudonym FAKE-10006\), column 'hs1', value 'often': answer is not a number"):
        reliability_warnings(bad, cb)

"""The ``toolkit score`` command: three tables written at once, user mistakes exit 2."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _scoring_sample import SAMPLE_CODEBOOK_PATH, SAMPLE_EXPORT_PATH, sample_codebook_text, sample_responses
from click.testing import CliRunner

from toolkit import item_statistics, load_codebook, reliability, score_scales
from toolkit.cli import cli


@pytest.fixture(scope="module")
def cb():
    return load_codebook(SAMPLE_CODEBOOK_PATH)


@pytest.fixture
def responses_csv(tmp_path, cb):
    path = tmp_path / "clean" / "responses.csv"
    path.parent.mkdir()
    sample_responses(cb).to_csv(path, index_label="pseudonym", lineterminator="\n")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_score_writes_scores_reliability_and_item_tables(tmp_path, responses_csv, cb):
    out = tmp_path / "scores"
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Scored 240 students on 6 scales" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["items.csv", "reliability.csv", "scores.csv"]

    responses = sample_responses(cb)
    scores = pd.read_csv(out / "scores.csv", dtype={"Section": str, "Gender": str, "Grade": str})
    assert list(scores.columns) == ["pseudonym", "Grade", "Section", "Gender", *cb.construct_keys]
    assert scores["pseudonym"].tolist() == responses.index.tolist()
    assert scores["Section"].tolist() == responses["Section"].tolist()
    expected = score_scales(responses, cb)
    pd.testing.assert_frame_equal(scores.set_index("pseudonym")[list(cb.construct_keys)], expected, atol=1e-9, check_index_type=False)

    rel = pd.read_csv(out / "reliability.csv")
    pd.testing.assert_frame_equal(rel, reliability(responses, cb), atol=1e-9)
    assert rel.loc[0, "alpha"] == pytest.approx(0.841137, abs=1e-3)  # R psych::alpha, interest
    items = pd.read_csv(out / "items.csv")
    pd.testing.assert_frame_equal(items, item_statistics(responses, cb), atol=1e-9)


def test_score_method_and_min_items_options_reach_the_scores(tmp_path, responses_csv, cb):
    out = tmp_path / "z"
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", out, "--method", "z", "--min-items", "3")
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out / "scores.csv", index_col="pseudonym")
    expected = score_scales(sample_responses(cb), cb, method="z", min_items=3)
    pd.testing.assert_frame_equal(scores[list(cb.construct_keys)], expected, atol=1e-9, check_index_type=False)


def test_same_inputs_give_byte_identical_outputs(tmp_path, responses_csv):
    for name in ("a", "b"):
        assert run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", tmp_path / name).exit_code == 0
    for table in ("scores.csv", "reliability.csv", "items.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


def test_reliability_problems_are_printed_in_words(tmp_path, responses_csv):
    codebook = tmp_path / "forgot.yml"
    codebook.write_text(
        sample_codebook_text().replace(
            'se4: {column: "I doubt I can master the skills taught in this class.", reverse: true}',
            'se4: "I doubt I can master the skills taught in this class."',
        ),
        encoding="utf-8",
    )
    result = run("score", responses_csv, "--codebook", codebook, "--out", tmp_path / "s")
    assert result.exit_code == 0
    assert "Warning: se4 correlates -0.66 with the other self-efficacy items: is it reverse keyed?" in result.stderr


def test_non_numeric_answer_exits_2_naming_file_row_column_and_value(tmp_path, responses_csv):
    table = pd.read_csv(responses_csv, dtype=str)
    table.loc[3, "er2"] = "Agree"
    table.to_csv(responses_csv, index=False, lineterminator="\n")
    out = tmp_path / "scores"
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", out)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    # row 5 as a spreadsheet shows it: the header is row 1
    assert f"{responses_csv}, row 5 (pseudonym FAKE-10004), column 'er2', value 'Agree': answer is not a number" in result.output
    assert not out.exists()  # nothing half-written


def test_item_missing_from_the_responses_exits_2_naming_the_closest_columns(tmp_path, responses_csv):
    table = pd.read_csv(responses_csv, dtype=str).rename(columns={"co2": "co_2"})
    table.to_csv(responses_csv, index=False, lineterminator="\n")
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", tmp_path / "s")
    assert result.exit_code == 2
    assert "item 'co2' of construct 'collaboration' is not a column of the responses (the closest columns are 'co_2'" in result.output


def test_an_existing_output_folder_is_left_as_it_was_on_error(tmp_path, responses_csv):
    out = tmp_path / "scores"
    assert run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    table = pd.read_csv(responses_csv, dtype=str)
    table.loc[0, "ta1"] = "9"
    table.to_csv(responses_csv, index=False, lineterminator="\n")
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", out)
    assert result.exit_code == 2
    assert "column 'ta1', value 9: answer outside the response scale 1..5" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.unlink(), r"responses file not found. Give the responses.csv written by toolkit deidentify"),
        (lambda p: p.write_text("student,int1\nx,3\n"), r"the responses have no 'pseudonym' column"),
    ],
)
def test_missing_or_foreign_responses_file_exits_2(tmp_path, responses_csv, make, message):
    make(responses_csv)
    result = run("score", responses_csv, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", tmp_path / "s")
    assert result.exit_code == 2
    assert re.search(message, result.output)


def test_score_reads_what_toolkit_deidentify_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_KEY_FILE", str(tmp_path / "key" / "pseudonym.key"))
    clean = tmp_path / "clean"
    result = run("deidentify", SAMPLE_EXPORT_PATH, "--codebook", SAMPLE_CODEBOOK_PATH, "--out", clean)
    assert result.exit_code == 0, result.output
    result = run("score", clean / "responses.csv", "--codebook", SAMPLE_CODEBOOK_PATH, "--out", tmp_path / "scores")
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(tmp_path / "scores" / "scores.csv")
    kept = pd.read_csv(clean / "responses.csv")
    assert scores["pseudonym"].tolist() == kept["pseudonym"].tolist()
    assert scores[["interest", "test_anxiety"]].notna().mean().min() > 0.9

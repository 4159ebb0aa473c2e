"""The ``toolkit profiles`` command: four files, byte-identical reruns, exit 2 on mistakes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from _profiles_helpers import sample_scores
from toolkit.cli import cli
from toolkit.config import SAMPLE_DIR
from toolkit.profiles.persist import assign_profiles


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory):
    scores, _, _ = sample_scores()
    table = scores.copy()
    table.insert(0, "Grade", 9)  # numeric group column: must not be analysed
    table.insert(1, "Section", "9A")
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    table.to_csv(path, index_label="pseudonym", float_format="%.10g", lineterminator="\n")
    return path


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_profiles_writes_the_four_files_and_reruns_byte_identically(scores_csv, tmp_path):
    args = [scores_csv, "--models", "1", "--k", "1-5", "--seed", "3", "--codebook", SAMPLE_DIR / "codebook.yml"]
    r1 = _run("profiles", *args, "--out", tmp_path / "a")
    assert r1.exit_code == 0, r1.output
    assert "Recommended: model 1" in r1.output and "4 profiles" in r1.output
    assert "Not analysed (group or text columns): Grade, Section" in r1.output
    r2 = _run("profiles", *args, "--out", tmp_path / "b")
    assert r2.exit_code == 0
    names = ["fit_table.csv", "assignments.csv", "profiles.csv", "model.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    fit = pd.read_csv(tmp_path / "a" / "fit_table.csv")
    assert fit["n_profiles"].tolist() == [1, 2, 3, 4, 5] and "bic" in fit.columns
    asg = pd.read_csv(tmp_path / "a" / "assignments.csv")
    assert list(asg.columns) == ["pseudonym", "profile", "certainty", "p1", "p2", "p3", "p4"]
    prof = pd.read_csv(tmp_path / "a" / "profiles.csv")
    assert list(prof.columns) == ["profile", "construct", "mean", "se", "lower", "upper", "n", "share", "name"]
    assert "grade" not in set(prof["construct"].str.lower())
    doc = json.loads((tmp_path / "a" / "model.json").read_text())
    assert (doc["model"], doc["n_profiles"]) == (1, 4)
    assert doc["recommendation"]["reasons"] and len(doc["codebook_sha256"]) == 64
    # the saved model assigns the same students to the same profiles
    scores = pd.read_csv(scores_csv, index_col="pseudonym")
    again = assign_profiles(tmp_path / "a" / "model.json", scores)
    np.testing.assert_array_equal(again["profile"].to_numpy(), asg["profile"].to_numpy())


def test_profiles_choose_and_columns_options(scores_csv, tmp_path):
    r = _run("profiles", scores_csv, "--out", tmp_path, "--models", "1,2", "--k", "2,3",
             "--columns", "interest,self_efficacy,test_anxiety", "--choose", "2:3")
    assert r.exit_code == 0, r.output
    prof = pd.read_csv(tmp_path / "profiles.csv")
    assert sorted(prof["construct"].unique()) == ["interest", "self_efficacy", "test_anxiety"]
    doc = json.loads((tmp_path / "model.json").read_text())
    assert doc["chosen_by"] == "user" and (doc["model"], doc["n_profiles"]) == (2, 3)
    assert prof["profile"].max() == 3


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (None, [], "scores file not found"),
        ("pseudonym,interest\nA,3.5\nB,high\n", [], r"row 3, column 'interest', value 'high'.*not a number"),
        ("pseudonym,Section\nA,9A\nB,9B\n", [], "no score columns were found in the scores file"),
        ("pseudonym,interest\nA,3.5\nA,2.5\n", [], r"row 3.*pseudonym appears twice"),
        ("pseudonym,interest\nA,3.5\nB,2.5\n", ["--columns", "nope"], "column 'nope'.*not found"),
        ("pseudonym,interest\nA,3.5\nB,2.5\n", ["--models", "1,9"], "tidyLPA model numbers"),
        ("pseudonym,interest\nA,3.5\nB,2.5\n", ["--k", "x-3"], "--k should be"),
        ("pseudonym,interest\nA,3.5\nB,2.5\n", ["--choose", "4"], "--choose should be MODEL:K"),
    ],
)
def test_profiles_exits_2_with_one_message_on_a_bad_scores_file(tmp_path, content, extra, message):
    path = tmp_path / "scores.csv"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["profiles", str(path), "--out", str(out), *extra])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    import re

    assert re.search(message, r.output), r.output
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_profiles_with_blrt_and_two_jobs_adds_the_p_values(scores_csv, tmp_path):
    r = _run("profiles", scores_csv, "--out", tmp_path, "--models", "1", "--k", "3-4", "--blrt", "9", "--jobs", "2",
             "--columns", "interest,self_efficacy,effort_regulation,help_seeking,collaboration,test_anxiety")
    assert r.exit_code == 0, r.output
    fit = pd.read_csv(tmp_path / "fit_table.csv")
    assert fit["blrt_p"].tolist()[1] == pytest.approx(0.1)  # 4 vs 3: no bootstrap LRT reaches it
    assert "bootstrap likelihood-ratio test" in r.output


def test_n_starts_is_a_cli_option_of_profiles_and_report():
    # The ReplicationWarning tells the user to raise --n-starts: the option must exist on both
    # commands that fit profiles, and refuse a nonsense value with exit 2.
    from click.testing import CliRunner

    from toolkit.cli import cli

    runner = CliRunner()
    for command in ("profiles", "report"):
        assert "--n-starts" in runner.invoke(cli, [command, "--help"]).output
    bad = runner.invoke(cli, ["profiles", "scores.csv", "--out", "x", "--n-starts", "0"])
    assert bad.exit_code == 2 and "--n-starts" in bad.output


def test_whole_number_scores_of_one_item_scales_are_scores_when_the_codebook_names_them(scores_csv, tmp_path):
    """A teacher's survey with one item per scale and no group question scores whole numbers
    1..5; without a codebook such columns read as a grade or a section, and every column of that
    export was set aside ("no score columns were found"). With the codebook found beside the
    folders, its constructs are the scores, in toolkit profiles as in toolkit scaling."""
    work = tmp_path / "work"
    (work / "scores").mkdir(parents=True)
    text = (SAMPLE_DIR / "codebook.yml").read_text(encoding="utf-8")
    assert "group_columns: [Grade, Section, Gender]" in text
    (work / "codebook.yml").write_text(text.replace("group_columns: [Grade, Section, Gender]", "group_columns: []"),
                                       encoding="utf-8")  # a survey without group questions
    table = pd.read_csv(scores_csv, index_col="pseudonym").drop(columns=["Grade", "Section"])
    table = table.round().clip(1, 5).astype("Int64")  # what a one-item scale scores (some missing)
    table.to_csv(work / "scores" / "scores.csv", lineterminator="\n")
    r = _run("profiles", work / "scores" / "scores.csv", "--models", "1", "--k", "1-3", "--seed", "3",
             "--out", work / "profiles")
    assert r.exit_code == 0, r.output
    assert "Not analysed" not in r.output
    fitted = json.loads((work / "profiles" / "model.json").read_text(encoding="utf-8"))
    assert fitted["columns"] == list(table.columns)
    r = _run("scaling", "--responses", work / "scores", "--profiles", work / "profiles", "--out", work / "scaling")
    assert r.exit_code == 0, r.output

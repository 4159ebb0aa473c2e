"""Free text never runs as a spreadsheet formula in the CSVs the toolkit writes."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from toolkit._csv import defuse_formulas
from toolkit.cli import cli


def test_formula_starts_get_a_quote_and_plain_text_is_kept():
    frame = pd.DataFrame({"voice": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-3+4", "- more examples", "Group work", None],
                          "n": [1, 2, 3, 4, 5, 6, 7]})
    out = defuse_formulas(frame)
    assert out["voice"].tolist()[:6] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-3+4", "- more examples", "Group work"]
    assert pd.isna(out["voice"].iloc[6])
    assert out["n"].tolist() == frame["n"].tolist()
    assert frame["voice"].iloc[0].startswith("=")  # the input is not changed


def test_deidentify_writes_student_words_that_cannot_run_as_formulas(tmp_path, sample_dir):
    export = pd.read_csv(sample_dir / "survey_export.csv", dtype=str, keep_default_na=False)
    export.loc[0, "What helps you learn best?"] = "=HYPERLINK(\"http://evil.example\",\"click\")"
    src = tmp_path / "in" / "export.csv"
    src.parent.mkdir()
    export.to_csv(src, index=False)
    result = CliRunner().invoke(cli, ["deidentify", str(src), "--codebook", str(sample_dir / "codebook.yml"),
                                      "--out", str(tmp_path / "clean")])
    assert result.exit_code == 0, result.output
    responses = pd.read_csv(tmp_path / "clean" / "responses.csv", dtype=str, keep_default_na=False)
    voice = responses["helps_me_learn"]
    assert not voice.str.startswith(("=", "+", "@")).any()
    assert voice.str.startswith("'=HYPERLINK").sum() == 1


def test_score_writes_group_labels_that_cannot_run_as_formulas(tmp_path, sample_dir):
    responses = pd.DataFrame({"pseudonym": ["P-1", "P-2", "P-3"], "Grade": ["9", "9", "10"],
                              "Section": ["=cmd|' /C calc'!A0", "9A", "10A"], "Gender": ["F", "M", "F"]})
    from toolkit import load_codebook

    cb = load_codebook(sample_dir / "codebook.yml")
    for i, item in enumerate(cb.items):
        responses[item.id] = [1 + (i % 5), 2, 3]
    responses.to_csv(tmp_path / "responses.csv", index=False)
    result = CliRunner().invoke(cli, ["score", str(tmp_path / "responses.csv"), "--codebook", str(sample_dir / "codebook.yml"),
                                      "--out", str(tmp_path / "scores")])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(tmp_path / "scores" / "scores.csv", dtype=str)
    assert scores["Section"].tolist() == ["'=cmd|' /C calc'!A0", "9A", "10A"]

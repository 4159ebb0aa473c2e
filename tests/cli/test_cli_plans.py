"""``toolkit plans`` and ``toolkit plans import-goals``, end to end on the de-identified sample.

The responses are de-identified by ``toolkit.privacy.deidentify`` with a test key; the profile
folder is a stand-in written from the sample's TRUE profiles (so these tests do not wait for the
profile analysis). The canary test searches every output file for every identifier planted in
the sample.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit import generate_sample, load_codebook
from toolkit.cli import cli
from toolkit.config import SAMPLE_DIR
from toolkit.io import read_export, write_deidentified
from toolkit.privacy.deidentify import deidentify
from toolkit.privacy.keys import load_or_create_key, pseudonymize
from toolkit.sample import PROFILES
from toolkit.scoring.scales import score_scales

CODEBOOK = SAMPLE_DIR / "codebook.yml"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Folders: clean/ (responses.csv), prof/ (assignments.csv, profiles.csv), key file, roster."""
    root = tmp_path_factory.mktemp("plans_cli")
    key_file = root / "keys" / "pseudonym.key"
    key = load_or_create_key(key_file)
    cb = load_codebook(CODEBOOK)
    result = deidentify(read_export(SAMPLE_DIR / "survey_export.csv", cb), cb, key=key)
    write_deidentified(result, root / "clean")
    responses = result.responses

    truth = pd.read_csv(SAMPLE_DIR / "truth.csv")
    truth["pseudonym"] = pseudonymize(truth["student_id"], key)
    profile = truth.set_index("pseudonym")["profile"].reindex(responses.index)
    certainty = pd.Series(0.95, index=responses.index)
    certainty.iloc[::25] = 0.6  # a few uncertain students
    a = pd.DataFrame({"profile": profile, "certainty": certainty}, index=responses.index)
    for k in sorted(PROFILES):
        a[f"p{k}"] = np.where(profile == k, certainty, (1 - certainty) / 3)
    (root / "prof").mkdir()
    a.to_csv(root / "prof" / "assignments.csv", index_label="pseudonym", lineterminator="\n")
    means = score_scales(responses, cb).groupby(profile).mean()
    rows = [(k, c, means.loc[k, c], PROFILES[k][0]) for k in means.index for c in means.columns]
    pd.DataFrame(rows, columns=["profile", "construct", "mean", "name"]).to_csv(
        root / "prof" / "profiles.csv", index=False, lineterminator="\n")

    export = pd.read_csv(SAMPLE_DIR / "survey_export.csv", dtype=str, keep_default_na=False)
    roster = export[["Student ID", "Your name"]].drop_duplicates("Student ID").rename(columns={"Your name": "Name"})
    roster.to_csv(root / "roster.csv", index=False)
    return {"root": root, "key": key_file, "responses": responses, "roster": roster}


@pytest.fixture(scope="module")
def drafted(work):
    out = work["root"] / "plans"
    result, output = run("plans", "--responses", work["root"] / "clean", "--profiles", work["root"] / "prof",
                         "--out", out, "--codebook", CODEBOOK)
    assert result.exit_code == 0, output
    return out, output


def _all_text(folder) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_plans_command_writes_one_plan_per_student_and_every_sheet(drafted, work):
    out, output = drafted
    plans = pd.read_csv(out / "plans.csv", keep_default_na=False)
    kept = work["responses"].index
    assert plans["pseudonym"].is_unique and sorted(plans["pseudonym"]) == sorted(kept)
    assert (out / "templates.md").is_file() and (out / "templates.csv").is_file()
    assert sorted(p.name for p in (out / "sheets").glob("template-*.html")) == [f"template-{k}.html" for k in (1, 2, 3, 4)]
    for pid in kept:
        assert (out / "sheets" / f"{pid}.html").is_file() and (out / "reflections" / f"{pid}.html").is_file()
    assert "Anxious strivers" in (out / "templates.md").read_text()
    assert f"Drafted 4 templates and {len(kept)} plans" in output
    flagged = plans.set_index("pseudonym")["flagged"].astype(str)
    assert (flagged.loc[work["responses"].index[::25]] == "True").all()  # every uncertain student is flagged


def test_no_planted_identifier_appears_in_any_plan_output(drafted):
    out, _ = drafted
    text = _all_text(out).casefold()
    canaries = generate_sample().canaries
    assert [c for c in canaries if c.casefold() in text] == []
    assert "in my words" in text


def test_rerun_gives_byte_identical_outputs(drafted, work, tmp_path):
    out, _ = drafted
    again = tmp_path / "again"
    result, output = run("plans", "--responses", work["root"] / "clean", "--profiles", work["root"] / "prof",
                         "--out", again, "--codebook", CODEBOOK)
    assert result.exit_code == 0, output
    first = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in first:
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_scores_csv_beside_the_responses_is_used_when_present(work, tmp_path):
    clean = tmp_path / "clean"
    shutil.copytree(work["root"] / "clean", clean)
    cb = load_codebook(CODEBOOK)
    score_scales(work["responses"], cb).to_csv(clean / "scores.csv", index_label="pseudonym")
    shutil.copy(CODEBOOK, clean / "codebook.yml")  # found without --codebook
    result, output = run("plans", "--responses", clean, "--profiles", work["root"] / "prof", "--out", tmp_path / "out")
    assert result.exit_code == 0, output
    assert f"Scores from {clean / 'scores.csv'}" in output


def test_roster_names_go_only_into_the_names_folder_with_a_warning(work, tmp_path):
    out, private = tmp_path / "out", tmp_path / "private"
    result, output = run("plans", "--responses", work["root"] / "clean", "--profiles", work["root"] / "prof",
                         "--out", out, "--codebook", CODEBOOK, "--roster", work["root"] / "roster.csv",
                         "--key-file", work["key"], "--names-out", private)
    assert result.exit_code == 0, output
    names = list(work["roster"]["Name"])
    assert "holds students' names" in output and "do not share it" in output
    assert f"Matched {len(work['responses'])} of {len(names)} roster rows to plans." in output
    private_text = _all_text(private)
    assert sum(n in private_text for n in names) >= len(work["responses"]) - 5
    shared = _all_text(out)
    assert [n for n in names if n in shared] == [] and [n for n in names if n in output] == []
    assert all(p.stem.startswith("P-") for p in (private / "plans").iterdir())
    # the named sheets are handed to the students: no "do not share it" printed on them
    for sub in ("plans", "reflections"):
        for page in (private / sub).iterdir():
            assert "do not share it" not in page.read_text(), page
    # the teacher's named class packs sort students by name and say they hold names
    pack = (private / "pack" / "9A.html").read_text()
    assert "This page shows students&#39; names" in pack


def test_import_goals_updates_plans_and_reports_unknown_pseudonyms(drafted, work, tmp_path):
    out = tmp_path / "plans"
    shutil.copytree(drafted[0], out)
    pids = list(work["responses"].index[:2])
    goals = tmp_path / "goals.csv"
    pd.DataFrame({"pseudonym": pids + ["P-000000000000"], "goal": ["Ask one question a lesson", "Call me on 555-0123", "lost"]}).to_csv(goals, index=False)
    result, output = run("plans", "import-goals", goals, "--plans", out)
    assert result.exit_code == 0, output
    assert "Imported 2 goal(s)" in output and "1 row(s) have a pseudonym with no plan (first: P-000000000000)" in output
    plans = pd.read_csv(out / "plans.csv", index_col="pseudonym", keep_default_na=False)
    assert plans.loc[pids[0], "goal"] == "Ask one question a lesson"
    assert plans.loc[pids[1], "goal"] == "Call me on [PHONE]"
    assert list(pd.read_csv(out / "goals-unknown.csv")["pseudonym"]) == ["P-000000000000"]
    before = pd.read_csv(drafted[0] / "plans.csv", index_col="pseudonym", keep_default_na=False)
    pd.testing.assert_frame_equal(plans.drop(index=pids), before.drop(index=pids))


def test_imported_goals_cannot_run_as_a_spreadsheet_formula(drafted, work, tmp_path):
    out = tmp_path / "plans"
    shutil.copytree(drafted[0], out)
    pid = work["responses"].index[0]
    goals = tmp_path / "goals.csv"
    pd.DataFrame({"pseudonym": [pid], "goal": ["=SUM(A1:A9)*10"]}).to_csv(goals, index=False)
    result, output = run("plans", "import-goals", goals, "--plans", out)
    assert result.exit_code == 0, output
    plans = pd.read_csv(out / "plans.csv", index_col="pseudonym", dtype=str, keep_default_na=False)
    assert plans.loc[pid, "goal"] == "'=SUM(A1:A9)*10"
    assert not plans.apply(lambda col: col.str.startswith(("=", "+", "@"))).any().any()


def test_goals_option_prints_the_goals_on_the_sheets(work, tmp_path):
    pid = work["responses"].index[3]
    goals = tmp_path / "goals.csv"
    pd.DataFrame({"pseudonym": [pid], "goal": ["Read one extra chapter a week"]}).to_csv(goals, index=False)
    out = tmp_path / "out"
    result, output = run("plans", "--responses", work["root"] / "clean", "--profiles", work["root"] / "prof",
                         "--out", out, "--codebook", CODEBOOK, "--goals", goals)
    assert result.exit_code == 0, output
    assert "Read one extra chapter a week" in (out / "sheets" / f"{pid}.html").read_text()


# ---------------------------------------------------------------------------------------------
# mistakes: one message, exit 2, nothing written


def _bad_library(root):
    path = root / "bad_lib.yml"
    path.write_text("tags: {interest: Interest}\nstrategies:\n  - {id: a, title: A, description: D, tags: [interest],"
                    " supports: low, grouping: everyone, minutes_per_week: 1, evidence: E, mark: verified}\n")
    return path


def _bad_profiles(root):
    folder = root / "bad_prof"
    folder.mkdir(exist_ok=True)
    pd.DataFrame({"pseudonym": ["P-1"], "cluster": [1]}).to_csv(folder / "assignments.csv", index=False)
    return folder


@pytest.mark.parametrize("case,match", [
    ("no_profiles", "toolkit plans needs --profiles"),
    ("missing_profiles_dir", "profiles folder not found"),
    ("bad_assignments", r"assignments.csv, column 'profile': the assignments have no 'profile' column"),
    ("bad_library", r"bad_lib.yml: strategy 'a' \(number 1\), key 'grouping': expected one of whole_class"),
    ("names_inside_out", "the names folder overlaps the output folder"),
    ("roster_without_names_out", "--roster and --names-out go together"),
    ("missing_key", "the pseudonym key file was not found"),
    ("no_codebook", "no codebook was given and none was found"),
])
def test_user_mistakes_exit_2_with_one_message_and_write_nothing(work, tmp_path, case, match):
    root = work["root"]
    out = tmp_path / "out"
    base = ["plans", "--responses", root / "clean", "--profiles", root / "prof", "--out", out, "--codebook", CODEBOOK]
    args = {
        "no_profiles": ["plans", "--responses", root / "clean", "--out", out],
        "missing_profiles_dir": ["plans", "--responses", root / "clean", "--profiles", tmp_path / "nope", "--out", out, "--codebook", CODEBOOK],
        "bad_assignments": ["plans", "--responses", root / "clean", "--profiles", _bad_profiles(tmp_path), "--out", out, "--codebook", CODEBOOK],
        "bad_library": base + ["--library", _bad_library(tmp_path)],
        "names_inside_out": base + ["--roster", root / "roster.csv", "--key-file", work["key"], "--names-out", out / "names"],
        "roster_without_names_out": base + ["--roster", root / "roster.csv"],
        "missing_key": base + ["--roster", root / "roster.csv", "--key-file", tmp_path / "nokey", "--names-out", tmp_path / "private"],
        "no_codebook": ["plans", "--responses", root / "clean", "--profiles", root / "prof", "--out", out],
    }[case]
    result, output = run(*args)
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert re.search(match, output), output
    assert not out.exists() and not (tmp_path / "private").exists()


@pytest.mark.parametrize("case,match", [
    ("no_plans", r"plans.csv: plans file not found"),
    ("no_goal_column", r"goals.csv, column 'goal': the goals file has no 'goal' column"),
])
def test_import_goals_mistakes_exit_2(drafted, tmp_path, case, match):
    goals = tmp_path / "goals.csv"
    columns = {"pseudonym": ["P-1"], "aim": ["x"]} if case == "no_goal_column" else {"pseudonym": ["P-1"], "goal": ["x"]}
    pd.DataFrame(columns).to_csv(goals, index=False)
    plans_dir = tmp_path / "empty" if case == "no_plans" else drafted[0]
    (tmp_path / "empty").mkdir()
    before = (drafted[0] / "plans.csv").read_bytes()
    result, output = run("plans", "import-goals", goals, "--plans", plans_dir)
    assert result.exit_code == 2, output
    assert re.search(match, output), output
    assert (drafted[0] / "plans.csv").read_bytes() == before

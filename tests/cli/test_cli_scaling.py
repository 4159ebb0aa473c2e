"""Tests of ``toolkit scaling``: the files it writes, determinism, and exit status 2 on mistakes."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.config import SAMPLE_DIR
from _sample_data import sample_codebook, sample_responses, sample_scale_scores

CODEBOOK = SAMPLE_DIR / "codebook.yml"
TABLES = ("costs", "fidelity", "tradeoff", "projection", "transfer", "transitions", "sensitivity", "workload")
FIGURES = ("owner", "costs", "tradeoff", "projection", "sensitivity")


def sample_scores():
    """``(codebook, wave-1 scores, wave-2 scores)`` of the bundled sample, with the group columns."""
    return sample_codebook(), sample_scale_scores(1, groups=True), sample_scale_scores(2, groups=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A scores folder (wave 1), a wave-2 scores file and a profiles folder with K=4."""
    root = tmp_path_factory.mktemp("scaling_cli")
    cb, s1, s2 = sample_scores()
    (root / "scores").mkdir()
    s1.to_csv(root / "scores" / "scores.csv")
    s2.to_csv(root / "wave2.csv")
    (root / "profiles").mkdir()
    asg = pd.DataFrame({"profile": 1, "certainty": 1.0, "p1": 1.0, "p2": 0.0, "p3": 0.0, "p4": 0.0},
                       index=pd.Index(s1.index, name="pseudonym"))
    asg.to_csv(root / "profiles" / "assignments.csv")
    return root


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


@pytest.fixture(scope="module")
def result(work):
    out = work / "out"
    r = run("scaling", "--responses", work / "scores", "--profiles", work / "profiles", "--wave2", work / "wave2.csv",
            "--codebook", CODEBOOK, "--out", out, "--seed", 5)
    return r, out


def test_scaling_writes_every_table_figure_and_the_statements(result):
    r, out = result
    assert r.exit_code == 0, r.output
    for name in TABLES:
        assert (out / f"{name}.csv").is_file(), name
    for name in FIGURES:
        png = (out / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    text = (out / "statements.md").read_text(encoding="utf-8")
    assert "For the 240 students surveyed, with advisors of about 19 students" in text and "(K=4)" in text
    assert "At 1,500 students (a school)" in text
    assert "Between the waves" in text
    assert "per teacher" not in text.lower()
    assert "Scaling study (K=4)" in r.output


def test_scaling_uses_the_k_of_the_profiles_folder(result):
    _, out = result
    assert set(pd.read_csv(out / "transfer.csv")["grouping"]) <= {"Section", "Grade", "Gender"}
    costs = pd.read_csv(out / "costs.csv").set_index("way")
    assert costs.loc["templated", "n_profiles"] == 4
    transitions = pd.read_csv(out / "transitions.csv", dtype=str)
    assert list(transitions["wave1_profile"]) == ["1", "2", "3", "4", "all"]


def test_scaling_outputs_hold_no_student_level_rows(result):
    _, out = result
    cb, s1, s2 = sample_scores()
    students = set(s1.index) | set(s2.index)
    for name in TABLES:
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        assert [p for p in students if p in text] == [], name
    text = (out / "statements.md").read_text(encoding="utf-8")
    assert [p for p in students if p in text] == []


def test_same_seed_gives_byte_identical_tables(work, result):
    _, out = result
    again = work / "again"
    r = run("scaling", "--responses", work / "scores" / "scores.csv", "--profiles", work / "profiles",
            "--wave2", work / "wave2.csv", "--codebook", CODEBOOK, "--out", again, "--seed", 5)
    assert r.exit_code == 0, r.output
    for name in TABLES:
        assert (again / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes(), name


def test_scaling_scores_a_responses_folder_with_its_codebook(tmp_path, work):
    cb, s1, _ = sample_scores()
    resp = sample_responses().drop(columns=list(cb.voice_columns))
    (tmp_path / "clean").mkdir()
    resp.to_csv(tmp_path / "clean" / "responses.csv")
    r = run("scaling", "--responses", tmp_path / "clean", "--profiles", work / "profiles", "--codebook", CODEBOOK,
            "--out", tmp_path / "out", "--k", 3, "--group", "Grade")
    assert r.exit_code == 0, r.output
    transfer = pd.read_csv(tmp_path / "out" / "transfer.csv")
    assert set(transfer["grouping"]) == {"Grade"}
    assert not (tmp_path / "out" / "transitions.csv").exists()  # no wave 2 given


def test_a_folder_without_scores_exits_2_and_writes_nothing(tmp_path, work):
    (tmp_path / "empty").mkdir()
    r = run("scaling", "--responses", tmp_path / "empty", "--profiles", work / "profiles", "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert "no scores.csv or responses.csv in this folder" in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_a_broken_workload_file_exits_2_naming_the_key(tmp_path, work):
    bad = tmp_path / "mine.yml"
    bad.write_text("template_minutes: lots\n", encoding="utf-8")
    r = run("scaling", "--responses", work / "scores", "--profiles", work / "profiles", "--workload", bad,
            "--codebook", CODEBOOK, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert "mine.yml, key 'template_minutes', value 'lots'" in r.output
    assert not (tmp_path / "out").exists()


def test_a_missing_profiles_folder_exits_2(tmp_path, work):
    r = run("scaling", "--responses", work / "scores", "--profiles", tmp_path / "nope", "--codebook", CODEBOOK,
            "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert "profiles folder not found" in r.output


def test_non_numeric_score_exits_2_naming_row_and_column(tmp_path, work):
    cb, s1, _ = sample_scores()
    s1 = s1.astype({"interest": object})
    s1.iloc[2, s1.columns.get_loc("interest")] = "n/a?"
    (tmp_path / "scores").mkdir()
    s1.to_csv(tmp_path / "scores" / "scores.csv")
    r = run("scaling", "--responses", tmp_path / "scores", "--profiles", work / "profiles", "--codebook", CODEBOOK,
            "--out", tmp_path / "out")
    assert r.exit_code == 2
    # the file, and the row as a spreadsheet shows it (header = row 1)
    assert f"{tmp_path / 'scores' / 'scores.csv'}, row 4, column 'interest', value 'n/a?': a scale score is not a number" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()


def test_an_unreadable_assignments_file_exits_2(tmp_path, work):
    (tmp_path / "prof").mkdir()
    (tmp_path / "prof" / "assignments.csv").write_text("", encoding="utf-8")
    r = run("scaling", "--responses", work / "scores", "--profiles", tmp_path / "prof", "--codebook", CODEBOOK,
            "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert "assignments.csv: the assignments file cannot be read as CSV" in r.output


def test_help_shows_an_example():
    r = run("scaling", "--help")
    assert r.exit_code == 0
    assert "toolkit scaling --responses" in r.output


def test_without_a_codebook_the_command_says_how_it_read_the_scores(tmp_path, work):
    r = CliRunner().invoke(cli, ["scaling", "--responses", str(work / "scores"), "--profiles", str(work / "profiles"),
                                 "--out", str(tmp_path / "out"), "--group", "Section"])
    assert r.exit_code == 0, r.output
    assert "no codebook found" in r.output and "--codebook" in r.output
    # Grade (whole numbers) is a group, not a scale score, even when it is not a --group.
    assert "interest, self_efficacy, effort_regulation, help_seeking, collaboration, test_anxiety are read" in r.output
    fidelity = pd.read_csv(tmp_path / "out" / "fidelity.csv")
    assert len(fidelity) == 8 * 4


# ------------------------------------------------------------------ the owner model (issue 13)
def _quick(work, out, *extra):
    return run("scaling", "--responses", work / "scores", "--profiles", work / "profiles", "--codebook", CODEBOOK,
               "--out", out, "--seed", 5, "--group", "Grade", *extra)


def test_scaling_writes_the_answer_and_the_owner_tables(result):
    r, out = result
    assert r.exit_code == 0, r.output
    for name in ("owner", "budget", "owner_sensitivity"):
        assert (out / f"{name}.csv").is_file()
    answer = (out / "answer.md").read_text(encoding="utf-8")
    owner = pd.read_csv(out / "owner.csv").set_index("way")
    assert "advisors of about 19 students" in answer and "school-wide templates" in answer
    assert set(owner.index) == {"individual", "templated", "hybrid", "cowritten"}
    assert owner["template_scope"].eq("school").all()
    assert answer.split("\n\n", 1)[1].strip() in (out / "statements.md").read_text(encoding="utf-8")
    assert (out / "time_log_template.csv").read_text(encoding="utf-8").startswith("date,task,minutes,students")


def test_students_per_owner_template_scope_and_budget_options(tmp_path, work):
    r = _quick(work, tmp_path / "o", "--students-per-owner", 12, "--template-scope", "district", "--budget-minutes", 15)
    assert r.exit_code == 0, r.output
    owner = pd.read_csv(tmp_path / "o" / "owner.csv")
    budget = pd.read_csv(tmp_path / "o" / "budget.csv")
    assert owner["students_per_owner"].eq(12).all() and owner["template_scope"].eq("district").all()
    assert budget["budget_minutes_per_week"].eq(15).all()
    assert (budget["fits"] == (budget["minutes_per_week_p50"] <= 15)).all()
    answer = (tmp_path / "o" / "answer.md").read_text(encoding="utf-8")
    assert "advisors of about 12 students" in answer and "district-wide templates" in answer and "15 minutes a week" in answer
    r = _quick(work, tmp_path / "b", "--students-per-owner", 0)
    assert r.exit_code == 2 and not (tmp_path / "b").exists()


def test_time_log_makes_assumptions_local_with_their_spread(tmp_path, work):
    log = tmp_path / "log.csv"
    log.write_text("date,task,minutes,students\n2026-09-01,personalise_minutes,60,4\n"
                   "2026-09-02,personalise_minutes,50,2\n2026-09-03,personalise_minutes,40,4\n"
                   "2026-09-04,template_minutes,70,\n", encoding="utf-8")
    r = _quick(work, tmp_path / "t", "--time-log", log)
    assert r.exit_code == 0, r.output
    assert "personalise_minutes is now local: 15 (range 10-25 over 3 logged tasks)" in r.output
    assert "template_minutes is now local: 70 (one logged task" in r.output
    wl = pd.read_csv(tmp_path / "t" / "workload.csv").set_index("assumption")
    assert wl.loc["personalise_minutes", ["value", "low", "high"]].tolist() == [15, 10, 25]
    assert wl.loc["personalise_minutes", "kind"] == "local"
    answer = (tmp_path / "t" / "answer.md").read_text(encoding="utf-8")
    assert "personalise_minutes," not in answer.split("no public source", 1)[-1].split(".")[0]
    # the answer names where the local figures come from
    assert "Your own timings replace these assumptions" in answer and "log.csv" in answer
    bad = tmp_path / "bad.csv"
    bad.write_text("date,task,minutes,students\n2026-09-01,personalise_minutes,lots,1\n", encoding="utf-8")
    r = _quick(work, tmp_path / "u", "--time-log", bad)
    assert r.exit_code == 2 and "row 2" in r.output and "minutes" in r.output and "lots" in r.output
    assert not (tmp_path / "u").exists()
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("date,task,minutes,students\n2026-09-01,coffee,5,1\n", encoding="utf-8")
    r = _quick(work, tmp_path / "v", "--time-log", unknown)
    assert r.exit_code == 2 and "coffee" in r.output


def test_reliability_beside_the_scores_gives_the_benefit_measure(tmp_path, work):
    import shutil

    folder = tmp_path / "scores"
    shutil.copytree(work / "scores", folder)
    cb, _, _ = sample_scores()
    pd.DataFrame({"construct": list(cb.construct_keys), "alpha": 0.8}).to_csv(folder / "reliability.csv", index=False)
    r = run("scaling", "--responses", folder, "--profiles", work / "profiles", "--codebook", CODEBOOK,
            "--out", tmp_path / "o", "--seed", 5, "--group", "Grade")
    assert r.exit_code == 0, r.output
    owner = pd.read_csv(tmp_path / "o" / "owner.csv").set_index("way")
    assert owner["benefit_recall"].between(0, 1).all() and owner.loc["individual", "benefit_recall"] < 1
    assert "true top two needs" in (tmp_path / "o" / "answer.md").read_text(encoding="utf-8")


# ------------------------------------------------------------- groups, scopes and waves (issues 13, 16, 17)
def test_run_scaling_without_groups_uses_the_codebooks_group_columns(tmp_path, work):
    from toolkit.cli.scaling import run_scaling

    cb, _, _ = sample_scores()
    run_scaling(work / "scores", work / "profiles", tmp_path / "o", codebook_path=CODEBOOK, seed=5, groups=None)
    assert list(pd.read_csv(tmp_path / "o" / "transfer.csv")["grouping"].unique()) == list(cb.group_columns)


def test_a_group_column_the_scores_lack_exits_2_naming_it(tmp_path, work):
    r = run("scaling", "--responses", work / "scores", "--profiles", work / "profiles", "--codebook", CODEBOOK,
            "--out", tmp_path / "o", "--group", "Campus")
    assert r.exit_code == 2 and "column 'Campus'" in r.output and "no such group column" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()


def test_district_scope_reaches_every_table(tmp_path, work):
    r = _quick(work, tmp_path / "d", "--template-scope", "district")
    assert r.exit_code == 0, r.output
    for name in ("owner", "costs", "tradeoff", "projection", "sensitivity"):
        assert pd.read_csv(tmp_path / "d" / f"{name}.csv")["template_scope"].eq("district").all(), name


def test_a_wave_two_with_another_key_exits_2_with_the_counts(tmp_path, work):
    cb, _, s2 = sample_scores()
    s2.index = "other-" + s2.index.astype(str)
    s2.to_csv(tmp_path / "wave2.csv")
    r = _quick(work, tmp_path / "w", "--wave2", tmp_path / "wave2.csv")
    assert r.exit_code == 2 and "only 0 of 228 wave-2 students" in r.output and "--key" in r.output
    assert not (tmp_path / "w").exists()

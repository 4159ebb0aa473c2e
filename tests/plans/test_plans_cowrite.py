"""Plans that students co-write, that a teacher can run, and that carry over to the next survey (issue 14).

End to end on the de-identified sample, through the run functions behind ``toolkit plans`` (the
click options are declared in ``toolkit.cli``): sheets written, a filled Google Forms export
(built here) read back with the survey's own reader, plans and sheets regenerated with the
students' choices; the student-facing files over every student; the class pack; and
``previous=`` on the sample's two waves against the sample's truth. The profile folders are
stand-ins written from the TRUE profiles, so nothing here waits for the profile analysis.
"""

from __future__ import annotations

import re
import shutil
from html import escape as _escape

import numpy as np
import pandas as pd
import pytest

from toolkit import load_codebook
from toolkit.cli.plans import run_import_answers, run_plans
from toolkit.config import SAMPLE_DIR
from toolkit.errors import ToolkitError
from toolkit.io import read_export, write_deidentified
from toolkit.plans.goals import ANSWER_FIELDS, QUESTIONS, read_answers
from toolkit.plans.strategies import load_strategy_library
from toolkit.privacy.deidentify import deidentify
from toolkit.privacy.keys import load_or_create_key, pseudonymize
from toolkit.sample import PROFILES, generate_sample

CODEBOOK = SAMPLE_DIR / "codebook.yml"
LIBRARY = load_strategy_library()


def escape(text: str) -> str:
    """As jinja2 escapes text into a page."""
    return _escape(text, quote=True).replace("&quot;", "&#34;").replace("&#x27;", "&#39;")


def _profiles(folder, responses, profile, certainty):
    folder.mkdir(parents=True)
    a = pd.DataFrame({"profile": profile, "certainty": certainty}, index=responses.index)
    for k in sorted(PROFILES):
        a[f"p{k}"] = np.where(profile == k, certainty, (1 - certainty) / 3)
    a.to_csv(folder / "assignments.csv", index_label="pseudonym", lineterminator="\n")
    pd.DataFrame({"profile": sorted(PROFILES), "name": [PROFILES[k][0] for k in sorted(PROFILES)]}).to_csv(
        folder / "profiles.csv", index=False, lineterminator="\n")


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    """Both waves de-identified with one key, stand-in profile folders from the truth, wave 1 drafted."""
    root = tmp_path_factory.mktemp("cowrite")
    key = load_or_create_key(root / "keys" / "pseudonym.key")
    cb = load_codebook(CODEBOOK)
    truth = pd.read_csv(SAMPLE_DIR / "truth.csv")
    truth["pseudonym"] = pseudonymize(truth["student_id"], key)
    truth = truth.set_index("pseudonym")
    out = {"root": root, "truth": truth}
    for wave, export, col in ((1, "survey_export.csv", "profile"), (2, "survey_export_wave2.csv", "profile_wave2")):
        result = deidentify(read_export(SAMPLE_DIR / export, cb), cb, key=key)
        write_deidentified(result, root / f"clean{wave}")
        responses = result.responses
        certainty = pd.Series(0.95, index=responses.index)
        certainty.iloc[::20] = 0.6  # a few uncertain students
        _profiles(root / f"prof{wave}", responses, truth[col].reindex(responses.index), certainty)
        out[f"responses{wave}"] = responses
        out[f"certainty{wave}"] = certainty
    run_plans(root / "clean1", root / "prof1", root / "plans1", codebook_path=CODEBOOK, start="2026-09-28")
    return out


def _plans(folder):
    return pd.read_csv(folder / "plans.csv", index_col="pseudonym", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------
# the co-writing cycle, end to end, nothing typed by hand


@pytest.fixture(scope="module")
def cowritten(waves, tmp_path_factory):
    root = waves["root"]
    folder = tmp_path_factory.mktemp("cw") / "plans"
    import shutil

    shutil.copytree(root / "plans1", folder)
    printed = _plans(folder)
    pids = list(printed.index[:40])
    rows = []
    for i, pid in enumerate(pids):
        rows.append({
            "Timestamp": f"2026/10/0{1 + i % 5} 9:{i:02d}:00 AM GMT-4",
            QUESTIONS["code"]: pid,
            QUESTIONS["idea_1"]: "Yes, I'll try it",
            QUESTIONS["idea_2"]: "No, not for me" if i % 2 else "",
            QUESTIONS["idea_3"]: "Not sure",
            QUESTIONS["own_idea"]: "Call me on 555-0199 to remind me" if i == 0 else ("Flashcards on the bus" if i % 3 == 0 else ""),
            QUESTIONS["goal"]: "Feel less nervous in tests" if i % 4 == 0 else "",
            QUESTIONS["will_try"]: "",
            QUESTIONS["how_i_know"]: "I sleep the night before a test" if i % 4 == 0 else "",
            QUESTIONS["who_can_help"]: "My tutor",
            QUESTIONS["describes_me"]: "No" if i == 5 else ("Partly" if i % 2 else "Yes"),
            QUESTIONS["goal_progress"]: "",
        })
    rows.append({**rows[1], QUESTIONS["idea_1"]: "No, not for me"})  # student 1 sent the form twice: the last counts
    rows.append({**rows[2], QUESTIONS["code"]: "P-000000000000"})  # a code with no plan
    export = folder.parent / "co-writing form (Responses).csv"
    pd.DataFrame(rows).to_csv(export, index=False)
    messages = run_import_answers(export, folder, root / "clean1", root / "prof1", codebook_path=CODEBOOK,
                                  start="2026-09-28")
    return {"folder": folder, "printed": printed, "pids": pids, "messages": messages}


def test_the_form_export_is_imported_and_the_plans_and_sheets_regenerated(cowritten):
    folder, printed, pids = cowritten["folder"], cowritten["printed"], cowritten["pids"]
    plans = _plans(folder)
    first = [p for p in printed.loc[pids, "offered"].str.split(";")]
    for i, (pid, offered) in enumerate(zip(pids, first)):
        chosen = plans.at[pid, "chosen"].split(";")
        if i == 1:  # the later submission crossed idea 1
            assert offered[0] in plans.at[pid, "crossed"].split(";") and plans.at[pid, "chosen"] == ""
            continue
        assert chosen == [offered[0]], pid
        assert plans.at[pid, "crossed"] == (offered[1] if i % 2 else ""), pid
        assert plans.at[pid, "who_can_help"] == "My tutor"
        assert plans.at[pid, "personal_layer"].startswith("Chose: " + LIBRARY.get(offered[0]).title)
        html = (folder / "reflections" / f"{pid}.html").read_text()
        assert "(you chose this)" in html
        assert "What you chose to try" in (folder / "sheets" / f"{pid}.html").read_text()
    text = " ".join(cowritten["messages"])
    assert "Read the sheets of 40 student(s)" in text and "1 student(s) sent more than once" in text
    assert "1 row(s) have a code with no plan (first: P-000000000000)" in text
    assert list(pd.read_csv(folder / "answers-unknown.csv")["code"]) == ["P-000000000000"]


def test_imported_goals_are_linked_to_a_strategy_that_serves_them(cowritten):
    plans = _plans(cowritten["folder"])
    for i, pid in enumerate(cowritten["pids"]):
        if i % 4 == 0:
            assert plans.at[pid, "goal"] == "Feel less nervous in tests"
            sid = plans.at[pid, "goal_strategy"]
            assert sid in plans.at[pid, "strategies"].split(";") and LIBRARY.get(sid).serves("test_anxiety"), pid
            assert plans.at[pid, "how_i_know"] == "I sleep the night before a test"


def test_free_text_on_the_sheets_is_scrubbed_like_the_survey(cowritten):
    plans = _plans(cowritten["folder"])
    pid = cowritten["pids"][0]
    assert "555-0199" not in plans.at[pid, "own_idea"] and "[PHONE]" in plans.at[pid, "own_idea"]
    assert "555-0199" not in "\n".join(p.read_text() for p in cowritten["folder"].rglob("*") if p.is_file())


def test_a_student_who_says_the_plan_does_not_describe_them_is_talked_to_first(cowritten):
    plans = _plans(cowritten["folder"])
    pid = cowritten["pids"][5]
    assert plans.at[pid, "describes_me"] == "no" and plans.at[pid, "flagged"] == "True"
    assert "the student says the plan does not describe them" in plans.at[pid, "flag_reason"]


def test_a_bad_answer_names_file_row_column_and_value(waves, tmp_path):
    bad = tmp_path / "answers.csv"
    pid = waves["responses1"].index[0]
    pd.DataFrame({"code": [pid], "idea_1": ["perhaps later"]}).to_csv(bad, index=False)
    with pytest.raises(ToolkitError, match=r"answers.csv, row 2, column 'idea_1'.*'perhaps later'.*yes \(or a tick\)"):
        run_import_answers(bad, waves["root"] / "plans1", waves["root"] / "clean1", waves["root"] / "prof1",
                           codebook_path=CODEBOOK)
    with pytest.raises(ToolkitError, match=r"no code column"):
        read_answers(pd.DataFrame({"name": ["x"], "goal": ["y"]}), {}, source="a.csv")


def test_the_plain_answers_template_and_the_form_questions_round_trip(waves):
    folder = waves["root"] / "plans1"
    template = pd.read_csv(folder / "answers-template.csv", dtype=str, keep_default_na=False)
    assert tuple(template.columns) == ANSWER_FIELDS and len(template) == len(waves["responses1"])
    questions = (folder / "form-questions.txt").read_text()
    for q in QUESTIONS.values():
        assert q in questions
    offered = {pid: tuple(v.split(";")) for pid, v in _plans(folder)["offered"].items()}
    template.loc[0, ["idea_2", "goal", "describes_me"]] = ["tick", "Ask one question a lesson", "partly"]
    result = read_answers(template, offered)
    pid = template.loc[0, "code"]
    assert result.answers.at[pid, "chosen"] == offered[pid][1] and result.answers.at[pid, "describes_me"] == "partly"
    assert len(result.answers) == len(template) and len(result.unknown) == 0


# ---------------------------------------------------------------------------------------------
# what a student receives


def _student_files(folder):
    return sorted((folder / "sheets").glob("P-*.html")) + sorted((folder / "reflections").glob("*.html"))


def test_no_student_facing_file_shows_a_profile_name_a_fit_value_or_teacher_minutes(waves):
    files = _student_files(waves["root"] / "plans1")
    assert len(files) == 2 * len(waves["responses1"])
    names = [name for name, _, _ in PROFILES.values()]
    for f in files:
        text = f.read_text()
        body = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        assert not [n for n in names if n in body], f.name
        assert not re.search(r"\bfit\b|certainty|minutes|profile|Talk with this student", body, re.IGNORECASE), f.name


def test_every_students_words_are_quoted_whole_on_their_sheets(waves):
    folder = waves["root"] / "plans1"
    plans = _plans(folder)
    said = plans["in_my_words"].str.removeprefix("In my words: ")
    checked = 0
    for pid, text in said.items():
        if not text:
            continue
        for w in text[1:-1].split('"; "'):
            for sub in ("sheets", "reflections"):
                assert '"' + escape(w) + '"' in (folder / sub / f"{pid}.html").read_text(), (pid, w)
            checked += 1
    assert checked >= 0.8 * len(plans)


def test_student_sheets_use_the_students_words_for_strategies_and_needs(waves):
    folder = waves["root"] / "plans1"
    plans = _plans(folder)
    for pid, row in plans.iterrows():
        html = (folder / "reflections" / f"{pid}.html").read_text()
        for sid in row["offered"].split(";"):
            assert escape(LIBRARY.get(sid).for_student) in html
        assert "Confidence that one can do the work" not in html and "one's" not in html


# ---------------------------------------------------------------------------------------------
# the class pack


def test_one_pack_per_section_with_every_kept_student_once(waves):
    folder = waves["root"] / "plans1"
    plans = _plans(folder)
    assert {"Grade", "Section"} <= set(plans.columns) and "Gender" not in plans.columns
    assert list(plans.columns[:2]) == ["Grade", "Section"]
    packs = sorted((folder / "pack").glob("*.html"))
    sections = sorted(plans["Section"].unique())
    assert [p.stem for p in packs if p.stem != "index"] == sections
    seen = []
    for section in sections:
        html = (folder / "pack" / f"{section}.html").read_text()
        ids = re.findall(r'<div class="page" id="s-(P-[0-9a-f]{12})">', html)
        assert sorted(ids) == sorted(plans.index[plans["Section"] == section])
        assert html.count("<h1>Plan template:") == len(set(plans.loc[ids, "profile"]))
        assert "Check-in log" in html and "How we will know it works" in html
        seen += ids
    assert sorted(seen) == sorted(plans.index)


def test_plans_carry_start_and_review_dates_and_a_dated_check_in_log(waves):
    folder = waves["root"] / "plans1"
    plans = _plans(folder)
    assert set(plans["start_date"]) == {"2026-09-28"} and set(plans["review_date"]) == {"2026-12-21"}
    weekly = plans.index[plans["check_in"] == "weekly"][0]
    html = (folder / "pack" / f"{plans.at[weekly, 'Section']}.html").read_text()
    page = html[html.index(f'id="s-{weekly}"'):]
    page = page[:page.index("</table>\n</div>") if "</table>\n</div>" in page else None]
    log = page[page.index("Check-in log"):]
    assert log.count("<tr><td>") == 12 and "05 Oct" in log and "21 Dec" in log


def test_plans_csv_has_readable_titles_and_minutes_by_kind(waves):
    plans = _plans(waves["root"] / "plans1")
    row = plans.iloc[0]
    titles = [LIBRARY.get(i).title for i in row["strategies"].split(";")]
    assert row["strategy_titles"].split(" | ") == titles
    kinds = plans[["minutes_planning", "minutes_class", "minutes_student", "minutes_meeting"]].astype(float).sum(axis=1)
    assert np.allclose(kinds, plans["minutes"].astype(float))


# ---------------------------------------------------------------------------------------------
# the next cycle


@pytest.fixture(scope="module")
def second(waves):
    root = waves["root"]
    messages = run_plans(root / "clean2", root / "prof2", root / "plans2", codebook_path=CODEBOOK,
                         previous_dir=root / "plans1", start="2027-01-04")
    return _plans(root / "plans2"), messages


def test_previous_marks_exactly_the_students_whose_profile_changed(second, waves):
    plans, messages = second
    truth = waves["truth"].loc[plans.index]
    first = _plans(waves["root"] / "plans1")
    both = plans.index[plans.index.isin(first.index)]
    changed = set(both[(truth.loc[both, "profile"] != truth.loc[both, "profile_wave2"]).to_numpy()])
    marked = set(plans.index[plans["profile_change"].str.startswith("changed")])
    assert marked == changed and len(changed) > 20
    assert set(plans.index[plans["profile_change"] == "new"]) == set(plans.index) - set(first.index)
    uncertain = set(plans.index[plans["profile_change"] == "changed (uncertain)"])
    low = set(waves["certainty1"].index[waves["certainty1"] < 0.7]) | set(waves["certainty2"].index[waves["certainty2"] < 0.7])
    assert uncertain == changed & low
    assert f"{len(changed)} plan(s) need rewriting because the profile changed" in " ".join(messages)


def test_previous_carries_goals_forward_and_asks_how_they_went(second, waves):
    plans, _ = second
    first = _plans(waves["root"] / "plans1")
    both = [p for p in plans.index if p in first.index and first.at[p, "goal"]]
    assert both
    for pid in both:
        assert plans.at[pid, "previous_goal"] == first.at[pid, "goal"]
        assert plans.at[pid, "goal"], pid  # the new survey's goal, or the last one carried forward
        html = (waves["root"] / "plans2" / "reflections" / f"{pid}.html").read_text()
        assert "Last time you wrote" in html and "How did it go?" in html
    blank = [p for p in both if not waves["responses2"].at[p, "goal"] or pd.isna(waves["responses2"].at[p, "goal"])]
    assert all(plans.at[p, "goal"] == first.at[p, "goal"] for p in blank)


def test_the_next_sheet_shows_the_student_what_moved(second, waves):
    plans, _ = second
    moved = plans.index[plans["moved"] != ""]
    assert len(moved) > 10
    html = (waves["root"] / "plans2" / "reflections" / f"{moved[0]}.html").read_text()
    assert "Since last time:" in html and "last time" in html


def test_previous_without_plans_csv_is_a_clear_error(waves, tmp_path):
    (tmp_path / "old").mkdir()
    with pytest.raises(ToolkitError, match=r"plans.csv: previous plans file not found"):
        run_plans(waves["root"] / "clean2", waves["root"] / "prof2", tmp_path / "out", codebook_path=CODEBOOK,
                  previous_dir=tmp_path / "old")
    assert not (tmp_path / "out").exists()


def test_a_bad_start_date_is_a_clear_error(waves, tmp_path):
    with pytest.raises(ToolkitError, match=r"the start date is not a date.*YYYY-MM-DD"):
        run_plans(waves["root"] / "clean1", waves["root"] / "prof1", tmp_path / "out", codebook_path=CODEBOOK,
                  start="28/09/2026")


def test_no_planted_identifier_reaches_any_cycle_output(second, waves, cowritten):
    canaries = [c.lower() for c in generate_sample().canaries]
    for folder in (waves["root"] / "plans1", waves["root"] / "plans2", cowritten["folder"]):
        text = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()).lower()
        assert [c for c in canaries if c in text] == []


def test_a_form_that_collected_names_never_lets_them_into_the_plans():
    table = pd.DataFrame({
        "ID": ["1"], "Email": ["avery.t@example.org"], "Name": ["Avery Testwood"],
        QUESTIONS["code"]: ["P-1"], QUESTIONS["own_idea"]: ["Sit next to Testwood in maths"],
        QUESTIONS["goal"]: ["Ask avery.t@example.org less"],
    })
    result = read_answers(table, {"P-1": ("weekly-quiz",)})
    row = result.answers.loc["P-1"]
    assert "Testwood" not in row["own_idea"] and "[NAME]" in row["own_idea"]
    assert "example.org" not in row["goal"]
    assert "Avery" not in " ".join(map(str, result.answers.to_numpy().ravel()))


def test_previous_matches_profiles_by_their_means_not_their_numbers(waves, tmp_path):
    # a re-fit numbers and names the profiles differently: the changes found must not depend on it
    root = waves["root"]
    prof = tmp_path / "prof2"
    shutil.copytree(root / "prof2", prof)
    a = pd.read_csv(prof / "assignments.csv")
    perm = {1: 3, 2: 4, 3: 1, 4: 2}
    a["profile"] = a["profile"].map(perm)
    cols = [f"p{k}" for k in sorted(perm)]
    a = a.rename(columns={f"p{k}": f"p{v}" for k, v in perm.items()})[["pseudonym", "profile", "certainty", *cols]]
    a.to_csv(prof / "assignments.csv", index=False)
    pd.DataFrame({"profile": [1, 2, 3, 4], "name": ["Profile 1", "Profile 2", "Profile 3", "Profile 4"]}).to_csv(
        prof / "profiles.csv", index=False)
    run_plans(root / "clean2", prof, tmp_path / "plans2", codebook_path=CODEBOOK, previous_dir=root / "plans1")
    renumbered = _plans(tmp_path / "plans2")["profile_change"]
    run_plans(root / "clean2", root / "prof2", tmp_path / "plans2b", codebook_path=CODEBOOK, previous_dir=root / "plans1")
    pd.testing.assert_series_equal(renumbered, _plans(tmp_path / "plans2b")["profile_change"])


def test_toolkit_plans_import_from_the_command_line_exits_2_on_a_bad_answer(waves, tmp_path):
    from click.testing import CliRunner

    from toolkit.cli import cli

    bad = tmp_path / "answers.csv"
    pd.DataFrame({"code": [waves["responses1"].index[0]], "idea_1": ["perhaps later"]}).to_csv(bad, index=False)
    root = waves["root"]
    res = CliRunner().invoke(cli, ["plans", "import", str(bad), "--plans", str(root / "plans1"), "--responses",
                                   str(root / "clean1"), "--profiles", str(root / "prof1"), "--codebook", str(CODEBOOK)])
    assert res.exit_code == 2, res.output
    assert "row 2, column 'idea_1'" in res.output and "Traceback" not in res.output
